"""Simulate exp49's site-repeat rule on held-out train pages (experiment helper).

Usage: python benchmarks/experiments/siterep_sim.py HELDOUT.npz [HELDOUT.npz ...] [--shipped]

Each file is a ``site_gate.py`` (or ``heldout.py``) output: per line, the held-out
probabilities, derived labels and characters and tokens, for the train pages of both modes.
The pages' lines are segmented again to read their text (the counts must match the file's),
each page's site is :func:`boilerml.sites.site_of`, and every page counts its repeats on the
other held-out pages of its site. For every setting of the grid it prints, per mode, the
change in mean page F1 (from line labels and tokens, ``fallback_sim.page_f1``) on the pages
the rule can touch (site with at least K+1 held-out pages) and on all pages, pages moved by
more than 0.01 each way, the worst corpus change over all its pages, and the change on the
Chinese pages the rule can touch. ``--shipped`` runs only the setting in ``boilerml.repeats``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import page_f1

from boilerml.corpora import datasets_dir, read_corpora
from boilerml.lines import LABELS
from boilerml.repeats import (
    DUPLICATE_GUARD_SHARE,
    KEEP_CAP,
    MIN_OTHER_PAGES,
    line_key,
    repeats_on_site,
    site_repeat_mask,
)
from boilerml.segment import html_to_lines
from boilerml.sites import site_of

GRID = tuple(itertools.product((1, 2, 4), (0.9, 1.01), (0.5, float("inf"))))
SHIPPED = ((MIN_OTHER_PAGES, KEEP_CAP, DUPLICATE_GUARD_SHARE),)
MOVED = 0.01


def page_texts(keys: set[str]) -> tuple[dict[str, list[str]], dict[str, str], set[str]]:
    """Line keys and site of every corpus train page named in ``keys`` (``dataset/id``), and
    which of them are Chinese."""
    lines, sites, chinese = {}, {}, set()
    for page in read_corpora(datasets_dir(None), "train"):
        key = f"{page.dataset}/{page.page_id}"
        if key in keys:
            lines[key] = [line_key(line.text) for line in html_to_lines(page.text())]
            sites[key] = site_of(page)
            if page.lang == "zh":
                chinese.add(key)
    return lines, sites, chinese


def simulate(path: str, settings: tuple) -> dict[tuple, dict[str, tuple]]:
    data = np.load(path)
    lines, sites, chinese = page_texts(set(map(str, data["html_pages"])) | set(map(str, data["text_pages"])))
    results: dict[tuple, dict[str, tuple]] = defaultdict(dict)
    for mode in ("html", "text"):
        cuts = np.cumsum(data[f"{mode}_lengths"])[:-1]
        split = {name: np.split(data[f"{mode}_{name}"], cuts) for name in ("labels", "tokens", "chars")}
        p_content = np.split(data[f"{mode}_probabilities"][:, LABELS.index("content")], cuts)
        pages = [str(key) for key in data[f"{mode}_pages"]]
        # Hand-labelled pages (training_data/) have no site: they are left out, as are pages
        # whose lines no longer match the file's.
        usable = [i for i, key in enumerate(pages) if key in lines and len(lines[key]) == len(p_content[i])]
        repeats = dict(
            zip(usable, repeats_on_site([lines[pages[i]] for i in usable], [sites[pages[i]] for i in usable]))
        )
        site_size = defaultdict(int)
        for i in usable:
            site_size[sites[pages[i]]] += 1
        for k, cap, guard in settings:
            base, cand, touchable, corpus = [], [], [], defaultdict(list)
            for i in usable:
                kept = p_content[i] >= 0.5
                gold = split["labels"][i] == "content"
                removed = site_repeat_mask(repeats[i], p_content[i], kept, split["chars"][i], k, cap, guard)
                before, after = (
                    page_f1(kept, gold, split["tokens"][i]),
                    page_f1(kept & ~removed, gold, split["tokens"][i]),
                )
                base.append(before)
                cand.append(after)
                touchable.append(site_size[sites[pages[i]]] >= k + 1)
                corpus[pages[i].split("/")[0]].append(after - before)
            b, c, t = np.array(base), np.array(cand), np.array(touchable)
            zh = t & np.array([pages[i] in chinese for i in usable])
            worst = min((statistics.mean(v), name) for name, v in corpus.items())
            results[(k, cap, guard)][mode] = (
                float((c - b)[t].mean()),
                float((c - b).mean()),
                int((c > b + MOVED).sum()),
                int((c < b - MOVED).sum()),
                worst,
            )
            print(
                f"{Path(path).name} {mode} K={k} cap={cap} guard={guard}: touchable {int(t.sum())} pages "
                f"{b[t].mean():.4f} -> {c[t].mean():.4f} ({(c - b)[t].mean():+.4f}); all {len(b)} pages "
                f"{(c - b).mean():+.4f}; better {(c > b + MOVED).sum()}, worse {(c < b - MOVED).sum()}; "
                f"worst corpus {worst[1]} {worst[0]:+.4f}; Chinese touchable {int(zh.sum())} pages "
                f"{(c - b)[zh].mean():+.4f}",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("heldout", nargs="+")
    parser.add_argument("--shipped", action="store_true", help="only the setting in boilerml.repeats")
    args = parser.parse_args()
    runs = [simulate(path, SHIPPED if args.shipped else GRID) for path in args.heldout]
    print("\nsetting: mean over files and modes of the all-pages change; worst corpus change anywhere")
    for setting in runs[0]:
        changes = [run[setting][mode][1] for run in runs for mode in ("html", "text")]
        worst = min(run[setting][mode][4] for run in runs for mode in ("html", "text"))
        k, cap, guard = setting
        mean = statistics.mean(changes)
        print(f"K={k} cap={cap} guard={guard}: {mean:+.4f}; worst {worst[1]} {worst[0]:+.4f}")


if __name__ == "__main__":
    main()
