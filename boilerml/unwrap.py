"""Hard-wrapped text back to one block per line (stage 2, text input).

Text mode reads one block per line. Some dumps wrap every paragraph at a fixed width instead:
terminal browsers (lynx, w3m), html2text (78 columns), e-mail and plain-text archives. Each
piece of a wrapped paragraph would then be classified on its own, and a piece looks like no
paragraph does: about as wide as its neighbours, without an ending, often without a verb.

A greedy wrapper breaks a line only where the next word would not fit. So a text is taken to
be wrapped at a width ``W`` when many of its lines are *forced* breaks: the line, a space and
the first word of the line below would be wider than ``W``, and no line that could have been
broken is wider than ``W`` (a line a converter leaves as it is, such as a Markdown list item,
table row or heading, does not count, and a Markdown link is one word). A forced line is
joined to the line below it; a line that ends early (a paragraph's last line, a heading, a
menu entry) still ends its block, and so does a blank line, a line ending with two spaces (a
Markdown hard break) and a line before an indented list item. A converter's Markdown is also
wrapped inside links (html2text): once a text is found wrapped, a line is joined to the next
wherever the next starts inside a link or the line ends inside a link's address, and a text
with two such broken addresses is wrapped however few lines it filled. Text written one block
per line has paragraphs far wider than any wrapping width, or lines of scattered widths, and
is returned unchanged.

Widths are display cells: a CJK or full-width character takes two, as in a terminal. A text
wrapped by character count instead (Python's ``textwrap``) is recognised too: both measures
are tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice, pairwise

from .tokens import WIDE_CHAR, WIDE_RANGES, display_width

#: The first word of a line as a greedy wrapper sees it: one wide character, or a run of
#: characters up to a space or a wide character.
_FIRST_UNIT = re.compile(f"[{WIDE_RANGES}]|[^\\s{WIDE_RANGES}]+")

#: Wrapping widths looked for, in cells (or characters). Below 40, a column of short menu
#: entries of similar length could pass for wrapped text; terminals and mail wrap at 60 to
#: 80, wide dumps at up to 132.
MIN_WRAP_WIDTH = 40
MAX_WRAP_WIDTH = 160
#: At least this many forced lines: a text with a handful is not worth the risk of joining
#: lines that were meant apart (and costs little to leave alone).
MIN_FORCED_LINES = 8
#: Forced lines must also be at least this share of the lines at least half as wide as
#: ``W``, a last guard for a page of many lines of similar width. It is low because a wrapped
#: article often sits among many menu entries and headlines of middling width (0.14 to 0.28
#: on train pages wrapped at 76 that a bar of 0.3 missed), and counting only distinct forced
#: lines already keeps listings out.
MIN_FORCED_SHARE = 0.1
#: Lines that cannot be broken (one long word: a URL) may be wider than ``W``; lines that
#: could have been broken may not, except this share of them (a preformatted table, a
#: signature a mail client left alone).
MAX_OVERFLOW_SHARE = 0.02
#: A text with this many lines that end inside a Markdown link's address is wrapped (at the
#: width of its widest line that a wrapper could have broken): a converter writes an address
#: on one line, and only a wrapper breaks it (html2text at a hyphen or a slash).
MIN_BROKEN_TARGETS = 2
#: Widths tried per measure, widest first: each costs a pass over the lines.
MAX_CANDIDATE_WIDTHS = 3
#: A word wider than this share of the width (a URL, a run of names glued together) is not
#: taken as evidence of wrapping: prose words are a few cells wide.
MAX_WORD_SHARE = 0.25
#: Forced lines are counted once per distinct ending (and start of the line below) of this
#: many characters.
ENDING_CHARS = 8


#: Lines a wrapper leaves as they are, however wide: list items, table rows, headings and
#: indented code (html2text wraps none of them). A wide one says nothing against wrapping.
#: Table rows without a leading pipe are the lines with two or more ``" | "`` separators.
_LEFT_AS_IS = re.compile(r"\s*(?:[*+-]\s|\d+[.)]\s|\||#)| {4}")
#: A Markdown link or image, which a wrapper moves as one word: its spaces are not places
#: where it could have broken the line.
_LINK_UNIT = re.compile(r"!?\[[^\[\]]*\]\([^()]*\)")
_DIGITS = re.compile(r"\d")
#: A Markdown hard line break (html2text writes a ``<br>`` as two spaces before the line end):
#: a line break the page had, not a wrapper's (a wrapper drops the spaces where it breaks).
_HARD_BREAK = "  "
#: A list item indented under its list (html2text, terminal browsers): a block of its own. A
#: wrapper's next line starts at the margin, and may start with a dash or a number ("- and",
#: "2009. The"), so an unindented one is no sign.
_INDENTED_ITEM = re.compile(r"\s+(?:[*+-]|\d+[.)])\s")
#: How a line cut to length by a site ends.
_ELLIPSES = ("...", "\u2026")


def _first_unit(line: str) -> str:
    match = _FIRST_UNIT.search(line)
    return match.group() if match else ""


def _breakable(line: str) -> bool:
    """Whether a wrapper could have broken the line: it has a space inside (outside a
    Markdown link), or wide characters."""
    stripped = line.strip()
    if "](" in stripped:
        stripped = _LINK_UNIT.sub("x", stripped)
    return " " in stripped or "\t" in stripped or WIDE_CHAR.search(stripped) is not None


def _left_as_is(line: str) -> bool:
    """Whether a wrapper would have left the line as it is, however wide (see ``_LEFT_AS_IS``)."""
    return " | " in line or _LEFT_AS_IS.match(line) is not None


def _starts_inside_link(line: str) -> bool:
    """Whether the (left-stripped) line starts inside a Markdown link broken by a wrapper: its
    first word holds the ``](`` that ends a link's text, with no ``[`` before it (a line that
    starts with a whole link, ``[News](/news)``, starts no tail)."""
    unit = _first_unit(line)
    end_of_text = unit.find("](")
    return end_of_text >= 0 and "[" not in unit[:end_of_text]


def _ends_inside_target(line: str) -> bool:
    """Whether the line ends inside a Markdown link's target (its address, broken by a wrapper
    at a hyphen or a slash): after its last ``](`` no ``)`` closes it."""
    start = line.rfind("](")
    return start >= 0 and ")" not in line[start + 2 :]


def _may_overflow(line: str) -> bool:
    """Whether the line may be wider than the wrapping width: left as it is, or unbreakable."""
    return _left_as_is(line) or not _breakable(line)


def _forced(
    lines: list[str], widths: list[int], width: int, measure: Callable[[str], int], link_tails: bool = False
) -> list[bool]:
    """Per line: a piece of a block wrapped at ``width``, broken because the next line's first
    word would not have fitted after it.

    Only a line between half of ``width`` and ``width`` qualifies (a wider one was not
    wrapped), and only before a word of at most :data:`MAX_WORD_SHARE` of ``width``: a line
    that is one long name or address says nothing about wrapping. A line ending in an
    ellipsis was cut to length by a site (a teaser), not wrapped. A line ending with a hard
    break, or above an indented list item, is never forced. With ``link_tails`` (once a width
    is found), a line is also forced when the next starts inside a link or it ends inside a
    link's address, and a link moved whole to the next line is a word however long.
    """
    forced = [False] * len(lines)
    for i in range(len(lines) - 1):
        below = lines[i + 1].lstrip()
        if not below or not lines[i].strip():
            continue
        if lines[i].endswith(_HARD_BREAK) or _INDENTED_ITEM.match(lines[i + 1]):
            continue
        if link_tails and (_starts_inside_link(below) or _ends_inside_target(lines[i])):
            forced[i] = True
            continue
        at_least_half_full = width <= 2 * widths[i] and widths[i] <= width
        if not at_least_half_full or lines[i].rstrip().endswith(_ELLIPSES):
            continue
        unit = _first_unit(below)
        unit_width = measure(unit)
        gap = 0 if WIDE_CHAR.match(unit) else 1  # wide characters are set without spaces
        # A link is moved as one word however long its address (its text then holds no space).
        movable = unit_width <= width * MAX_WORD_SHARE or (link_tails and "](" in unit)
        forced[i] = movable and widths[i] + gap + unit_width > width
    return forced


def _wrapped_at(lines: list[str], widths: list[int], measure: Callable[[str], int]) -> tuple[int, list[bool]]:
    """The number of forced lines and which they are (link tails allowed), for the best width
    (0 and [] if none).

    ``widths`` are the lines' widths by ``measure``.
    """
    breakable_lines = [(line, w) for line, w in zip(lines, widths) if w and _breakable(line)]
    breakable = [w for _, w in breakable_lines]
    # Lines a wrapper leaves as they are may overflow; below the narrowest width none does.
    wrappable = [w for line, w in breakable_lines if w < MIN_WRAP_WIDTH or not _left_as_is(line)]
    allowed_overflow = int(len(wrappable) * MAX_OVERFLOW_SHARE)
    # An indented list item is a block of its own (html2text wraps none): it is no evidence
    # against wrapping, however many a page has.
    unlisted = [w for line, w in breakable_lines if not _INDENTED_ITEM.match(line)]
    ascending = sorted(wrappable)
    # The widest lines that may overflow the width, then the widths they leave (in wrapped
    # text, the width itself is among the first few: many pieces fill it exactly).
    candidates = sorted(set(ascending[len(ascending) - allowed_overflow - 1 :]), reverse=True)
    candidates = [width for width in candidates if MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH]
    best: tuple[int, list[bool]] = (0, [])
    for width in candidates[:MAX_CANDIDATE_WIDTHS]:
        # Only a line within a word's width of the full width can be forced.
        fillable = width - width * MAX_WORD_SHARE - 1
        if sum(fillable <= w <= width for w in breakable) < MIN_FORCED_LINES:
            continue
        forced = _forced(lines, widths, width, measure)
        # Counted by how they end and by how the lines below them start, whichever has
        # fewer kinds, with every digit read as 0: the rows of a listing end alike ("...
        # Ph.D", "... & Taxes") or are followed alike (a title cut at a site's limit, then
        # "Brand New" or a price); the pieces of wrapped prose break anywhere.
        below = [i + 1 for i, is_forced in enumerate(forced) if is_forced]
        n_forced = min(
            len({_DIGITS.sub("0", lines[i - 1].rstrip()[-ENDING_CHARS:]) for i in below}),
            len({_DIGITS.sub("0", lines[i].lstrip()[:ENDING_CHARS]) for i in below}),
        )
        long_lines = sum(w * 2 >= width for w in unlisted)
        if n_forced >= MIN_FORCED_LINES and n_forced >= MIN_FORCED_SHARE * long_lines and n_forced > best[0]:
            best = (n_forced, _forced(lines, widths, width, measure, link_tails=True))
    # Links' addresses broken over lines are a wrapper's doing, however few lines it filled:
    # then the text is wrapped at the widest width the lines allow.
    if not best[0] and candidates and sum(map(_ends_inside_target, lines)) >= MIN_BROKEN_TARGETS:
        forced = _forced(lines, widths, candidates[0], measure, link_tails=True)
        best = (max(sum(forced), 1), forced)
    return best


def separator(upper: str, lower: str) -> str:
    """What goes between two stripped pieces of one wrapped block: a space, or nothing between
    wide characters and after a word broken at its hyphen ("well-" + "known"). Also how a long
    line's pieces are set together again (:mod:`boilerml.sentences`)."""
    if (WIDE_CHAR.match(upper[-1:]) and WIDE_CHAR.match(lower[:1])) or (
        upper.endswith("-") and upper[-2:-1].isalnum() and lower[:1].isalnum()
    ):
        return ""
    return " "


def set_together(pieces: list[str], separator: Callable[[str, str], str]) -> str:
    """Stripped, non-empty pieces of one block as one line, with ``separator(upper, lower)``
    between each two: joined once, linear in the block's length however many pieces it has
    (also used for text cut at every tag, :mod:`boilerml.fragments`)."""
    parts = [pieces[0]]
    for upper, lower in pairwise(pieces):
        parts += [separator(upper, lower), lower]
    return "".join(parts)


def _block(pieces: list[str]) -> str:
    """The pieces of one wrapped block as one line (a single piece as it is)."""
    if len(pieces) == 1:
        return pieces[0]
    return set_together([pieces[0].rstrip(), *(piece.strip() for piece in pieces[1:])], separator)


def unwrap(lines: list[str]) -> list[str]:
    """Rejoin the pieces of hard-wrapped blocks, if the text is hard-wrapped.

    Args:
        lines: the text's lines, blank ones included, without line ends.

    Returns:
        The same list when the text does not look hard-wrapped; otherwise a new list in which
        each forced line is joined with the line below it (blank lines are kept).
    """
    lengths = list(map(len, lines))
    # Fast exit for text written one block per line: several lines wider than any wrapping
    # width (a cell is at least a character, so a line this many characters long is too)
    # that a wrapper would have broken.
    limit = int(len(lines) * MAX_OVERFLOW_SHARE + 1)
    if sum(map(MAX_WRAP_WIDTH.__lt__, lengths)) > limit:
        too_wide = (line for line, n in zip(lines, lengths) if n > MAX_WRAP_WIDTH and not _may_overflow(line))
        if len(list(islice(too_wide, limit + 1))) > limit:  # stops at the first line over the limit
            return lines
    if sum(map((MIN_WRAP_WIDTH // 2).__le__, lengths)) < MIN_FORCED_LINES:
        return lines
    found = [_wrapped_at(lines, lengths, len)]
    if any(WIDE_CHAR.search(line) for line in lines):  # otherwise cells are characters
        found.append(_wrapped_at(lines, list(map(display_width, lines)), display_width))
    n_forced, forced = max(found, key=lambda candidate: candidate[0])
    if not n_forced:
        return lines
    joined: list[str] = []
    pieces: list[str] = []
    for line, joins_next in zip(lines, forced):
        pieces.append(line)
        if not joins_next:
            joined.append(_block(pieces))
            pieces = []
    if pieces:
        joined.append(_block(pieces))
    return joined
