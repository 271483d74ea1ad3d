"""exp103's signal check: two half-size first passes averaged against one (experiment helper).

Usage: python benchmarks/experiments/averaging_signal.py [--seed 101] [--jobs 2] [--mode html text]

Every train page's rows (the shipped recipe's, :func:`boilerml.train.training_rows`), split
into site halves (``site_gate.halves_by_site``). On each half the first pass is fitted with
main's boosting at two seeds (``S0`` = main's, ``S1`` = 11) and the other half scored at 75 and
150 iterations (``staged_predict_proba``: a fit of 75 iterations is exactly the first 75 of
this one); then the halves swap. Prints, per mode, the mean held-out page token F1 (lines
labelled content as gold, P(content) >= 0.5 kept; ``fallback_sim.page_f1``) per corpus and
the pooled comment line F1 of the arms of ``exp103.md``: A (S0, 150), A1 (S1, 150), B (mean of
S0 and S1 at 75), C (mean of both at 150), D (S0 at 75). Numbers only, no corpus text.
"""

from __future__ import annotations

import argparse
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
from boilerml.lines import LABELS
from boilerml.train import SEED, PageRows, default_training_data_dir, fit, training_rows

OTHER_SEED = 11
HALF, FULL = 75, 150
ARMS = ("A", "A1", "B", "C", "D")


def staged(model, features: np.ndarray, at: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Probabilities in LABELS order after each iteration count in ``at``."""
    out: dict[int, np.ndarray] = {}
    classes = [str(c) for c in model.classes_]
    for iteration, raw in enumerate(model.staged_predict_proba(features), start=1):
        if iteration in at:
            ordered = np.zeros((len(features), len(LABELS)))
            for column, label in enumerate(classes):
                ordered[:, LABELS.index(label)] = raw[:, column]
            out[iteration] = ordered
    return out


def arms_of(rows: list[PageRows], first: np.ndarray, second: np.ndarray, mode: str) -> dict[str, dict]:
    """Arm -> (page key -> held-out page F1, plus pooled comment counts under "_comment")."""
    token_column = feature_names(mode).index("log_tokens")
    results: dict[str, dict] = {arm: {} for arm in ARMS}
    comment = {arm: [0, 0, 0] for arm in ARMS}  # hits, truth, predicted
    for fitted_on, scored in ((first, second), (second, first)):
        fitted = [rows[i] for i in fitted_on]
        started = time.time()
        models = [fit(fitted, seed=seed) for seed in (SEED, OTHER_SEED)]
        print(f"  {mode}: two fits on {len(fitted)} pages in {time.time() - started:.0f} s", flush=True)
        scored_rows = [rows[i] for i in scored]
        features = np.vstack([r.features for r in scored_rows])
        p0, p1 = (staged(m, features, (HALF, FULL)) for m in models)
        probabilities = {
            "A": p0[FULL],
            "A1": p1[FULL],
            "B": (p0[HALF] + p1[HALF]) / 2,
            "C": (p0[FULL] + p1[FULL]) / 2,
            "D": p0[HALF],
        }
        starts = np.cumsum([0] + [len(r.labels) for r in scored_rows])
        for arm, p in probabilities.items():
            for row, a, b in zip(scored_rows, starts[:-1], starts[1:], strict=True):
                tokens = np.rint(np.expm1(row.features[:, token_column]))
                keep = p[a:b, 0] >= 0.5
                results[arm][row.page_key] = page_f1(keep, row.labels == "content", tokens)
            truth = np.concatenate([r.labels for r in scored_rows])
            predicted = np.array(LABELS)[p.argmax(axis=1)]
            comment[arm][0] += int(np.sum((truth == "comment") & (predicted == "comment")))
            comment[arm][1] += int(np.sum(truth == "comment"))
            comment[arm][2] += int(np.sum(predicted == "comment"))
    for arm in ARMS:
        hits, truth_n, predicted_n = comment[arm]
        results[arm]["_comment"] = 2 * hits / max(truth_n + predicted_n, 1)
    return results


def report(mode: str, results: dict[str, dict]) -> None:
    groups: dict[str, dict[str, list[float]]] = {arm: defaultdict(list) for arm in ARMS}
    for arm in ARMS:
        for key, value in results[arm].items():
            if key == "_comment":
                continue
            groups[arm][key.split("/")[0]].append(value)
            groups[arm]["all pages"].append(value)
    names = sorted(groups["A"], key=lambda n: (n == "all pages", n))
    print(f"\n{mode} mode, held-out first pass, mean page token F1")
    print("| group | pages | A | A1 | B | C | D | B - mean(A, A1) |\n|---|---|---|---|---|---|---|---|")
    for name in names:
        means = {arm: statistics.fmean(groups[arm][name]) for arm in ARMS}
        change = means["B"] - (means["A"] + means["A1"]) / 2
        cells = " | ".join(f"{means[arm]:.4f}" for arm in ARMS)
        print(f"| {name} | {len(groups['A'][name])} | {cells} | {change:+.4f} |")
    cells = " | ".join(f"{results[arm]['_comment']:.4f}" for arm in ARMS)
    change = results["B"]["_comment"] - (results["A"]["_comment"] + results["A1"]["_comment"]) / 2
    print(f"| pooled comment line F1 | | {cells} | {change:+.4f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=101, help="the site halves' seed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--mode", nargs="+", default=["text", "html"], choices=["html", "text"])
    parser.add_argument("--max-pages", type=int, help="at most this many pages per corpus (a quick look)")
    args = parser.parse_args()
    root = datasets_dir(None)
    own = default_training_data_dir()
    html_rows, text_rows, _ = training_rows(root, corpus_names(root), own, args.jobs, args.max_pages)
    for mode in args.mode:
        rows = text_rows if mode == "text" else html_rows
        first, second = halves_by_site(rows, args.seed)
        report(mode, arms_of(rows, first, second, mode))


if __name__ == "__main__":
    main()
