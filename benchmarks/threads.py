"""Reader-comment threads of different shapes: how many comment bodies a model finds.

    python benchmarks/threads.py [--model PATH]

The pages in ``benchmarks/threads/`` are written for this project (no corpus text): a short
article and a thread each, in the shapes sites use (WordPress lists with nested replies,
flat paragraphs with "by NAME on DATE" lines, ``dl``/``dt``/``dd`` threads, a Chinese news
page's comment box). Elements marked ``data-gold="comment"`` are comment bodies and
``data-gold="content"`` article text; the marks are attributes boilerml's features never
read.

Per page and mode (HTML, and text mode on the page rendered as a text dump), it prints how
many comment bodies ``clean(keep=("comment",))`` returns and how many article blocks
``clean()`` keeps. One page's verdict can flip with any retrain (the README example's thread
has); a share over several shapes says more about the class than any one of them. Not a
test, and not a training or tuning set: a behaviour check to read beside the dev figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import lxml.html

import boilerml
from boilerml.corpora import render_as_text
from boilerml.model import load_model
from boilerml.segment import collapse_whitespace, html_to_lines

THREADS = Path(__file__).resolve().parent / "threads"


def gold_blocks(raw: bytes, kind: str) -> list[str]:
    """The whitespace-collapsed texts of the page's elements marked ``data-gold=kind``."""
    tree = lxml.html.document_fromstring(raw)
    return [
        collapse_whitespace(element.text_content()).strip()
        for element in tree.xpath(f'//*[@data-gold="{kind}"]')
    ]


def page_scores(raw: bytes, model: boilerml.Model | None) -> dict[str, tuple[int, int, int, int]]:
    """Per mode: (comment bodies found, comment bodies, article blocks kept, article blocks)."""
    comments, content = gold_blocks(raw, "comment"), gold_blocks(raw, "content")
    dump = render_as_text(html_to_lines(raw.decode("utf-8")), False)
    scores = {}
    for mode, page in (("html", raw), ("text", dump)):
        said_comment = boilerml.clean(page, input_format=mode, keep=("comment",), model=model)
        said_content = boilerml.clean(page, input_format=mode, model=model)
        found = sum(body in said_comment for body in comments)
        kept = sum(block in said_content for block in content)
        scores[mode] = (found, len(comments), kept, len(content))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model file (default: the shipped model)")
    args = parser.parse_args()
    model = load_model(args.model) if args.model else None
    totals = {"html": [0, 0, 0, 0], "text": [0, 0, 0, 0]}
    print("| page | mode | comment bodies found | article blocks kept |")
    print("|---|---|---|---|")
    for path in sorted(THREADS.glob("*.html")):
        for mode, figures in page_scores(path.read_bytes(), model).items():
            found, comments, kept, content = figures
            print(f"| {path.stem} | {mode} | {found} of {comments} | {kept} of {content} |")
            totals[mode] = [a + b for a, b in zip(totals[mode], figures, strict=True)]
    for mode, (found, comments, kept, content) in totals.items():
        print(f"| all pages | {mode} | {found} of {comments} | {kept} of {content} |")


if __name__ == "__main__":
    main()
