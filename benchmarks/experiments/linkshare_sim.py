"""exp59's signal gate: a text-only guess of each line's link share (experiment helper).

Usage: python benchmarks/experiments/linkshare_sim.py OUT.npz [OUT.npz ...] --seed S [--seed S ...]
                                                      [--datasets DIR] [--jobs N] [--rows FILE]

Each ``OUT.npz`` is a ``site_gate.py`` output holding text mode, with the seed it was run at.
The train pages are segmented again (so no corpus text is stored); each line gets its
text-mode features and the link share of its HTML line (link characters / characters). Per
seed, a ``HistGradientBoostingRegressor`` fitted on one half of the sites (``halves_by_site``)
guesses the other half's link shares, and the lines the held-out text model keeps
(P(content) at least ``KEEP_THRESHOLD``) are scored, gold = derived label content:

1. the ROC AUC of the true link share and of its window mean (the oracle bound);
2. the guess's R² on held-out lines, and the AUC of the guess and of its window means;
3. a logistic regression fitted on one half's kept lines and scored on the other's (both
   ways), on the logit of text mode's P(content) alone and with the guess features added.

AUCs are of "lower is content" signals, so they are computed on the negated value. Numbers
only: no corpus text is printed. ``--rows`` caches the segmented rows (features and link
shares, no text) between runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).parent))
from site_gate import halves_by_site
from text_gap import KEEP_THRESHOLD

from boilerml.corpora import Page, corpus_names, datasets_dir, read_corpora, text_mode_lines, uses_blank_lines
from boilerml.features import extract_features, window_mean_matrix
from boilerml.lines import LABELS
from boilerml.segment import html_to_lines
from boilerml.sites import site_of

#: Radii (lines) of the windows the guess is averaged over: a menu's span, a sidebar's.
GUESS_RADII = (3, 10)
#: The oracle's window: the three lines either side, as the nearest context features.
ORACLE_RADIUS = 3
#: Pages per job chunk when segmenting.
CHUNK = 32


class _Group:
    """What ``halves_by_site`` reads of a row: its site."""

    def __init__(self, group: str) -> None:
        self.group = group


def _page_rows(pages: list[Page]) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    out = []
    for page in pages:
        lines = html_to_lines(page.text())
        if not lines:
            continue
        text_lines = text_mode_lines(lines, uses_blank_lines(page))
        share = np.array([line.link_chars / len(line.text) for line in lines], dtype=np.float32)
        features = extract_features(text_lines, "text").astype(np.float32)
        out.append((f"{page.dataset}/{page.page_id}", site_of(page), features, share))
    return out


def segmented_rows(root: Path, jobs: int) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(page key, site, text features ``(n, k)``, link shares ``(n,)``) of every train page."""
    chunks: list[list[Page]] = [[]]
    for page in read_corpora(root, "train", corpus_names(root)):
        if len(chunks[-1]) == CHUNK:
            chunks.append([])
        chunks[-1].append(page)
    results = Parallel(n_jobs=jobs)(delayed(_page_rows)(chunk) for chunk in chunks)
    return [row for chunk in results for row in chunk]


def load_rows(root: Path, jobs: int, cache: Path | None) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    if cache is not None and cache.exists():
        data = np.load(cache)
        cuts = np.cumsum(data["lengths"])[:-1]
        return list(
            zip(
                (str(k) for k in data["keys"]),
                (str(s) for s in data["sites"]),
                np.split(data["features"], cuts),
                np.split(data["shares"], cuts),
                strict=True,
            )
        )
    rows = segmented_rows(root, jobs)
    if cache is not None:
        np.savez(
            cache,
            keys=np.array([r[0] for r in rows]),
            sites=np.array([r[1] for r in rows]),
            lengths=np.array([len(r[3]) for r in rows]),
            features=np.concatenate([r[2] for r in rows]),
            shares=np.concatenate([r[3] for r in rows]),
        )
    return rows


def window_mean(values: np.ndarray, lengths: list[int], radius: int) -> np.ndarray:
    """Per page, each line's mean of ``values`` over lines i-radius..i+radius, shape ``(n,)``."""
    pieces = np.split(values, np.cumsum(lengths)[:-1])
    return np.concatenate([window_mean_matrix(p[:, None], (radius,))[:, 0] for p in pieces])


def auc(gold: np.ndarray, lower_is_content: np.ndarray) -> float:
    return float(roc_auc_score(gold, -lower_is_content))


def logistic_auc(gold: np.ndarray, x: np.ndarray, first: np.ndarray, seed: int) -> float:
    """AUC of a logistic regression fitted on one half and scored on the other, both ways;
    NaN when a half lacks a class (a corpus of few sites can fall in one half)."""
    scores = np.zeros(len(gold))
    for fit_on in (first, ~first):
        if len(set(gold[fit_on])) < 2:
            return float("nan")
        model = LogisticRegression(max_iter=1000, random_state=seed).fit(x[fit_on], gold[fit_on])
        scores[~fit_on] = model.decision_function(x[~fit_on])
    return float(roc_auc_score(gold, scores))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outputs", nargs="+", help="site_gate.py outputs holding text mode")
    parser.add_argument("--seed", type=int, action="append", required=True, help="one per output")
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--rows", type=Path, default=None, help="cache of the segmented rows")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if len(args.seed) != len(args.outputs):
        parser.error("give one --seed per output")
    rows = load_rows(datasets_dir(args.datasets), args.jobs, args.rows)
    logging.info("%d pages, %d lines", len(rows), sum(len(r[3]) for r in rows))
    by_key = {r[0]: i for i, r in enumerate(rows)}
    for output, seed in zip(args.outputs, args.seed, strict=True):
        data = np.load(output)
        cuts = np.cumsum(data["text_lengths"])[:-1]
        content_all = np.split(data["text_probabilities"][:, LABELS.index("content")], cuts)
        labels_all = np.split(data["text_labels"], cuts)
        picked = [
            (by_key[str(k)], c, lab)
            for k, c, lab in zip(data["text_pages"], content_all, labels_all, strict=True)
            if str(k) in by_key and len(rows[by_key[str(k)]][3]) == len(c)
        ]
        page_rows = [rows[i] for i, _, _ in picked]
        lengths = [len(r[3]) for r in page_rows]
        corpus = np.concatenate(
            [np.full(n, r[0].split("/", 1)[0]) for r, n in zip(page_rows, lengths, strict=True)]
        )
        features = np.concatenate([r[2] for r in page_rows])
        share = np.concatenate([r[3] for r in page_rows])
        content = np.concatenate([c for _, c, _ in picked])
        gold = np.concatenate([lab for _, _, lab in picked]) == "content"
        first_pages, _ = halves_by_site([_Group(r[1]) for r in page_rows], seed)
        in_first = np.zeros(len(page_rows), dtype=bool)
        in_first[first_pages] = True
        first = np.repeat(in_first, lengths)
        guess = np.zeros(len(share))
        for fit_on in (first, ~first):
            model = HistGradientBoostingRegressor(
                max_iter=200, learning_rate=0.15, max_leaf_nodes=48, random_state=seed
            )
            model.fit(features[fit_on], share[fit_on])
            guess[~fit_on] = model.predict(features[~fit_on])
        guess = np.clip(guess, 0.0, 1.0)
        oracle_window = window_mean(share, lengths, ORACLE_RADIUS)
        guess_windows = [window_mean(guess, lengths, r) for r in GUESS_RADII]
        logit = np.log(np.clip(content, 1e-6, 1 - 1e-6) / np.clip(1 - content, 1e-6, 1))
        kept = content >= KEEP_THRESHOLD
        logging.info("seed %d: %d pages, %d lines, %d kept", seed, len(page_rows), len(share), kept.sum())
        print(
            f"\n### {Path(output).name}, seed {seed}: "
            f"guess R² on held-out lines {r2_score(share, guess):.3f}\n"
        )
        print(
            "| corpus | kept lines | content share | oracle AUC: share / window | guess AUC: line / "
            + " / ".join(f"mean{r}" for r in GUESS_RADII)
            + " | logistic AUC: P(content) alone / with guess | gain |"
        )
        print("|---|---|---|---|---|---|---|")
        for name in [*sorted(set(corpus)), "all pages"]:
            mask = kept & ((corpus == name) | (name == "all pages"))
            g = gold[mask]
            if not 0 < g.sum() < len(g):
                continue
            base = logistic_auc(g, logit[mask][:, None], first[mask], seed)
            extra = np.column_stack([logit[mask], guess[mask], *(w[mask] for w in guess_windows)])
            with_guess = logistic_auc(g, extra, first[mask], seed)
            print(
                f"| {name} | {mask.sum()} | {g.mean():.3f} | {auc(g, share[mask]):.3f} / "
                f"{auc(g, oracle_window[mask]):.3f} | {auc(g, guess[mask]):.3f} / "
                + " / ".join(f"{auc(g, w[mask]):.3f}" for w in guess_windows)
                + f" | {base:.3f} / {with_guess:.3f} | {with_guess - base:+.3f} |"
            )


if __name__ == "__main__":
    main()
