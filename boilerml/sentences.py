"""Lines too long for the model, read in pieces cut at sentence ends.

Text mode is fitted on boilerml's dump of each page, one block a line, and a block is seldom
longer than a long paragraph. Other texts hold far longer lines: trafilatura writes each table
cell on one line (an article laid out in a table comes out as one line of thousands of
characters), and a document flattened into one line (a field of a JSON record, a CSV cell) is
one line. The model learnt next to nothing about such lines, and what it saw of them was a
page's whole text run together, mostly junk: it drops them. Cut at sentence ends into pieces
the width of a long paragraph, an article in one line reads as the dump's paragraphs do.

Only prose is cut, and only where it makes up the text: a full page's long line is most often
not its article (a listing's other post, a run of headlines, a list of names), and cutting it
makes its pieces and its neighbours read as content (exp90, exp91).
"""

from __future__ import annotations

import re

from .tokens import WIDE_CHAR, display_width
from .unwrap import separator, set_together

#: A line wider than this, in terminal cells (:func:`boilerml.tokens.display_width`: a CJK
#: character counts two), may be cut into pieces. In the dump of every second train page, 100
#: of about 488,000 lines outside the Chinese pages are wider than 1,500 characters (10 of the
#: 15 wider than 3,000 labelled navigation), and 5 lines of the Chinese pages are 800
#: characters or longer.
MAX_LINE_WIDTH = 1500
#: A text's long lines are cut only when together they hold at least this share of its cells
#: (a table cell in trafilatura's text, a document in one line; not tuned).
MIN_LONG_LINES_SHARE = 0.5
#: ... and only a long line whose sentences end, on average, within this many cells: prose.
#: Of long lines in four renderings of 1,325 train pages (exp92's record), those mostly of the
#: gold text end a sentence every 100 to 200 cells; runs of headlines, names, addresses or
#: scripts once in thousands of cells or never.
MAX_CELLS_PER_SENTENCE = 300
#: A piece ends at the first sentence end once it is this wide: in that dump, 4,528 lines are
#: 500 to 800 characters wide, 83 % of them content (a long paragraph; wider lines are few).
MIN_PIECE_WIDTH = 500
#: A sentence mark and the spaces after it, or a full-width one (which needs no space): where a
#: sentence may end (see :func:`_sentence_ends`).
_SENTENCE_MARK = re.compile(r"[.!?]\s+(?=\S)|[\u3002\uff01\uff1f]\s*(?=\S)")
#: Opening quotes and brackets a sentence may start with.
_OPENERS = "\"'(\u201c\u2018\u00ab\u300c\u300e"


def _sentence_ends(line: str) -> list[tuple[int, int]]:
    """Where sentences end in ``line``: ``(end of the sentence, start of the next)`` pairs.

    A full stop, exclamation or question mark before a space ends a sentence unless the letter
    before it is a capital (an initial: "J. Smith", "U.S. troops") or the next sentence would
    start with a small letter ("etc. and"); a full-width mark always does.
    """
    ends = []
    for mark in _SENTENCE_MARK.finditer(line):
        at = mark.start()
        if line[at] in ".!?":
            before = line[at - 1 : at]
            after = line[mark.end() : mark.end() + 2].lstrip(_OPENERS)[:1]
            if before.isupper() or after.islower():
                continue
        ends.append((at + 1, mark.end()))
    return ends


def lines_to_cut(lines: list[str]) -> set[int]:
    """Indices of the lines to read in pieces: the lines wider than :data:`MAX_LINE_WIDTH` that
    read as prose (a sentence end per :data:`MAX_CELLS_PER_SENTENCE` cells), when those hold at
    least :data:`MIN_LONG_LINES_SHARE` of the cells of ``lines`` (without line ends)."""
    # Only a line of more than half the width in characters can be that wide in cells.
    widths = {i: display_width(line) for i, line in enumerate(lines) if len(line) > MAX_LINE_WIDTH // 2}
    long_prose = {
        i
        for i, width in widths.items()
        if width > MAX_LINE_WIDTH and width <= MAX_CELLS_PER_SENTENCE * (len(_sentence_ends(lines[i])) + 1)
    }
    if not long_prose:
        return set()
    long_width = sum(widths[i] for i in long_prose)
    return long_prose if long_width >= MIN_LONG_LINES_SHARE * sum(map(display_width, lines)) else set()


def line_pieces(line: str) -> list[str]:
    """``line`` cut at sentence ends into pieces at least :data:`MIN_PIECE_WIDTH` cells wide.

    Args:
        line: one line's text, whitespace collapsed and stripped.

    Returns:
        Its pieces, in order, each ending at the first sentence end (:func:`_sentence_ends`)
        where it is at least :data:`MIN_PIECE_WIDTH` cells wide; what follows the last cut
        joins the last piece when it is narrower than that (a short text's last line reads as
        its footer: cut off alone, it was dropped, and the gold text handed in as one line fell
        by more than 0.01 on 37 of 530 train pages, against 10 with the join; exp92). The
        pieces hold every character of the line but the spaces at the cuts; ``[line]`` when it
        has no such sentence end.
    """
    starts = [0]
    ends: list[int] = []
    counted = 0  # the line is scanned for wide characters once, from cut to cut
    width = 0
    for end, next_start in _sentence_ends(line):
        width += end - counted + len(WIDE_CHAR.findall(line, counted, end))
        counted = end
        if width >= MIN_PIECE_WIDTH:
            ends.append(end)
            starts.append(next_start)
            counted, width = next_start, 0
    if ends and display_width(line[starts[-1] :]) < MIN_PIECE_WIDTH:
        ends.pop()  # the rest stays with the last piece
        starts.pop()
    ends.append(len(line))
    return [line[start:end] for start, end in zip(starts, ends, strict=True)]


def set_together_again(pieces: list[str]) -> str:
    """Consecutive pieces of one line (:func:`line_pieces`) as one line, as unwrapped pieces are
    set together (:func:`boilerml.unwrap.separator`): a space between two, or nothing between
    wide characters (a cut after ``。``; a piece ends with a sentence mark, so the hyphen rule
    never applies). That is the line as it was, but where a space came between a full-width
    mark and a wide character (it goes) or none between one and a narrow character (one comes).

    Args:
        pieces: the pieces, in order, at least one.
    """
    return set_together(pieces, separator)
