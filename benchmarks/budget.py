"""What issue 4's throughput targets leave per page and per line, against the least each
stage of boilerml costs on this machine.

    python benchmarks/budget.py [--datasets DIR] [--pages N] [--repeats R] [--write]

On one core (as ``speed.py``, whose pinning and timing it reuses) and the first ``--pages``
dev pages, in one run:

* the **budgets**: issue 4 asks HTML mode for at least half the pages/s of the parse-only
  baseline (lxml parse plus ``text_content()``) and five times trafilatura's, and text mode
  for 200,000 lines/s. As time, that is at most twice the baseline's ms per page, a fifth of
  trafilatura's, and 5 µs per line.
* the **least costs**, each timed alone: lxml parsing the page as boilerml does; parsing plus
  an empty walk over its elements (what any Python pass over the tree pays before doing
  anything); boilerml's features on already segmented lines; its first pass alone and both
  passes (``Model.predict_proba``) on already computed features; and the whole ``clean()``.

A stage that alone costs more than a budget shows that the target cannot be met by making
the other stages faster. Not a test; ``--write`` puts the tables into
``benchmarks/RESULTS.md`` (section ``budget``).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import speed  # noqa: E402  (first: it pins this process to one core before numpy starts)
from accuracy import EXTRACTORS, write_results  # noqa: E402
from lxml import etree  # noqa: E402

from boilerml.corpora import corpus_names, datasets_dir, read_corpora, render_as_text  # noqa: E402
from boilerml.features import extract_features  # noqa: E402
from boilerml.model import default_model  # noqa: E402
from boilerml.segment import _parse_html, html_to_lines, segment  # noqa: E402

#: Issue 4's targets: HTML mode at least this share of the baseline's pages/s ...
BASELINE_SHARE = 0.5
#: ... and at least this multiple of trafilatura's; text mode at least this many lines/s.
TRAFILATURA_MULTIPLE = 5.0
TEXT_LINES_PER_SECOND = 200_000
DEFAULT_PAGES = 200
DEFAULT_REPEATS = 3


def _empty_walk(html: str) -> None:
    """Parse as boilerml does, then visit every element's start and end, doing nothing."""
    root = _parse_html(html)
    if root is not None:
        for _ in etree.iterwalk(root, events=("start", "end")):
            pass


def least_costs(texts: list[str], dumps: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """Seconds summed over the pages for each stage timed alone, per mode (median of repeats)."""
    model = default_model()
    lines = {"html": [html_to_lines(text) for text in texts], "text": [segment(d, "text") for d in dumps]}
    features = {mode: [extract_features(page, mode) for page in pages] for mode, pages in lines.items()}
    costs: dict[str, dict[str, float]] = {"html": {}, "text": {}}
    costs["html"]["lxml parse"] = speed._median_seconds(_parse_html, texts, repeats)
    walked = speed._median_seconds(_empty_walk, texts, repeats)
    costs["html"]["lxml parse + an empty walk of the elements"] = walked
    for mode in ("html", "text"):
        pairs = list(zip(lines[mode], features[mode], strict=True))
        first = model.estimators[mode]["first"]
        costs[mode]["features (lines already segmented)"] = speed._median_seconds(
            lambda page, mode=mode: extract_features(page, mode), lines[mode], repeats
        )
        costs[mode]["first pass alone (features already computed)"] = speed._median_seconds(
            lambda pair, first=first: first.predict_proba(pair[1]), pairs, repeats
        )
        costs[mode]["both passes (features already computed)"] = speed._median_seconds(
            lambda pair, mode=mode: model.predict_proba(pair[1], mode), pairs, repeats
        )
    return costs


def format_report(
    n_pages: int, n_lines: int, repeats: int, whole: dict[str, float], costs: dict[str, dict[str, float]]
) -> str:
    """The budgets and the least costs as Markdown tables (ms per page; µs per text line)."""
    per_page = {name: 1000 * seconds / n_pages for name, seconds in whole.items()}
    html_budget = [("half the baseline's pages/s", per_page[speed.BASELINE] / BASELINE_SHARE)]
    if "trafilatura" in per_page:
        trafilatura_budget = per_page["trafilatura"] / TRAFILATURA_MULTIPLE
        html_budget.append(("five times trafilatura's pages/s", trafilatura_budget))
    text_budget_us = 1e6 / TEXT_LINES_PER_SECOND
    out = [
        f"What issue 4's throughput targets leave, measured {datetime.date.today().isoformat()}"
        f" (`python benchmarks/budget.py --write`): {n_pages} dev pages ({n_lines:,} lines as text),"
        f" one core, median of {repeats} runs.",
        "",
        "| | HTML mode, ms/page | text mode, µs/line |",
        "|---|---|---|",
    ]
    for name, budget in html_budget:
        out.append(f"| budget: {name} | {budget:.2f} | |")
    out.append(f"| budget: {TEXT_LINES_PER_SECOND:,} lines/s | | {text_budget_us:.1f} |")
    for name in (speed.BASELINE, "trafilatura"):
        if name in per_page:
            out.append(f"| {name}, whole page | {per_page[name]:.2f} | |")
    for stage in dict.fromkeys([*costs["html"], *costs["text"]]):
        html = costs["html"].get(stage)
        text = costs["text"].get(stage)
        html_cell = f"{1000 * html / n_pages:.2f}" if html is not None else ""
        text_cell = f"{1e6 * text / n_lines:.1f}" if text is not None else ""
        out.append(f"| least cost: {stage} | {html_cell} | {text_cell} |")
    html_clean = 1000 * whole["boilerml, HTML mode"] / n_pages
    text_clean = 1e6 * whole["boilerml, text mode"] / n_lines
    out.append(f"| boilerml `clean()`, whole page | {html_clean:.2f} | {text_clean:.1f} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="corpora folder (default: ../shared/datasets)")
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, help="dev pages to time")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="runs per timing")
    parser.add_argument("--write", action="store_true", help="write the tables into RESULTS.md")
    args = parser.parse_args()
    root = Path(datasets_dir(args.datasets))
    if not corpus_names(root):
        print(f"no corpora in {root}: nothing to time (the budget needs real dev pages)")
        sys.exit(2)
    pages = [page for page, _ in zip(read_corpora(root, "dev"), range(args.pages), strict=False)]
    texts = [page.text() for page in pages]
    dumps = [render_as_text(html_to_lines(text), False) for text in texts]
    n_lines = sum(dump.count("\n") + 1 for dump in dumps)
    calls = speed._own_calls(pages, [dump.encode() for dump in dumps])
    run = EXTRACTORS["trafilatura"].run  # the `bench` extra, as for speed.py
    calls["trafilatura"] = (lambda page: run(page, page.text()), pages)
    whole = {name: speed._median_seconds(call, items, args.repeats) for name, (call, items) in calls.items()}
    report = format_report(len(pages), n_lines, args.repeats, whole, least_costs(texts, dumps, args.repeats))
    print(report)
    if args.write:
        write_results(report, "budget")


if __name__ == "__main__":
    main()
