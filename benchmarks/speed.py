"""Speed of the classification path on real dev pages, against a parse-only lxml baseline.

    python benchmarks/speed.py [--datasets DIR] [--pages N] [--repeats R]

Measures, in one process on one core, pages/s and lines/s of ``boilerml.clean`` in HTML mode
and in text mode (the same pages rendered as text dumps), and of parsing with lxml plus
``text_content()`` as the baseline; medians over repeats, one warm-up call first. Prints the
ratio to the baseline, which compares across machines. Not a test: nothing here asserts time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import lxml.html

import boilerml
from boilerml.corpora import datasets_dir, read_corpora, render_as_text
from boilerml.segment import html_to_lines


def _time_per_page(function, pages, repeats: int) -> float:
    function(pages[0])  # warm-up: model load, caches
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for page in pages:
            function(page)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="corpora folder (default: ../shared/datasets)")
    parser.add_argument("--pages", type=int, default=200, help="dev pages to time")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    pages = []
    for page in read_corpora(Path(datasets_dir(args.datasets)), "dev"):
        pages.append(page.html)
        if len(pages) >= args.pages:
            break
    texts = [render_as_text(html_to_lines(boilerml.decode(p).text), False) for p in pages]
    n_lines = sum(t.count("\n") + 1 for t in texts)
    boilerml.default_model()
    timings = {
        "lxml parse + text_content (baseline)": _time_per_page(
            lambda p: lxml.html.document_fromstring(p).text_content(), pages, args.repeats
        ),
        "boilerml clean, HTML mode": _time_per_page(
            lambda p: boilerml.clean(p, input_format="html"), pages, args.repeats
        ),
        "boilerml clean, text mode": _time_per_page(
            lambda t: boilerml.clean(t, input_format="text"), texts, args.repeats
        ),
    }
    baseline = timings["lxml parse + text_content (baseline)"]
    print(f"{len(pages)} dev pages ({n_lines} text lines), median of {args.repeats} runs, one process\n")
    print("| extractor | pages/s | lines/s | time vs baseline |")
    print("|---|---|---|---|")
    for name, seconds in timings.items():
        print(
            f"| {name} | {len(pages) / seconds:.1f} | {n_lines / seconds:.0f} | {seconds / baseline:.1f}× |"
        )


if __name__ == "__main__":
    main()
