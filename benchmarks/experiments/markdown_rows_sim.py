"""exp70: does fitting text mode on converters' Markdown too help on unseen sites? (helper)

Usage: python benchmarks/experiments/markdown_rows_sim.py [--seed 73] [--jobs 2] [--every N] [--datasets DIR]

The train pages are split into two halves that share no site (``site_gate.halves_by_site``).
Text mode's first pass (main's features and estimator settings) is fitted on one half and
scores the other, both ways, in two arms: ``base`` fitted on boilerml's dump of each page (as
training is), ``markdown`` on the dump plus the page converted by markdownify and read as any
text input is (:func:`boilerml.segment.text_to_lines`), its lines labelled by
:func:`boilerml.corpora.derive_labels` against the gold. Each arm's held-out pages are scored
in three renderings (the dump, markdownify's Markdown, html2text's Markdown with
``body_width=0``, which neither arm is fitted on) by mean page token F1 against the gold
content, keeping the lines whose P(content) is at least 0.5. Prints the means over all pages
and per corpus. Numbers only: no corpus text is printed.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).parent))
from site_gate import halves_by_site

from boilerml.corpora import (
    Page,
    datasets_dir,
    derive_labels,
    read_corpora,
    text_mode_lines,
    uses_blank_lines,
)
from boilerml.features import extract_features
from boilerml.markdown import looks_like_markdown
from boilerml.metrics import token_f1
from boilerml.segment import html_to_lines, text_to_lines
from boilerml.sites import site_of
from boilerml.train import (
    CJK_PAGE_WEIGHT,
    LABEL_DTYPE,
    MAX_FIT_LINES_PER_PAGE,
    PageRows,
    make_estimator,
    relabel_thread_lines,
    stack_rows,
    text_key,
    unlabel_threads,
)

RENDERINGS = ("dump", "markdownify", "html2text")
#: Keep rule of the scores: P(content) at least this (the shipped default).
KEEP = 0.5


@dataclass
class Rendering:
    """One rendering of a page in text mode: features ``(n, k)``, the lines' texts, and
    whether the text looks like Markdown (what would choose exp71's Markdown model)."""

    features: np.ndarray
    texts: list[str]
    is_markdown: bool


@dataclass
class PageParts:
    dataset: str
    content: str
    dump_rows: PageRows
    markdown_rows: PageRows
    renderings: dict[str, Rendering]


def _converted(html: str) -> dict[str, str]:
    import html2text
    from markdownify import markdownify

    unwrapped = html2text.HTML2Text()
    unwrapped.body_width = 0
    converted = {}
    for name, convert in (("markdownify", markdownify), ("html2text", unwrapped.handle)):
        try:
            converted[name] = convert(html)
        except RecursionError:  # a deeply nested page: the converter gives nothing, in both arms
            converted[name] = ""
    return converted


def page_parts(page: Page) -> PageParts | None:
    """A page's dump rows (main's labels, threads unlabelled as training does), its
    markdownify rows (labels derived from the converted lines) and its three renderings."""
    html = page.text()
    lines = html_to_lines(html)
    if not lines:
        return None
    labels = derive_labels(lines, page.content, page.comments)
    if page.comments is None:
        labels = unlabel_threads(lines, labels)
    dump_lines = text_mode_lines(lines, uses_blank_lines(page))
    key = f"{page.dataset}/{page.page_id}"
    weight = CJK_PAGE_WEIGHT if page.is_chinese else 1.0
    site = site_of(page)
    dump_features = extract_features(dump_lines, "text")
    dump_rows = PageRows(
        key,
        dump_features,
        np.array(labels, dtype=LABEL_DTYPE),
        weight,
        np.array([text_key(line.text) for line in lines], dtype=np.uint64),
        site,
    )
    dump_text = [line.text for line in dump_lines]
    renderings = {"dump": Rendering(dump_features, dump_text, looks_like_markdown(dump_text))}
    markdown_rows = PageRows(key, np.zeros((0, dump_features.shape[1]), np.float32), np.array([]), weight)
    for name, text in _converted(html).items():
        converted = text_to_lines(text)
        features = extract_features(converted, "text")
        is_markdown = looks_like_markdown(text.split("\n"))
        renderings[name] = Rendering(features, [line.text for line in converted], is_markdown)
        if name == "markdownify" and converted:
            markdown_labels = derive_labels(converted, page.content, page.comments)
            markdown_rows = PageRows(key, features, np.array(markdown_labels, dtype=LABEL_DTYPE), weight)
    return PageParts(page.dataset, page.content, dump_rows, markdown_rows, renderings)


def _chunk(pages: list[Page]) -> list[PageParts | None]:
    return [page_parts(page) for page in pages]


def fitted(rows: list[PageRows], seed: int):
    features, labels, weights, _ = stack_rows(rows, MAX_FIT_LINES_PER_PAGE, seed)
    estimator = make_estimator("hgb", seed)
    estimator.fit(features, labels, sample_weight=weights)
    return estimator


def page_score(estimator, parts: PageParts, rendering: str) -> float:
    r = parts.renderings[rendering]
    if not r.texts:
        return token_f1(parts.content, "")[2]
    content = list(estimator.classes_).index("content")
    p = estimator.predict_proba(r.features)[:, content]
    kept = "\n".join(text for text, pc in zip(r.texts, p, strict=True) if pc >= KEEP)
    return token_f1(parts.content, kept)[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=73)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--every", type=int, default=1, help="every N-th train page (1: all)")
    args = parser.parse_args()
    pages = list(read_corpora(datasets_dir(args.datasets), "train"))[:: args.every]
    chunks = [pages[i : i + 16] for i in range(0, len(pages), 16)]
    done = Parallel(n_jobs=args.jobs)(delayed(_chunk)(c) for c in chunks)
    parts = [p for chunk in done for p in chunk if p]
    del pages
    dump_rows = [p.dump_rows for p in parts]
    relabel_thread_lines(dump_rows, dump_rows)  # one list: the labels are changed once, in place
    first, second = halves_by_site(dump_rows, args.seed)
    print(f"{len(parts)} pages; halves {len(first)} / {len(second)} (seed {args.seed})", flush=True)
    arms = ("base", "markdown", "markdown only")
    scores: dict[str, dict[str, list[float]]] = {arm: defaultdict(list) for arm in arms}
    chosen: dict[str, list[bool]] = defaultdict(list)
    corpora: list[str] = []
    for fit_half, score_half in ((first, second), (second, first)):
        corpora += [parts[i].dataset for i in score_half]
        for rendering in RENDERINGS:
            chosen[rendering] += [parts[i].renderings[rendering].is_markdown for i in score_half]
        for arm in arms:
            rows = [dump_rows[i] for i in fit_half] if arm != "markdown only" else []
            if arm != "base":
                rows += [parts[i].markdown_rows for i in fit_half if len(parts[i].markdown_rows.labels)]
            estimator = fitted(rows, args.seed)
            for rendering in RENDERINGS:
                scores[arm][rendering] += [page_score(estimator, parts[i], rendering) for i in score_half]
            print(f"fitted {arm} on {len(fit_half)} pages ({len(rows)} row sets) and scored", flush=True)
    corpus = np.array(corpora)
    base = {r: np.array(scores["base"][r]) for r in RENDERINGS}
    # exp71's routing: the Markdown model for a text that looks like Markdown, else the base.
    candidates = {
        "one model, dump + markdownify rows (exp70)": {
            r: np.array(scores["markdown"][r]) for r in RENDERINGS
        },
        "routed, dump + markdownify rows (exp71)": {
            r: np.where(chosen[r], scores["markdown"][r], base[r]) for r in RENDERINGS
        },
        "routed, markdownify rows only": {
            r: np.where(chosen[r], scores["markdown only"][r], base[r]) for r in RENDERINGS
        },
    }
    for r in RENDERINGS:
        print(f"{r}: {np.mean(chosen[r]):.3f} of the pages' texts look like Markdown")
    for title, candidate in candidates.items():
        print(f"\n{title}\n")
        print("| group | pages | " + " | ".join(f"{r}: base / candidate / change" for r in RENDERINGS) + " |")
        print("|---|---|" + "---|" * len(RENDERINGS))
        for group in [*sorted(set(corpora)), "all pages"]:
            mask = np.ones(len(corpus), bool) if group == "all pages" else corpus == group
            cells = []
            for r in RENDERINGS:
                b, c = base[r][mask].mean(), candidate[r][mask].mean()
                cells.append(f"{b:.4f} / {c:.4f} / {c - b:+.4f}")
            print(f"| {group} | {mask.sum()} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
