"""Headline-like lines of the train pages and how many pages lose them (experiment helper).

Usage: python benchmarks/experiments/headlines.py flags OUT.npz [--datasets DIR]
       python benchmarks/experiments/headlines.py count HELDOUT.npz FLAGS.npz

A line is *headline-like* (exp35's definition) when it has at least
:data:`MIN_TOKENS` tokens, at least :data:`MIN_SHARE` of them occur in the page's title, and
it holds at least :data:`MIN_COVERAGE` of the title's distinct tokens. The title is the first
``<title>`` element of the parsed page; tokens are :func:`boilerml.tokens.tokenize`'s,
lower-cased. This is a measuring stick, kept apart from any feature a model may have.

``flags`` re-segments the train pages with the code on the path (so its line indexes match
a ``heldout.py`` run of the same code) and writes ``flags`` (one bool per line,
concatenated), ``lengths`` and ``pages``: numbers only, no corpus text. ``count`` prints,
for a ``heldout.py`` output of the same code, the pages with a content-labelled
headline-like line that keep none of them (the article lost its headline, keep rule 0.5 on
P(content)), and the model's errors on headline-like lines.
"""

from __future__ import annotations

import argparse

import numpy as np

from boilerml.corpora import datasets_dir, read_corpora
from boilerml.lines import LABELS, Line
from boilerml.segment import _parse_html, collapse_whitespace, html_to_lines
from boilerml.tokens import tokenize

#: Fewest tokens of a headline-like line: one word repeating the title is a site name.
MIN_TOKENS = 2
#: Least share of the line's tokens found in the title: a headline is the title's words.
MIN_SHARE = 0.8
#: Least share of the title's distinct tokens the line holds: the title often adds the
#: site's name, so a headline holds part of it, but at least half.
MIN_COVERAGE = 0.5


def page_title(html: str) -> str:
    """Text of the first ``<title>`` element of the parsed page, or ``""``."""
    root = _parse_html(html)
    title = None if root is None else root.find(".//title")
    return "" if title is None else collapse_whitespace("".join(title.itertext()))


def headline_like(lines: list[Line], title: str) -> np.ndarray:
    """One bool per line, ``(len(lines),)``: the line is headline-like for ``title``."""
    title_tokens = {token.lower() for token in tokenize(title)}
    flags = np.zeros(len(lines), dtype=bool)
    if not title_tokens:
        return flags
    for index, line in enumerate(lines):
        tokens = [token.lower() for token in tokenize(line.text)]
        if len(tokens) < MIN_TOKENS:
            continue
        share = sum(token in title_tokens for token in tokens) / len(tokens)
        coverage = len(title_tokens.intersection(tokens)) / len(title_tokens)
        flags[index] = share >= MIN_SHARE and coverage >= MIN_COVERAGE
    return flags


def write_flags(out: str, datasets: str | None) -> None:
    """Headline-like flags of every train page with lines, written to ``out``."""
    flags, lengths, pages = [], [], []
    for page in read_corpora(datasets_dir(datasets), "train"):
        html = page.text()
        lines = html_to_lines(html)
        if lines:
            flags.append(headline_like(lines, page_title(html)))
            lengths.append(len(lines))
            pages.append(f"{page.dataset}/{page.page_id}")
    np.savez_compressed(out, flags=np.concatenate(flags), lengths=np.array(lengths), pages=np.array(pages))
    print(f"{len(pages)} pages, {int(sum(f.sum() for f in flags))} headline-like lines")


def count(heldout: str, flags_path: str) -> tuple[int, int, int]:
    """(pages losing every content-labelled headline-like line, pages with one, errors on
    headline-like lines) for one ``heldout.py`` output (HTML mode) and its flags."""
    data, stored = np.load(heldout), np.load(flags_path)
    cuts = np.cumsum(stored["lengths"])[:-1]
    by_page = dict(zip((str(p) for p in stored["pages"]), np.split(stored["flags"], cuts), strict=True))
    keep = data["html_probabilities"][:, LABELS.index("content")] >= 0.5
    gold = data["html_labels"] == "content"
    split = np.cumsum(data["html_lengths"])[:-1]
    lost = with_headline = errors = 0
    pieces = zip(data["html_pages"], np.split(keep, split), np.split(gold, split), strict=True)
    for page, kept, content in pieces:
        flags = by_page[str(page)]
        if len(flags) != len(kept):
            raise SystemExit(f"{page}: flags and held-out lines differ; segment with the same code")
        errors += int((flags & (kept != content)).sum())
        headlines = flags & content
        if headlines.any():
            with_headline += 1
            lost += not (kept & headlines).any()
    return lost, with_headline, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    flags = commands.add_parser("flags")
    flags.add_argument("out")
    flags.add_argument("--datasets", default=None)
    counting = commands.add_parser("count")
    counting.add_argument("heldout")
    counting.add_argument("flags")
    args = parser.parse_args()
    if args.command == "flags":
        write_flags(args.out, args.datasets)
    else:
        lost, with_headline, errors = count(args.heldout, args.flags)
        print(f"pages losing every headline-like content line: {lost} of {with_headline}")
        print(f"errors on headline-like lines: {errors}")


if __name__ == "__main__":
    main()
