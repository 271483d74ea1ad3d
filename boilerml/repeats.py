"""Batch stage: lines a site repeats on its other pages are the site's, not the page's article.

A site prints the same menu, footer, bylines and "related" blocks on every page; its
articles differ. The model judges one page at a time and cannot see that. When a batch holds
several pages of one site (a crawl, a WARC archive, a folder of a site's pages), a line whose
text is on at least :data:`MIN_OTHER_PAGES` other pages of its site is a **site repeat**, and a
site repeat is not kept unless the model is very sure it is content
(:data:`KEEP_CAP`). Measured in ``benchmarks/experiments/exp49.md``.

Everything here is plain functions over plain data, run between classify and reassemble.
:func:`mark_site_repeats` marks a batch held in memory; :func:`boilerml.batch.clean_many` does
the same a page at a time (:func:`line_hashes`, :func:`count_holders`, :func:`mark_page`), so
that a batch's text need not be held.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace

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


def line_hashes(keys: Sequence[str], site: Hashable) -> np.ndarray:
    """A 64-bit fingerprint of each ``(site, key)`` pair, shape ``(lines,)``, ``int64``.

    Counting fingerprints instead of keys holds eight bytes per line, whatever its length.
    They come from Python's ``hash``, which is seeded per process: compare them only with
    fingerprints made in the same process. Two different pairs share one with a chance of
    about one in 2**64 per pair of lines, which a crawl never meets in practice.
    """
    return np.fromiter((hash((site, key)) for key in keys), dtype=np.int64, count=len(keys))


@dataclass(frozen=True)
class HolderCounts:
    """On how many pages of a batch each line fingerprint is: ``fingerprints`` sorted, shape
    ``(k,)``, and ``pages`` holding each, shape ``(k,)``."""

    fingerprints: np.ndarray
    pages: np.ndarray

    def holders(self, hashes: np.ndarray) -> np.ndarray:
        """For fingerprints ``(n,)`` (:func:`line_hashes`), the pages holding each, ``int32 (n,)``
        (0 for a fingerprint no counted page had)."""
        if len(self.fingerprints) == 0:
            return np.zeros(len(hashes), dtype=np.int32)
        at = np.searchsorted(self.fingerprints, hashes)
        found = at < len(self.fingerprints)
        found[found] = self.fingerprints[at[found]] == hashes[found]
        return np.where(found, self.pages[np.minimum(at, len(self.pages) - 1)], 0).astype(np.int32)


def count_holders(page_hashes: Iterable[np.ndarray]) -> HolderCounts:
    """Count, for every fingerprint, the pages that hold it (each page once, however many of
    its lines share it). ``page_hashes``: per page, its :func:`line_hashes`."""
    distinct = [np.unique(hashes) for hashes in page_hashes]
    fingerprints, pages = np.unique(
        np.concatenate(distinct) if distinct else np.zeros(0, np.int64), return_counts=True
    )
    return HolderCounts(fingerprints, pages)


def repeats_on_site(keys: Sequence[Sequence[str]], sites: Sequence[Hashable]) -> list[np.ndarray]:
    """For every line of every page, on how many other pages of its site its key is.

    Args:
        keys: per page, its lines' keys (:func:`line_key`), in page order.
        sites: per page, its site (any hashable key; pages with equal keys are one site).

    Returns:
        Per page, an ``int32`` array of shape ``(lines,)``.
    """
    hashes = [line_hashes(page_keys, site) for page_keys, site in zip(keys, sites, strict=True)]
    counts = count_holders(hashes)
    return [counts.holders(page) - 1 for page in hashes]


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


def mark_page(
    page: Sequence[LabelledLine],
    repeats: np.ndarray,
    kept: Sequence[bool],
    min_other_pages: int = MIN_OTHER_PAGES,
    keep_cap: float = KEEP_CAP,
    guard_share: float = DUPLICATE_GUARD_SHARE,
) -> list[LabelledLine]:
    """One page's lines, copied with ``repeats_on_site`` and ``site_repeat`` set.

    Args:
        page: its labelled lines.
        repeats: on how many other pages of its site each line is, shape ``(n,)``.
        kept: per line, whether the reassembler would keep it without the rule (the guard
            weighs what the rule removes against it).
    """
    removed = site_repeat_mask(
        repeats,
        np.array([line.probabilities.get("content", 0.0) for line in page]),
        np.array(kept, dtype=bool),
        np.array([len(line.text) for line in page]),
        min_other_pages,
        keep_cap,
        guard_share,
    )
    return [
        replace(line, repeats_on_site=int(count), site_repeat=bool(drop))
        for line, count, drop in zip(page, repeats, removed, strict=True)
    ]


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
        kept: per page and line, whether the reassembler would keep it without the rule.

    Returns:
        The pages' lines, copied with the two fields set (:func:`mark_page`).
    """
    counts = repeats_on_site([[line_key(line.text) for line in page] for page in pages], sites)
    return [
        mark_page(page, repeats, page_kept, min_other_pages, keep_cap, guard_share)
        for page, repeats, page_kept in zip(pages, counts, kept, strict=True)
    ]
