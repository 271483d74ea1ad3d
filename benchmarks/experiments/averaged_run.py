"""Several gate runs' held-out probabilities averaged into one run (experiment helper).

Usage: python benchmarks/experiments/averaged_run.py OUT.npz RUN.npz RUN.npz [...] [--mode html]

Each ``site_gate.py`` run predicts every train page with a model that never saw the page's
site (its seed picks the halves). Averaging several runs' probabilities page by page gives
what an average of that many models, none of which saw the site, says about each page: the
held-out figure of an ensemble, at no training cost. Its members differ in seed and in the
half of the sites they were fitted on, so they differ more than trainings on all the pages at
two seeds would, and the figure is an upper estimate of what averaging trainings gains.

Checks that the runs hold the same pages, line counts, tokens and labels in the mode asked
for, and writes that mode's arrays with the mean probabilities, for ``heldout_compare.py`` and
``gate_bars.py``. Numbers and labels only.
"""

from __future__ import annotations

import argparse

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--mode", default="html", choices=("html", "text"))
    args = parser.parse_args()
    if len(args.runs) < 2:
        raise SystemExit("give at least two runs to average")
    first = np.load(args.runs[0])
    shared = [f"{args.mode}_{part}" for part in ("pages", "lengths", "tokens", "labels", "chars")]
    probabilities = []
    for path in args.runs:
        run = np.load(path)
        for name in shared:
            if not np.array_equal(run[name], first[name]):
                raise SystemExit(f"{path}: {name} differs from {args.runs[0]}'s: not runs of the same rows")
        probabilities.append(run[f"{args.mode}_probabilities"])
    arrays = {name: first[name] for name in shared}
    arrays[f"{args.mode}_probabilities"] = np.mean(probabilities, axis=0)
    np.savez_compressed(args.out, **arrays)
    print(f"{args.mode}: {len(args.runs)} runs averaged, {len(first[f'{args.mode}_pages'])} pages")


if __name__ == "__main__":
    main()
