"""Print a dev page's lines with derived label, predicted label and probabilities (experiment helper).

Usage: python benchmarks/experiments/showpage.py DATASET PAGE_ID [html|text] [--model M] [--max N]
"""

from __future__ import annotations

import argparse

from boilerml.classify import classify_lines
from boilerml.corpora import datasets_dir, derive_labels, read_corpus, text_mode_lines, uses_blank_lines
from boilerml.features import extract_features
from boilerml.lines import LABELS
from boilerml.model import load_model
from boilerml.segment import html_to_lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset")
    parser.add_argument("page_id")
    parser.add_argument("mode", nargs="?", default="text")
    parser.add_argument("--model", default=None)
    parser.add_argument("--max", type=int, default=400)
    parser.add_argument("--width", type=int, default=90)
    args = parser.parse_args()
    model = load_model(args.model)
    root = datasets_dir(None)
    page = next(
        p for p in read_corpus(root / f"{args.dataset}.tar.gz", "dev") if p.page_id.startswith(args.page_id)
    )
    lines = html_to_lines(page.text())
    truth = derive_labels(lines, page.content, page.comments)
    if args.mode == "text":
        text_lines = text_mode_lines(lines, uses_blank_lines(page))
        assert len(text_lines) == len(lines)
        lines = text_lines
    labelled = classify_lines(lines, extract_features(lines, args.mode), model, args.mode)
    for i, (t, line) in enumerate(zip(truth, labelled, strict=True)):
        if i >= args.max:
            break
        mark = " " if t == line.label else "*"
        probs = " ".join(f"{line.probabilities[k]:.2f}" for k in LABELS)
        print(f"{i:4d} {mark} {t[:4]:4s} {line.label[:4]:4s} [{probs}] {line.text[: args.width]}")


if __name__ == "__main__":
    main()
