"""exp72's gate: the Markdown passes, whole, on sites the models never saw (experiment helper).

Usage: python benchmarks/experiments/markdown_gate.py --cache DIR [--seed 83] [--jobs 2]
                                                      [--out SCORES.npz] [--datasets DIR]
                                                      [--max-pages N]

The train pages are split into two halves that share no site (``site_gate.halves_by_site``).
On each half, text mode's passes and the Markdown passes are fitted as ``boilerml train
--markdown-passes`` fits them (:func:`boilerml.train.fit_passes`: the first pass out of fold
by page, the second on its verdicts; the Markdown passes on the text rows plus markdownify's
Markdown of the half's pages; this project's hand-labelled text pages in both halves' fits;
the 22 train pages that boilerml finds no lines in, whose Markdown ``boilerml train`` does fit,
are in neither half).
Every page of the other half is then cleaned by the real pipeline, ``boilerml.clean(text,
input_format="text", model=...)`` with its defaults (unwrap and Markdown on), in three
renderings: boilerml's dump, markdownify's Markdown and html2text's (``body_width=0``, never
fitted on), by two models: ``base`` (text mode's passes only, as the shipped model) and
``candidate`` (the same plus the Markdown passes, which ``classify`` uses for text read as
Markdown). Prints, per rendering and corpus, the mean page token F1 of both and the change;
``--out`` keeps the per-page scores: ``<arm>_<rendering>`` token F1, and its ``_precision`` and
``_recall`` (numbers and page keys only, no corpus text).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from site_gate import halves_by_site

import boilerml
from boilerml.corpora import Page, corpus_names, datasets_dir, render_as_text, uses_blank_lines
from boilerml.metrics import token_f1
from boilerml.model import MARKDOWN, Model
from boilerml.segment import html_to_lines, read_text
from boilerml.train import (
    PageRows,
    default_training_data_dir,
    fit_passes,
    markdown_training_rows,
    train_pages,
    training_rows,
)

RENDERINGS = ("dump", "markdownify", "html2text")
ARMS = ("base", "candidate")
#: Held-out pages per worker task: enough to amortise sending the models to the worker.
PAGES_PER_TASK = 64


@dataclass
class HeldOutPage:
    """What scoring a page needs: its key, corpus, gold content and its three renderings."""

    key: str
    dataset: str
    content: str
    texts: dict[str, str]


def _converters() -> dict[str, Callable[[str], str]]:
    import html2text
    from markdownify import markdownify

    unwrapped = html2text.HTML2Text()
    unwrapped.body_width = 0
    return {"markdownify": markdownify, "html2text": unwrapped.handle}


def rendered(page: Page) -> HeldOutPage:
    """The page as text three ways; a converter that recurses too deep gives ``""``."""
    html = page.text()
    texts = {"dump": render_as_text(html_to_lines(html), uses_blank_lines(page))}
    for name, convert in _converters().items():
        try:
            texts[name] = convert(html)
        except RecursionError:
            texts[name] = ""
    return HeldOutPage(f"{page.dataset}/{page.page_id}", page.dataset, page.content, texts)


def _rendered_chunk(pages: list[Page]) -> list[HeldOutPage]:
    return [rendered(page) for page in pages]


Scores = dict[str, dict[str, tuple[float, float, float]]]


def _scored_chunk(pages: list[HeldOutPage], models: dict[str, Model]) -> list[Scores]:
    """Per page, ``{arm: {rendering: token (precision, recall, F1)}}``."""
    out = []
    for page in pages:
        scores: Scores = {}
        for arm, model in models.items():
            scores[arm] = {
                name: token_f1(page.content, boilerml.clean(text, input_format="text", model=model))
                for name, text in page.texts.items()
            }
        out.append(scores)
    return out


def fitted_models(text_rows: list[PageRows], markdown_rows: list[PageRows], seed: int, cache: Path) -> dict:
    """The two arms' models fitted on these rows (the candidate adds the Markdown passes)."""
    text_passes, _ = fit_passes(text_rows, seed=seed, first_pass_cache=cache)
    markdown_passes, _ = fit_passes(text_rows + markdown_rows, seed=seed, first_pass_cache=cache)
    return {
        "base": Model({"text": text_passes}),
        "candidate": Model({"text": text_passes, MARKDOWN: markdown_passes}),
    }


def print_table(datasets: np.ndarray, scores: dict[str, dict[str, np.ndarray]]) -> None:
    """Markdown: per corpus and over all pages, base / candidate / change per rendering."""
    header = " | ".join(f"{r}: base / candidate / change" for r in RENDERINGS)
    print(f"| group | pages | {header} |\n|---|---|" + "---|" * len(RENDERINGS))
    for group in [*sorted(set(datasets)), "all pages"]:
        mask = np.ones(len(datasets), bool) if group == "all pages" else datasets == group
        cells = []
        for r in RENDERINGS:
            base, candidate = scores["base"][r][mask].mean(), scores["candidate"][r][mask].mean()
            cells.append(f"{base:.4f} / {candidate:.4f} / {candidate - base:+.4f}")
        print(f"| {group} | {mask.sum()} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, help="the --first-pass-cache folder")
    parser.add_argument("--seed", type=int, default=83)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=None, help="per-page scores (.npz)")
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--max-pages", type=int, default=None, help="per corpus (smoke tests)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    root = datasets_dir(args.datasets)
    names = corpus_names(root)
    _, text_rows, _ = training_rows(root, names, default_training_data_dir(), args.jobs, args.max_pages)
    markdown_rows = {r.page_key: r for r in markdown_training_rows(root, names, args.jobs, args.max_pages)}
    chunks = Parallel(n_jobs=args.jobs, return_as="generator")(
        delayed(_rendered_chunk)(chunk)
        for chunk in _batches(list(train_pages(root, names, args.max_pages)), PAGES_PER_TASK)
    )
    pages = {p.key: p for chunk in chunks for p in chunk}
    counts = len(text_rows), len(markdown_rows), len(pages)
    logging.info("%d text row sets, %d Markdown row sets, %d pages rendered", *counts)

    corpus_rows = [r for r in text_rows if r.page_key in pages]
    own_rows = [r for r in text_rows if r.page_key not in pages]  # hand-labelled: fitted, never scored
    halves = halves_by_site(corpus_rows, args.seed)
    logging.info("halves of %d and %d pages, no site in both (seed %d)", *map(len, halves), args.seed)
    keys: list[str] = []
    per_page: list[Scores] = []
    for fit_half, score_half in (halves, halves[::-1]):
        fit_rows = [corpus_rows[i] for i in fit_half]
        fit_markdown = [markdown_rows[r.page_key] for r in fit_rows if r.page_key in markdown_rows]
        models = fitted_models(fit_rows + own_rows, fit_markdown, args.seed, Path(args.cache))
        held_out = [pages[corpus_rows[i].page_key] for i in score_half]
        done = Parallel(n_jobs=args.jobs)(
            delayed(_scored_chunk)(chunk, models) for chunk in _batches(held_out, PAGES_PER_TASK)
        )
        per_page += [scores for chunk in done for scores in chunk]
        keys += [page.key for page in held_out]
        logging.info("fitted on %d pages, scored %d", len(fit_half), len(held_out))

    datasets = np.array([pages[key].dataset for key in keys])
    # (pages, 3): token precision, recall and F1 per arm and rendering
    measured = {arm: {r: np.array([p[arm][r] for p in per_page]) for r in RENDERINGS} for arm in ARMS}
    scores = {arm: {r: measured[arm][r][:, 2] for r in RENDERINGS} for arm in ARMS}
    read_as_markdown = {r: np.mean([read_text(pages[k].texts[r])[1] for k in keys]) for r in RENDERINGS}
    print(f"seed {args.seed}: {len(keys)} held-out pages")
    for r in RENDERINGS:
        print(f"{r}: {read_as_markdown[r]:.3f} of the texts read as Markdown")
    print()
    print_table(datasets, scores)
    if args.out:
        arrays = {f"{arm}_{r}": scores[arm][r] for arm in ARMS for r in RENDERINGS}
        for arm in ARMS:
            for r in RENDERINGS:
                arrays[f"{arm}_{r}_precision"], arrays[f"{arm}_{r}_recall"] = measured[arm][r][:, :2].T
        np.savez_compressed(args.out, pages=np.array(keys), **arrays)


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


if __name__ == "__main__":
    main()
