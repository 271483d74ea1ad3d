"""Held-out final probabilities of the train pages (experiment helper).

Usage: python benchmarks/experiments/heldout.py --cache DIR --out OUT.npz
                                                [--mode html|text ...] [--seed S]
                                                [--iterations N] [--datasets DIR]
                                                [--max-pages N] [--jobs N]
                                                [--out-of-fold-only]

Decisions taken after the model (the keep rule of the reassembler, a fallback for pages
where nothing looks like an article) must be tuned on pages the model did not see, and not
on dev. This gives such pages without a second training: it builds the training rows, reads
the out-of-fold first pass from a ``--first-pass-cache`` folder (or computes and stores it),
fits the second pass on half of the train pages (a seeded split by page) and predicts the
other half, then swaps the halves, applying the first pass's confident lines as
:meth:`boilerml.model.Model.predict_proba` does. Every train page then has final
probabilities from a model that never saw it (its second pass was fitted on half as many
pages as the shipped one, so they are somewhat less sure than the shipped model's on dev).
With ``--out-of-fold-only`` it skips the first pass fitted on all pages (a quarter of the
first pass's time, used by training but not here; the probabilities are the same).

OUT.npz holds, per mode, the concatenated ``<mode>_probabilities`` ``(N, 4)`` (LABELS
order), ``<mode>_labels`` ``(N,)``, ``<mode>_tokens`` and ``<mode>_chars`` ``(N,)`` (tokens
and characters per line, from the ``log_tokens`` and ``log_chars`` features),
``<mode>_lengths`` (lines per page) and ``<mode>_pages`` (page keys): numbers and labels
only, no corpus text.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.features import feature_names
from boilerml.model import CONFIDENT_FIRST_PASS, ordered_proba
from boilerml.train import (
    CV_FOLDS,
    SEED,
    Boosting,
    PageRows,
    cache_prefix,
    default_training_data_dir,
    first_pass,
    fit,
    out_of_fold_probabilities,
    training_rows,
    with_context,
)


def held_out_probabilities(
    rows: list[PageRows], cache: Path, seed: int, boosting: Boosting, out_of_fold_only: bool = False
) -> list[np.ndarray]:
    """Final probabilities of every page, ``(n_lines, 4)`` each, from a second pass fitted on the
    other half of the pages."""
    folds = min(CV_FOLDS, len(rows))
    if out_of_fold_only:
        prefix = cache_prefix(cache, rows, folds, Boosting(), seed)
        first = out_of_fold_probabilities(rows, folds, Boosting(), seed, prefix)
    else:
        first, _ = first_pass(rows, folds, Boosting(), seed, cache)
    return fitted_on_other_half(with_context(rows, first), first, seed, boosting)


def fitted_on_other_half(
    later: list[PageRows], first: list[np.ndarray], seed: int, boosting: Boosting
) -> list[np.ndarray]:
    """Each page's probabilities from a later pass (rows ``later``, aligned with ``first``)
    fitted on the other half of the pages (a seeded split by page), where the first pass is
    unsure; the first pass's where it is sure, as the pipeline does."""
    order = np.random.default_rng(seed).permutation(len(later))
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    return predicted_by_other_half(later, later, first, halves, seed, boosting)


def predicted_by_other_half(
    fitted_on: list[PageRows],
    predicted_from: list[PageRows],
    first: list[np.ndarray],
    halves: tuple[np.ndarray, np.ndarray],
    seed: int,
    boosting: Boosting,
) -> list[np.ndarray]:
    """Each page's final probabilities: a later pass fitted on the other half's ``fitted_on``
    rows predicts its ``predicted_from`` rows where ``first`` is unsure (all three aligned)."""
    final: list[np.ndarray] = [np.empty(0)] * len(first)
    for train_index, test_index in (halves, halves[::-1]):
        estimator = fit([fitted_on[i] for i in train_index], boosting=boosting, seed=seed)
        for i in test_index:
            probabilities = first[i].copy()
            unsure = probabilities.max(axis=1) < CONFIDENT_FIRST_PASS
            if unsure.any():
                probabilities[unsure] = ordered_proba(estimator, predicted_from[i].features[unsure])
            final[i] = probabilities
    return final


def write_mode(out: dict[str, np.ndarray], mode: str, rows: list[PageRows], final: list[np.ndarray]) -> None:
    """Put one mode's final probabilities, labels, tokens, characters, lengths and page keys
    into ``out`` under the ``<mode>_`` names this module's docstring lists."""
    out[f"{mode}_probabilities"] = np.concatenate(final)
    out[f"{mode}_labels"] = np.concatenate([r.labels for r in rows])
    for unit in ("tokens", "chars"):
        column = feature_names(mode).index(f"log_{unit}")
        out[f"{mode}_{unit}"] = np.rint(np.expm1(np.concatenate([r.features[:, column] for r in rows])))
    out[f"{mode}_lengths"] = np.array([len(r.labels) for r in rows], dtype=np.int64)
    out[f"{mode}_pages"] = np.array([r.page_key for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, help="the --first-pass-cache folder")
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", action="append", choices=("html", "text"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--iterations", type=int, default=Boosting().iterations)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--max-pages", type=int, default=None, help="per corpus (smoke tests)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--out-of-fold-only", action="store_true", help="skip the first pass fitted on all pages"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    root = datasets_dir(args.datasets)
    html_rows, text_rows, _ = training_rows(
        root, corpus_names(root), default_training_data_dir(), args.jobs, args.max_pages
    )
    out: dict[str, np.ndarray] = {}
    for mode in args.mode or ["html", "text"]:
        rows = html_rows if mode == "html" else text_rows
        boosting = Boosting(iterations=args.iterations)
        final = held_out_probabilities(rows, Path(args.cache), args.seed, boosting, args.out_of_fold_only)
        write_mode(out, mode, rows, final)
        np.savez_compressed(args.out, **out)
        logging.info("%s: %d pages written to %s", mode, len(rows), args.out)


if __name__ == "__main__":
    main()
