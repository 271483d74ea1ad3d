"""Stage 2: text to lines.

HTML is cut into one line per block-level element (and per ``<br>`` run), with scripts,
styles, templates, SVG, forms' option lists and comments dropped, whitespace collapsed, and
per line the DOM context the features need. Plain text is one line per non-blank input line
(hard-wrapped paragraphs rejoined and Markdown read as its text first).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from lxml import etree

from . import fragments, markdown
from .lines import Line
from .patterns import trie_regex
from .sentences import line_pieces, lines_to_cut
from .unwrap import unwrap

logger = logging.getLogger(__name__)

InputFormat = Literal["auto", "html", "text"]

#: Elements whose start and end delimit a line (HTML's block-level and table elements).
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "iframe",
        "noframes",
    ]
)

#: Elements whose whole subtree carries no readable text of the page.
DROPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "head",
        "object",
        "embed",
        "canvas",
        "select",
        "datalist",
        "textarea",
        "audio",
        "video",
        "source",
        "track",
        "map",
    ]
)

#: A page whose ``<noscript>`` elements hold at least this many times the text of the rest
#: (90 % of it) is a script application's empty shell around them, and is read from them. On
#: the train pages, script-rendered forums have 96 % to 99.8 % of their text there; a photo
#: gallery's captions beside an article 51 %, a portal's duplicate 82 % (exp99, exp100).
NOSCRIPT_SHELL_RATIO = 9

#: A page title is a line of at most a few hundred characters: a head ``<title>`` longer than
#: this that holds markup was never closed and took in the rest of the document (exp101: the
#: 8 such train pages' titles hold 14,645 to 58,601 characters).
MAX_TITLE_CHARS = 1000
_TITLE_OPEN = re.compile(r"<title\b[^>]*>", re.IGNORECASE)

HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])

#: Readers of the DOM-context bit set (``Line.dom_flags``). Tag flags hold when the line sits
#: inside such an element; class/id flags when an ancestor's class or id carries a cue of
#: that group (see ``data/dom_cues.json``).
TAG_FLAG_GROUPS: dict[str, frozenset[str]] = {
    "in_nav_tag": frozenset({"nav", "menu"}),
    "in_header_tag": frozenset({"header"}),
    "in_footer_tag": frozenset({"footer"}),
    "in_aside_tag": frozenset({"aside"}),
    "in_form": frozenset({"form", "button", "label", "input", "fieldset"}),
    "in_list_item": frozenset({"li", "dd", "dt"}),
    "in_table": frozenset({"td", "th"}),
    "in_heading": HEADING_TAGS,
    "in_paragraph": frozenset({"p"}),
    "in_article_tag": frozenset({"article", "main"}),
    "in_quote": frozenset({"blockquote", "q"}),
    "in_code": frozenset({"pre", "code"}),
    "in_figure": frozenset({"figure", "figcaption"}),
    "in_time_or_address": frozenset({"time", "address"}),
    "in_emphasis": frozenset({"strong", "b", "em", "i"}),
}
CUE_FLAG_GROUPS: tuple[str, ...] = ("navigation", "ad", "promo", "comment", "content", "meta")
DOM_FLAGS: tuple[str, ...] = (
    *TAG_FLAG_GROUPS,
    *(f"class_id_{group}" for group in CUE_FLAG_GROUPS),
    "hidden",
)
_FLAG_BIT = {name: 1 << i for i, name in enumerate(DOM_FLAGS)}
_HIDDEN_BIT = _FLAG_BIT["hidden"]
_TAG_BITS: dict[str, int] = {}
for _flag, _tags in TAG_FLAG_GROUPS.items():
    for _tag in _tags:
        _TAG_BITS[_tag] = _TAG_BITS.get(_tag, 0) | _FLAG_BIT[_flag]
del _flag, _tags, _tag

#: Keep only this many trailing tags in ``Line.path``: enough to tell templates apart while
#: bounding memory on absurdly deep documents.
MAX_PATH_TAGS = 12

#: A run of sibling blocks counts as repeated units (a thread's posted comments, a listing's
#: teasers) only when its blocks hold at least this many lines each on average: a posted
#: comment carries at least an author or date line and its text, whereas a run of one-line
#: blocks is a menu's items or an article's paragraphs, which ``path`` repetition already sees.
MIN_LINES_PER_UNIT = 2
#: ... and at most this many: runs of larger blocks are the page's layout (header, body,
#: footer as sibling ``div``s), not posts.
MAX_LINES_PER_UNIT = 20
#: Blocks that can hold one post of a run: list items and articles always; generic
#: containers only when classed, since runs of class-less ``div``s or cells are mostly the
#: page's frame. Paragraphs and headings are never posts (a ``p`` of ``br``-cut lines is one
#: block of text, not a run of them).
_POST_TAGS = frozenset({"li", "article"})
_CLASSED_POST_TAGS = frozenset(
    {"div", "section", "aside", "dd", "dl", "blockquote", "tr", "table", "ul", "ol"}
)
_DIGITS = re.compile(r"[0-9]+")
_WHITESPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HTML_SNIFF = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|span|table|br|a|script|style|ul|li|h[1-6])\b[^>]*>",
    re.I,
)
#: The start of a whole document (a doctype, even a truncated one, or an html, head or body
#: tag) beginning a line, after nothing but whitespace and other tags: prose that mentions
#: ``<html>`` is not one. No text rendering of the 5,300 train pages holds one; every train
#: and dev page's HTML that names a document in its first 4 KB names it so.
_DOCUMENT_TAG = re.compile(
    r"^[ \t\ufeff]*(?:<[^<>]*>[ \t]*)*<(?:!doctype|(?:html|head|body)\b[^>]*>)", re.I | re.M
)
#: Any tag (its attributes may run over several lines) or comment opening: the lines it
#: touches count as markup.
_ANY_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>|<!--", re.I)
#: A script or style element (to its end, or to the end of the sniffed text): one tagged line
#: however many lines of code it holds.
_CODE_ELEMENT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S)
#: How much of the input :func:`looks_like_html` reads.
HTML_SNIFF_CHARS = 4096
#: The least share of non-blank sniffed lines holding a tag for text that starts with ``<``
#: (and names no document) to be read as markup, and for text that does not start with one.
#: Text pasted from a page can hold markup shown as text (an ad's code, a tutorial's
#: example), and some starts with it: of the text renderings of the 5,300 train pages, 64
#: were sniffed as HTML by three known tags or a leading ``<`` alone, and parsed, they lose the
#: text between the tags (a page's F1 can fall to 0). At most 26 % of their lines hold a tag
#: (11 % of those that start with ``<``); of the train pages' HTML without a document tag,
#: all but two (hand-written pages that are a ``<pre>`` of plain text) reach 15 %, and the
#: one of them that does not start with ``<`` has half its lines tagged.
MIN_TAGGED_LINES_AFTER_LEADING_TAG = 0.15
MIN_TAGGED_LINES = 0.5
#: Known tags a text that does not start with ``<`` needs as well (one or two tags in prose
#: are a mention).
MIN_KNOWN_TAGS = 3


class TooManyLinesError(ValueError):
    """A page has more lines than the caller's limit (``max_lines``, by default
    ``boilerml.pipeline.MAX_LINES``).

    Attributes:
        limit: the number of lines allowed.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the page has more than {limit:,} lines, more than boilerml classifies at once "
            "(memory grows by a few kB per line); split it"
        )
        self.limit = limit

    def __reduce__(self) -> tuple[type, tuple[int]]:  # pickled as it was made (process pools)
        return (type(self), (self.limit,))


#: What must not touch a bounded class/id cue: "=ad" is "ad" with neither a letter nor a
#: digit on either side, "^post" has none before it.
_NOT_ALNUM = "[a-z0-9]"


def _cue_regex(entry: str) -> str:
    """The regex of one class/id cue entry: "x" anywhere, "=x" as a whole token, "^x" at a token start."""
    if entry.startswith("="):
        return rf"(?<!{_NOT_ALNUM}){re.escape(entry[1:])}(?!{_NOT_ALNUM})"
    if entry.startswith("^"):
        return rf"(?<!{_NOT_ALNUM}){re.escape(entry[1:])}"
    return re.escape(entry)


def _any_entry_regex(entries: list[str]) -> str:
    """One regex for class/id cue entries, factored into prefix trees so that each position
    costs one branch walk, not one attempt per entry. It matches at a position exactly where
    one of the entries does (though not always with that entry's length)."""
    bounded: dict[str, str] = {}
    anywhere: dict[str, str] = {}
    for entry in entries:
        if entry.startswith("^"):
            bounded[entry[1:]] = ""  # "^x" holds wherever "=x" does
        elif entry.startswith("="):
            bounded.setdefault(entry[1:], f"(?!{_NOT_ALNUM})")
        else:
            anywhere[entry] = ""
    return f"(?<!{_NOT_ALNUM}){trie_regex(bounded)}|{trie_regex(anywhere)}"


@dataclass(frozen=True)
class _CueMatchers:
    """The class/id cues, compiled: one alternation of all groups, whose group names are the
    cue groups, and each group's flag bit."""

    scan: re.Pattern[str]
    bits: dict[str, int]


def _scan_regex(cues: dict[str, list[str]]) -> str:
    """The left-to-right scan of :func:`_scanned_class_id_bits`: at a position, the groups in
    :data:`CUE_FLAG_GROUPS` order and each group's entries in file order; the first that
    matches wins. The shipped model was trained on the bits this scan gives."""
    return "|".join(
        f"(?P<{group}>{'|'.join(_cue_regex(entry) for entry in cues[group])})" for group in CUE_FLAG_GROUPS
    )


@cache
def _cue_data() -> dict[str, list[str]]:
    """The class/id cue entries by group, read from package data once per process."""
    raw = json.loads(resources.files("boilerml").joinpath("data/dom_cues.json").read_text("utf-8"))
    return {group: list(raw[group]) for group in CUE_FLAG_GROUPS}


@cache
def _cue_matchers() -> _CueMatchers:
    """Built once per process, read-only afterwards.

    The scan is guarded by a lookahead: one prefix tree of every group's entries, which
    matches at a position exactly where some entry does. Positions where no cue starts then
    cost one branch walk instead of an attempt per entry (four times faster on the first 200
    dev pages' class/id strings), and the matches, so the bits, are the plain scan's.
    """
    cues = _cue_data()
    any_cue = _any_entry_regex([entry for group in CUE_FLAG_GROUPS for entry in cues[group]])
    scan = re.compile(f"(?=(?:{any_cue}))(?:{_scan_regex(cues)})")
    return _CueMatchers(scan, {group: _FLAG_BIT[f"class_id_{group}"] for group in CUE_FLAG_GROUPS})


#: Distinct class/id strings whose cue bits are remembered (a bounded memo of a pure
#: function, per process): matching one costs about 12 µs, and on the first 200 dev pages
#: 38 % of the strings a page holds had already appeared on another page (framework classes
#: such as "row" or "container", a publishing system's templates).
CLASS_ID_MEMO_SIZE = 1 << 14
#: Only strings up to this long are remembered (99 % of those pages' strings; their mean is
#: 25 characters, the longest 2,501), so that the memo stays under about 5 MB.
CLASS_ID_MEMO_MAX_CHARS = 128


def _class_id_bits(attributes: str) -> int:
    """:func:`_scanned_class_id_bits`, remembered for strings up to
    :data:`CLASS_ID_MEMO_MAX_CHARS` characters."""
    if len(attributes) <= CLASS_ID_MEMO_MAX_CHARS:
        return _remembered_class_id_bits(attributes)
    return _scanned_class_id_bits(attributes)


def _scanned_class_id_bits(attributes: str) -> int:
    """The flag bits of the cue groups found in ``attributes`` by a scan left to right.

    The scan is the one the shipped model was trained with: at each position the first
    group (in :data:`CUE_FLAG_GROUPS` order) and its first entry (in file order) that match
    win, and the scan goes on after the match, so a cue that starts inside another group's
    match is not seen (12 of 5,277 training pages have such an attribute, such as qq.com's
    ``fmbloginfo``). Seeing it
    changes those pages' training rows, and the model would no longer be what training
    makes of them (``tests/test_reproducible.py``); that waits for a retrain.
    """
    matchers = _cue_matchers()
    bits = 0
    for match in matchers.scan.finditer(attributes):
        bits |= matchers.bits[match.lastgroup]  # type: ignore[index]  # every match is in a group
    return bits


_remembered_class_id_bits = lru_cache(maxsize=CLASS_ID_MEMO_SIZE)(_scanned_class_id_bits)


_TAG_MARK = "\x00"  # taken out of the sniffed text first: a stray NUL is not a tag


def _tag_marks(tag: re.Match[str]) -> str:
    """A mark on each line a tag touches."""
    return "\n".join([_TAG_MARK] * (tag.group().count("\n") + 1))


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is markup rather than plain text (used by ``input_format="auto"``).

    Read from its first :data:`HTML_SNIFF_CHARS` characters: a line that starts with a
    document tag (doctype, ``html``, ``head``, ``body``) makes it markup; otherwise the share
    of its non-blank lines that a tag touches (a script or style element counting as one
    line) must reach :data:`MIN_TAGGED_LINES_AFTER_LEADING_TAG` when it starts with ``<``,
    and :data:`MIN_TAGGED_LINES`, with :data:`MIN_KNOWN_TAGS` common HTML tags, when it does
    not.
    Text with a line or two of markup in it stays text.
    """
    head = text[:HTML_SNIFF_CHARS]
    if _DOCUMENT_TAG.search(head):
        return True
    starts_with_tag = head.lstrip().startswith("<")
    if not starts_with_tag and len(_HTML_SNIFF.findall(head)) < MIN_KNOWN_TAGS:
        return False
    marked = _ANY_TAG.sub(_tag_marks, _CODE_ELEMENT.sub("<script>", head.replace(_TAG_MARK, "")))
    lines = [line for line in marked.splitlines() if line.strip()]
    tagged = sum(1 for line in lines if _TAG_MARK in line)
    least = MIN_TAGGED_LINES_AFTER_LEADING_TAG if starts_with_tag else MIN_TAGGED_LINES
    return bool(lines) and tagged >= least * len(lines)


def collapse_whitespace(text: str) -> str:
    """Collapse every whitespace run (zero-width spaces included) to one space and strip."""
    return _collapse_piece(text).strip()


#: A list item's mark as Resiliparse's ``extract_plain_text`` writes it by default (and
#: html2text a nested ordered item): after an indent of two spaces or more (two per level), a
#: bullet or a number with a full stop, then a space. A dump's lines and lines cut at every tag
#: are stripped, so have no indent: a bullet they start with is the page's own text, kept.
_INDENTED_LIST_MARK = re.compile(r"^( {2,})(?:\u2022|\d{1,3}\.) (?=\S)")


def _without_list_marks(lines: list[str]) -> list[str]:
    """The lines with each indented list item's mark taken off (its indent kept): a writer's
    mark, not the page's text, which makes an article's list read like a menu of links."""
    return [_INDENTED_LIST_MARK.sub(r"\1", line) if line.startswith("  ") else line for line in lines]


def text_to_lines(
    text: str, max_lines: int | None = None, unwrap_wrapped: bool = True, read_markdown: bool = True
) -> list[Line]:
    """Split plain text into lines, one per non-blank input line: :func:`read_text`'s lines."""
    return read_text(text, max_lines, unwrap_wrapped, read_markdown)[0]


def read_text(
    text: str, max_lines: int | None = None, unwrap_wrapped: bool = True, read_markdown: bool = True
) -> tuple[list[Line], bool]:
    """Split plain text into lines, one per non-blank input line, and say whether the text
    was read as Markdown.

    Blank input lines are not lines of their own; they set ``blank_before`` on the next one.
    With ``unwrap_wrapped``, hard-wrapped text (every paragraph broken at a fixed width) is
    first rejoined into one line per block (:func:`boilerml.unwrap.unwrap`); without it every
    input line is a block, as written. With ``read_markdown``, a text that looks like Markdown
    is read as the text it renders to (:func:`boilerml.markdown.rendered`). Other text, with
    ``unwrap_wrapped``, has its indented list items' marks taken off (Resiliparse's bullets
    and numbers) and the blocks that were cut at every tag rejoined
    (:func:`boilerml.fragments.rejoined`). Last, with ``unwrap_wrapped``, when lines of prose
    too wide for the model make up most of the text (:func:`boilerml.sentences.lines_to_cut`),
    each is read as pieces cut at sentence ends (:func:`boilerml.sentences.line_pieces`), each
    a line of its own (``continues`` after the first).

    Returns:
        The lines, and whether the text was read as Markdown (a model's Markdown passes
        then classify them, :func:`boilerml.pipeline.classify`).

    Raises:
        TooManyLinesError: there are more than ``max_lines`` lines (when given).
    """
    lines: list[Line] = []
    blank_before = False
    raw_lines = text.splitlines()
    if unwrap_wrapped:
        raw_lines = unwrap(raw_lines)  # widths are those of the text as it was wrapped
    as_markdown = read_markdown and markdown.looks_like_markdown(raw_lines)
    if as_markdown:
        raw_lines = markdown.render(raw_lines)
    elif unwrap_wrapped:
        raw_lines = _without_list_marks(raw_lines)
        pieces, raw_lines = raw_lines, fragments.rejoined(raw_lines)
        if raw_lines is not pieces:
            logger.debug("text read as cut at every tag: %d lines into %d", len(pieces), len(raw_lines))
    cleaned_lines = [collapse_whitespace(raw) for raw in raw_lines]
    to_cut = lines_to_cut(cleaned_lines) if unwrap_wrapped else set()
    for number, cleaned in enumerate(cleaned_lines):
        if not cleaned:
            blank_before = True
            continue
        for order, piece in enumerate(line_pieces(cleaned) if number in to_cut else (cleaned,)):
            if max_lines is not None and len(lines) >= max_lines:
                raise TooManyLinesError(max_lines)
            lines.append(Line(piece, len(lines), blank_before=blank_before, continues=order > 0))
            blank_before = False
    return lines, as_markdown


class _RepeatedUnits:
    """Finds runs of sibling blocks of one kind, each holding several lines, during the walk.

    Siblings are of one kind when they share their tag and the first token of their class
    with digits removed (``li class="comment even depth-1"`` and ``li class="comment odd"``
    match). Every line inside such a run learns how many blocks the run has; a line inside
    several runs (a reply within a thread within a listing) keeps the largest count.
    """

    def __init__(self) -> None:
        # One frame per open block element: [first line index, kind, its children's runs by
        # kind (None until one closes)]; blocks of no kind ("") are not recorded as runs.
        self._frames: list[list] = [[0, "", None]]
        self._spans: list[tuple[int, int, int]] = []

    def open(self, tag: str, classes: str, line_count: int) -> None:
        """A block element starts; ``classes`` is its class attribute (lower-cased, or "")."""
        kind = ""
        if tag in _POST_TAGS or (classes and tag in _CLASSED_POST_TAGS):
            first = classes.split(None, 1)[0] if classes and not classes.isspace() else ""
            if first or tag in _POST_TAGS:
                kind = f"{tag}.{_DIGITS.sub('', first)}"
        self._frames.append([line_count, kind, None])

    def close(self, line_count: int) -> None:
        start, kind, children = self._frames.pop()
        if children is not None:
            for runs in children.values():
                units = len(runs)
                total = sum(end - begin for begin, end in runs)
                if units >= 2 and MIN_LINES_PER_UNIT * units <= total <= MAX_LINES_PER_UNIT * units:
                    self._spans.extend((begin, end, units) for begin, end in runs)
        if kind and line_count > start:
            parent = self._frames[-1]
            if parent[2] is None:
                parent[2] = {}
            parent[2].setdefault(kind, []).append((start, line_count))

    def counts(self, n_lines: int) -> list[int]:
        """Per line, the number of blocks in the largest run holding it (0 outside any run)."""
        counts = [0] * n_lines
        for begin, end, units in self._spans:
            for index in range(begin, min(end, n_lines)):
                if counts[index] < units:
                    counts[index] = units
        return counts


def _collapse_piece(text: str) -> str:
    """``text`` with each whitespace run (zero-width spaces included) made one space, kept at
    either end: what ``_WHITESPACE.sub(" ", text)`` gives, about twice as fast on the text
    pieces of real pages. ``str.split`` splits on exactly the characters ``\\s`` matches
    (checked over every code point), so only the rare text with a zero-width space needs
    the regex."""
    if not text.isascii() and _ZERO_WIDTH.search(text):
        return _WHITESPACE.sub(" ", text)
    collapsed = " ".join(text.split())
    if not collapsed:
        return " " if text else ""
    if text[0].isspace():
        collapsed = " " + collapsed
    if text[-1].isspace():
        collapsed += " "
    return collapsed


class _LineBuilder:
    """Accumulates inline text until a block boundary, then records one line.

    Whitespace is collapsed as pieces arrive, so that ``link_chars`` counts exactly the
    characters of the final ``Line.text`` that came from inside links. The lines are made
    by :meth:`lines`, once the walk has found their runs of repeated units.
    """

    def __init__(self, max_lines: int | None = None) -> None:
        self.max_lines = max_lines
        #: One per line: (text, blank_before, link_chars, dom_flags, (tag, depth, path)).
        self.rows: list[tuple[str, bool, int, int, tuple[str, int, str]]] = []
        self._pieces: list[str] = []
        self._ends_with_space = True  # drop leading whitespace of the line
        self._link_chars = 0
        self._trailing_space_in_link = False
        self._flags = 0
        self._context: tuple[str, int, str] | None = None
        self._blank_before = False

    def add_preformatted(self, text: str, in_link: bool, flags: int, context: tuple[str, int, str]) -> None:
        """Add an element's text or tail inside ``<pre>``, where each newline ends a line."""
        first, *rest = text.split("\n")
        self.add(first, in_link, flags, context)
        for part in rest:
            self.flush(paragraph_break=False)
            self.add(part, in_link, flags, context)

    def add(self, text: str, in_link: bool, flags: int, context: tuple[str, int, str]) -> None:
        """Add an element's text or tail (outside ``<pre>``) to the current line."""
        if not text:
            return
        if self._context is None:
            if text.isspace():
                return
            self._context = context
        piece = _collapse_piece(text)
        if self._ends_with_space and piece.startswith(" "):
            piece = piece[1:]
        if not piece:
            return
        self._pieces.append(piece)
        self._ends_with_space = piece.endswith(" ")
        self._flags |= flags
        if in_link:
            self._link_chars += len(piece)
        self._trailing_space_in_link = in_link and self._ends_with_space

    def flush(self, paragraph_break: bool = True) -> None:
        if self._context is not None:  # else nothing was added since the last flush
            cleaned = "".join(self._pieces)
            if self._ends_with_space:
                cleaned = cleaned[:-1]
                self._link_chars -= self._trailing_space_in_link
            if cleaned:
                if self.max_lines is not None and len(self.rows) >= self.max_lines:
                    raise TooManyLinesError(self.max_lines)
                self.rows.append((cleaned, self._blank_before, self._link_chars, self._flags, self._context))
                self._blank_before = False
            self._pieces.clear()
            self._ends_with_space = True
            self._link_chars = 0
            self._trailing_space_in_link = False
            self._flags = 0
            self._context = None
        if paragraph_break:
            self._blank_before = True

    def lines(self, repeated_units: list[int]) -> list[Line]:
        """The recorded lines; ``repeated_units`` holds one count per line."""
        return [
            Line(text, index, blank_before, tag, link_chars, depth, flags, path, units)
            for index, ((text, blank_before, link_chars, flags, (tag, depth, path)), units) in enumerate(
                zip(self.rows, repeated_units, strict=True)
            )
        ]


def _parse_html(text: str) -> etree._Element | None:
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=False, recover=True, huge_tree=True)
    # lxml refuses str input that carries an XML encoding declaration, so hand it UTF-8 bytes.
    data = text.encode("utf-8", errors="replace")
    try:
        root = etree.fromstring(data, parser)
    except (etree.ParserError, ValueError):
        return None
    for error in parser.error_log.filter_from_fatals():
        # In recovery mode libxml2 keeps what it parsed before a fatal error (in practice:
        # nesting deeper than its limit of 2048 elements) and silently drops the rest.
        logger.warning(
            "HTML parsing stopped at line %d, column %d (%s); the text after it is lost",
            error.line,
            error.column,
            error.message.strip(),
        )
    return root


def html_to_lines(text: str, max_lines: int | None = None, repair: bool = True) -> list[Line]:
    """Segment an HTML document into block lines with their DOM context.

    Two repairs read pages whose text a plain reading loses whole:

    - ``<noscript>`` is dropped, like scripts, unless it holds nearly all of the page's text
      (:data:`NOSCRIPT_SHELL_RATIO`): forum software that renders its posts with JavaScript
      (Discourse, Flarum) sends the whole page for readers without it inside ``<noscript>``;
      elsewhere it holds notices ("enable JavaScript"), tracking pixels, or a gallery's
      captions beside the article (benchmarks/experiments/exp99.md, exp100.md).
    - a ``<title>`` never closed takes the rest of the document as its text, as the HTML
      standard says (a browser shows an empty page); one longer than :data:`MAX_TITLE_CHARS`
      that holds markup is closed at its first line (exp101.md).

    Args:
        text: the decoded HTML.
        max_lines: raise :class:`TooManyLinesError` past this many lines (no limit: None).
        repair: False reads without the two repairs (as the shipped model's training pages
            were read).

    Returns:
        Lines in document order; empty when the page has no text.
    """
    root = _parse_html(text)
    if root is None:
        return []
    if repair:
        closed = _runaway_title_closed(text, root)
        repaired = None if closed is None else _parse_html(closed)
        if repaired is not None:
            root = repaired
    skipped_noscript: list[etree._Element] = []
    lines = _walk(root, max_lines, DROPPED_TAGS, skipped_noscript)
    if repair and _noscript_outweighs(skipped_noscript, lines):
        lines = _walk(root, max_lines, DROPPED_TAGS - {"noscript"}, [])
    return lines


def _runaway_title_closed(text: str, root: etree._Element) -> str | None:
    """``text`` with ``</title>`` put where the text of a ``<title>`` that was never closed first
    meets a line break or a ``<``; None when the head's title is an ordinary one."""
    title = root.find("head/title")
    if title is None or title.text is None or len(title.text) <= MAX_TITLE_CHARS or "<" not in title.text:
        return None
    opened = _TITLE_OPEN.search(text)
    if opened is None:
        return None
    ends = [end for end in (text.find("\n", opened.end()), text.find("<", opened.end())) if end >= 0]
    if not ends:
        return None
    return text[: min(ends)] + "</title>" + text[min(ends) :]


def _non_space_chars(text: str) -> int:
    return len(text) - sum(text.count(space) for space in " \t\n\r")


def _noscript_outweighs(noscripts: list[etree._Element], lines: list[Line]) -> bool:
    """Whether the skipped ``<noscript>`` elements hold at least :data:`NOSCRIPT_SHELL_RATIO`
    times the text (non-space characters, their scripts' and styles' included) of the lines
    read without them."""
    if not noscripts:
        return False
    inside = sum(_non_space_chars(piece) for element in noscripts for piece in element.itertext())
    if inside == 0:  # tracking pixels: the usual case, decided without counting the lines
        return False
    return inside >= NOSCRIPT_SHELL_RATIO * sum(_non_space_chars(line.text) for line in lines)


def _walk(
    root: etree._Element,
    max_lines: int | None,
    dropped: frozenset[str],
    skipped_noscript: list[etree._Element],
) -> list[Line]:
    """:func:`html_to_lines`'s reading of a parsed page, dropping the subtrees of ``dropped``
    tags and appending the ``<noscript>`` elements it drops to ``skipped_noscript``."""
    # This page's class/id strings, however long (a long utility-class list often repeats on
    # every item of a page); the memo behind _class_id_bits keeps the short ones across pages.
    class_id_bits: dict[str, int] = {}
    builder = _LineBuilder(max_lines)
    # One frame per open element: (tag, inherited flags, link depth, block context).
    stack: list[tuple[str, int, int, tuple[str, int, str]]] = [("", 0, 0, ("", 0, ""))]
    tags: list[str] = []
    pre_depth = 0
    repeated = _RepeatedUnits()
    # Bound once: the loop runs once per element and is most of the stage's time.
    add, add_preformatted, flush, rows = builder.add, builder.add_preformatted, builder.flush, builder.rows
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event == "start":
            # A "start" is always an element (comments and processing instructions have
            # their own events), whose tag libxml2's HTML parser has lower-cased.
            tag = element.tag
            if tag in dropped:
                if tag == "noscript":
                    skipped_noscript.append(element)
                walker.skip_subtree()
                stack.append((tag, 0, 0, stack[-1][3]))
                tags.append(tag)
                continue
            _, flags, links, context = stack[-1]
            flags |= _TAG_BITS.get(tag, 0)
            classes = ""
            attributes = element.attrib
            if attributes:  # a quarter of elements have none (200 dev pages): no lookups
                classes = attributes.get("class", "").lower()
                class_id = f"{classes} {attributes.get('id', '').lower()}"
                if len(class_id) > 1:
                    bits = class_id_bits.get(class_id)
                    if bits is None:
                        bits = class_id_bits[class_id] = _class_id_bits(class_id)
                    flags |= bits
                style = attributes.get("style")
                if (
                    attributes.get("hidden") is not None
                    or attributes.get("aria-hidden") == "true"
                    or (style and _HIDDEN_STYLE.search(style))
                ):
                    flags |= _HIDDEN_BIT
            if tag == "a":
                links += 1
            tags.append(tag)
            if tag in BLOCK_TAGS:
                flush()
                context = (tag, len(tags) - 1, "/".join(tags[-MAX_PATH_TAGS:]))
                repeated.open(tag, classes, len(rows))
                if tag == "pre":
                    pre_depth += 1
            elif tag == "br":
                flush(paragraph_break=False)
            stack.append((tag, flags, links, context))
            text = element.text
            if text:
                if pre_depth and "\n" in text:
                    add_preformatted(text, links > 0, flags, context)
                else:
                    add(text, links > 0, flags, context)
        else:
            if event == "end":
                stack.pop()
                closed = tags.pop()
                if closed in BLOCK_TAGS:
                    if closed == "pre":
                        pre_depth -= 1
                    flush()
                    repeated.close(len(rows))
            tail = element.tail  # an element's, a comment's or a processing instruction's
            if tail:
                _, flags, links, context = stack[-1]
                if pre_depth and "\n" in tail:
                    add_preformatted(tail, links > 0, flags, context)
                else:
                    add(tail, links > 0, flags, context)
    flush()
    return builder.lines(repeated.counts(len(rows)))


def resolve_format(text: str, input_format: InputFormat) -> Literal["html", "text"]:
    """Decide between HTML and text for ``input_format="auto"``; pass explicit choices through."""
    if input_format == "auto":
        return "html" if looks_like_html(text) else "text"
    if input_format not in ("html", "text"):
        raise ValueError(f"input_format must be 'auto', 'html' or 'text', not {input_format!r}")
    return input_format


def segment(
    text: str,
    input_format: Literal["html", "text"],
    max_lines: int | None = None,
    unwrap_wrapped: bool = True,
    read_markdown: bool = True,
) -> list[Line]:
    """Cut decoded text into lines: :func:`html_to_lines` or :func:`text_to_lines`
    (``unwrap_wrapped`` and ``read_markdown`` apply to text).

    Raises:
        TooManyLinesError: there are more than ``max_lines`` lines (when given).
    """
    return segment_with_markdown_flag(text, input_format, max_lines, unwrap_wrapped, read_markdown)[0]


def segment_with_markdown_flag(
    text: str,
    input_format: Literal["html", "text"],
    max_lines: int | None = None,
    unwrap_wrapped: bool = True,
    read_markdown: bool = True,
) -> tuple[list[Line], bool]:
    """:func:`segment`'s lines, and whether the text was read as Markdown (:func:`read_text`;
    never for HTML): one reading of the text answers both."""
    if input_format == "html":
        return html_to_lines(text, max_lines), False
    return read_text(text, max_lines, unwrap_wrapped, read_markdown)
