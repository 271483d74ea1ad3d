"""The bars of a two-seed held-out gate (exp56, exp57, exp61, exp62), from four ``site_gate.py`` outputs.

Usage: python benchmarks/experiments/gate_bars.py BASE_A CAND_A BASE_B CAND_B [--mode html]

Each pair (BASE, CANDIDATE) is one seed's run of the baseline and the candidate on the same
halves. Prints, per seed and as the mean of the two seeds' unrounded changes: mean page token F1
over all pages, per corpus, over the Chinese pages (``Page.is_chinese``) and over wcxb-dev's
listing and collection pages (``page_type``; where exp61's container columns cost), both read
from the train split of the corpora, and the pooled line F1 of the ad and comment classes (most
probable class against the derived labels). Page F1 is ``heldout_compare.page_scores``'s
(lines at 0.5 or more on P(content) kept).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from heldout_compare import page_scores

from boilerml.corpora import corpus_names, datasets_dir, read_corpora
from boilerml.lines import LABELS


def pooled_line_f1(path: str, mode: str, label: str) -> float:
    """F1 of one class over every line of a run, its most probable class against its label."""
    data = np.load(path)
    predicted = data[f"{mode}_probabilities"].argmax(axis=1) == LABELS.index(label)
    truth = data[f"{mode}_labels"] == label
    both = float((predicted & truth).sum())
    return 2 * both / max(float(predicted.sum() + truth.sum()), 1.0)


def named_groups(root: Path) -> dict[str, set[str]]:
    """Page keys of the groups that are not a corpus: the Chinese train pages, and wcxb-dev's
    listing and collection train pages."""
    named: dict[str, set[str]] = {"Chinese pages": set(), "wcxb listing+collection": set()}
    for page in read_corpora(root, "train"):
        key = f"{page.dataset}/{page.page_id}"
        if page.is_chinese:
            named["Chinese pages"].add(key)
        if page.dataset == "wcxb-dev" and page.extra.get("page_type") in ("listing", "collection"):
            named["wcxb listing+collection"].add(key)
    return named


def groups(scores: dict[str, float], named: dict[str, set[str]]) -> dict[str, list[float]]:
    """Page F1s of all pages, of each corpus (``dataset/`` prefix) and of each named group."""
    grouped: dict[str, list[float]] = {"all pages": list(scores.values())}
    for key, score in scores.items():
        grouped.setdefault(key.split("/", 1)[0], []).append(score)
        for name, keys in named.items():
            if key in keys:
                grouped.setdefault(name, []).append(score)
    return grouped


def changes(
    base: str, candidate: str, mode: str, named: dict[str, set[str]]
) -> tuple[dict[str, float], dict[str, int]]:
    """One seed's changes (candidate minus base) per group and line class, and each group's pages."""
    before, after = page_scores(base, mode), page_scores(candidate, mode)
    if before.keys() != after.keys():
        raise SystemExit(f"{base} and {candidate} hold different pages")
    old, new = groups(before, named), groups(after, named)
    delta = {name: statistics.fmean(new[name]) - statistics.fmean(old[name]) for name in old}
    for label in ("ad", "comment"):
        delta[f"pooled {label} line F1"] = pooled_line_f1(candidate, mode, label) - pooled_line_f1(
            base, mode, label
        )
    return delta, {name: len(scores) for name, scores in old.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs=4, help="BASE_A CAND_A BASE_B CAND_B")
    parser.add_argument("--mode", default="html", choices=("html", "text"))
    parser.add_argument("--datasets", default=None)
    args = parser.parse_args()
    root = datasets_dir(args.datasets)
    if not corpus_names(root):  # the named groups' rows would silently go missing
        parser.error(f"no corpora in {root} (--datasets DIR)")
    named = named_groups(root)
    first, counts = changes(args.runs[0], args.runs[1], args.mode, named)
    second, _ = changes(args.runs[2], args.runs[3], args.mode, named)
    print(f"{args.mode}: change in held-out mean page F1 (line F1 for the pooled rows)")
    print(f"{'group':26s} {'pages':>6s} {'seed A':>8s} {'seed B':>8s} {'mean':>8s}")
    for name in first:
        pages = str(counts.get(name, ""))
        mean = (first[name] + second[name]) / 2
        print(f"{name:26s} {pages:>6s} {first[name]:+8.4f} {second[name]:+8.4f} {mean:+8.5f}")


if __name__ == "__main__":
    main()
