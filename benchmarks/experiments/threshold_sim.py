"""exp47: held-out mean page F1 at several keep thresholds (experiment helper).

Usage: python benchmarks/experiments/threshold_sim.py OUT.npz [OUT.npz ...] [--mode html|text ...]

Reads ``heldout.py`` / ``site_gate.py`` outputs and prints, per file and mode, the mean page
token F1 with a line kept when P(content) is at least each threshold
(``heldout_compare.page_scores``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from heldout_compare import page_scores

THRESHOLDS = tuple(round(0.30 + 0.05 * i, 2) for i in range(7))


def mean_page_f1(path: str, mode: str, threshold: float) -> float:
    return statistics.mean(page_scores(path, mode, threshold).values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--mode", action="append", choices=("html", "text"))
    args = parser.parse_args()
    for path in args.files:
        for mode in args.mode or ["html", "text"]:
            figures = {t: mean_page_f1(path, mode, t) for t in THRESHOLDS}
            cells = "  ".join(f"{t:.2f}: {f:.4f}" for t, f in figures.items())
            print(f"{Path(path).name} {mode}  {cells}")


if __name__ == "__main__":
    main()
