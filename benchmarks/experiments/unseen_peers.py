"""boilerml on sites it never saw against the peers, on the train pages (experiment helper).

Usage: python benchmarks/experiments/unseen_peers.py RUN.npz [RUN.npz ...] [--every N] [--offset R]
                                                    [--jobs N] [--out SCORES.jsonl]
                                                    [--also SCORES.jsonl] [--peers a,b|""]

The dev split has 480 pages on sites no train page comes from (20 of them Chinese): few, for
the figure that matters most to pages users bring. The peers learnt nothing from the train
split, so on the train pages they are as on any page; ``site_gate.py`` gives each train page
boilerml's probabilities from a model fitted on the other half of the sites. This scores both
the same way ``accuracy.py`` scores dev: the lines with P(content) >= 0.5 kept, their text
joined by newlines, token F1 against the page's gold (METRICS.md), per page; the peers through
``accuracy.py``'s own runners. Prints mean page token F1 per corpus and language group, with
the best figure in bold; ``--out`` keeps the page scores and ``--also`` adds an earlier run's
(the peers' scores do not depend on the runs, so they need computing once). ``--every N
--offset R`` scores the pages allp[R::N] only (the peers took 0.33 s a page, one core). Numbers
only: no corpus text is written.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from accuracy import (
    BOILERML,
    EXTRACTORS,
    Extractor,
    Score,
    _group_order,
    _score_page,
    groups_of,
    map_pages,
)

from boilerml.corpora import Page, datasets_dir, read_corpora, text_mode_lines, uses_blank_lines
from boilerml.lines import LABELS
from boilerml.reassemble import DEFAULT_THRESHOLD
from boilerml.segment import html_to_lines

PEERS = [name for name in EXTRACTORS if name not in BOILERML]


def held_out_content(paths: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """{"boilerml-<mode>": {page key: P(content) per line}} from ``site_gate.py`` outputs."""
    found: dict[str, dict[str, np.ndarray]] = {}
    for path in paths:
        data = np.load(path)
        for mode in ("html", "text"):
            if f"{mode}_probabilities" not in data:
                continue
            content = data[f"{mode}_probabilities"][:, LABELS.index("content")]
            cuts = np.cumsum(data[f"{mode}_lengths"])[:-1]
            found[f"boilerml-{mode}"] = dict(
                zip((str(k) for k in data[f"{mode}_pages"]), np.split(content, cuts), strict=True)
            )
    return found


def kept_text(texts: list[str], content: np.ndarray) -> str:
    """The text boilerml's ``clean`` returns for these lines: those at the threshold, one per line."""
    if len(texts) != len(content):
        raise SystemExit(f"{len(texts)} lines, the run has {len(content)}: not the same segmentation")
    return "\n".join(text for text, p in zip(texts, content, strict=True) if p >= DEFAULT_THRESHOLD)


def _score_chunk(pages: list[tuple[Page, dict[str, np.ndarray]]], peers: list[str]) -> list[Score]:
    """Every extractor on each page; boilerml from the page's held-out P(content) per mode, scored
    by ``accuracy.py``'s own scorer like the peers."""
    import logging

    logging.disable(logging.WARNING)
    scores = []
    for page, held_out in pages:
        html = page.text()
        lines = html_to_lines(html)
        for name, content in held_out.items():
            mode_lines = lines if name == "boilerml-html" else text_mode_lines(lines, uses_blank_lines(page))
            output = kept_text([line.text for line in mode_lines], content)
            held_out_run = Extractor(name, "boilerml", lambda _page, _html, text=output: text)
            scores.append(_score_page(held_out_run, page, html))
        scores += [_score_page(EXTRACTORS[name], page, html) for name in peers]
    return scores


def table(scores: list[Score]) -> str:
    """Markdown: mean page token F1 per group (rows) and extractor (columns), the best in bold."""
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for score in scores:
        for group in groups_of(score):
            values[group][score.extractor].append(score.token_f1)
    names = [n for n in EXTRACTORS if any(n in row for row in values.values())]
    out = ["| group | pages | " + " | ".join(names) + " |", "|---|---" + "|---" * len(names) + "|"]
    for group in sorted(values, key=_group_order):
        means = {n: float(np.mean(v)) for n, v in values[group].items()}
        best = max(means.values())
        cells = [
            ("–" if n not in means else f"**{means[n]:.3f}**" if means[n] == best else f"{means[n]:.3f}")
            for n in names
        ]
        pages = max(len(v) for v in values[group].values())
        out.append(f"| {group} | {pages} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", help="site_gate.py outputs (html, text or both modes)")
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", default=None, help="write the page scores here (JSON lines)")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated; '' for none")
    parser.add_argument("--also", action="append", default=[], help="page scores of an earlier --out")
    args = parser.parse_args()

    held_out = held_out_content(args.runs)
    keys = set.intersection(*(set(pages) for pages in held_out.values()))
    root = datasets_dir(args.datasets)
    pages = [p for p in read_corpora(root, "train") if f"{p.dataset}/{p.page_id}" in keys]
    pages = pages[args.offset :: args.every]
    work = [(p, {n: c[f"{p.dataset}/{p.page_id}"] for n, c in held_out.items()}) for p in pages]
    peers = [name for name in args.peers.split(",") if name]
    scores = map_pages(functools.partial(_score_chunk, peers=peers), work, args.jobs)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(asdict(s)) + "\n" for s in scores)
    chosen = {(p.dataset, p.page_id) for p in pages}
    for path in args.also:
        with open(path, encoding="utf-8") as handle:
            earlier = [Score(**json.loads(line)) for line in handle]
        scores += [s for s in earlier if (s.dataset, s.page_id) in chosen]
    print(f"{len(pages)} train pages, boilerml held out by site halves ({', '.join(args.runs)})\n")
    print(table(scores))


if __name__ == "__main__":
    main()
