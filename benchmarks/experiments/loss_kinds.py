"""Where held-out page F1 is lost: the failed pages by kind of failure (experiment helper).

Usage: python benchmarks/experiments/loss_kinds.py RUN.npz [RUN.npz ...] [--mode html|text]
                                                   [--below 0.5]

For each ``site_gate.py`` or ``heldout.py`` output, the loss mass is the sum over pages of
1 - page token F1 (``heldout_compare.page_scores``'s keep rule). Pages scoring below
``--below`` are sorted into one kind each: empty gold; nothing kept; junk kept (precision
under 0.5, recall at least 0.5); article dropped (recall under 0.5, precision at least 0.5);
both low. Prints, per kind, the pages and their share of the loss mass, and for the junk-kept
pages their corpora, what the derived labels call the kept junk (tokens) and the median of
kept over gold tokens. Numbers and corpus names only, no corpus text.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter

import numpy as np
from fallback_sim import page_f1

from boilerml.lines import LABELS
from boilerml.reassemble import DEFAULT_THRESHOLD

#: Below this precision (or recall) a page has lost more than it kept of that side.
HALF = 0.5


def failure_kind(keep: np.ndarray, content: np.ndarray, tokens: np.ndarray) -> str:
    """The kind of a failed page from its line masks ``(n,)`` and tokens per line."""
    gold, out, both = tokens[content].sum(), tokens[keep].sum(), tokens[keep & content].sum()
    if gold == 0:
        return "empty gold"
    if out == 0:
        return "nothing kept"
    precision, recall = both / out, both / gold
    if precision < HALF <= recall:
        return "junk kept"
    if recall < HALF <= precision:
        return "article dropped"
    return "both low"


def report(path: str, mode: str, below: float) -> None:
    data = np.load(path)
    if f"{mode}_probabilities" not in data.files:
        raise SystemExit(f"{path} holds no {mode} mode (--mode)")
    keep_all = data[f"{mode}_probabilities"][:, LABELS.index("content")] >= DEFAULT_THRESHOLD
    labels = data[f"{mode}_labels"]
    tokens_all = data[f"{mode}_tokens"]
    ends = np.cumsum(data[f"{mode}_lengths"])
    pages, mass, loss = Counter(), Counter(), 0.0
    junk_corpora, junk_labels, junk_ratio = Counter(), Counter(), []
    for key, end, length in zip(data[f"{mode}_pages"], ends, data[f"{mode}_lengths"], strict=True):
        lines = slice(end - length, end)
        keep, content, tokens = keep_all[lines], labels[lines] == "content", tokens_all[lines]
        f1 = page_f1(keep, content, tokens)
        loss += 1.0 - f1
        if f1 >= below:
            continue
        kind = failure_kind(keep, content, tokens)
        pages[kind] += 1
        mass[kind] += 1.0 - f1
        if kind == "junk kept":
            junk_corpora[str(key).split("/")[0]] += 1
            for label in LABELS[1:]:
                junk_labels[label] += float(tokens[keep & (labels[lines] == label)].sum())
            junk_ratio.append(float(tokens[keep].sum() / tokens[content].sum()))
    print(f"{path} ({mode}): {len(ends)} pages, loss mass {loss:.1f}; pages below {below}:")
    for kind, count in pages.most_common():
        print(f"  {kind:16s} {count:4d} pages, {mass[kind] / loss:6.1%} of the loss")
    if junk_ratio:
        print(f"  junk kept, by corpus: {dict(junk_corpora.most_common())}")
        print(f"  junk kept, tokens by derived label: { ({k: round(v) for k, v in junk_labels.items()}) }")
        print(f"  junk kept, median kept / gold tokens: {statistics.median(junk_ratio):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--mode", default="html", choices=("html", "text"))
    parser.add_argument("--below", type=float, default=0.5, help="a page below this F1 has failed")
    args = parser.parse_args()
    for path in args.runs:
        report(path, args.mode, args.below)


if __name__ == "__main__":
    main()
