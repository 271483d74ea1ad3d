"""exp64's comment fallback simulated on held-out train pages (experiment helper).

Usage: python benchmarks/experiments/comment_fallback_sim.py MODE RUN.npz [RUN.npz ...]

Each RUN is a ``site_gate.py`` output holding MODE. For every ``SHARE`` of exp64's grid, prints
the change in mean page token F1 against the plain keep rule (P(content) at least 0.5), over all
pages, per corpus and over the Chinese train pages, for each run and as the mean over the runs,
and how many pages fell back. The rule: on a page where the lines the plain rule keeps hold
less than ``SHARE`` of its characters, keep the lines whose P(content) + P(comment) reaches 0.5.
Page F1 as ``fallback_sim.page_f1`` (gold: the lines labelled content). Numbers only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import page_f1
from gate_bars import groups, named_groups

from boilerml.corpora import datasets_dir
from boilerml.lines import LABELS

GRID = (0.02, 0.05, 0.1, 0.2, 0.3)
KEEP_THRESHOLD = 0.5
CONTENT, COMMENT = LABELS.index("content"), LABELS.index("comment")


def keep_lines(probabilities: np.ndarray, chars: np.ndarray, share: float | None) -> np.ndarray:
    """The lines kept on one page ``(n,)``; ``share`` None is the plain rule."""
    keep = probabilities[:, CONTENT] >= KEEP_THRESHOLD
    if share is not None and chars[keep].sum() < share * chars.sum():
        keep = probabilities[:, CONTENT] + probabilities[:, COMMENT] >= KEEP_THRESHOLD
    return keep


def page_f1s(path: str, mode: str, share: float | None) -> tuple[dict[str, float], int]:
    """Page key -> token F1 under the rule, and how many pages changed what they keep."""
    data = np.load(path)
    cuts = np.cumsum(data[f"{mode}_lengths"])[:-1]
    pieces = zip(
        *(np.split(data[f"{mode}_{part}"], cuts) for part in ("probabilities", "labels", "tokens", "chars")),
        strict=True,
    )
    scores, fell_back = {}, 0
    for key, (probabilities, labels, tokens, chars) in zip(data[f"{mode}_pages"], pieces, strict=True):
        keep = keep_lines(probabilities, chars, share)
        fell_back += bool((keep != keep_lines(probabilities, chars, None)).any())
        scores[str(key)] = page_f1(keep, labels == "content", tokens)
    return scores, fell_back


def grouped_means(scores: dict[str, float], named: dict[str, set[str]]) -> dict[str, float]:
    """Mean page F1 of all pages, of each corpus and of each named group (``gate_bars.groups``)."""
    return {name: statistics.fmean(values) for name, values in groups(scores, named).items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("html", "text"))
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--datasets", default=None)
    args = parser.parse_args()
    named = {"Chinese pages": named_groups(datasets_dir(args.datasets))["Chinese pages"]}
    plain = [grouped_means(page_f1s(run, args.mode, None)[0], named) for run in args.runs]
    print(f"{args.mode}: plain rule, all pages: " + ", ".join(f"{p['all pages']:.4f}" for p in plain))
    for share in GRID:
        changes: dict[str, list[float]] = {}
        counts = []
        for run, base in zip(args.runs, plain, strict=True):
            scores, fell_back = page_f1s(run, args.mode, share)
            counts.append(fell_back)
            for name, value in grouped_means(scores, named).items():
                changes.setdefault(name, []).append(value - base[name])
        print(f"\nSHARE {share}: pages changed per run {counts}")
        for name in sorted(changes, key=lambda n: (n != "all pages", n)):
            values = changes[name]
            runs = " ".join(f"{v:+.4f}" for v in values)
            print(f"  {name:18s} {runs}  mean {statistics.fmean(values):+.5f}")


if __name__ == "__main__":
    main()
