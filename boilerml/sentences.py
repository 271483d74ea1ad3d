"""Lines too long for the model, read in pieces cut at sentence ends.

Text mode is fitted on boilerml's dump of each page, one block a line, and a block is seldom
longer than a long paragraph. Other texts hold far longer lines: trafilatura writes each table
cell on one line (an article laid out in a table comes out as one line of thousands of
characters), and a document flattened into one line (a field of a JSON record, a CSV cell) is
one line. The model learnt next to nothing about such lines, and what it saw of them was a
page's whole text run together, mostly junk: it drops them. Cut at sentence ends into pieces
the width of a long paragraph, they read as the dump's paragraphs do.
"""

from __future__ import annotations

import re

from .tokens import WIDE_CHAR, display_width

#: A line wider than this, in terminal cells (:func:`boilerml.tokens.display_width`: a CJK
#: character counts two), is cut into pieces. In the dump of every second train page, 100 of
#: about 488,000 lines outside the Chinese pages are wider than 1,500 characters (two thirds
#: of those wider than 3,000 navigation: a page's text in one block), and 5 lines of the
#: Chinese pages are 800 characters or longer.
MAX_LINE_WIDTH = 1500
#: A text's long lines are cut only when together they hold at least this share of its cells:
#: a table cell in trafilatura's text, a document in one line. A full page's long line among
#: many is most often not its article (a listing's other post, a news ticker, a run of names
#: whose initials read as sentence ends: exp90), and the model learnt them whole.
MIN_LONG_LINES_SHARE = 0.5
#: A piece ends at the first sentence end once it is this wide: in that dump, lines of 500 to
#: 800 characters are 83 % content, as wide as lines come in number.
MIN_PIECE_WIDTH = 500
#: Where a sentence ends: a full stop, exclamation or question mark and a space, or their
#: full-width forms, which need no space after them.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[\u3002\uff01\uff1f])\s*(?=\S)")


def long_lines_dominate(lines: list[str]) -> bool:
    """Whether the lines wider than :data:`MAX_LINE_WIDTH` hold at least
    :data:`MIN_LONG_LINES_SHARE` of the cells of ``lines`` (their text without line ends)."""
    if not any(len(line) > MAX_LINE_WIDTH // 2 for line in lines):  # none can be that wide
        return False
    widths = [display_width(line) for line in lines]
    long_width = sum(width for width in widths if width > MAX_LINE_WIDTH)
    return long_width > 0 and long_width >= MIN_LONG_LINES_SHARE * sum(widths)


def line_pieces(line: str) -> list[str]:
    """``line`` as pieces cut at sentence ends when it is wider than :data:`MAX_LINE_WIDTH`.

    Args:
        line: one line's text, whitespace collapsed and stripped.

    Returns:
        ``[line]`` when it is not wider than :data:`MAX_LINE_WIDTH` or holds no sentence end;
        otherwise its pieces, in order, each ending at the first sentence end where it is at
        least :data:`MIN_PIECE_WIDTH` cells wide (what follows the last cut is the last piece,
        whatever its width). The pieces hold every character of the line but the spaces at
        the cuts.
    """
    if len(line) <= MAX_LINE_WIDTH // 2 or display_width(line) <= MAX_LINE_WIDTH:
        return [line]
    pieces: list[str] = []
    start = 0
    counted = 0  # the line is scanned for wide characters once, from cut to cut
    width = 0
    for end in _SENTENCE_END.finditer(line):
        width += end.start() - counted + len(WIDE_CHAR.findall(line, counted, end.start()))
        counted = end.start()
        if width >= MIN_PIECE_WIDTH:
            pieces.append(line[start : end.start()])
            start, counted, width = end.end(), end.end(), 0
    pieces.append(line[start:])
    return pieces
