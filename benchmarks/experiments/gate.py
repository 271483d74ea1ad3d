"""Signal gate for a second-pass experiment, on train pages only (experiment helper).

Usage: python benchmarks/experiments/gate.py --cache DIR --without NAME[,NAME...]
                                             [--mode html] [--seed S] [--iterations N]
                                             [--datasets DIR] [--max-pages N] [--jobs N]

Run it from the experiment's worktree (``PYTHONPATH=<worktree>``), whose second pass has the
new context columns. It builds that code's training rows, reads the out-of-fold first pass
from the ``--first-pass-cache`` folder of a training of the same rows and seed (or computes
and stores it), and fits the second pass twice on half of the pages (a seeded split by
page), with every context column and ``--without`` the named ones, each scored on the
other half, then swaps the halves. It prints the held-out line F1 per class of both
variants and the change in content F1, the gate's figure. No dev page is read.

The second pass is fitted smaller than in training (``--iterations``, default 60) so that
the four fits take minutes; the gate compares the two variants, not the model's level.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import numpy as np

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.features import CONTEXT_PROBABILITY_NAMES, feature_names
from boilerml.metrics import line_scores
from boilerml.train import (
    CV_FOLDS,
    SEED,
    UNLABELLED,
    Boosting,
    PageRows,
    default_training_data_dir,
    first_pass,
    fit,
    stack_rows,
    training_rows,
    with_context,
)


def held_out_scores(
    train: list[PageRows], test: list[PageRows], columns: np.ndarray, boosting: Boosting, seed: int
) -> dict:
    """Line scores on ``test`` of a second pass fitted on ``train`` with the given columns."""
    subset = [PageRows(r.page_key, r.features[:, columns], r.labels, r.weight) for r in train]
    estimator = fit(subset, boosting=boosting, seed=seed)
    features, labels, _, _ = stack_rows(test)
    labelled = labels != UNLABELLED
    return line_scores(labels[labelled], estimator.predict(features[labelled][:, columns]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, help="the --first-pass-cache folder")
    parser.add_argument("--without", required=True, help="comma-separated new context columns")
    parser.add_argument("--mode", choices=("html", "text"), default="html")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--max-pages", type=int, default=None, help="per corpus (smoke tests)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    without = args.without.split(",")
    unknown = sorted(set(without) - set(CONTEXT_PROBABILITY_NAMES))
    if unknown:
        parser.error(f"not context columns: {unknown}")
    root = datasets_dir(args.datasets)
    html_rows, text_rows, _ = training_rows(
        root, corpus_names(root), default_training_data_dir(), args.jobs, args.max_pages
    )
    rows = html_rows if args.mode == "html" else text_rows
    # The cache key is the training's: its seed and its (default) boosting.
    probabilities, _ = first_pass(rows, min(CV_FOLDS, len(rows)), Boosting(), args.seed, Path(args.cache))
    second = with_context(rows, probabilities)
    n_base = len(feature_names(args.mode))
    every = np.arange(n_base + len(CONTEXT_PROBABILITY_NAMES))
    dropped = [n_base + CONTEXT_PROBABILITY_NAMES.index(name) for name in without]
    variants = {"with": every, "without": np.setdiff1d(every, dropped)}
    order = np.random.default_rng(args.seed).permutation(len(second))
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    boosting = Boosting(iterations=args.iterations)
    content_f1: dict[str, list[float]] = {name: [] for name in variants}
    for half, (train_index, test_index) in enumerate((halves, halves[::-1])):
        train = [second[i] for i in train_index]
        test = [second[i] for i in test_index]
        for name, columns in variants.items():
            scores = held_out_scores(train, test, columns, boosting, args.seed)
            content_f1[name].append(scores["content"]["f1"])
            per_class = ", ".join(f"{label} {s['f1']:.4f}" for label, s in scores.items() if "f1" in s)
            print(f"half {half}, {name:7s}: {per_class}")
    change = statistics.mean(content_f1["with"]) - statistics.mean(content_f1["without"])
    print(
        f"held-out content line F1, mean of the halves: with {statistics.mean(content_f1['with']):.4f}, "
        f"without {statistics.mean(content_f1['without']):.4f}, change {change:+.4f}"
    )


if __name__ == "__main__":
    main()
