"""Compare two models' dev figures written by ``evaldump.py`` (experiment helper).

Usage: python benchmarks/experiments/compare.py BASE.json CANDIDATE.json [--pages N]

Prints, per corpus and language group and mode (and over all pages), the mean token F1 of both
and the change; the comment F1 on the comment-gold pages, pooled and per corpus; and with
``--pages N`` the N pages of each corpus whose token F1 moved most in each direction, and the
comment-gold pages whose comment lines found moved most. Both files may be compact (``--compact``).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

#: The comment line counts ``evaldump.py`` writes per comment-gold page.
COUNTS = ("gold", "predicted", "both")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("candidate")
    parser.add_argument("--pages", type=int, default=0, help="show the pages that moved most")
    args = parser.parse_args()
    base, cand = (json.loads(Path(path).read_text()) for path in (args.base, args.candidate))
    print(f"{'group':18s} mode  {'base':>7s} {'cand':>7s} {'change':>8s}")
    for group in sorted(base["summary"], key=lambda g: (":" in g, g)):
        for mode in ("html", "text"):
            a = base["summary"][group].get(mode, {}).get("token_f1_mean")
            b = cand["summary"].get(group, {}).get(mode, {}).get("token_f1_mean")
            if a is not None and b is not None:
                print(f"{group:18s} {mode:5s} {a:7.4f} {b:7.4f} {b - a:+8.4f}")
    base_all, cand_all = all_pages_means(base), all_pages_means(cand)
    for mode in ("html", "text"):
        if mode in base_all and mode in cand_all:
            (pages, a), (_, b) = base_all[mode], cand_all[mode]
            print(f"{'all pages':18s} {mode:5s} {a:7.4f} {b:7.4f} {b - a:+8.4f}  ({pages} pages)")
    for mode in ("html", "text"):
        a, b = base["comment_gold"][mode]["f1"], cand["comment_gold"][mode]["f1"]
        print(f"comment F1 on comment-gold pages, {mode}: {a:.4f} -> {b:.4f} ({b - a:+.4f})")
    base_comments, cand_comments = pooled_comment_lines(base), pooled_comment_lines(cand)
    for key in sorted(base_comments.keys() & cand_comments.keys()):
        (a, a_counts), (b, b_counts) = base_comments[key], cand_comments[key]
        print(
            f"   {key[1]} {key[0]}: {a:.4f} -> {b:.4f} ({b - a:+.4f}); lines labelled comment "
            f"{a_counts['predicted']} -> {b_counts['predicted']}, of them gold "
            f"{a_counts['both']} -> {b_counts['both']}, gold {a_counts['gold']}"
        )
    if not args.pages:
        return
    show_comment_pages(base, cand, args.pages)
    by_page: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    for name, figures in (("base", base), ("cand", cand)):
        for page in figures["pages"]:
            by_page[(page["dataset"], page["mode"], page["id"])][name] = page["f1"]
    moved: dict[tuple[str, str], list[tuple[float, str, float, float]]] = defaultdict(list)
    for (dataset, mode, page_id), f1 in by_page.items():
        if len(f1) == 2:
            moved[(dataset, mode)].append((f1["cand"] - f1["base"], page_id, f1["base"], f1["cand"]))
    for (dataset, mode), rows in sorted(moved.items()):
        rows.sort()
        shown = rows[: args.pages] + rows[-args.pages :] if len(rows) > 2 * args.pages else rows
        print(f"{dataset} {mode}:")
        for change, page_id, a, b in shown:
            print(f"   {page_id[:48]:48s} {a:.3f} -> {b:.3f} {change:+.3f}")


def all_pages_means(figures: dict) -> dict[str, tuple[int, float]]:
    """Per mode: the number of pages and their mean token F1 (the summary has no all-pages row)."""
    f1s: dict[str, list[float]] = defaultdict(list)
    for page in figures["pages"]:
        f1s[page["mode"]].append(page["f1"])
    return {mode: (len(values), sum(values) / len(values)) for mode, values in f1s.items()}


def pooled_comment_lines(figures: dict) -> dict[tuple[str, str], tuple[float, dict[str, int]]]:
    """Per (mode, corpus) of the comment-gold pages: comment line F1 over the corpus's pooled
    lines, and the pooled counts (``gold``, ``predicted``, ``both``). Empty for dumps older than
    ``comment_lines``."""
    pooled: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for page in figures["pages"]:
        if "comment_lines" in page:
            for name in COUNTS:
                pooled[(page["mode"], page["dataset"])][name] += page["comment_lines"][name]
    out = {}
    for key, counts in pooled.items():
        found = 2 * counts["both"]
        out[key] = (found / (counts["gold"] + counts["predicted"]) if found else 0.0, counts)
    return out


def show_comment_pages(base: dict, cand: dict, count: int) -> None:
    """The comment-gold pages whose correctly found comment lines changed most, per mode.

    The comment-gold F1 pools lines, so a page with a thousand-line thread can carry it alone.
    Only dumps written since ``comment_lines`` was added have the counts; older ones are skipped.
    """
    counts: dict[tuple[str, str, str], dict[str, dict[str, int]]] = defaultdict(dict)
    for name, figures in (("base", base), ("cand", cand)):
        for page in figures["pages"]:
            if "comment_lines" in page:
                counts[(page["mode"], page["dataset"], page["id"])][name] = page["comment_lines"]
    for mode in ("html", "text"):
        rows = sorted(
            (c["cand"]["both"] - c["base"]["both"], dataset, page_id, c["base"], c["cand"])
            for (page_mode, dataset, page_id), c in counts.items()
            if page_mode == mode and len(c) == 2
        )
        if not rows:
            continue
        print(f"comment lines found (of gold), comment-gold pages, {mode}:")
        shown = rows[:count] + rows[-count:] if len(rows) > 2 * count else rows
        for change, dataset, page_id, a, b in shown:
            found = f"{a['both']:5d} -> {b['both']:5d} of {a['gold']:5d}"
            print(f"   {dataset} {page_id[:40]:40s} {found} ({change:+d})")


if __name__ == "__main__":
    main()
