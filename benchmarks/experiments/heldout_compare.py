"""Compare two ``heldout.py`` outputs page by page (experiment helper).

Usage: python benchmarks/experiments/heldout_compare.py BASE.npz CANDIDATE.npz [--mode text]

Both files must hold the same pages of the mode asked for (two ``heldout.py`` runs of the
same rows and seed, one from each worktree). A page's token F1 is computed from its line
labels and tokens per line at the keep rule 0.5 on P(content) (``fallback_sim.page_f1``).
Prints the mean page F1 of both and the change, over all pages and per corpus, the mean of
the per-corpus changes on the three corpora where text mode trails HTML mode, and how many
pages move by more than 0.01 each way: the figures of a first-pass gate (exp27).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import by_corpus, page_f1

from boilerml.lines import LABELS
from boilerml.reassemble import DEFAULT_THRESHOLD

GAP_CORPORA = ("chinese-wce", "dragnet", "wcxb-dev")
#: A page counts as moved when its F1 changes by more than this.
MOVED = 0.01


def page_scores(path: str, mode: str, threshold: float = DEFAULT_THRESHOLD) -> dict[str, float]:
    """Page key -> token F1 with the lines at ``threshold`` or more on P(content) kept, for one
    mode of a ``heldout.py`` output."""
    data = np.load(path)
    content = data[f"{mode}_probabilities"][:, LABELS.index("content")]
    gold = data[f"{mode}_labels"] == "content"
    tokens = data[f"{mode}_tokens"]
    cuts = np.cumsum(data[f"{mode}_lengths"])[:-1]
    pieces = zip(np.split(content, cuts), np.split(gold, cuts), np.split(tokens, cuts), strict=True)
    return {
        str(key): page_f1(p >= threshold, g, t)
        for key, (p, g, t) in zip(data[f"{mode}_pages"], pieces, strict=True)
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("candidate")
    parser.add_argument("--mode", choices=("html", "text"), default="text")
    args = parser.parse_args()
    base, candidate = page_scores(args.base, args.mode), page_scores(args.candidate, args.mode)
    if base.keys() != candidate.keys():
        raise SystemExit("the two files hold different pages: not runs of the same rows")
    report(args.mode, base, candidate)


def report(mode: str, base: dict[str, float], candidate: dict[str, float]) -> None:
    """Print the mean page F1 of both, per corpus, on the text-gap corpora, and the pages moved."""
    base_mean, candidate_mean = statistics.mean(base.values()), statistics.mean(candidate.values())
    change_all = candidate_mean - base_mean
    print(f"{mode}, mean page F1: {base_mean:.4f} -> {candidate_mean:.4f} ({change_all:+.4f})")
    base_corpus, candidate_corpus = by_corpus(base), by_corpus(candidate)
    change = {k: candidate_corpus[k] - base_corpus[k] for k in base_corpus}
    for name in base_corpus:
        print(f"  {name:16s} {base_corpus[name]:.4f} -> {candidate_corpus[name]:.4f} ({change[name]:+.4f})")
    present = [k for k in GAP_CORPORA if k in change]
    if present:
        print(f"mean change on {', '.join(present)}: {statistics.mean(change[k] for k in present):+.4f}")
    better = sum(candidate[k] > base[k] + MOVED for k in base)
    worse = sum(candidate[k] < base[k] - MOVED for k in base)
    print(f"pages better / worse by more than {MOVED}: {better} / {worse}")


if __name__ == "__main__":
    main()
