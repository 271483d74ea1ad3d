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
from typing import Literal

import numpy as np

from .lines import Line
from .segment import BLOCK_TAGS, DOM_FLAGS, HEADING_TAGS
from .tokens import CJK_CHAR, TOKEN

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

_SENTENCE_END = frozenset(".!?。！？…;；")
_CLOSERS = "\"'”’»)）」』】"
_COMMAS = frozenset(",，、;；:：")
_SEPARATORS = re.compile(r"[|·•»«›‹>/\\]|\s[-–—]\s|::")
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|cn|html?)\b", re.I)
#: The local part starts where a run of its characters starts and is at most 64 long (RFC
#: 5321): starting anywhere inside a run made a long dotted line cost time quadratic in its
#: length. Same verdict as the unbounded form on all 1.29 million corpus lines.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]+\.[\w.]+\b")
_DATE = re.compile(
    r"\b\d{4}[-/.年]\s?\d{1,2}(?:[-/.月]\s?\d{1,2})?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}月\d{1,2}日|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}:\d{2}\b",
    re.I,
)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|版权|版權|all rights reserved", re.I)
#: A short name or label and a colon opening a line: "网友小王：", "Posted by:", "来源：".
_NAME_COLON_PREFIX = re.compile(r"^[^\s:：]{1,16}\s?[：:]\s?\S")
_BULLET_START = re.compile(r"^(?:[-*•·▪►>]|\d{1,3}[.)、]|[（(]\d{1,3}[)）])\s*")


@dataclass(frozen=True)
class CueVocabulary:
    """Compiled keyword cues (one regex per class) and function-word sets, read from package data."""

    cue_patterns: tuple[re.Pattern[str], ...]
    #: A comment cue closing the line ("... 回复", "... Reply (3)"): how comment widgets end.
    comment_cue_at_end: re.Pattern[str]
    #: A match of ``comment_cue_at_end`` starts at most this many characters before the end
    #: (the longest comment cue plus the trailing count), so only the tail is searched.
    comment_cue_tail_chars: int
    english_function_words: frozenset[str]
    chinese_function_chars: frozenset[str]


#: English cues at least this long also match when glued to the next word, as inline labels
#: often are in extracted text ("AdvertisementScroll to continue"); shorter ones ("ad",
#: "share") need a word boundary on both sides or they would fire inside other words.
GLUED_CUE_MIN_CHARS = 7
#: What may follow a comment cue that ends a line: spaces, brackets and a count ("Reply (3)").
COMMENT_CUE_TAIL = 8


def _trie_regex(cues: dict[str, str]) -> str:
    """A regex matching the longest of ``cues`` (cue → regex that must follow it) at a position.

    The cues are factored into a prefix tree, so the engine walks one branch per character
    instead of trying every cue at every position; longer cues are tried before a cue that is
    a prefix of them, which is what the plain alternation sorted longest-first did.
    """
    tree: dict = {}
    for cue, suffix in cues.items():
        node = tree
        for ch in cue:
            node = node.setdefault(ch, {})
        node[""] = suffix  # "" cannot be a character: it marks where a cue ends

    def walk(node: dict) -> str:
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(node[""])
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return walk(tree) if tree else "(?!)"


def _folded(cue: str) -> str:
    """The cue as the case-insensitive matcher sees it (lower case where that keeps its length)."""
    lowered = cue.lower()
    return lowered if len(lowered) == len(cue) else cue


def _cue_alternation(spaced: list[str], unspaced: list[str]) -> str:
    """One regex for a class: English cues on word boundaries, Chinese anywhere.

    At a position an English cue wins over a Chinese one, and a longer cue over a shorter.
    """
    english = {}
    for cue in spaced:
        closed = cue[-1].isalnum() and len(cue) < GLUED_CUE_MIN_CHARS
        english[_folded(cue)] = r"\b" if closed else ""
    chinese = {_folded(cue): "" for cue in unspaced}
    parts = [rf"\b{_trie_regex(english)}"] if english else []
    if chinese:
        parts.append(_trie_regex(chinese))
    return "|".join(parts) if parts else "(?!)"


@cache
def cue_vocabulary() -> CueVocabulary:
    """Load and compile the cue data files once per process; the result is immutable."""
    data = resources.files("boilerml").joinpath("data")
    cues = json.loads(data.joinpath("text_cues.json").read_text("utf-8"))
    function_words = json.loads(data.joinpath("function_words.json").read_text("utf-8"))
    alternations = {cls: _cue_alternation(cues[cls]["en"], cues[cls]["zh"]) for cls in CUE_CLASSES}
    return CueVocabulary(
        tuple(re.compile(alternations[cls], re.I) for cls in CUE_CLASSES),
        re.compile(rf"(?:{alternations['comment']})[\s()（）\[\]\d]{{0,{COMMENT_CUE_TAIL}}}$", re.I),
        max(map(len, cues["comment"]["en"] + cues["comment"]["zh"])) + COMMENT_CUE_TAIL,
        frozenset(function_words["en"]),
        frozenset(function_words["zh"]),
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


def _log_count(n: int) -> float:
    return math.log1p(min(n, MAX_COUNT))


def line_text_features(text: str, blank_before: bool, vocab: CueVocabulary) -> list[float]:
    """The :data:`TEXT_BASE_NAMES` features of one line's text (lengths in characters)."""
    n_chars = len(text)
    tokens = TOKEN.findall(text)
    n_tokens = len(tokens) or 1
    n_cjk = len(CJK_CHAR.findall(text))
    letters = uppers = digits = puncts = sentence_marks = commas = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if ch.isupper():
                uppers += 1
        elif ch.isdigit():
            digits += 1
        elif not ch.isspace():
            if unicodedata.category(ch)[0] in "PS":
                puncts += 1
            if ch in _SENTENCE_END:
                sentence_marks += 1
            if ch in _COMMAS:
                commas += 1
    spaced_words = [t for t in tokens if not CJK_CHAR.match(t)]
    n_words = len(spaced_words)
    lowered = [w.lower() for w in spaced_words]
    function_hits = sum(w in vocab.english_function_words for w in lowered)
    function_hits += sum(t in vocab.chinese_function_chars for t in tokens if len(t) == 1)
    stripped = text.rstrip(_CLOSERS)
    cue_cover = []
    cue_count = []
    for pattern in vocab.cue_patterns:
        matches = pattern.findall(text)
        cue_count.append(_log_count(len(matches)))
        cue_cover.append(min(sum(map(len, matches)) / n_chars, 1.0))
    non_cjk_letters = max(letters - n_cjk, 1)
    return [
        _log_count(n_chars),
        _log_count(len(tokens)),
        n_cjk / n_chars,
        letters / n_chars,
        digits / n_chars,
        uppers / non_cjk_letters,
        puncts / n_chars,
        float(bool(stripped) and stripped[-1] in _SENTENCE_END),
        _log_count(sentence_marks),
        commas / n_tokens,
        (sum(map(len, spaced_words)) / n_words) if n_words else 0.0,
        (sum(w[:1].isupper() for w in spaced_words) / n_words) if n_words else 0.0,
        function_hits / n_tokens,
        float(bool(_URL.search(text))),
        float(bool(_EMAIL.search(text))),
        len(_SEPARATORS.findall(text)) / n_tokens,
        float(bool(_BULLET_START.match(text))),
        float(bool(_COPYRIGHT.search(text))),
        float(bool(_DATE.search(text))),
        float(text.endswith((":", "："))),
        float(bool(_NAME_COLON_PREFIX.match(text))),
        float(bool(vocab.comment_cue_at_end.search(text, max(0, n_chars - vocab.comment_cue_tail_chars)))),
        *cue_cover,
        *cue_count,
        float(blank_before),
    ]


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
    *(f"tag_{t}" for t in TAG_COLUMNS),
    "tag_other",
    *DOM_FLAGS,
)


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
    tag_offset = 4
    tag_index = {t: tag_offset + i for i, t in enumerate((*TAG_COLUMNS, "other"))}
    flag_offset = tag_offset + len(TAG_COLUMNS) + 1
    for row, line in enumerate(lines):
        out[row, 0] = line.link_chars / len(line.text)
        out[row, 3] = math.log1p(path_counts[line.path])
        out[row, tag_index[_tag_column(line.tag)]] = 1.0
        flags = line.dom_flags
        for bit in range(len(DOM_FLAGS)):
            if flags >> bit & 1:
                out[row, flag_offset + bit] = 1.0
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
    vocab = cue_vocabulary()
    text = np.array(
        [line_text_features(line.text, line.blank_before, vocab) for line in lines],
        dtype=np.float32,
    )
    text_context = text[:, _columns(TEXT_BASE_NAMES, CONTEXT_TEXT_COLUMNS)]
    is_long = np.array([[len(line.text) >= LONG_LINE_CHARS] for line in lines], dtype=np.float32)
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
