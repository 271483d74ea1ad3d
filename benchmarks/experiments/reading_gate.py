"""A reading change's gate: text mode on every rendering of some train pages (experiment helper).

Usage:
    python benchmarks/experiments/reading_gate.py OUT.json --offset R [--every 10] [--jobs 2]
    python benchmarks/experiments/reading_gate.py --compare BASE.json CANDIDATE.json

Run from the repository root, with the code to judge on ``PYTHONPATH`` (a worktree), once for
main and once for the candidate. The pages are every ``--every``-th train page from the
``R``-th (``allp[R::every]`` of all corpora, in ``read_corpora`` order): pick an offset that no
exploration of the change has read. Each page is rendered as ``accuracy.py --renderings``
renders the dev pages (boilerml's dump, Resiliparse, html2text, markdownify, BeautifulSoup's
cut text, trafilatura's text, the article as one line; ``accuracy._rendered``), plus the gold
text as written, and each rendering is cleaned in text mode with the shipped model; HTML mode
is scored for reference. Writes one row per page (corpus, page id, language, token F1 per
rendering): numbers only, no corpus text. A page some converter cannot render (nesting deeper
than Python's recursion limit) is left out.

``--compare`` prints, per rendering, both means, the change, the pages moved by more than
0.01 each way, the change on the Chinese pages and the lowest corpus of 20 pages or more: the
figures exp90-exp92 read their bars from. The shipped model saw these pages' dumps in
training, so a rendering's level is flattered; a change's sign and size between two readings
of the same pages is what the gate reads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from accuracy import _rendered, map_pages

from boilerml.corpora import Page, corpus_names, datasets_dir, read_corpora
from boilerml.metrics import token_f1

#: A page counts as moved when its F1 changes by more than this.
MOVED = 0.01
#: Corpora smaller than this among the gate's pages are not named as the lowest (too noisy).
MIN_CORPUS_PAGES = 20
GOLD_AS_WRITTEN = "the gold text as written"


def _chunk(pages: list[Page]) -> list[dict[str, object]]:
    import boilerml

    rows: list[dict[str, object]] = []
    for page in pages:
        html = page.text()
        try:
            texts = _rendered(page, html)
        except RecursionError:
            continue
        texts[GOLD_AS_WRITTEN] = page.content
        row: dict[str, object] = {"dataset": page.dataset, "id": page.page_id, "lang": page.lang}
        row["HTML"] = token_f1(page.content, boilerml.clean(html, input_format="html"))[2]
        for name, text in texts.items():
            row[name] = token_f1(page.content, boilerml.clean(text, input_format="text"))[2]
        rows.append(row)
    return rows


def compare(base: list[dict], candidate: list[dict]) -> str:
    """The change of each rendering's mean page token F1, as a Markdown table."""
    before = {(r["dataset"], r["id"]): r for r in base}
    after = {(r["dataset"], r["id"]): r for r in candidate}
    keys = sorted(before.keys() & after.keys())
    names = [name for name in before[keys[0]] if name not in ("dataset", "id", "lang")]
    out = [
        f"{len(keys)} pages ({sum(before[k]['lang'].startswith('zh') for k in keys)} Chinese); "
        f"{len(before.keys() ^ after.keys())} in only one file",
        "",
        "| rendering | base | candidate | change | up / down | Chinese pages | lowest corpus |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        changes = {k: after[k][name] - before[k][name] for k in keys}
        chinese = [x for k, x in changes.items() if before[k]["lang"].startswith("zh")]
        per_corpus: dict[str, list[float]] = defaultdict(list)
        for (corpus, _), x in changes.items():
            per_corpus[corpus].append(x)
        lowest = min(
            ((statistics.fmean(v), c) for c, v in per_corpus.items() if len(v) >= MIN_CORPUS_PAGES),
            default=(0.0, "-"),
        )
        out.append(
            f"| {name} | {statistics.fmean(before[k][name] for k in keys):.4f} "
            f"| {statistics.fmean(after[k][name] for k in keys):.4f} "
            f"| {statistics.fmean(changes.values()):+.4f} "
            f"| {sum(x > MOVED for x in changes.values())} / {sum(x < -MOVED for x in changes.values())} "
            f"| {statistics.fmean(chinese) if chinese else 0.0:+.4f} | {lowest[1]} {lowest[0]:+.4f} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="where to write the rows (JSON)")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--compare", nargs=2, metavar=("BASE", "CANDIDATE"))
    args = parser.parse_args()
    if args.compare:
        base, candidate = (json.loads(Path(p).read_text("utf-8")) for p in args.compare)
        print(compare(base, candidate))
        return
    if not args.out:
        parser.error("give OUT.json, or --compare BASE CANDIDATE")
    root = datasets_dir(args.datasets)
    pages = list(read_corpora(root, "train", corpus_names(root)))[args.offset :: args.every]
    rows = map_pages(_chunk, pages, args.jobs)
    Path(args.out).write_text(json.dumps(rows), "utf-8")
    print(f"{len(rows)} of {len(pages)} pages rendered; written to {args.out}")


if __name__ == "__main__":
    main()
