"""Batch stage: lines a site repeats on its other pages are the site's, not the page's article.

A site prints the same menu, footer, bylines and "related" blocks on every page; its
articles differ. The model judges one page at a time and cannot see that. When a batch holds
several pages of one site (a crawl, a WARC archive, a folder of a site's pages), a line whose
text is on at least :data:`MIN_OTHER_PAGES` other pages of its site is a **site repeat**, and a
site repeat is not kept unless the model is very sure it is content
(:data:`KEEP_CAP`). Measured in ``benchmarks/experiments/exp49.md``.

Everything here is plain functions over plain data; :func:`mark_site_repeats` is the one the
pipeline calls, between classify and reassemble.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import replace

import numpy as np

from .lines import LabelledLine

#: A line is a site repeat when its key is on at least this many *other* pages of its site in
#: the batch. Chosen on held-out train pages (exp49).
MIN_OTHER_PAGES = 2
#: A site repeat is still kept when the model gives it at least this probability of content
#: (exp49; above 1: never).
KEEP_CAP = 0.9
#: On a page where the site repeats would remove more than this share of the characters it
#: keeps, none is removed: such a page repeats another page's article (the same story under a
#: second URL, a print version), and its article is what the user wants.
DUPLICATE_GUARD_SHARE = 0.5

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def line_key(text: str) -> str:
    """What two lines must share to count as the same line on two pages: the text lower-cased,
    every run of digits as one ``0`` (dates, counts, prices change from page to page), white
    space collapsed."""
    return _SPACE.sub(" ", _DIGITS.sub("0", text.lower())).strip()


def repeats_on_site(keys: Sequence[Sequence[str]], sites: Sequence[Hashable]) -> list[np.ndarray]:
    """For every line of every page, on how many other pages of its site its key is.

    Args:
        keys: per page, its lines' keys (:func:`line_key`), in page order.
        sites: per page, its site (any hashable key; pages with equal keys are one site).

    Returns:
        Per page, an ``int32`` array of shape ``(lines,)``.
    """
    holders: dict[Hashable, Counter[str]] = defaultdict(Counter)
    for page_keys, site in zip(keys, sites, strict=True):
        holders[site].update(set(page_keys))
    return [
        np.array([holders[site][key] - 1 for key in page_keys], dtype=np.int32)
        for page_keys, site in zip(keys, sites, strict=True)
    ]


def site_repeat_mask(
    repeats: np.ndarray,
    p_content: np.ndarray,
    kept: np.ndarray,
    chars: np.ndarray,
    min_other_pages: int = MIN_OTHER_PAGES,
    keep_cap: float = KEEP_CAP,
    guard_share: float = DUPLICATE_GUARD_SHARE,
) -> np.ndarray:
    """Which lines of one page the rule removes.

    Args:
        repeats: other pages of the site holding each line, shape ``(n,)``
            (:func:`repeats_on_site`).
        p_content: the model's probability of content per line, shape ``(n,)``.
        kept: whether the line is kept without the rule, bool ``(n,)``.
        chars: characters per line, shape ``(n,)``.

    Returns:
        A bool array ``(n,)``: the site repeats the model is not sure enough of, or none at
        all when they would take more than ``guard_share`` of the kept characters.
    """
    removed = (repeats >= min_other_pages) & (p_content < keep_cap)
    kept_chars = float(chars[kept].sum())
    if float(chars[removed & kept].sum()) > guard_share * kept_chars:
        return np.zeros_like(removed)
    return removed


def mark_site_repeats(
    pages: Sequence[Sequence[LabelledLine]],
    sites: Sequence[Hashable],
    kept: Sequence[Sequence[bool]],
    min_other_pages: int = MIN_OTHER_PAGES,
    keep_cap: float = KEEP_CAP,
    guard_share: float = DUPLICATE_GUARD_SHARE,
) -> list[list[LabelledLine]]:
    """Set ``repeats_on_site`` on every line and ``site_repeat`` on the lines the rule removes.

    Args:
        pages: each page's labelled lines.
        sites: each page's site (see :func:`boilerml.sites.site_key`).
        kept: per page and line, whether the reassembler would keep it without the rule (the
            guard weighs what the rule removes against it).

    Returns:
        The pages' lines, copied with the two fields set.
    """
    counts = repeats_on_site([[line_key(line.text) for line in page] for page in pages], sites)
    marked: list[list[LabelledLine]] = []
    for page, repeats, page_kept in zip(pages, counts, kept, strict=True):
        removed = site_repeat_mask(
            repeats,
            np.array([line.probabilities.get("content", 0.0) for line in page]),
            np.array(page_kept, dtype=bool),
            np.array([len(line.text) for line in page]),
            min_other_pages,
            keep_cap,
            guard_share,
        )
        marked.append(
            [
                replace(line, repeats_on_site=int(count), site_repeat=bool(drop))
                for line, count, drop in zip(page, repeats, removed, strict=True)
            ]
        )
    return marked
