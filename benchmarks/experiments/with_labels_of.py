"""A gate run of a label change, rescored against the baseline's labels (experiment helper, exp63).

Usage: python benchmarks/experiments/with_labels_of.py CANDIDATE.npz BASE.npz OUT.npz

``site_gate.py`` stores each line's training label, which the gate's scripts then read as the
held-out gold. A candidate that changes training labels would so be scored against its own
labels, and its figures could not be paired with the baseline's. This writes the candidate's
run with every ``{mode}_labels`` array replaced by the baseline's, after checking that the two
runs hold the same pages with the same line counts and token counts, and prints, per mode, how
many lines' labels differed (the lines the candidate relabelled). A mode the baseline file
does not hold is left as it is and named, so that a baseline kept as one file per mode is
applied in two calls. Numbers and labels only.
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

MODES = ("html", "text")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("candidate")
    parser.add_argument("base")
    parser.add_argument("out")
    args = parser.parse_args()
    candidate, base = dict(np.load(args.candidate)), np.load(args.base)
    for mode in MODES:
        if f"{mode}_labels" not in candidate:
            continue
        if f"{mode}_labels" not in base:
            print(f"{mode}: not in {args.base}, left with the candidate's labels")
            continue
        for part in ("pages", "lengths", "tokens"):
            if not np.array_equal(candidate[f"{mode}_{part}"], base[f"{mode}_{part}"]):
                raise SystemExit(f"{mode}: the runs' {part} differ: not runs of the same pages")
        changed = candidate[f"{mode}_labels"] != base[f"{mode}_labels"]
        was, now = base[f"{mode}_labels"][changed], candidate[f"{mode}_labels"][changed]
        moves = Counter(f"{old}->{new}" for old, new in zip(was, now, strict=True))
        print(f"{mode}: {int(changed.sum())} lines relabelled by the candidate: {dict(moves)}")
        candidate[f"{mode}_labels"] = base[f"{mode}_labels"]
    np.savez_compressed(args.out, **candidate)


if __name__ == "__main__":
    main()
