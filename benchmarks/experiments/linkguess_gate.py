"""exp60's gate: text mode with a guess of each line's link share (experiment helper).

Usage: python benchmarks/experiments/linkguess_gate.py --cache DIR --out-prefix P [--seed S]
                                                       [--jobs N] [--max-pages N]

``site_gate.py --arms base --mode text`` on candidate rows: each text-mode row gets three
more columns, a ``HistGradientBoostingRegressor``'s guess of the line's link share in the
HTML (learnt from the text-mode features) and the guess's means over ``GUESS_RADII``. The
guesses on corpus pages are out of fold, ``GUESS_FOLDS`` folds grouped by site; the
hand-labelled text pages (no HTML) get the guess of a regressor fitted on every corpus page.
Writes ``P-base.npz`` in ``heldout.py``'s format (numbers and labels only).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
from heldout import write_mode
from site_gate import unseen_site_predictions
from sklearn.ensemble import HistGradientBoostingRegressor

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.features import feature_names, window_mean_matrix
from boilerml.train import SEED, PageRows, default_training_data_dir, page_folds, training_rows

#: Radii (lines) of the windows the guess is averaged over (exp59's).
GUESS_RADII = (3, 10)
#: Folds of the out-of-fold guess, grouped by site (as the first pass's).
GUESS_FOLDS = 3


def _regressor(seed: int) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        max_iter=200, learning_rate=0.15, max_leaf_nodes=48, random_state=seed
    )


def _fit(rows: list[PageRows], targets: list[np.ndarray], seed: int) -> HistGradientBoostingRegressor:
    return _regressor(seed).fit(np.vstack([r.features for r in rows]), np.concatenate(targets))


def with_guess(html_rows: list[PageRows], text_rows: list[PageRows], seed: int) -> list[PageRows]:
    """The text rows with the guess columns appended (shape ``(n, k + 1 + len(GUESS_RADII))``)."""
    column = feature_names("html").index("link_share")
    corpus = text_rows[: len(html_rows)]
    assert all(h.page_key == t.page_key for h, t in zip(html_rows, corpus, strict=True))
    targets = [h.features[:, column] for h in html_rows]
    guesses: list[np.ndarray] = [np.empty(0)] * len(text_rows)
    for fold, (train_index, test_index) in enumerate(page_folds(corpus, GUESS_FOLDS, seed, by_site=True)):
        model = _fit([corpus[i] for i in train_index], [targets[i] for i in train_index], seed)
        for i in test_index:
            guesses[i] = model.predict(corpus[i].features)
        logging.info("guess fold %d: fitted on %d pages", fold, len(train_index))
    if len(text_rows) > len(corpus):
        model = _fit(corpus, targets, seed)
        for i in range(len(corpus), len(text_rows)):
            guesses[i] = model.predict(text_rows[i].features)
    out = []
    for row, guess in zip(text_rows, guesses, strict=True):
        guess = np.clip(guess, 0.0, 1.0)[:, None]
        extra = np.hstack([guess, window_mean_matrix(guess, GUESS_RADII)]).astype(row.features.dtype)
        out.append(
            PageRows(
                row.page_key,
                np.hstack([row.features, extra]),
                row.labels,
                row.weight,
                row.text_keys,
                row.site,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, help="the --first-pass-cache folder")
    parser.add_argument("--out-prefix", required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--max-pages", type=int, default=None, help="per corpus (smoke tests)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    root = datasets_dir(args.datasets)
    html_rows, text_rows, _ = training_rows(
        root, corpus_names(root), default_training_data_dir(), args.jobs, args.max_pages
    )
    rows = with_guess(html_rows, text_rows, args.seed)
    del html_rows, text_rows
    ((_, final),) = unseen_site_predictions(rows, args.seed, Path(args.cache), ("base",))
    out: dict[str, np.ndarray] = {}
    write_mode(out, "text", rows, final)
    np.savez_compressed(f"{args.out_prefix}-base.npz", **out)
    logging.info("written to %s-base.npz", args.out_prefix)


if __name__ == "__main__":
    main()
