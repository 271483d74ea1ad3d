"""Count the seams of text cut at every tag, for :mod:`boilerml.fragments` (beside training).

Usage: python -m boilerml.seam_counts [--datasets DIR] [--output boilerml/data/seams.json]
                                      [--jobs N] [--skip-every K --skip-offset R]

For every train page: the page as BeautifulSoup's ``get_text("\\n", strip=True)`` gives it
(scripts, styles, ``noscript`` and templates removed first: what a scraper keeps), and the
page's dump, one block per line (:func:`boilerml.corpora.render_as_text`, the rendering text
mode is trained on). Each line of the cut text is found in the dump's blocks, in order; a
seam between two lines found in the same block was *joined*, between two blocks *apart*;
seams next to a line the dump lacks (the ``<title>``, a ``<select>``'s options, text the
segmenter drops as hidden) are not counted. The dump's own seams are counted too.

The output holds, per seam kind (:func:`boilerml.fragments.seam_kinds`), three counts:
``[joined, apart, in_dumps]``. No corpus text. Needs BeautifulSoup (the ``train`` or ``bench``
extra).
``--skip-every K --skip-offset R`` leaves out the pages whose index in the train split is R
modulo K, and their sites, to measure the rule on pages and sites the counts never saw.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from collections import Counter
from pathlib import Path

from joblib import Parallel, delayed

from .corpora import Page, corpus_names, datasets_dir, read_corpora, render_as_text, uses_blank_lines
from .fragments import seam_kinds
from .segment import html_to_lines

logger = logging.getLogger(__name__)

#: A cut text's line that is not the rest of the current block is looked for at the start of
#: this many blocks ahead: the dump may hold blocks the cut text lacks (it is not searched
#: further, so that a line repeated far down the page is not matched there).
LOOKAHEAD_BLOCKS = 5
#: Elements whose text a scraper removes before ``get_text``.
REMOVED_BEFORE_CUTTING = ("script", "style", "noscript", "template")
DEFAULT_OUTPUT = Path(__file__).parent / "data" / "seams.json"

_WHITESPACE = re.compile(r"\s+")


def cut_at_tags(html: str) -> str:
    """The page's text as BeautifulSoup gives it with ``get_text("\\n", strip=True)``."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for element in soup(list(REMOVED_BEFORE_CUTTING)):
        element.decompose()
    return soup.get_text("\n", strip=True)


def blocks_of_pieces(pieces: list[str], blocks: list[str]) -> list[int | None]:
    """For each piece (a line of the cut text), the index of the block it is part of, or None.

    Pieces and blocks are compared without whitespace. A block is filled by the pieces that
    make it, in order; a piece that does not continue the current block starts the first of
    the next :data:`LOOKAHEAD_BLOCKS` blocks that begins with it, or is found nowhere (None).

    >>> blocks_of_pieces(["Read the", "report", ".", "Menu"], ["Read the report.", "Menu"])
    [0, 0, 0, 1]
    """
    bare = [_WHITESPACE.sub("", block) for block in blocks]
    found: list[int | None] = []
    current, filled = 0, ""
    for piece in pieces:
        text = _WHITESPACE.sub("", piece)
        if filled and current < len(bare) and bare[current].startswith(filled + text):
            filled += text
            found.append(current)
        else:
            if filled:
                current, filled = current + 1, ""
            ahead = range(current, min(current + LOOKAHEAD_BLOCKS, len(bare)))
            start = next((i for i in ahead if text and bare[i].startswith(text)), None)
            found.append(start)
            if start is None:
                continue
            current, filled = start, text
        if filled == bare[current]:
            current, filled = current + 1, ""
    return found


def page_seams(page: Page) -> Counter[tuple[str, str]]:
    """``(kind, "joined" | "apart" | "in_dumps")`` -> count, for one page."""
    html = page.text()
    dump = render_as_text(html_to_lines(html), uses_blank_lines(page)).split("\n")
    counts: Counter[tuple[str, str]] = Counter()
    for kind in seam_kinds(dump):
        if kind is not None:
            counts[kind, "in_dumps"] += 1
    try:
        pieces = cut_at_tags(html).split("\n")
    except RecursionError:  # a page nested too deep for BeautifulSoup
        return counts
    blocks = [line for line in dump if line.strip()]
    found = blocks_of_pieces(pieces, blocks)
    for kind, upper, lower in zip(seam_kinds(pieces), found, found[1:]):
        if kind is not None and upper is not None and lower is not None:
            counts[kind, "joined" if upper == lower else "apart"] += 1
    return counts


def count_seams(
    root: Path, jobs: int = 1, skip_every: int | None = None, skip_offset: int = 0
) -> dict[str, list[int]]:
    """Seam kind -> ``[joined, apart, in_dumps]`` over the train pages (module docstring)."""
    from .sites import site_of

    pages = list(read_corpora(root, "train", corpus_names(root)))
    if skip_every:
        sites = [site_of(page) for page in pages]
        skipped = {site for i, site in enumerate(sites) if i % skip_every == skip_offset}
        pages = [page for page, site in zip(pages, sites, strict=True) if site not in skipped]
    logger.info("counting seams on %d train pages", len(pages))
    total: Counter[tuple[str, str]] = Counter()
    for counts in Parallel(n_jobs=jobs, batch_size=8)(delayed(page_seams)(page) for page in pages):
        total.update(counts)
    kinds = sorted({kind for kind, _ in total})
    return {kind: [total[kind, "joined"], total[kind, "apart"], total[kind, "in_dumps"]] for kind in kinds}


def _one_kind_per_line(document: dict) -> str:
    """The counts as JSON with one seam kind per line, sorted: a diff shows which kinds moved."""
    rows = [f"{json.dumps(kind)}: {json.dumps(counts)}" for kind, counts in sorted(document["seams"].items())]
    body = ",\n".join(rows)
    return f'{{\n"_doc": {json.dumps(document["_doc"])},\n"seams": {{\n{body}\n}}\n}}\n'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default=None, help="the corpora (default: ../shared/datasets)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--skip-every", type=int, default=None)
    parser.add_argument("--skip-offset", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    seams = count_seams(datasets_dir(args.datasets), args.jobs, args.skip_every, args.skip_offset)
    document = {
        "_doc": (
            "Seams of text cut at every tag (BeautifulSoup get_text with newlines) on the train "
            "pages, by kind (boilerml.fragments.seam_kinds): [joined, apart, in_dumps]. joined: "
            "the two lines are one block of the page's dump; apart: two blocks; in_dumps: seams of "
            "that kind in the dumps themselves. Counts only, no corpus text. Written by "
            "python -m boilerml.seam_counts."
        ),
        "seams": seams,
    }
    args.output.write_text(_one_kind_per_line(document), encoding="utf-8")
    logger.info("%d seam kinds written to %s", len(seams), args.output)


if __name__ == "__main__":
    main()
