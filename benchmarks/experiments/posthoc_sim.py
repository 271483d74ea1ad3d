"""exp56's set-aside simulations on held-out probabilities (experiment helper).

Usage: python benchmarks/experiments/posthoc_sim.py OUT.npz [OUT.npz ...]

Reads ``site_gate.py`` outputs holding both modes and prints, per file, the change of mean
page token F1 (keep rule 0.5 on P(content), ``heldout_compare.page_scores``'s) over all
pages and per corpus for two rules applied after the model:

- ``comment x k``: text mode with P(comment) multiplied by k and the row renormalised (a
  prior moved towards the comment class);
- ``blend w``: HTML mode with P(content) replaced by ``(1 - w) P_html + w P_text`` of the
  same line (both views of the page averaged); pages only text mode has are left out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import page_f1

from boilerml.lines import LABELS

COMMENT_FACTORS = (1.5, 2.0, 3.0, 4.0)
BLEND_WEIGHTS = (0.2, 0.3, 0.5)


def pages(data: np.lib.npyio.NpzFile, mode: str) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Page key -> (probabilities ``(n, 4)``, labels ``(n,)``, tokens ``(n,)``) of one mode."""
    cuts = np.cumsum(data[f"{mode}_lengths"])[:-1]
    parts = (np.split(data[f"{mode}_{name}"], cuts) for name in ("probabilities", "labels", "tokens"))
    return {str(key): piece for key, *piece in zip(data[f"{mode}_pages"], *parts, strict=True)}


def mean_changes(base: dict[str, float], candidate: dict[str, float]) -> str:
    """The mean change over all pages, then per corpus."""
    corpora = sorted({key.split("/")[0] for key in base})
    changes = [statistics.fmean(candidate[k] - base[k] for k in base)]
    for corpus in corpora:
        keys = [k for k in base if k.split("/")[0] == corpus]
        changes.append(statistics.fmean(candidate[k] - base[k] for k in keys))
    return " ".join(f"{c:+.4f}" for c in changes) + "   (all, " + ", ".join(corpora) + ")"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    content, comment = LABELS.index("content"), LABELS.index("comment")
    for path in args.files:
        data = np.load(path)
        text, html = pages(data, "text"), pages(data, "html")
        base_text = {k: page_f1(p[:, content] >= 0.5, y == "content", t) for k, (p, y, t) in text.items()}
        for factor in COMMENT_FACTORS:
            scores = {}
            for key, (p, y, t) in text.items():
                moved = p.copy()
                moved[:, comment] *= factor
                moved /= moved.sum(axis=1, keepdims=True)
                scores[key] = page_f1(moved[:, content] >= 0.5, y == "content", t)
            print(f"{Path(path).name} comment x {factor}: {mean_changes(base_text, scores)}")
        both = [key for key in html if key in text]
        base_html = {}
        for key in both:
            p, y, t = html[key]
            base_html[key] = page_f1(p[:, content] >= 0.5, y == "content", t)
        for weight in BLEND_WEIGHTS:
            scores = {}
            for key in both:
                (p_html, y, t), p_text = html[key], text[key][0]
                blended = (1 - weight) * p_html[:, content] + weight * p_text[:, content]
                scores[key] = page_f1(blended >= 0.5, y == "content", t)
            print(f"{Path(path).name} blend {weight}: {mean_changes(base_html, scores)}")


if __name__ == "__main__":
    main()
