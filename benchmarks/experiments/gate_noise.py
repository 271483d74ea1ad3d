"""How far a two-seed gate's per-group changes move between seeds, and what that means for its bars.

Usage: python benchmarks/experiments/gate_noise.py --mode text RUNS [RUNS ...]

Each RUNS is four ``site_gate.py``-format outputs joined by commas, as ``gate_bars.py`` takes
them: ``BASE_A,CAND_A,BASE_B,CAND_B`` (one candidate at two seeds, each paired with main's run
on the same halves). A candidate's true effect is the same at both seeds, so the difference of
its two changes, ``a - b``, is noise: the halves and the trainings drawn at each seed. Pooled
over the candidates given, ``sigma**2 = mean((a - b)**2) / 2`` is the spread of one seed's change
around the effect, and ``sigma / sqrt(2)`` that of the two-seed mean the bars read. For each
floor bar of the standard gate (``exp69.md``'s bars 3 and 4), prints the chance that a candidate
whose true effect on the group is zero falls below it (normal approximation), and the chance
that at least one of them does, taking the groups as independent (they are not quite: the
corpora add up to all pages).
Numbers only, no corpus text.
"""

from __future__ import annotations

import argparse
import math

from gate_bars import changes, named_groups

from boilerml.corpora import corpus_names, datasets_dir

#: The floors of the standard gate for a change that must not lose (exp65-exp69, bars 3 and 4).
FLOORS = {
    "chaos": -0.004,
    "cleaneval": -0.004,
    "daniel": -0.004,
    "dragnet": -0.004,
    "l3s-gn1": -0.004,
    "wcxb-dev": -0.004,
    "chinese-wce": -0.010,
    "cleanportaleval": -0.010,
    "wcxb listing+collection": -0.010,
    "Chinese pages": -0.003,
    "pooled ad line F1": -0.02,
    "pooled comment line F1": -0.02,
}


def below(floor: float, spread: float) -> float:
    """P(X < floor) for X normal with mean 0 and standard deviation ``spread``."""
    return 0.5 * (1.0 + math.erf(floor / (spread * math.sqrt(2.0))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", help="BASE_A,CAND_A,BASE_B,CAND_B (one per candidate)")
    parser.add_argument("--mode", default="text", choices=("html", "text"))
    parser.add_argument("--datasets", default=None)
    args = parser.parse_args()
    root = datasets_dir(args.datasets)
    if not corpus_names(root):
        parser.error(f"no corpora in {root} (--datasets DIR)")
    named = named_groups(root)
    squared: dict[str, list[float]] = {}
    for joined in args.runs:
        base_a, cand_a, base_b, cand_b = joined.split(",")
        first, _ = changes(base_a, cand_a, args.mode, named)
        second, _ = changes(base_b, cand_b, args.mode, named)
        for name in first:
            squared.setdefault(name, []).append((first[name] - second[name]) ** 2)
    print(f"{args.mode}: {len(args.runs)} candidates at two seeds each")
    print(f"{'group':26s} {'sd, one seed':>13s} {'sd, mean of 2':>14s} {'floor':>7s} {'P(below | 0)':>13s}")
    none_below = 1.0
    for name, values in squared.items():
        sigma = math.sqrt(sum(values) / len(values) / 2)
        spread = sigma / math.sqrt(2)
        floor = FLOORS.get(name)
        chance = below(floor, spread) if floor is not None and spread > 0 else None
        if chance is not None:
            none_below *= 1 - chance
        shown = "" if chance is None else f"{floor:+7.3f} {chance:13.2f}"
        print(f"{name:26s} {sigma:13.4f} {spread:14.4f} {shown}")
    print(f"P(at least one floor failed | no true effect anywhere) = {1 - none_below:.2f}")


if __name__ == "__main__":
    main()
