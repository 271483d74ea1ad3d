"""Text cut at every tag back to one block per line (stage 2, text input).

Scrapers often hand on a page's text one text node per line, as BeautifulSoup's
``get_text("\\n", strip=True)`` gives it (other tools that write each text node on a line of
its own give the same kind of text). Every inline element then cuts its block: a sentence
with a link becomes three lines ("Read the", "full report", ", published on Monday."), an
inline menu ("Home | About") three or more. Text mode
reads one block per line, as a dump gives them, and a piece of a sentence looks like no block
does: short, without an ending, between two other pieces (text mode scored 0.858 on such text
of every 10th train page against 0.923 on the dump, 2026-12-06).

Two neighbouring lines meet at a *seam*, described by how the upper line ends and how the
lower one starts (the class of the character: a small letter, a capital, a digit, a sentence's
end, a comma, a CJK character, ...) and by each line's length in words (one, two or three,
more). Counted on the train pages (:mod:`boilerml.seam_counts`, ``data/seams.json``), each
kind of seam has how often text cut at every tag joins there (the two lines are one block of
the page's dump) and how often not, and how often the dump itself has that seam.

A text is read as cut at every tag when it has at least :data:`MIN_SEAMS` seams, they are on
average more likely under the cut text's counts than under the dump's (a mean log ratio
above :data:`MIN_MEAN_LOG_RATIO`), and at least :data:`MIN_PUNCTUATION_STARTS` of its lines
starts with a comma, a full stop or other closing punctuation below a line that ends no
sentence: where a link or an emphasis ended just before the punctuation (5,151 of the 5,300
train pages' dumps have no such line). Then the lines at each seam that was one block at least
:data:`MIN_JOIN_SHARE` of the time are joined. Text written one block per line (a dump, a WET
record, Resiliparse's text) is nearly always returned unchanged (10 of the 1,302 dev pages'
dumps are not, exp81.md); so is text with blank lines between all blocks, since a seam is two
non-blank neighbours.
"""

from __future__ import annotations

import json
import math
import unicodedata
from functools import cache
from importlib import resources
from itertools import pairwise

from .tokens import CJK_CHAR, WIDE_CHAR
from .unwrap import set_together

#: A seam kind's join share is trusted from this many counted seams: at a rarer kind the lines
#: are not joined (its share could be one site's habit). The test of a text counts every kind.
MIN_COUNTED_SEAMS = 50
#: Lines are joined at a seam of a kind that was one block at least this share of the time:
#: more often one block than two.
MIN_JOIN_SHARE = 0.5
#: A text is read as cut at every tag when the mean, over its seams, of log(P(kind | cut
#: text) / P(kind | dump)) is above this: its seams are more like cut text's than a dump's.
MIN_MEAN_LOG_RATIO = 0.0
#: A text with fewer seams is too short to tell: on 1,060 train pages (with exp80's counts), 95
#: dumps had a mean log ratio above 0, most of them with a handful of seams (a dump with blank
#: lines between paragraphs has few); 31 had 20 seams or more, and every cut text above 0 had
#: 20 or more.
MIN_SEAMS = 20
#: Lines starting with closing punctuation below a line that ends no sentence: with the two
#: tests above, rejoining then changes the score of 2 of those 1,060 dumps and 4 of
#: Resiliparse's texts, against 24 and 31 without it (exp81.md).
MIN_PUNCTUATION_STARTS = 1
#: Add-one smoothing of the kinds' frequencies in the log ratio (a kind never counted on one
#: side is not impossible there).
SMOOTHING = 1.0
#: Word counts are bucketed: a link or a name is a word or a few; a sentence's piece more.
FEW_WORDS = 3

#: Punctuation classes by character; characters not listed fall to their Unicode category.
_PUNCTUATION_CLASSES = {
    **dict.fromkeys(".!?\u2026", "stop"),
    **dict.fromkeys(",", "comma"),
    **dict.fromkeys(":;", "colon"),
    **dict.fromkeys(")]}", "close"),
    **dict.fromkeys("([{", "open"),
    **dict.fromkeys("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u2039\u203a", "quote"),
    **dict.fromkeys("-\u2010\u2013\u2014|/\u00b7\u2022", "dash"),
    **dict.fromkeys("\u3002\uff01\uff1f", "cjk-stop"),
    **dict.fromkeys("\uff0c\u3001", "cjk-comma"),
    **dict.fromkeys("\uff1a\uff1b", "cjk-colon"),
    **dict.fromkeys("\uff09\u300d\u300f\u300b\u3011\u3009", "cjk-close"),
    **dict.fromkeys("\uff08\u300c\u300e\u300a\u3010\u3008", "cjk-open"),
}
#: A line starting with one of these (but not an ellipsis) below a line that ends no sentence
#: (none of ``_SENTENCE_ENDS``) is a sign of text cut at every tag.
_PUNCTUATION_STARTS = frozenset(",.;:!?)\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff09")
_SENTENCE_ENDS = frozenset(".!?:;\u3002\uff01\uff1f\uff1a\uff1b")
#: A lower line starting with one of these is set against the upper one without a space (a
#: comma or a full stop after a link); so is one after an upper line ending with an opening
#: bracket, and two wide characters (CJK characters, CJK punctuation, full-width forms).
_CLOSING = frozenset(
    ",.;:!?)]}%\u2026\u3002\uff01\uff1f\uff0c\u3001\uff1a\uff1b\uff09\u300d\u300f\u300b\u3011\u3009"
)
_OPENING = frozenset("([{\uff08\u300c\u300e\u300a\u3010\u3008")


def char_class(char: str) -> str:
    """The class of a line's first or last character, as a seam sees it.

    >>> [char_class(c) for c in "aB7,。中"]
    ['lower', 'upper', 'digit', 'comma', 'cjk-stop', 'cjk']
    """
    if CJK_CHAR.match(char):
        return "cjk"
    named = _PUNCTUATION_CLASSES.get(char)
    if named:
        return named
    if char.islower():
        return "lower"
    if char.isupper():
        return "upper"
    if char.isdigit():
        return "digit"
    if char.isalpha():
        return "letter"  # scripts without case: Thai, Arabic, Hebrew, ...
    return "symbol" if unicodedata.category(char)[0] in "PS" else "other"


def _words_bucket(line: str) -> str:
    words = len(line.split())
    return "1" if words <= 1 else ("few" if words <= FEW_WORDS else "many")


def seam_kinds(lines: list[str]) -> list[str | None]:
    """The kind of seam between each line and the next: ``len(lines) - 1`` entries.

    A kind reads ``"<end class> <start class> <upper words> <lower words>"`` (e.g. ``"lower
    comma few 1"``); None where either line is blank (no seam). Lines are taken stripped.
    """
    ends: list[tuple[str, str, str] | None] = []
    for line in lines:
        stripped = line.strip()
        if stripped:
            bucket = _words_bucket(stripped)
            ends.append((char_class(stripped[0]), char_class(stripped[-1]), bucket))
        else:
            ends.append(None)
    return [
        None if upper is None or lower is None else f"{upper[1]} {lower[0]} {upper[2]} {lower[2]}"
        for upper, lower in pairwise(ends)
    ]


@cache
def _seam_table() -> tuple[dict[str, float], dict[str, float], float]:
    """From ``data/seams.json``, once per process: per kind, the share of cut text's seams
    that were one block (kinds with at least :data:`MIN_COUNTED_SEAMS`) and the log ratio of
    its frequency in cut text to its frequency in dumps; and the log ratio of an unseen kind."""
    raw = json.loads(resources.files("boilerml").joinpath("data/seams.json").read_text("utf-8"))
    counts: dict[str, list[int]] = raw["seams"]
    in_cut = sum(joined + apart for joined, apart, _ in counts.values())
    in_dumps = sum(dump for _, _, dump in counts.values())
    kinds = len(counts)
    cut_total, dump_total = in_cut + SMOOTHING * kinds, in_dumps + SMOOTHING * kinds
    join_share = {
        kind: joined / (joined + apart)
        for kind, (joined, apart, _) in counts.items()
        if joined + apart >= MIN_COUNTED_SEAMS
    }
    log_ratio = {
        kind: math.log((joined + apart + SMOOTHING) / cut_total) - math.log((dump + SMOOTHING) / dump_total)
        for kind, (joined, apart, dump) in counts.items()
    }
    unseen = math.log(SMOOTHING / cut_total) - math.log(SMOOTHING / dump_total)
    return join_share, log_ratio, unseen


def _punctuation_starts(lines: list[str]) -> int:
    """How many lines start with closing punctuation below a non-blank line that ends no
    sentence. Only lines starting with such punctuation are looked at closely: most one-block-
    per-line texts have none, and are told apart from cut text without their seams' kinds."""
    count = 0
    for i in range(1, len(lines)):
        lower = lines[i].lstrip()
        if not lower or lower[0] not in _PUNCTUATION_STARTS or lower.startswith("..."):
            continue
        upper = lines[i - 1].rstrip()
        if upper and upper[-1] not in _SENTENCE_ENDS:
            count += 1
    return count


def _seams_like_cut_text(kinds: list[str | None]) -> bool:
    """At least :data:`MIN_SEAMS` seams, whose kinds' mean log ratio (cut text over dumps) is
    above :data:`MIN_MEAN_LOG_RATIO`."""
    seams = [kind for kind in kinds if kind is not None]
    if len(seams) < MIN_SEAMS:
        return False
    _, log_ratio, unseen = _seam_table()
    return sum(log_ratio.get(kind, unseen) for kind in seams) / len(seams) > MIN_MEAN_LOG_RATIO


def looks_cut_at_tags(lines: list[str], kinds: list[str | None]) -> bool:
    """Whether the text looks cut at every tag rather than written one block per line
    (module docstring); ``kinds`` are its seams' kinds (:func:`seam_kinds`)."""
    return _punctuation_starts(lines) >= MIN_PUNCTUATION_STARTS and _seams_like_cut_text(kinds)


def _separator(upper: str, lower: str) -> str:
    """What goes between two stripped, non-empty pieces of one block: a space, or nothing."""
    tight = (
        lower[0] in _CLOSING
        or upper[-1] in _OPENING
        or (WIDE_CHAR.match(upper[-1]) is not None and WIDE_CHAR.match(lower[0]) is not None)
    )
    return "" if tight else " "


def _block(pieces: list[str]) -> str:
    """The pieces of one block, stripped and set together."""
    return set_together([piece.strip() for piece in pieces], _separator)


def rejoined(lines: list[str]) -> list[str]:
    """Rejoin the pieces of blocks that were cut at every tag, if the text was.

    Args:
        lines: the text's lines, blank ones included, without line ends.

    Returns:
        The same list when the text does not look cut at every tag (:func:`looks_cut_at_tags`);
        otherwise a new list in which the lines at each seam of a kind that was one block at
        least :data:`MIN_JOIN_SHARE` of the time are joined (blank lines are kept).
    """
    # The cheap test first: most one-block-per-line texts stop here, before their seams' kinds.
    if _punctuation_starts(lines) < MIN_PUNCTUATION_STARTS:
        return lines
    kinds = seam_kinds(lines)
    if not _seams_like_cut_text(kinds):
        return lines
    join_share, _, _ = _seam_table()
    blocks: list[list[str]] = [lines[:1]]
    for line, kind in zip(lines[1:], kinds):
        if kind is not None and join_share.get(kind, 0.0) >= MIN_JOIN_SHARE:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return [block[0] if len(block) == 1 else _block(block) for block in blocks]
