"""Text mode on train pages converted to Markdown by other tools (experiment helper).

Usage: python benchmarks/experiments/converters_sim.py [--every N] [--jobs N] [--datasets DIR]
       python benchmarks/experiments/converters_sim.py --wrap-check [--jobs N]

Session 46's figures for Markdown input (README, "Plain text, and Chinese"): every ``N``-th
train page (10 gives 530 pages) is converted by html2text (unwrapped, ``body_width=0``, and
with its defaults, wrapped at 78 columns) and by markdownify (ATX headings), and cleaned in
text mode; it prints the mean token F1 of boilerml's own dump of the same pages, of each
conversion read as written (``markdown=False``) and read as Markdown, and how many
conversions hold less than 80 % of the gold tokens (the converter lost the page).
``--wrap-check`` instead counts the train and dev dumps (with and without blank lines) that
:func:`boilerml.unwrap.unwrap` reads as wrapped: text written one block per line should not
be. Train pages only for the figures (the dev figures are ``accuracy.py --renderings``).
Numbers only: no corpus text is printed.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable

from joblib import Parallel, delayed

import boilerml
from boilerml.corpora import Page, corpus_names, datasets_dir, read_corpora, render_as_text, uses_blank_lines
from boilerml.metrics import token_f1
from boilerml.segment import html_to_lines
from boilerml.unwrap import unwrap

#: A conversion holding less than this share of the gold tokens lost the page itself.
LOST_COVERAGE = 0.8
#: Pages per job.
CHUNK = 32


def _converters() -> dict[str, Callable[[str], str]]:
    import html2text
    from markdownify import markdownify

    def html2text_at(width: int) -> Callable[[str], str]:
        def convert(html: str) -> str:
            converter = html2text.HTML2Text()
            converter.body_width = width
            return converter.handle(html)

        return convert

    return {
        "html2text, body_width=0": html2text_at(0),
        "html2text, defaults (78)": html2text_at(78),
        "markdownify, ATX headings": lambda html: markdownify(html, heading_style="ATX"),
    }


def _scores(pages: list[Page]) -> list[dict[str, float]]:
    converters = _converters()
    out = []
    for page in pages:
        html = page.text()
        dump = render_as_text(html_to_lines(html), uses_blank_lines(page))
        as_dump = boilerml.clean(dump, input_format="text", unwrap=False, markdown=False)
        row = {"dump": token_f1(page.content, as_dump)[2]}
        for name, convert in converters.items():
            text = convert(html)
            row[f"{name}: as written"] = token_f1(
                page.content, boilerml.clean(text, input_format="text", markdown=False)
            )[2]
            row[f"{name}: as Markdown"] = token_f1(page.content, boilerml.clean(text, input_format="text"))[2]
            row[f"{name}: lost by the converter"] = float(token_f1(page.content, text)[1] < LOST_COVERAGE)
        out.append(row)
    return out


def _wrapped_dumps(pages: list[Page]) -> list[str]:
    found = []
    for page in pages:
        lines = html_to_lines(page.text())
        for blank_lines in (True, False):
            dump = render_as_text(lines, blank_lines).split("\n")
            if len(unwrap(dump)) < len(dump):
                found.append(f"{page.dataset}/{page.page_id}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=int, default=10, help="every N-th train page (default 10)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--wrap-check", action="store_true", help="count dumps read as wrapped")
    args = parser.parse_args()
    root = datasets_dir(args.datasets)
    if args.wrap_check:
        pages = list(read_corpora(root, None, corpus_names(root)))
        chunks = [pages[i : i + CHUNK] for i in range(0, len(pages), CHUNK)]
        found = [
            key
            for part in Parallel(n_jobs=args.jobs)(delayed(_wrapped_dumps)(c) for c in chunks)
            for key in part
        ]
        print(
            f"{len(pages)} train and dev pages: {len(found)} dumps of {len(set(found))} pages read as wrapped"
        )
        return
    pages = [p for i, p in enumerate(read_corpora(root, "train", corpus_names(root))) if i % args.every == 0]
    chunks = [pages[i : i + CHUNK] for i in range(0, len(pages), CHUNK)]
    rows = [row for part in Parallel(n_jobs=args.jobs)(delayed(_scores)(c) for c in chunks) for row in part]
    print(f"{len(rows)} train pages (every {args.every}th), mean token F1 in text mode:")
    for name in rows[0]:
        values = [row[name] for row in rows]
        shown = (
            f"{sum(values):.0f} pages"
            if name.endswith("lost by the converter")
            else f"{statistics.fmean(values):.4f}"
        )
        print(f"  {name}: {shown}")


if __name__ == "__main__":
    main()
