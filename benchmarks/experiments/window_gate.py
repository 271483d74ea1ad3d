"""exp96's gate: short training windows, judged on small and whole inputs of unseen sites.

Usage: python benchmarks/experiments/window_gate.py --cache DIR [--seed 101] [--jobs 2]
                                                    [--out SCORES.npz] [--datasets DIR]
                                                    [--max-pages N]

The train pages are split into two halves that share no site (``site_gate.halves_by_site``).
On each half, text mode's two passes are fitted as ``boilerml train`` fits them
(:func:`boilerml.train.fit_passes`), twice: ``base`` on the half's pages (the shipped recipe)
and ``candidate`` on the same pages plus :data:`boilerml.train.WINDOWS_PER_PAGE` short windows
of each (:func:`boilerml.train.window_rows`); this project's hand-labelled text pages are in
both. Every page of the other half is then read by the real pipeline in text mode
(``boilerml.classify``/``clean`` with their defaults) as:

- ``page``: its whole text dump, scored by token F1 against the page's gold;
- ``window``: :data:`EVAL_WINDOWS` windows of its dump (spans drawn as the training windows
  are, from another seed), each scored by token F1 against its content lines' text (a window
  without content lines scores 1 when nothing is kept, else 0);
- ``first paragraph`` / ``menu, first paragraph`` / ``first three paragraphs``: the first
  content lines of :data:`MIN_PARAGRAPH_CHARS` characters or more, alone or after the two
  navigation lines before them (``benchmarks/experiments/small_inputs.py``'s inputs); the
  share of those paragraphs labelled content, and of the menu lines labelled otherwise.

Prints per corpus and over all pages base, candidate and the change. ``--out`` keeps the
per-page scores (numbers and page keys only, no corpus text).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from site_gate import halves_by_site

import boilerml
from boilerml.corpora import Page, corpus_names, datasets_dir, derive_labels, render_as_text, uses_blank_lines
from boilerml.metrics import token_f1
from boilerml.model import SMALL_INPUT_LINES, Model
from boilerml.segment import html_to_lines
from boilerml.train import (
    SEED,
    WINDOWS_PER_PAGE,
    PageRows,
    default_training_data_dir,
    fit_passes,
    train_pages,
    training_rows,
    window_rows,
    window_spans,
)

ARMS = ("base", "candidate")
#: Windows read per held-out page.
EVAL_WINDOWS = 2
#: The evaluation windows' spans are drawn with this seed, not the training windows' one.
EVAL_WINDOW_SEED = SEED + 1
#: A line this long is a paragraph rather than a title, a byline or a caption.
MIN_PARAGRAPH_CHARS = 80
#: Navigation lines from just before the first paragraph put in front of it.
MENU_LINES = 2
#: Held-out pages per worker task: enough to amortise sending the models to the worker.
PAGES_PER_TASK = 64
MEASURES = (
    "page",
    "window",
    "first paragraph",
    "menu, first paragraph",
    "menu lines dropped",
    "first three paragraphs",
)


@dataclass
class HeldOutPage:
    """A held-out page's inputs: its dump and gold, its windows and its paragraph inputs."""

    key: str
    dataset: str
    content: str
    dump: str
    #: the dump's lines (the page's HTML lines, one per line of the dump)
    lines: int
    #: (window text, the text of its content lines)
    windows: list[tuple[str, str]] = field(default_factory=list)
    #: measure -> (input lines, indices of the lines scored, whether they should be content)
    inputs: dict[str, tuple[list[str], list[int], bool]] = field(default_factory=dict)


def held_out(page: Page) -> HeldOutPage | None:
    lines = html_to_lines(page.text())
    if not lines:
        return None
    key = f"{page.dataset}/{page.page_id}"
    blank = uses_blank_lines(page)
    truth = derive_labels(lines, page.content, page.comments)
    out = HeldOutPage(key, page.dataset, page.content, render_as_text(lines, blank), len(lines))
    for start, length in window_spans(len(lines), key, EVAL_WINDOWS, EVAL_WINDOW_SEED):
        span = range(start, start + length)
        gold = "\n".join(lines[i].text for i in span if truth[i] == "content")
        out.windows.append((render_as_text(lines[start : start + length], blank), gold))
    paragraphs = [
        i for i, t in enumerate(truth) if t == "content" and len(lines[i].text) >= MIN_PARAGRAPH_CHARS
    ]
    if paragraphs:
        menu = [i for i in range(paragraphs[0]) if truth[i] == "navigation"][-MENU_LINES:]
        texts = [line.text for line in lines]
        out.inputs["first paragraph"] = ([texts[paragraphs[0]]], [0], True)
        first_three = paragraphs[:3]
        three = [texts[i] for i in first_three]
        out.inputs["first three paragraphs"] = (three, list(range(len(three))), True)
        if len(menu) == MENU_LINES:
            chosen = [texts[i] for i in [*menu, paragraphs[0]]]
            out.inputs["menu, first paragraph"] = (chosen, [MENU_LINES], True)
            out.inputs["menu lines dropped"] = (chosen, list(range(MENU_LINES)), False)
    return out


def _held_out_chunk(pages: list[Page]) -> list[HeldOutPage]:
    return [p for p in map(held_out, pages) if p is not None]


def scores_of(page: HeldOutPage, model: Model) -> dict[str, float]:
    """The page's score per measure (absent when the page has no such input)."""
    scores = {"page": token_f1(page.content, boilerml.clean(page.dump, input_format="text", model=model))[2]}
    scores["window"] = statistics.fmean(
        token_f1(gold, boilerml.clean(text, input_format="text", model=model))[2]
        for text, gold in page.windows
    )
    for measure, (texts, scored, want_content) in page.inputs.items():
        labelled = boilerml.classify("\n".join(texts), input_format="text", model=model)
        if len(labelled) != len(texts):  # a line read as two: not comparable
            continue
        scores[measure] = statistics.fmean((labelled[i].label == "content") == want_content for i in scored)
    return scores


def _scored_chunk(pages: list[HeldOutPage], models: dict[str, Model]) -> list[dict[str, dict[str, float]]]:
    return [{arm: scores_of(page, model) for arm, model in models.items()} for page in pages]


def fitted_models(rows: list[PageRows], own: list[PageRows], cache: Path) -> dict[str, Model]:
    base, _ = fit_passes(rows + own, first_pass_cache=cache)
    candidate, _ = fit_passes(rows + window_rows(rows) + own, first_pass_cache=cache)
    return {"base": Model({"text": base}), "candidate": Model({"text": candidate})}


def print_table(datasets: np.ndarray, scores: dict[str, dict[str, np.ndarray]]) -> None:
    """Markdown, one table per measure: per corpus and over all pages, base / candidate / change."""
    for measure in MEASURES:
        print(f"\n{measure}\n\n| group | pages | base | candidate | change |\n|---|---|---|---|---|")
        for group in [*sorted(set(datasets)), "all pages"]:
            mask = np.ones(len(datasets), bool) if group == "all pages" else datasets == group
            base, candidate = scores["base"][measure][mask], scores["candidate"][measure][mask]
            present = ~np.isnan(base) & ~np.isnan(candidate)
            if not present.any():
                continue
            b, c = base[present].mean(), candidate[present].mean()
            print(f"| {group} | {present.sum()} | {b:.4f} | {c:.4f} | {c - b:+.4f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, help="the --first-pass-cache folder")
    parser.add_argument("--seed", type=int, default=101, help="seeds the split of the sites")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=None, help="per-page scores (.npz)")
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--max-pages", type=int, default=None, help="per corpus (smoke tests)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    root = datasets_dir(args.datasets)
    names = corpus_names(root)
    own_dir = default_training_data_dir()
    _, text_rows, _ = training_rows(root, names, own_dir, args.jobs, args.max_pages, WINDOWS_PER_PAGE)
    chunks = Parallel(n_jobs=args.jobs, return_as="generator")(
        delayed(_held_out_chunk)(chunk)
        for chunk in _batches(list(train_pages(root, names, args.max_pages)), PAGES_PER_TASK)
    )
    pages = {p.key: p for chunk in chunks for p in chunk}
    corpus_rows = [r for r in text_rows if r.page_key in pages]
    own_rows = [r for r in text_rows if r.page_key not in pages]  # hand-labelled: fitted, never scored
    halves = halves_by_site(corpus_rows, args.seed)
    logging.info("halves of %d and %d pages, no site in both (seed %d)", *map(len, halves), args.seed)
    keys: list[str] = []
    per_page: list[dict[str, dict[str, float]]] = []
    for fit_half, score_half in (halves, halves[::-1]):
        models = fitted_models([corpus_rows[i] for i in fit_half], own_rows, Path(args.cache))
        scored = [pages[corpus_rows[i].page_key] for i in score_half]
        done = Parallel(n_jobs=args.jobs)(
            delayed(_scored_chunk)(chunk, models) for chunk in _batches(scored, PAGES_PER_TASK)
        )
        per_page += [scores for chunk in done for scores in chunk]
        keys += [page.key for page in scored]
        logging.info("fitted on %d pages, scored %d", len(fit_half), len(scored))

    datasets = np.array([pages[key].dataset for key in keys])
    scores = {arm: {m: np.array([p[arm].get(m, np.nan) for p in per_page]) for m in MEASURES} for arm in ARMS}
    small = np.array([pages[key].lines <= SMALL_INPUT_LINES for key in keys])
    print(f"seed {args.seed}: {len(keys)} held-out pages, {small.sum()} of them small")
    print_table(datasets, scores)
    routed = {"base": scores["base"], "candidate": routed_scores(scores, small)}
    print(f"\nrouted: the candidate's passes for inputs of {SMALL_INPUT_LINES} lines or fewer only")
    print_table(datasets, routed)
    if args.out:
        arrays = {f"{arm}_{m}": scores[arm][m] for arm in ARMS for m in MEASURES}
        np.savez_compressed(args.out, pages=np.array(keys), lines=[pages[k].lines for k in keys], **arrays)


def routed_scores(scores: dict[str, dict[str, np.ndarray]], small: np.ndarray) -> dict[str, np.ndarray]:
    """The scores of a model that reads inputs of ``SMALL_INPUT_LINES`` lines or fewer with
    the candidate's passes and longer ones with the base's, as ``classify`` reads a model's
    small-input passes: the candidate's on every small input (windows and paragraphs are), on
    whole dumps only where the page is small (counted in the page's lines, which the dump
    holds one per line; ``classify`` counts the lines it reads, which sentence cuts of a long
    line can make more)."""
    out = dict(scores["candidate"])
    out["page"] = np.where(small, scores["candidate"]["page"], scores["base"]["page"])
    return out


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


if __name__ == "__main__":
    main()
