"""Stage 3: lines to a feature matrix, one row per line.

Features are plain functions of the lines. The text features need only the words of a line
and so serve both input modes; the DOM features exist for HTML lines only. Each line is also
described by its neighbours (rows shifted up and down) and by windowed means over the lines
around it, so that a short line inside an article reads differently from one inside a menu.

Shapes: every ``*_matrix`` function returns ``float32`` of shape ``(n_lines, n_features)``
with columns in the order of the matching ``*_NAMES`` tuple.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, NamedTuple

import numpy as np

from .lines import Line
from .patterns import trie_regex
from .segment import BLOCK_TAGS, DOM_FLAGS, HEADING_TAGS
from .tokens import CJK_CHAR

CUE_CLASSES: tuple[str, ...] = ("navigation", "ad", "comment", "content")

#: Lines this long or longer count as "long" in the windowed long-line density: about two
#: lines of prose in English, and in Chinese well above menu entries and short labels.
LONG_LINE_CHARS = 80
#: Neighbour offsets whose features are copied into each row.
NEIGHBOUR_OFFSETS: tuple[int, ...] = (-2, -1, 1, 2)
#: Half-widths of the windows over which features are averaged around each line.
WINDOW_RADII: tuple[int, ...] = (3, 10)
#: Counts are capped before the log so that one freak line cannot dominate a tree split.
MAX_COUNT = 10_000
#: Words looked up in the function-word set at a time: the offsets of the words looked up
#: become Python integers (about 36 bytes each, twice), so a page of millions of short
#: words (a 10 MB line of "a.", 5 million words) held hundreds of MB at once; blocks this
#: size keep that to a few MB, and nearly every page is one block.
FUNCTION_WORD_BLOCK = 65_536

_SENTENCE_END = frozenset(".!?。！？…;；")
_CLOSERS = "\"'”’»)）」』】"
_COMMAS = frozenset(",，、;；:：")
_COLON_CODES = np.array([ord(":"), ord("：")], dtype=np.uint32)
_AT = ord("@")

# The patterns below run over a page's lines joined by newlines (see ``_Page``): none may
# match a newline, so ``[^\S\n]`` stands for a space, and ``^``/``$`` (MULTILINE) for the
# start and end of a line.
#
# Python's ``re`` skips quickly to where a match can start when a pattern opens with one
# character set (or literal alternatives); a pattern opening with an alternation of other
# things, or with ``\b``, is tried at every offset, several times slower. So the separator
# and date patterns open with a set, and a word boundary before their first character is
# checked behind it: ``\d(?<!\w\d)`` is ``\b\d``, ``jan(?<!\w...)`` is ``\bjan``.
#: A sentence mark ending the line, possibly inside closing quotes or brackets.
_ENDS_SENTENCE = re.compile(f"[{re.escape(''.join(sorted(_SENTENCE_END)))}][{re.escape(_CLOSERS)}]*$", re.M)
#: A separator: one of ``|·•»«›‹>/\\``, a dash between spaces, or ``::``; the same matches as
#: ``[|·•»«›‹>/\\]|[^\S\n][-–—][^\S\n]|::``, each alternative chosen by its first character.
_SEPARATORS = re.compile(r"[|·•»«›‹>/\\:\s](?:(?<=[|·•»«›‹>/\\])|(?<=:):|(?<=[^\S\n])[-–—][^\S\n])")
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|cn|html?)\b", re.I)
#: The local part starts where a run of its characters starts and is at most 64 long (RFC
#: 5321): starting anywhere inside a run made a long dotted line cost time quadratic in its
#: length. Same verdict as the unbounded form on all 1.29 million corpus lines.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]+\.[\w.]+\b")
#: A date or time, in two patterns (a line holds one if it matches either): numeric dates
#: (``2016-12-04``, ``2016年12月``, ``4/12/2016``, ``12月4日``) and times (``09:30``), which open
#: with a digit, and dates led by a month's name (``Dec. 4``). Together they find a date
#: where ``\b\d{4}[-/.年]\s?\d{1,2}(?:[-/.月]\s?\d{1,2})?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|``
#: ``\d{1,2}月\d{1,2}日|\b(?:jan|...|dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}:\d{2}\b`` does.
_DATE_FROM_DIGIT = re.compile(
    r"\d(?:(?<!\w\d)\d{3}[-/.年][^\S\n]?\d{1,2}(?:[-/.月][^\S\n]?\d{1,2})?|\d?[/.]\d{1,2}[/.]\d{2,4}|"
    r"\d?月\d{1,2}日|(?<!\w\d)\d?:\d{2}\b)"
)
_DATE_FROM_MONTH = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?<!\w...)[a-z]*\.?[^\S\n]+\d{1,2}\b", re.I
)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|版权|版權|all rights reserved", re.I)
#: A short name or label and a colon opening a line: "网友小王：", "Posted by:", "来源：".
_NAME_COLON_PREFIX = re.compile(r"^[^\s:：]{1,16}[^\S\n]?[：:][^\S\n]?\S", re.M)
_BULLET_START = re.compile(r"^(?:[-*•·▪►>]|\d{1,3}[.)、]|[（(]\d{1,3}[)）])", re.M)


@dataclass(frozen=True)
class CueVocabulary:
    """Compiled keyword cues (two regexes per class) and function-word sets, read from package data."""

    #: Per class of :data:`CUE_CLASSES`: the English cues' pattern and the Chinese cues'.
    cue_patterns: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    #: The same cues, all classes and both languages, in one Aho-Corasick automaton over
    #: folded text (an ``ahocorasick.Automaton``): each cue's value is a tuple of
    #: :class:`_CueEntry`. :func:`_scan_cues` finds with it what the patterns find.
    cue_automaton: object
    #: A comment cue closing the line ("... 回复", "... Reply (3)"): how comment widgets end
    #: (English and Chinese cues).
    comment_cue_at_end: tuple[re.Pattern[str], re.Pattern[str]]
    english_function_words: frozenset[str]
    #: The length of the longest English function word (a longer word is never looked up).
    longest_english_function_word: int
    chinese_function_chars: frozenset[str]
    #: The code points of the Chinese function characters, sorted (tokens are looked up in
    #: it, and only a token of one character can be one).
    chinese_function_codes: np.ndarray


#: English cues at least this long also match when glued to the next word, as inline labels
#: often are in extracted text ("AdvertisementScroll to continue"); shorter ones ("ad",
#: "share") need a word boundary on both sides or they would fire inside other words.
GLUED_CUE_MIN_CHARS = 7
#: What may follow a comment cue that ends a line: spaces, brackets and a count ("Reply (3)").
COMMENT_CUE_TAIL = 8


def _folded(cue: str) -> str:
    """The cue as the case-insensitive matcher sees it (lower case where that keeps its length)."""
    lowered = cue.lower()
    return lowered if len(lowered) == len(cue) else cue


def _english_cues(spaced: list[str]) -> dict[str, bool]:
    """Each English cue as matched (folded), and whether a word boundary must close it."""
    return {_folded(cue): cue[-1].isalnum() and len(cue) < GLUED_CUE_MIN_CHARS for cue in spaced}


def _cue_regexes(spaced: list[str], unspaced: list[str]) -> tuple[str, str]:
    """The regexes of one class's cues: English cues on word boundaries, and Chinese ones
    anywhere. At a position a longer cue wins over a shorter one.

    They are two patterns, not one alternation, because a pattern that opens with a plain
    character set (the Chinese one) is scanned several times faster than an alternation
    that opens with a word boundary. An English and a Chinese cue never overlap in the
    cue lists, so counting both patterns' matches counts what one alternation found.
    """
    english = {cue: r"\b" if closed else "" for cue, closed in _english_cues(spaced).items()}
    chinese = {_folded(cue): "" for cue in unspaced}
    return (rf"\b{trie_regex(english)}" if english else "(?!)", trie_regex(chinese))


class _CueEntry(NamedTuple):
    """What the cue automaton knows of one cue of one pattern."""

    #: Index of the pattern the cue belongs to: ``2 * class index + 0`` for the class's
    #: English pattern, ``+ 1`` for its Chinese one.
    pattern: int
    length: int
    #: A word boundary must open the match (every English cue).
    bounded_start: bool
    #: A word boundary must close the match (short English cues).
    bounded_end: bool


def _cue_automaton(cues: dict[str, dict[str, list[str]]]) -> object:
    """The Aho-Corasick automaton of every class's cues (see :attr:`CueVocabulary.cue_automaton`)."""
    import ahocorasick

    entries: dict[str, list[_CueEntry]] = {}
    for index, cls in enumerate(CUE_CLASSES):
        for cue, closed in _english_cues(cues[cls]["en"]).items():
            entries.setdefault(cue, []).append(_CueEntry(2 * index, len(cue), True, closed))
        for cue in map(_folded, cues[cls]["zh"]):
            entries.setdefault(cue, []).append(_CueEntry(2 * index + 1, len(cue), False, False))
    automaton = ahocorasick.Automaton()
    for cue, cue_entries in entries.items():
        automaton.add_word(cue, tuple(cue_entries))
    automaton.make_automaton()
    return automaton


def _is_word_boundary(text: str, offset: int) -> bool:
    """Whether ``re``'s ``\\b`` holds at ``offset`` of ``text``: a word character (what ``\\w``
    matches in a ``str``: ``str.isalnum()`` or ``_``) on exactly one side."""
    before = offset > 0 and (text[offset - 1].isalnum() or text[offset - 1] == "_")
    after = offset < len(text) and (text[offset].isalnum() or text[offset] == "_")
    return before != after


def _scan_cues(automaton: object, text: str) -> list[list[tuple[int, int]]]:
    """The matches of every cue pattern in ``text`` (folded), as its ``finditer`` finds them.

    One pass of the automaton reports every occurrence of every cue; the ones whose word
    boundaries do not hold are dropped, and of the rest each pattern keeps, left to right,
    the longest at the leftmost free offset and goes on after it (a regex scan's leftmost,
    non-overlapping matches, where the prefix-tree pattern prefers the longest cue).

    Returns:
        Per pattern index (:attr:`_CueEntry.pattern`), its ``(start offset, length)``
        matches in order.
    """
    found: list[list[tuple[int, int]]] = [[] for _ in range(2 * len(CUE_CLASSES))]
    for last, entries in automaton.iter(text):  # type: ignore[attr-defined]
        for pattern, length, bounded_start, bounded_end in entries:
            start = last + 1 - length
            if bounded_start and not _is_word_boundary(text, start):
                continue
            if bounded_end and not _is_word_boundary(text, last + 1):
                continue
            found[pattern].append((start, length))
    kept: list[list[tuple[int, int]]] = []
    for matches in found:
        matches.sort(key=lambda match: (match[0], -match[1]))
        chosen, free_from = [], 0
        for start, length in matches:
            if start >= free_from:
                chosen.append((start, length))
                free_from = start + length
        kept.append(chosen)
    return kept


@cache
def cue_vocabulary() -> CueVocabulary:
    """Load and compile the cue data files once per process; the result is immutable."""
    data = resources.files("boilerml").joinpath("data")
    cues = json.loads(data.joinpath("text_cues.json").read_text("utf-8"))
    function_words = json.loads(data.joinpath("function_words.json").read_text("utf-8"))
    regexes = {cls: _cue_regexes(cues[cls]["en"], cues[cls]["zh"]) for cls in CUE_CLASSES}
    tail = rf"(?:[^\S\n]|[()（）\[\]\d]){{0,{COMMENT_CUE_TAIL}}}$"
    return CueVocabulary(
        tuple(tuple(re.compile(regex, re.I) for regex in regexes[cls]) for cls in CUE_CLASSES),
        _cue_automaton(cues),
        tuple(re.compile(f"(?:{regex}){tail}", re.I | re.M) for regex in regexes["comment"]),
        frozenset(function_words["en"]),
        max(map(len, function_words["en"]), default=0),
        frozenset(function_words["zh"]),
        np.unique(np.array([ord(char) for char in function_words["zh"] if len(char) == 1], dtype=np.uint32)),
    )


TEXT_BASE_NAMES: tuple[str, ...] = (
    "log_chars",
    "log_tokens",
    "cjk_share",
    "letter_share",
    "digit_share",
    "upper_share",
    "punct_share",
    "ends_sentence",
    "log_sentence_marks",
    "comma_per_token",
    "mean_word_len",
    "titlecase_share",
    "function_word_share",
    "has_url",
    "has_email",
    "separator_per_token",
    "starts_with_bullet",
    "has_copyright",
    "has_date",
    "ends_with_colon",
    "name_colon_prefix",
    "ends_with_comment_cue",
    *(f"cue_cover_{c}" for c in CUE_CLASSES),
    *(f"cue_count_{c}" for c in CUE_CLASSES),
    "blank_before",
)


#: Bits of the per-character classes that the text features count (see :func:`_char_classes`).
#: ``_UPPER`` is an upper-case letter; ``_CASED_UPPER`` any character ``str.isupper`` accepts
#: (Roman numerals and circled letters too), which is what a word's first character is read by;
#: ``_WORD`` a character ``\\w`` matches (``str.isalnum()`` or ``_``), of which tokens are made.
_ALPHA, _UPPER, _DIGIT, _PUNCT, _SENTENCE_MARK, _COMMA, _CJK, _CASED_UPPER, _WORD = (
    1 << bit for bit in range(9)
)
#: Characters below this code point are classified through a table built once per process
#: (the Basic Multilingual Plane, about 40 ms); rarer ones are classified page by page.
_TABLE_CODE_POINTS = 0x10000


def _char_class(ch: str) -> int:
    """The class bits of one character, as the per-line definitions read them: a digit is a
    character that is not a letter, punctuation and marks are neither letter, digit nor space."""
    bits = (_CJK if CJK_CHAR.match(ch) else 0) | (_CASED_UPPER if ch.isupper() else 0)
    if ch.isalnum() or ch == "_":
        bits |= _WORD
    if ch.isalpha():
        return bits | _ALPHA | (_UPPER if bits & _CASED_UPPER else 0)
    if ch.isdigit():
        return bits | _DIGIT
    if ch.isspace():
        return bits
    if unicodedata.category(ch)[0] in "PS":
        bits |= _PUNCT
    if ch in _SENTENCE_END:
        bits |= _SENTENCE_MARK
    if ch in _COMMAS:
        bits |= _COMMA
    return bits


@cache
def _char_classes() -> np.ndarray:
    """Class bits of every code point below :data:`_TABLE_CODE_POINTS`, read-only."""
    table = np.fromiter(
        (_char_class(chr(code)) for code in range(_TABLE_CODE_POINTS)),
        dtype=np.uint16,
        count=_TABLE_CODE_POINTS,
    )
    table.flags.writeable = False
    return table


def _classes_of(codes: np.ndarray) -> np.ndarray:
    """Class bits of each code point in ``codes`` (uint32 array), shape ``codes.shape``."""
    table = _char_classes()
    rare = codes >= _TABLE_CODE_POINTS
    if not rare.any():
        return table[codes]
    classes = table[np.where(rare, 0, codes)]
    for code in np.unique(codes[rare]):
        classes[codes == code] = _char_class(chr(code))
    return classes


#: Characters that a case-insensitive pattern matches to an ASCII letter although their
#: lower case is not that letter: dotless i and long s, and the dotted capital I, whose
#: lower case is two characters. Every other character matches a lower-case ASCII letter under
#: ``re.IGNORECASE`` exactly when its ``str.lower()`` is that letter (checked over all of
#: Unicode when this was written; ``tests/test_features.py`` keeps checking it).
_FOLDS_UNLIKE_LOWER = re.compile("[\u0130\u0131\u017f]")
#: An escape in a pattern's source (``\S``, ``\b``, ``\.``): not a literal character.
_ESCAPE = re.compile(r"\\.", re.S)


def _case_folded(text: str) -> str | None:
    """``text.lower()`` when a lower-case pattern finds in it, character for character, what
    the same pattern with ``re.IGNORECASE`` finds in ``text``; else None.

    Case-insensitive scans are several times slower than case-sensitive ones (Python's
    ``re`` cannot skip ahead on a literal first character), and the keyword cues are the
    bulk of the feature time.
    """
    folded = text.lower()
    if len(folded) != len(text) or _FOLDS_UNLIKE_LOWER.search(text):
        return None
    return folded


@cache
def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` without ``re.IGNORECASE``, for lower-cased text; called with this module's
    fixed patterns only, so the cache stays small.

    Raises:
        ValueError: the pattern has a literal letter that has case and is not lower-case
            ASCII: lower-cased text never holds an upper-case letter, and the folding was
            only checked for the ASCII letters.
    """
    literals = _ESCAPE.sub("", pattern.pattern)
    if any(ch.lower() != ch.upper() and not ("a" <= ch <= "z") for ch in literals):
        raise ValueError(
            f"a case-insensitive pattern must spell its letters in lower-case ASCII: {pattern.pattern!r}"
        )
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


class _Page:
    """A page's line texts joined by newlines, with what the page-level counts need.

    A line's text never holds a newline (segmentation collapses whitespace), so a pattern
    that cannot match a newline, and whose lookarounds (``\\b``, ``(?<!\\w)``, ``^``/``$`` in
    MULTILINE mode) read a newline as they read the edge of a string, finds on the joined text
    exactly the matches it finds line by line; each match is then credited to its line by
    position. Newlines inside a caller-built line's text are read as spaces.

    Attributes:
        text: the lines joined by ``"\\n"``.
        starts, ends: each line's first and one-past-last character offset, shape ``(n,)``.
    """

    def __init__(self, texts: list[str]) -> None:
        self.n = len(texts)
        self.lengths = np.fromiter(map(len, texts), dtype=np.int64, count=self.n)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths[:-1] + 1)])
        self.ends = self.starts + self.lengths
        self.text = "\n".join(texts)
        if self.text.count("\n") != self.n - 1:
            self.text = "\n".join(text.replace("\n", " ") for text in texts)
        self.folded = _case_folded(self.text)

    def _target(self, pattern: re.Pattern[str]) -> tuple[re.Pattern[str], str]:
        """The pattern and text to scan: a case-insensitive pattern runs case-sensitively
        over the lower-cased text when that finds the same matches (see :func:`_case_folded`)."""
        if pattern.flags & re.IGNORECASE and self.folded is not None:
            return _case_sensitive(pattern), self.folded
        return pattern, self.text

    def line_of(self, offsets: np.ndarray) -> np.ndarray:
        """The line holding each character offset."""
        return np.searchsorted(self.starts, offsets, side="right") - 1

    def matches(self, pattern: re.Pattern[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each match of ``pattern`` (which never matches a newline): its line and its length."""
        pattern, text = self._target(pattern)
        spans = [match.span() for match in pattern.finditer(text)]
        if not spans:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        bounds = np.array(spans, dtype=np.int64)
        return self.line_of(bounds[:, 0]), bounds[:, 1] - bounds[:, 0]

    def cue_matches(self, vocab: CueVocabulary) -> list[list[tuple[np.ndarray, np.ndarray]]]:
        """Per class of :data:`CUE_CLASSES`, per pattern (English, Chinese): each cue match's
        line and length, as :meth:`matches` of the pattern finds them.

        On a page whose folding is safe (:func:`_case_folded`, nearly every page) all eight
        patterns are matched in one pass of the cue automaton (:func:`_scan_cues`) over the
        folded text, about three times faster than eight regex scans (the English patterns
        open with a word boundary, so ``re`` tries them at every offset); otherwise each
        pattern scans the page case-insensitively.
        """
        if self.folded is None:
            return [[self.matches(pattern) for pattern in patterns] for patterns in vocab.cue_patterns]
        found = []
        for spans in _scan_cues(vocab.cue_automaton, self.folded):
            bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
            found.append((self.line_of(bounds[:, 0]), bounds[:, 1]))
        return [found[index : index + 2] for index in range(0, len(found), 2)]

    def count(self, pattern: re.Pattern[str]) -> np.ndarray:
        """Matches of ``pattern`` per line, shape ``(n,)``."""
        lines, _ = self.matches(pattern)
        return np.bincount(lines, minlength=self.n)

    def has(self, pattern: re.Pattern[str], candidates: np.ndarray | None = None) -> np.ndarray:
        """Whether each line holds a match of ``pattern``, as 0.0 / 1.0, shape ``(n,)``.

        ``candidates`` (bool, shape ``(n,)``) marks the only lines that can hold one, when
        the pattern needs something rare (an "@", a digit): those lines are searched one by
        one instead of scanning the page.
        """
        if candidates is None:
            return (self.count(pattern) > 0).astype(np.float64)
        found = np.zeros(self.n)
        pattern, text = self._target(pattern)
        for line in np.flatnonzero(candidates):
            found[line] = pattern.search(text, self.starts[line], self.ends[line]) is not None
        return found

    def per_line_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-character array over each line's characters, shape ``(n,)``."""
        cumulative = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
        return cumulative[self.ends] - cumulative[self.starts]


def _log_count(counts: np.ndarray) -> np.ndarray:
    return np.log1p(np.minimum(counts, MAX_COUNT).astype(np.float64))


def text_matrix(texts: list[str], blank_before: list[bool], vocab: CueVocabulary) -> np.ndarray:
    """The :data:`TEXT_BASE_NAMES` features of a page's lines (lengths in characters).

    Computed over the whole page at once: the character classes come from one table lookup
    and the tokens from runs of them, the keyword cues from one automaton pass and each other
    pattern from one scan of the joined text, so the cost is a few passes over the page's
    characters rather than a Python loop per character (only words no longer than the
    longest function word are looked up one by one, in the function-word set).

    Args:
        texts: the lines' texts, none empty.
        blank_before: whether a blank line or paragraph break precedes each line.

    Returns:
        ``float64`` array of shape ``(len(texts), len(TEXT_BASE_NAMES))``.
    """
    if not texts:
        return np.zeros((0, len(TEXT_BASE_NAMES)))
    page = _Page(texts)
    n, n_chars = page.n, page.lengths.astype(np.float64)
    codes = np.frombuffer(page.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _classes_of(codes)

    def chars_with(bit: int) -> np.ndarray:
        return page.per_line_sum((classes & bit) != 0).astype(np.float64)

    letters, n_cjk, digits = chars_with(_ALPHA), chars_with(_CJK), chars_with(_DIGIT)
    has_digit = digits > 0  # the only lines a date pattern needs to search

    # Tokens (:data:`boilerml.tokens.TOKEN`) from the character classes: every CJK word
    # character is a token, and so is every run of the other word characters (a "word").
    # A newline is no word character, so no token spans two lines.
    word_char = (classes & _WORD) != 0
    cjk_char = (classes & _CJK) != 0
    cjk_tokens = np.flatnonzero(word_char & cjk_char)
    edges = np.diff((word_char & ~cjk_char).view(np.int8), prepend=0, append=0)
    word_starts, word_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    word_lengths = word_ends - word_starts
    word_line, cjk_line = page.line_of(word_starts), page.line_of(cjk_tokens)
    # A word is a function word if it is one lower-cased (lower-casing never shortens a
    # word, so longer words than the longest function word are not looked up); a token of
    # one character is one if it is in the Chinese set.
    short = np.flatnonzero(word_lengths <= vocab.longest_english_function_word)
    english_function = np.zeros(len(word_starts), dtype=bool)
    for block in range(0, len(short), FUNCTION_WORD_BLOCK):
        looked_up = short[block : block + FUNCTION_WORD_BLOCK]
        starts, ends = word_starts[looked_up].tolist(), word_ends[looked_up].tolist()
        english_function[looked_up] = np.fromiter(
            (
                page.text[start:end].lower() in vocab.english_function_words
                for start, end in zip(starts, ends, strict=True)
            ),
            dtype=bool,
            count=len(looked_up),
        )
    chinese_codes = vocab.chinese_function_codes
    word_function = english_function | ((word_lengths == 1) & np.isin(codes[word_starts], chinese_codes))
    cjk_function = np.isin(codes[cjk_tokens], chinese_codes)
    title = (classes[word_starts] & _CASED_UPPER) != 0

    def per_line(token_lines: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(token_lines, weights=weights, minlength=n)

    token_count = per_line(word_line) + per_line(cjk_line)
    n_tokens = np.maximum(token_count, 1).astype(np.float64)
    n_words = per_line(word_line).astype(np.float64)
    has_words = n_words > 0
    per_word = np.where(has_words, n_words, 1.0)
    cue_count, cue_cover = [], []
    with_comment_cue = []  # per language: the lines with a comment cue
    for cls, matches in zip(CUE_CLASSES, page.cue_matches(vocab), strict=True):  # English, Chinese
        match_lines = np.concatenate([found_lines for found_lines, _ in matches])
        match_lengths = np.concatenate([found_lengths for _, found_lengths in matches])
        cue_count.append(_log_count(np.bincount(match_lines, minlength=n)))
        cue_cover.append(
            np.minimum(np.bincount(match_lines, weights=match_lengths, minlength=n) / n_chars, 1.0)
        )
        if cls == "comment":
            with_comment_cue = [np.bincount(found_lines, minlength=n) > 0 for found_lines, _ in matches]
    # A line ending with a comment cue holds a comment cue that the scan above found (or one
    # overlapping it), so only those lines are searched for one at the end.
    ends_with_comment_cue = np.maximum(
        *(
            page.has(pattern, lines)
            for pattern, lines in zip(vocab.comment_cue_at_end, with_comment_cue, strict=True)
        )
    )
    last_codes = codes[page.ends - 1]
    columns = [
        _log_count(page.lengths),
        _log_count(token_count),
        n_cjk / n_chars,
        letters / n_chars,
        digits / n_chars,
        chars_with(_UPPER) / np.maximum(letters - n_cjk, 1.0),
        chars_with(_PUNCT) / n_chars,
        page.has(_ENDS_SENTENCE),
        _log_count(chars_with(_SENTENCE_MARK)),
        chars_with(_COMMA) / n_tokens,
        np.where(has_words, per_line(word_line, word_lengths.astype(np.float64)) / per_word, 0.0),
        np.where(has_words, per_line(word_line[title]) / per_word, 0.0),
        (per_line(word_line[word_function]) + per_line(cjk_line[cjk_function])) / n_tokens,
        page.has(_URL),
        page.has(_EMAIL, page.per_line_sum(codes == _AT) > 0),
        page.count(_SEPARATORS) / n_tokens,
        page.has(_BULLET_START),
        page.has(_COPYRIGHT),
        np.maximum(page.has(_DATE_FROM_DIGIT, has_digit), page.has(_DATE_FROM_MONTH, has_digit)),
        np.isin(last_codes, _COLON_CODES).astype(np.float64),
        page.has(_NAME_COLON_PREFIX),
        ends_with_comment_cue,
        *cue_cover,
        *cue_count,
        np.asarray(blank_before, dtype=np.float64),
    ]
    return np.column_stack(columns)


#: Block tags that get a one-hot column; all others share "tag_other".
TAG_COLUMNS: tuple[str, ...] = (
    "p",
    "div",
    "li",
    "td",
    "th",
    "pre",
    "blockquote",
    "dd",
    "dt",
    "span_like",
    "heading",
    "section_like",
    "body",
)
_SECTION_LIKE = frozenset({"article", "section", "main", "header", "footer", "nav", "aside"})

DOM_BASE_NAMES: tuple[str, ...] = (
    "link_share",
    "log_depth",
    "depth_minus_page_median",
    "log_path_repeats",
    "log_repeated_units",
    *(f"tag_{t}" for t in TAG_COLUMNS),
    "tag_other",
    *DOM_FLAGS,
)


#: ``log_repeated_units`` counts a run's blocks up to this many: a thread or listing of ten
#: posts is already long, and the few pages with hundreds (one dev page has a thread of 243)
#: otherwise sit where training saw almost nothing (exp21).
MAX_COUNTED_UNITS = 10


def _tag_column(tag: str) -> str:
    if tag in HEADING_TAGS:
        return "heading"
    if tag in _SECTION_LIKE:
        return "section_like"
    if tag in TAG_COLUMNS:
        return tag
    if tag not in BLOCK_TAGS:
        return "span_like"
    return "other"


def dom_matrix(lines: list[Line]) -> np.ndarray:
    """DOM features of HTML lines, shape ``(n_lines, len(DOM_BASE_NAMES))``."""
    n = len(lines)
    out = np.zeros((n, len(DOM_BASE_NAMES)), dtype=np.float32)
    if n == 0:
        return out
    depths = np.array([line.depth for line in lines], dtype=np.float32)
    path_counts = Counter(line.path for line in lines)
    tag_offset = 5
    tag_index = {t: tag_offset + i for i, t in enumerate((*TAG_COLUMNS, "other"))}
    flag_offset = tag_offset + len(TAG_COLUMNS) + 1
    out[:, 0] = [line.link_chars / len(line.text) for line in lines]
    out[:, 3] = np.log1p([path_counts[line.path] for line in lines])
    out[:, 4] = np.log1p(np.minimum([line.repeated_units for line in lines], MAX_COUNTED_UNITS))
    out[np.arange(n), [tag_index[_tag_column(line.tag)] for line in lines]] = 1.0
    flags = np.array([line.dom_flags for line in lines], dtype=np.int64)
    out[:, flag_offset : flag_offset + len(DOM_FLAGS)] = (flags[:, None] >> np.arange(len(DOM_FLAGS))) & 1
    out[:, 1] = np.log1p(depths)
    out[:, 2] = depths - np.median(depths)
    return out


POSITION_NAMES: tuple[str, ...] = (
    "relative_position",
    "chars_before_share",
    "log_lines_from_start",
    "log_lines_from_end",
    "log_page_lines",
    "log_page_chars",
    "chars_over_page_max",
    "log_text_repeats",
)


def position_matrix(lines: list[Line]) -> np.ndarray:
    """Where each line sits in its page and how the page looks, shape ``(n, len(POSITION_NAMES))``."""
    n = len(lines)
    out = np.zeros((n, len(POSITION_NAMES)), dtype=np.float32)
    if n == 0:
        return out
    lengths = np.array([len(line.text) for line in lines], dtype=np.float64)
    index = np.arange(n, dtype=np.float64)
    total = lengths.sum()
    repeats = Counter(line.text for line in lines)
    out[:, 0] = index / max(n - 1, 1)
    out[:, 1] = (np.cumsum(lengths) - lengths) / total
    out[:, 2] = np.log1p(index)
    out[:, 3] = np.log1p(n - 1 - index)
    out[:, 4] = math.log1p(n)
    out[:, 5] = math.log1p(total)
    out[:, 6] = lengths / lengths.max()
    out[:, 7] = np.log1p([repeats[line.text] - 1 for line in lines])
    return out


def neighbour_matrix(base: np.ndarray, offsets: tuple[int, ...] = NEIGHBOUR_OFFSETS) -> np.ndarray:
    """Copy each row's features from the rows ``offsets`` away (zeros past the page edges).

    Args:
        base: shape ``(n, k)``.

    Returns:
        shape ``(n, k * len(offsets))``: block ``j`` holds the features of line ``i + offsets[j]``.
    """
    n, k = base.shape
    out = np.zeros((n, k * len(offsets)), dtype=np.float32)
    for j, offset in enumerate(offsets):
        cols = slice(j * k, (j + 1) * k)
        if offset < 0 and n > -offset:
            out[-offset:, cols] = base[:offset]
        elif offset > 0 and n > offset:
            out[:-offset, cols] = base[offset:]
    return out


def window_mean_matrix(base: np.ndarray, radii: tuple[int, ...] = WINDOW_RADII) -> np.ndarray:
    """Mean of each column over the lines within ``r`` of each line (edges clipped).

    Returns:
        shape ``(n, k * len(radii))``, computed with cumulative sums in O(n k).
    """
    n, k = base.shape
    out = np.zeros((n, k * len(radii)), dtype=np.float32)
    if n == 0:
        return out
    cumulative = np.vstack([np.zeros((1, k)), np.cumsum(base, axis=0, dtype=np.float64)])
    index = np.arange(n)
    for j, radius in enumerate(radii):
        lo = np.clip(index - radius, 0, n)
        hi = np.clip(index + radius + 1, 0, n)
        out[:, j * k : (j + 1) * k] = (cumulative[hi] - cumulative[lo]) / (hi - lo)[:, None]
    return out


#: Columns of the base matrices that are copied from neighbours and averaged over windows.
CONTEXT_TEXT_COLUMNS: tuple[str, ...] = (
    "log_chars",
    "punct_share",
    "ends_sentence",
    "function_word_share",
    "cjk_share",
    "separator_per_token",
    "cue_cover_navigation",
    "cue_cover_ad",
    "cue_cover_comment",
    "has_date",
    "titlecase_share",
)
CONTEXT_DOM_COLUMNS: tuple[str, ...] = (
    "link_share",
    "log_depth",
    "tag_p",
    "tag_li",
    "tag_heading",
    "in_paragraph",
    "in_list_item",
    "class_id_navigation",
    "class_id_ad",
    "class_id_comment",
    "class_id_content",
    "in_article_tag",
    "in_nav_tag",
    "in_footer_tag",
)


def _context_names(columns: tuple[str, ...]) -> tuple[str, ...]:
    neighbours = tuple(f"{name}@{offset:+d}" for offset in NEIGHBOUR_OFFSETS for name in columns)
    windows = tuple(f"{name}@mean{radius}" for radius in WINDOW_RADII for name in columns)
    return neighbours + windows


@cache
def feature_names(mode: Literal["html", "text"]) -> tuple[str, ...]:
    """Column names of :func:`extract_features` for one input mode, in order (computed once)."""
    names = (
        TEXT_BASE_NAMES
        + POSITION_NAMES
        + _context_names(CONTEXT_TEXT_COLUMNS)
        + (
            "is_long@mean3",
            "is_long@mean10",
        )
    )
    if mode == "html":
        names += DOM_BASE_NAMES + _context_names(CONTEXT_DOM_COLUMNS)
    return names


@cache
def _columns(names: tuple[str, ...], wanted: tuple[str, ...]) -> list[int]:
    position = {name: i for i, name in enumerate(names)}
    return [position[name] for name in wanted]


def extract_features(lines: list[Line], mode: Literal["html", "text"]) -> np.ndarray:
    """The feature matrix of one page.

    Args:
        lines: the page's lines, in order.
        mode: ``"html"`` adds the DOM features; ``"text"`` uses what a text dump shows.

    Returns:
        ``float32`` array of shape ``(len(lines), len(feature_names(mode)))``.
    """
    n_columns = len(feature_names(mode))
    if not lines:
        return np.zeros((0, n_columns), dtype=np.float32)
    texts = [line.text for line in lines]
    text = text_matrix(texts, [line.blank_before for line in lines], cue_vocabulary()).astype(np.float32)
    text_context = text[:, _columns(TEXT_BASE_NAMES, CONTEXT_TEXT_COLUMNS)]
    is_long = np.array([[len(line_text) >= LONG_LINE_CHARS] for line_text in texts], dtype=np.float32)
    blocks = [
        text,
        position_matrix(lines),
        neighbour_matrix(text_context),
        window_mean_matrix(text_context),
        window_mean_matrix(is_long),
    ]
    if mode == "html":
        dom = dom_matrix(lines)
        dom_context = dom[:, _columns(DOM_BASE_NAMES, CONTEXT_DOM_COLUMNS)]
        blocks += [dom, neighbour_matrix(dom_context), window_mean_matrix(dom_context)]
    matrix = np.hstack(blocks)
    assert matrix.shape[1] == n_columns, (matrix.shape, n_columns)
    return matrix


#: Radii of the windows over which the first pass's probabilities are averaged.
PROBABILITY_WINDOW_RADII: tuple[int, ...] = (3, 10, 30)
#: Offsets of the neighbours whose first-pass probabilities are copied.
PROBABILITY_NEIGHBOUR_OFFSETS: tuple[int, ...] = (-3, -2, -1, 1, 2, 3)
#: A line counts as likely content / comment for the distance features at this probability.
LIKELY = 0.5
#: Distances to the nearest likely line are capped here (in lines) before the log.
MAX_DISTANCE = 1000
_PROBABILITY_NAMES = tuple(f"p_{label}" for label in ("content", "navigation", "ad", "comment"))

CONTEXT_PROBABILITY_NAMES: tuple[str, ...] = (
    _PROBABILITY_NAMES
    + tuple(f"{name}@{offset:+d}" for offset in PROBABILITY_NEIGHBOUR_OFFSETS for name in _PROBABILITY_NAMES)
    + tuple(f"{name}@mean{radius}" for radius in PROBABILITY_WINDOW_RADII for name in _PROBABILITY_NAMES)
    + (
        "page_mean_p_content",
        "page_max_p_content",
        "likely_content_share_before",
        "likely_content_share_after",
        "log_lines_to_likely_content_before",
        "log_lines_to_likely_content_after",
        "log_lines_to_likely_comment_before",
        "log_lines_to_likely_comment_after",
    )
)


def _lines_since(flags: np.ndarray) -> np.ndarray:
    """For each row, how many rows back the last True row is (0 on a True row; capped)."""
    n = len(flags)
    index = np.arange(n)
    last = np.where(flags, index, -MAX_DISTANCE - 1)
    last = np.maximum.accumulate(last)
    return np.minimum(index - last, MAX_DISTANCE)


def probability_context_matrix(probabilities: np.ndarray) -> np.ndarray:
    """Features of the first pass's verdicts around each line, for the second pass.

    Args:
        probabilities: first-pass class probabilities, shape ``(n, 4)`` in LABELS order.

    Returns:
        ``float32`` array of shape ``(n, len(CONTEXT_PROBABILITY_NAMES))``: the line's own
        probabilities, its neighbours', window means, page-level content statistics, where
        the line sits relative to the likely article, and the distances (log lines) to the
        nearest likely content and comment lines before and after it.
    """
    n = probabilities.shape[0]
    out = np.zeros((n, len(CONTEXT_PROBABILITY_NAMES)), dtype=np.float32)
    if n == 0:
        return out
    p = probabilities.astype(np.float32)
    content = p[:, 0]
    likely_content = content >= LIKELY
    likely_comment = p[:, 3] >= LIKELY
    n_likely = max(int(likely_content.sum()), 1)
    before = np.cumsum(likely_content) - likely_content
    parts = [
        p,
        neighbour_matrix(p, PROBABILITY_NEIGHBOUR_OFFSETS),
        window_mean_matrix(p, PROBABILITY_WINDOW_RADII),
        np.column_stack(
            [
                np.full(n, content.mean()),
                np.full(n, content.max()),
                before / n_likely,
                (likely_content.sum() - before - likely_content) / n_likely,
                np.log1p(_lines_since(likely_content)),
                np.log1p(_lines_since(likely_content[::-1])[::-1]),
                np.log1p(_lines_since(likely_comment)),
                np.log1p(_lines_since(likely_comment[::-1])[::-1]),
            ]
        ),
    ]
    out[:] = np.hstack(parts)
    return out
