"""exp56's set-aside simulations on held-out probabilities (experiment helper).

Usage: python benchmarks/experiments/posthoc_sim.py OUT.npz [OUT.npz ...]

Reads ``site_gate.py`` outputs holding both modes and prints, per file, the change of mean
page token F1 (keep rule 0.5 on P(content), ``heldout_compare.page_scores``'s) over all
pages and per corpus for two rules applied after the model:

- ``comment x k``: text mode with P(comment) multiplied by k and the row renormalised (a
  prior moved towards the comment class);
- ``blend w``: HTML mode with P(content) replaced by ``(1 - w) P_html + w P_text`` of the
  same line (both views of the page averaged; the text rendering of a corpus page has its
  HTML lines, line for line); the hand-labelled text-only pages are left out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import by_corpus, page_f1
from heldout_compare import page_scores

from boilerml.lines import LABELS

COMMENT_FACTORS = (1.5, 2.0, 3.0, 4.0)
BLEND_WEIGHTS = (0.2, 0.3, 0.5)


def pages(data: np.lib.npyio.NpzFile, mode: str) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Page key -> (probabilities ``(n, 4)``, labels ``(n,)``, tokens ``(n,)``) of one mode."""
    cuts = np.cumsum(data[f"{mode}_lengths"])[:-1]
    parts = (np.split(data[f"{mode}_{name}"], cuts) for name in ("probabilities", "labels", "tokens"))
    return {str(key): piece for key, *piece in zip(data[f"{mode}_pages"], *parts, strict=True)}


def mean_changes(base: dict[str, float], candidate: dict[str, float]) -> str:
    """The change of the mean over all pages, then per corpus (the same pages in both)."""
    by_base, by_candidate = by_corpus(base), by_corpus(candidate)
    corpora = sorted(by_base)
    changes = [statistics.fmean(candidate.values()) - statistics.fmean(base.values())]
    changes += [by_candidate[corpus] - by_base[corpus] for corpus in corpora]
    return " ".join(f"{c:+.4f}" for c in changes) + "   (all, " + ", ".join(corpora) + ")"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    content, comment = LABELS.index("content"), LABELS.index("comment")
    for path in args.files:
        data = np.load(path)
        text, html = pages(data, "text"), pages(data, "html")
        base_text, base_html = page_scores(path, "text"), page_scores(path, "html")
        for factor in COMMENT_FACTORS:
            scores = {}
            for key, (p, y, t) in text.items():
                moved = p.copy()
                moved[:, comment] *= factor
                moved /= moved.sum(axis=1, keepdims=True)
                scores[key] = page_f1(moved[:, content] >= 0.5, y == "content", t)
            print(f"{Path(path).name} comment x {factor}: {mean_changes(base_text, scores)}")
        for weight in BLEND_WEIGHTS:
            scores = {}
            for key in html:  # every HTML page has its text rendering too
                (p_html, y, t), p_text = html[key], text[key][0]
                blended = (1 - weight) * p_html[:, content] + weight * p_text[:, content]
                scores[key] = page_f1(blended >= 0.5, y == "content", t)
            print(f"{Path(path).name} blend {weight}: {mean_changes(base_html, scores)}")


if __name__ == "__main__":
    main()
