"""Held-out change on some wcxb-dev page kinds, for exp62's fifth bar (experiment helper).

Usage: python benchmarks/experiments/kind_bar.py BASE_A CAND_A [BASE_B CAND_B ...]
                                                 [--kinds listing,collection] [--mode html]

Each pair is two ``site_gate.py`` outputs at one seed; prints, per pair and as their mean,
the change in mean page token F1 (``heldout_compare.page_scores``) over the wcxb-dev train
pages of the given kinds (``page_type`` in the corpus). Reads the kinds from the corpus
records only; prints numbers, no corpus text.
"""

from __future__ import annotations

import argparse
import statistics

from heldout_compare import page_scores

from boilerml.corpora import datasets_dir, read_corpus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", help="BASE CANDIDATE pairs, one per seed")
    parser.add_argument("--kinds", default="listing,collection")
    parser.add_argument("--mode", default="html")
    parser.add_argument("--datasets", default=None)
    args = parser.parse_args()
    if len(args.runs) % 2:
        parser.error("runs come in BASE CANDIDATE pairs")
    kinds = set(args.kinds.split(","))
    archive = datasets_dir(args.datasets) / "wcxb-dev.tar.gz"
    pages = read_corpus(archive, "train")
    keys = {f"wcxb-dev/{page.page_id}" for page in pages if page.extra.get("page_type") in kinds}
    changes = []
    for base_path, cand_path in zip(args.runs[::2], args.runs[1::2]):
        base, cand = page_scores(base_path, args.mode), page_scores(cand_path, args.mode)
        held_out = sorted(keys & base.keys())
        change = statistics.fmean(cand[k] for k in held_out) - statistics.fmean(base[k] for k in held_out)
        changes.append(change)
        print(f"{cand_path}: {len(held_out)} pages of {args.kinds}, change {change:+.4f}")
    print(f"mean over {len(changes)} seeds: {statistics.fmean(changes):+.4f}")


if __name__ == "__main__":
    main()
