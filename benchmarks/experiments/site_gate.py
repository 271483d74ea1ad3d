"""exp46's gate: held-out train pages on sites the models never saw (experiment helper).

Usage: python benchmarks/experiments/site_gate.py --cache DIR --out-prefix P [--seed S]
                                                  [--mode html|text ...] [--jobs N]

The train pages are split into two halves by site (:func:`boilerml.sites.site_of`, a seeded
shuffle of the sites); each half is predicted by a second pass fitted on the other half.
The predicted half's inputs (its first-pass probabilities, so its context features and its
confident lines) are the site-grouped out-of-fold first pass in both arms: what a first pass
fitted on the train pages says about a site it never saw. The arms differ only in what the
second pass was fitted on:

- ``base``: the page-grouped out-of-fold first pass (the shipped recipe);
- ``candidate``: the site-grouped one.

Writes ``P-base.npz`` and ``P-candidate.npz`` in ``heldout.py``'s format, for
``heldout_compare.py``: numbers and labels only, no corpus text.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from heldout import predicted_by_other_half, write_mode

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.train import (
    CV_FOLDS,
    SEED,
    Boosting,
    PageRows,
    cache_prefix,
    default_training_data_dir,
    out_of_fold_probabilities,
    training_rows,
    with_context,
)


def halves_by_site(rows: list[PageRows], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of page indices with no site in both, about half of the pages each."""
    sites = sorted({r.group for r in rows})
    order = np.random.default_rng(seed).permutation(len(sites))
    first_sites: set[str] = set()
    pages_in_first = 0
    sizes = Counter(r.group for r in rows)
    for i in order:
        if pages_in_first >= len(rows) / 2:
            break
        first_sites.add(sites[i])
        pages_in_first += sizes[sites[i]]
    in_first = np.array([r.group in first_sites for r in rows])
    return np.flatnonzero(in_first), np.flatnonzero(~in_first)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, help="the --first-pass-cache folder")
    parser.add_argument("--out-prefix", required=True)
    parser.add_argument("--mode", action="append", choices=("html", "text"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--max-pages", type=int, default=None, help="per corpus (smoke tests)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--arms", choices=("both", "base"), default="both", help="base: only the shipped recipe's arm"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    root = datasets_dir(args.datasets)
    html_rows, text_rows, _ = training_rows(
        root, corpus_names(root), default_training_data_dir(), args.jobs, args.max_pages
    )
    outputs: dict[str, dict[str, np.ndarray]] = {"base": {}, "candidate": {}}
    for mode in args.mode or ["html", "text"]:
        rows = html_rows if mode == "html" else text_rows
        arms = ("base",) if args.arms == "base" else ("base", "candidate")
        for arm, final in unseen_site_predictions(rows, args.seed, Path(args.cache), arms):
            write_mode(outputs[arm], mode, rows, final)
            np.savez_compressed(f"{args.out_prefix}-{arm}.npz", **outputs[arm])
            logging.info("%s, %s arm: written to %s-%s.npz", mode, arm, args.out_prefix, arm)


def grouped_first_passes(
    rows: list[PageRows], seed: int, cache: Path, boosting: Boosting
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each page's out-of-fold first-pass probabilities ``(n_lines, 4)``, with folds grouped by
    page and by site (both cached in ``cache``)."""
    folds = min(CV_FOLDS, len(rows))
    by_page, by_site = (
        out_of_fold_probabilities(
            rows, folds, boosting, seed, cache_prefix(cache, rows, folds, boosting, seed, grouped), grouped
        )
        for grouped in (False, True)
    )
    return by_page, by_site


def unseen_site_predictions(
    rows: list[PageRows], seed: int, cache: Path, arms: tuple[str, ...] = ("base", "candidate")
) -> Iterator[tuple[str, list[np.ndarray]]]:
    """Per arm asked for, (arm, each page's final probabilities ``(n_lines, 4)``) with the
    page's half predicted by a second pass fitted on the other half (module docstring)."""
    boosting = Boosting()
    by_page, by_site = grouped_first_passes(rows, seed, cache, boosting)
    halves = halves_by_site(rows, seed)
    logging.info("halves of %d and %d pages, no site in both", len(halves[0]), len(halves[1]))
    unseen = with_context(rows, by_site)
    fitted_on = {"base": with_context(rows, by_page), "candidate": unseen}
    for arm in arms:
        yield arm, predicted_by_other_half(fitted_on[arm], unseen, by_site, halves, seed, boosting)


if __name__ == "__main__":
    main()
