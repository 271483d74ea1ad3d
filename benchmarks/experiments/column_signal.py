"""A signal check for new feature columns: the first pass with and without them, held out by site.

Usage: PYTHONPATH=WORKTREE python benchmarks/experiments/column_signal.py --drop [NAME ...]
           [--seed 101] [--jobs 2] [--mode text html] [--max-pages N]

Run from the candidate's worktree: its code computes every column, and the base arm leaves out
the columns named by ``--drop`` together with the ones derived from them (``NAME@-1``,
``NAME@mean3``, ...), so the base arm is main's first pass when the candidate only adds columns.
Every train page's rows (the shipped recipe's, :func:`boilerml.train.training_rows`) are split
into site halves (``site_gate.halves_by_site``); each arm's first pass is fitted with main's
boosting and seed on one half and scores the other, then the halves swap. Prints, per mode and
corpus, the mean held-out page token F1 of both arms (lines labelled content as gold,
P(content) >= 0.5 kept; ``fallback_sim.page_f1``) and the pooled comment line F1. No second
pass: a pass here earns the full gate (``site_gate.py``). Numbers only, no corpus text.

With ``--drop`` and no name, both arms are the same fit; the script then fits once and prints
the base arm alone (a name that is no base column of this code is an error, not a silent base
run). Checked so on main at 020dab5 (2026-12-08 00:53-01:09 UTC, ``--jobs 2``, run as
``--drop none`` before unknown names were refused; 16 minutes for both modes on 2 cores): every
corpus's figure and the pooled comment F1 equal exp104's base arm to the fourth decimal (all
pages: text 0.8579, HTML 0.8973; exp103's arm A).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import page_f1
from site_gate import halves_by_site

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.features import feature_names
from boilerml.train import PageRows, default_training_data_dir, fit, training_rows

#: The key under which an arm's results hold its pooled comment line F1 (no page key has it).
COMMENT_KEY = "_comment"


def dropped_columns(names: tuple[str, ...], drop: list[str]) -> np.ndarray:
    """Indices of the columns named in ``drop`` and of those derived from them (``NAME@...``)."""
    return np.array([i for i, name in enumerate(names) if name.split("@")[0] in drop], dtype=np.int64)


def held_out_arm(
    rows: list[PageRows], halves: tuple[np.ndarray, np.ndarray], tokens: dict[str, np.ndarray], mode: str
) -> dict:
    """Page key -> held-out page token F1 of a first pass fitted on the other half, and the
    pooled comment line F1 under :data:`COMMENT_KEY`.

    ``tokens`` holds each page's tokens per line (from the full rows' ``log_tokens``), so an
    arm may leave out any column.
    """
    results: dict = {}
    hits = truth_count = predicted_count = 0
    first, second = halves
    for fitted_on, scored in ((first, second), (second, first)):
        started = time.time()
        model = fit([rows[i] for i in fitted_on])
        print(f"  {mode}: fitted on {len(fitted_on)} pages in {time.time() - started:.0f} s", flush=True)
        scored_rows = [rows[i] for i in scored]
        raw = model.predict_proba(np.vstack([row.features for row in scored_rows]))
        classes = [str(c) for c in model.classes_]
        predicted = np.array(classes)[raw.argmax(axis=1)]
        truth = np.concatenate([row.labels for row in scored_rows])
        hits += int(np.sum((truth == "comment") & (predicted == "comment")))
        truth_count += int(np.sum(truth == "comment"))
        predicted_count += int(np.sum(predicted == "comment"))
        keep = raw[:, classes.index("content")] >= 0.5
        starts = np.cumsum([0] + [len(row.labels) for row in scored_rows])
        for row, a, b in zip(scored_rows, starts[:-1], starts[1:], strict=True):
            results[row.page_key] = page_f1(keep[a:b], row.labels == "content", tokens[row.page_key])
    results[COMMENT_KEY] = 2 * hits / max(truth_count + predicted_count, 1)
    return results


def report(mode: str, arms: dict[str, dict]) -> None:
    """Print the arms' mean page F1 per corpus and over all pages, and the change."""
    groups: dict[str, dict[str, list[float]]] = {arm: defaultdict(list) for arm in arms}
    for arm, results in arms.items():
        for key, value in results.items():
            if key != COMMENT_KEY:
                groups[arm][key.split("/")[0]].append(value)
                groups[arm]["all pages"].append(value)
    names = sorted(groups["base"], key=lambda name: (name == "all pages", name))
    header = " | ".join(arms)
    change = " | change" if len(arms) == 2 else ""
    print(f"\n{mode} mode, held-out first pass, mean page token F1")
    print(f"| group | pages | {header}{change} |\n|---|---|{'---|' * (len(arms) + bool(change))}")
    for name in [*names, COMMENT_KEY]:
        if name == COMMENT_KEY:
            means = {arm: results[COMMENT_KEY] for arm, results in arms.items()}
            label, pages = "pooled comment line F1", ""
        else:
            means = {arm: statistics.fmean(groups[arm][name]) for arm in arms}
            label, pages = name, str(len(groups["base"][name]))
        cells = " | ".join(f"{value:.4f}" for value in means.values())
        moved = f" | {means['candidate'] - means['base']:+.4f}" if change else ""
        print(f"| {label} | {pages} | {cells}{moved} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drop", nargs="*", required=True, help="the candidate's new base columns")
    parser.add_argument("--seed", type=int, default=101, help="the site halves' seed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--mode", nargs="+", default=["text", "html"], choices=["html", "text"])
    parser.add_argument("--max-pages", type=int, help="at most this many pages per corpus (a quick look)")
    args = parser.parse_args()
    for mode in args.mode:
        unknown = set(args.drop) - set(feature_names(mode))
        if unknown:
            parser.error(f"not a {mode} column of this code: {', '.join(sorted(unknown))}")
    root = datasets_dir(None)
    html_rows, text_rows, _ = training_rows(
        root, corpus_names(root), default_training_data_dir(), args.jobs, args.max_pages
    )
    for mode in args.mode:
        rows = text_rows if mode == "text" else html_rows
        names = feature_names(mode)
        token_column = names.index("log_tokens")
        tokens = {row.page_key: np.rint(np.expm1(row.features[:, token_column])) for row in rows}
        halves = halves_by_site(rows, args.seed)
        drop = dropped_columns(names, args.drop)
        print(f"{mode}: {len(rows)} pages, {len(names)} columns, {len(drop)} left out of the base arm")
        keep = np.setdiff1d(np.arange(len(names)), drop)
        base_rows = [dataclasses.replace(row, features=row.features[:, keep]) for row in rows]
        arms = {"base": held_out_arm(base_rows, halves, tokens, mode)}
        if len(drop):
            arms["candidate"] = held_out_arm(rows, halves, tokens, mode)
        report(mode, arms)


if __name__ == "__main__":
    main()
