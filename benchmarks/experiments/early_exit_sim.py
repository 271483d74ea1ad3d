"""How many lines could stop after the first K boosting iterations of the first pass (exp31).

Usage: python benchmarks/experiments/early_exit_sim.py html|text [CPU]

Every tenth train page, shipped model: for each K and confidence c, the share of lines whose
first-K probability of their most probable class reaches c, and how many of those lines keep
(P(content) >= 0.5) differently from the full pipeline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from boilerml.corpora import datasets_dir, read_corpora, render_as_text, uses_blank_lines
from boilerml.features import extract_features
from boilerml.lines import LABELS
from boilerml.model import default_model, ordered_proba
from boilerml.segment import html_to_lines, segment
from boilerml.trees import TreeEnsemble

ITERATIONS = (20, 30, 50, 75)
CONFIDENCES = (0.99, 0.995, 0.999)
#: Every this many-th train page is read.
PAGE_STRIDE = 10


def head(ensemble: TreeEnsemble, iterations: int) -> TreeEnsemble:
    """The ensemble's first ``iterations`` boosting iterations, with its baseline."""
    n_trees = iterations * ensemble.trees_per_iteration
    end = int(ensemble.tree_starts[n_trees])
    return TreeEnsemble(
        ensemble.classes_,
        ensemble.baseline,
        ensemble.nodes[:end],
        ensemble.tree_starts[: n_trees + 1],
        ensemble.n_features,
    )


def main() -> None:
    mode = sys.argv[1]
    if len(sys.argv) > 2 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(sys.argv[2])})
    model = default_model()
    first = model.estimators[mode]["first"]
    heads = {k: head(first, k) for k in ITERATIONS}
    staged: dict[int, list[np.ndarray]] = {k: [] for k in ITERATIONS}
    finals, full_first = [], []
    for i, page in enumerate(read_corpora(Path(datasets_dir(None)), "train")):
        if i % PAGE_STRIDE:
            continue
        html = page.text()
        text = html if mode == "html" else render_as_text(html_to_lines(html), uses_blank_lines(page))
        lines = segment(text, mode)
        if not lines:
            continue
        features = extract_features(lines, mode)
        finals.append(model.predict_proba(features, mode))
        full_first.append(ordered_proba(first, features))
        for k in ITERATIONS:
            staged[k].append(ordered_proba(heads[k], features))
    final, first_pass = np.vstack(finals), np.vstack(full_first)
    content = LABELS.index("content")
    print(mode, "lines", len(final), "full first pass >= 0.99:", round((first_pass.max(1) >= 0.99).mean(), 3))
    for k in ITERATIONS:
        p = np.vstack(staged[k])
        for c in CONFIDENCES:
            stop = p.max(axis=1) >= c
            flips = int(((p[stop, content] >= 0.5) != (final[stop, content] >= 0.5)).sum())
            label_flips = int((p[stop].argmax(axis=1) != final[stop].argmax(axis=1)).sum())
            moved = np.abs(p[stop, content] - final[stop, content]).max(initial=0)
            print(
                f"  K {k} c {c}: {stop.mean():.3f} of lines stop, keep flips {flips} "
                f"({flips / len(final) * 1e4:.1f} per 10k lines), label flips {label_flips}, "
                f"largest change of P(content) {moved:.3f}"
            )


if __name__ == "__main__":
    main()
