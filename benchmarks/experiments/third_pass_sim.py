"""exp34's gate: a third pass over the held-out second-stage probabilities (experiment helper).

Usage: python benchmarks/experiments/third_pass_sim.py --cache DIR --heldout HELDOUT.npz
                                                       [--mode text] [--datasets DIR] [--jobs N]

HELDOUT.npz comes from ``heldout.py`` at the default seed (its final probabilities are the
second context). Prints the mean page F1 of the third pass against the held-out file's,
per corpus (``exp34.md`` says how).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import page_f1
from heldout import fitted_on_other_half
from heldout_compare import report

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.features import feature_names, probability_context_matrix
from boilerml.lines import LABELS
from boilerml.train import (
    CV_FOLDS,
    SEED,
    Boosting,
    PageRows,
    default_training_data_dir,
    first_pass,
    training_rows,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True)
    parser.add_argument("--heldout", required=True)
    parser.add_argument("--mode", default="text", choices=("html", "text"))
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    root = datasets_dir(args.datasets)
    html_rows, text_rows, _ = training_rows(root, corpus_names(root), default_training_data_dir(), args.jobs)
    rows = html_rows if args.mode == "html" else text_rows
    data = np.load(args.heldout)
    if [str(k) for k in data[f"{args.mode}_pages"]] != [r.page_key for r in rows]:
        raise SystemExit(f"{args.heldout}: its {args.mode} pages are not these rows")
    cuts = np.cumsum([len(r.labels) for r in rows])[:-1]
    second = np.split(data[f"{args.mode}_probabilities"], cuts)
    first, _ = first_pass(rows, min(CV_FOLDS, len(rows)), Boosting(), SEED, Path(args.cache))
    third_rows = [
        PageRows(
            r.page_key,
            np.hstack([r.features, probability_context_matrix(p1), probability_context_matrix(p2)]),
            r.labels,
            r.weight,
        )
        for r, p1, p2 in zip(rows, first, second, strict=True)
    ]
    final = fitted_on_other_half(third_rows, first, SEED, Boosting())  # heldout.py's halves
    content = LABELS.index("content")
    tokens_column = feature_names(args.mode).index("log_tokens")
    before: dict[str, float] = {}
    after: dict[str, float] = {}
    for r, p2, p3 in zip(rows, second, final, strict=True):
        tokens = np.rint(np.expm1(r.features[:, tokens_column]))
        gold = r.labels == "content"
        before[r.page_key] = page_f1(p2[:, content] >= 0.5, gold, tokens)
        after[r.page_key] = page_f1(p3[:, content] >= 0.5, gold, tokens)
    report(args.mode, before, after)


if __name__ == "__main__":
    main()
