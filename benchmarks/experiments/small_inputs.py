"""How the shipped model treats small text inputs: dev pages cut to a few lines (a report).

Usage: python benchmarks/experiments/small_inputs.py [--every 4] [--model M]

For every ``--every``-th dev page (HTML segmentation, derived labels), the first content
lines of :data:`MIN_PARAGRAPH_CHARS` characters or more (the article's first paragraphs) are
classified in text mode as an input of their own, one line each: alone, and after the two
navigation lines that come before the first of them on the page (a menu's last items). Prints,
per kind of input, the share of those paragraphs labelled content and the share of pages that
keep none. A report on dev pages, not a gate: nothing is tuned on it.
"""

from __future__ import annotations

import argparse
import itertools
import statistics

from boilerml.corpora import datasets_dir, derive_labels, read_corpora
from boilerml.model import load_model
from boilerml.pipeline import classify
from boilerml.segment import html_to_lines

#: A line this long is a paragraph rather than a title, a byline or a caption.
MIN_PARAGRAPH_CHARS = 80
#: How many of the article's first paragraphs an input holds.
PARAGRAPH_COUNTS = (1, 3)
#: How many navigation lines from just before the article go in front of them.
MENU_LINES = 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=int, default=4, help="read every n-th dev page")
    parser.add_argument("--model", default=None, help="a model file (default: the shipped one)")
    args = parser.parse_args()
    model = load_model(args.model)
    kept: dict[str, list[float]] = {}
    for page in itertools.islice(read_corpora(datasets_dir(None), "dev"), 0, None, args.every):
        lines = html_to_lines(page.text())
        truth = derive_labels(lines, page.content, page.comments)
        paragraphs = [
            i for i, t in enumerate(truth) if t == "content" and len(lines[i].text) >= MIN_PARAGRAPH_CHARS
        ]
        if not paragraphs:
            continue
        menu = [i for i in range(paragraphs[0]) if truth[i] == "navigation"][-MENU_LINES:]
        for count in PARAGRAPH_COUNTS:
            body = paragraphs[:count]
            inputs = {f"{count} paragraph(s) alone": body}
            if len(menu) == MENU_LINES:
                inputs[f"{MENU_LINES} menu lines, then {count} paragraph(s)"] = menu + body
            for kind, chosen in inputs.items():
                text = "\n".join(lines[i].text for i in chosen)
                labelled = classify(text, input_format="text", model=model)
                if len(labelled) != len(chosen):  # a line read as two (sentences): not comparable
                    continue
                labels = [line.label for line, i in zip(labelled, chosen, strict=True) if i in body]
                kept.setdefault(kind, []).append(statistics.fmean(label == "content" for label in labels))
    print("| input | pages | paragraphs kept | pages keeping none |\n|---|---|---|---|")
    for kind, shares in sorted(kept.items()):
        none = statistics.fmean(share == 0 for share in shares)
        print(f"| {kind} | {len(shares)} | {statistics.fmean(shares):.3f} | {none:.3f} |")


if __name__ == "__main__":
    main()
