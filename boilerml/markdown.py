"""Markdown read as the text it renders to (stage 2, text input).

Many scrapers hand pages on as Markdown (html2text, markdownify, reader services that feed
language models). Its markup changes what a line looks like: a menu entry becomes
``* [News](https://example.com/news/)``, long with a URL; a heading gains ``## ``; a
paragraph carries the addresses of its links. The model learnt what lines look like in text
as a browser shows it, so when a text looks like Markdown its lines are reduced to that
text first: links and images to their text (images to nothing, as a browser shows no alt
text), headings, list markers, quotes and emphasis to their words, rules, heading underlines
and table borders to nothing, backslash escapes to the character, and a table row to one
line per cell (a converter writes a whole HTML table row on one line, so a page laid out
with a table would otherwise be one line holding its menu, its article and its sidebar).

A text counts as Markdown when it has at least :data:`MIN_MARKDOWN_LINKS` inline links or
images (``[text](target)``), which plain prose practically never has: a web page rendered
to Markdown has dozens; or a table's border row (``| --- | --- |``), which a converter writes
under every table's first row, links or not. Otherwise it is returned unchanged.
"""

from __future__ import annotations

import re

#: Inline links and images (``[text](target)`` or ``![alt](target)``) a text needs to be
#: read as Markdown. A page's menu alone has more; prose quoting one link is not Markdown.
MIN_MARKDOWN_LINKS = 3

# A strict link target, for what :func:`looks_like_markdown` counts (prose with brackets does
# not count) and for line-by-line rendering: no spaces or parentheses, or one level of
# balanced parentheses (Wikipedia addresses), then an optional quoted title. Links over
# several lines are read more loosely (``_SPANNING_LINK`` below).
_TARGET = r"\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\"|\s+'[^']*')?\s*\)"
# An image's alt text may hold brackets in matched pairs, one level deep, as a link's text may
# (CommonMark allows no unmatched ones). Stopping at an unmatched ``[`` also keeps a long run
# of ``![`` that never closes linear: with ``[^\]]*`` each opener scanned to the line's end.
_IMAGE = re.compile(rf"!\[(?:[^\[\]]|\[[^\[\]]*\])*\]{_TARGET}")
_LINK = re.compile(rf"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]{_TARGET}")
#: A reference definition (``[1]: https://...``): a line of its own that no browser shows.
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
# The closing hashes are looked for only from the start of a run of spaces (not from every
# space in it), so that a long run costs one pass.
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s+|$)|(?<!\s)\s+#+\s*$")
_LIST_MARKER = re.compile(r"^\s*[*+-]\s+")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
#: A thematic break (``* * *``, ``---``), a heading's underline (``===``, ``---``: the default
#: of markdownify) or a table's border row (``|---|:--:|``), matched whole against a stripped
#: line (:func:`_is_rule`): with the line's own leading and trailing ``\s*`` beside the
#: pattern's, a long line of spaces backtracked over every split between them (80,000 spaces
#: and a letter took 54 s).
_RULE = re.compile(r"(?:[*_-]\s*){3,}|={3,}|\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")
#: Strong emphasis (``**word**``, ``__word__``). The words inside may not start or end with
#: the delimiter's own character, so that a run of underscores (a form's blank to fill,
#: ``______``) stays as written; ``__`` also neither opens nor closes next to a letter or digit.
#: The words inside never hold the delimiter itself, so an opener is tried only as far as the
#: next delimiter: a long line of openers that never close costs linear time, not quadratic
#: (an 80,000-character line of ``**a `` took 16 s with ``.+?``).
_STRONG_STARS = re.compile(r"\*\*(?=[^\s*])((?:(?!\*\*).)+?)(?<=[^\s*])\*\*")
_STRONG_UNDERSCORES = re.compile(r"(?<![\w\\])__(?=[^\s_])((?:(?!__).)+?)(?<=[^\s_])__(?!\w)")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
#: Emphasis written with underscores (``_word_``: html2text's and Turndown's default). As in
#: CommonMark, an underscore next to a letter or digit neither opens nor closes it, so
#: ``snake_case_name`` stays as written (``\w`` includes the underscore itself), and an
#: escaped one (``\_``) is a character, not a delimiter.
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w\\])_(?=\S)([^_]+?)(?<=[^\s\\])_(?!\w)")
#: Emphasis marks around nothing, where a browser shows nothing: html2text writes an empty
#: ``<b>`` as ``****`` (read as a space before any emphasis, as it often stands between two
#: words: ``and****x``) and an empty ``<i>`` (an icon font's glyph) as ``__``, glued to the
#: next word (``__Home``). The ``__`` left once emphasis with words inside is read goes,
#: unless it joins two words (``a__b``), is escaped or is part of a longer run (``______``).
_EMPTY_STRONG = re.compile(r"\*{4}")
_LEFTOVER_UNDERSCORES = re.compile(r"(?<![\w\\])__(?!_)|(?<=[^\W_])__(?!\w)")
_CODE = re.compile(r"`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
#: An autolink (``<https://example.com>``). As in CommonMark, the address holds no ``<``: a run
#: of openers that never close then costs linear time (with ``[^>\s]`` each scanned to the
#: line's end).
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
#: A table row as converters write it (GitHub's pipe tables): a line that starts with a
#: pipe; its cells are separated by pipes that no backslash escapes.
_TABLE_ROW = re.compile(r"^\s*\|")
_CELL_BORDER = re.compile(r"(?<!\\)\|")
#: A line ending with a cell border: the last line of a row broken over lines (see
#: :func:`_broken_row_lines`).
_ENDS_WITH_CELL_BORDER = re.compile(r"(?<!\\)\|\s*$")
#: A table's border row, matched whole against a stripped line: two cells or more between
#: pipes (``---|:---:``, ``| --- | --- |``), or one cell with both outer pipes (``| --- |``).
#: Of 5,298 train pages' text dumps that have fewer than three links, none holds one.
_TABLE_BORDER = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?|\|\s*:?-{3,}:?\s*\|")
#: Where two blocks inside a table cell meet. markdownify writes a cell's blocks (paragraphs,
#: divs, lists) as inline text on the row's line, each padded with a space on both sides, so
#: two blocks meet at two spaces or more. HTML collapses the spaces inside a block's own text,
#: but a block is cut too where an inline element starts or ends with a space (markdownify
#: writes ``<b>word </b> next`` as ``**word**  next``) and at a run of non-breaking or
#: ideographic spaces; exp74's figures are with those cuts. A cell is read as one line per
#: block, as a text dump gives them.
_CELL_BLOCK_BREAK = re.compile(r"\s{2,}")

#: Characters a link's text or target may span once a text is known to be Markdown: a
#: link written across lines is seldom longer, and the bound keeps a stray bracket from
#: costing more than that much scanning.
MAX_LINK_CHARS = 2000
# Converters write a link's address as the page had it, so once a text is Markdown (see
# :func:`looks_like_markdown`) a target may hold spaces (``javascript:search('a b')``),
# parentheses two deep (``javascript:void(window.open('...'))``), single line breaks, and a
# quoted title running over several lines (a ``title`` attribute holding a teaser
# paragraph); a link's text may run over several lines too. Outside quotes, a blank line
# still ends a target. These are matched on the whole text, not line by line.
_BALANCED = r"\((?:[^()\n]|\([^()\n]*\))*\)"
_TARGET_PIECE = rf'[^()"\n]|\n(?!\n)|"[^"]{{0,{MAX_LINK_CHARS}}}"|{_BALANCED}'
_SPANNING_TARGET = rf"\((?:{_TARGET_PIECE}){{0,{MAX_LINK_CHARS}}}\)"
_SPANNING_IMAGE = re.compile(rf"!\[[^\[\]]{{0,{MAX_LINK_CHARS}}}\]{_SPANNING_TARGET}")
_SPANNING_LINK = re.compile(rf"\[((?:[^\[\]]|\[[^\[\]]*\]){{0,{MAX_LINK_CHARS}}})\]{_SPANNING_TARGET}")


def looks_like_markdown(lines: list[str]) -> bool:
    """Whether the text has :data:`MIN_MARKDOWN_LINKS` inline links or images or more, or a
    table's border row."""
    found = 0
    for line in lines:
        if "](" in line:
            found += len(_LINK.findall(line)) + len(_IMAGE.findall(line))
            if found >= MIN_MARKDOWN_LINKS:
                return True
        if "|" in line and "---" in line and _TABLE_BORDER.fullmatch(line.strip()):
            return True
    return False


def _is_rule(line: str) -> bool:
    """Whether the line is a thematic break, a heading's underline or a table's border row."""
    return _RULE.fullmatch(line.strip()) is not None


def rendered_line(line: str) -> str:
    """One Markdown line as the text it renders to ("" for a line that renders to nothing)."""
    if _REFERENCE.match(line) or _is_rule(line):
        return ""
    # Each pattern is tried only on a line holding a character it cannot match without: the
    # same text, and :func:`rendered` in a quarter of the time (most lines hold no emphasis,
    # heading or code mark; markdownify's Markdown of 300 dev pages, 4.75 ms a page -> 1.15).
    if "[" in line:
        line = _IMAGE.sub("", line)
        line = _LINK.sub(r"\1", line)
    if "<" in line:
        line = _AUTOLINK.sub(r"\1", line)
    line = _QUOTE.sub("", line)
    line = _LIST_MARKER.sub("", line)  # before the heading: a list item may hold one
    if "#" in line:
        line = _HEADING.sub("", line)
    if "*" in line:
        line = _EMPTY_STRONG.sub(" ", line)
        line = _STRONG_STARS.sub(r"\1", line)
    if "_" in line:
        line = _STRONG_UNDERSCORES.sub(r"\1", line)
    if "*" in line:
        line = _EMPHASIS.sub(r"\1", line)
    if "_" in line:
        line = _UNDERSCORE_EMPHASIS.sub(r"\1", line)
        line = _LEFTOVER_UNDERSCORES.sub("", line)
    if "`" in line:
        line = _CODE.sub("", line)
    if "\\" in line:
        line = _ESCAPE.sub(r"\1", line)
    return line


def rendered(lines: list[str]) -> list[str]:
    """A Markdown text's lines as the text they render to; other text's lines unchanged.

    Args:
        lines: the text's lines, without line ends.

    Returns:
        The same list when the text does not look like Markdown (:func:`looks_like_markdown`);
        otherwise a new list: each line rendered (:func:`rendered_line`), except that a table
        row (a line starting with ``|``, or the rest of a row broken over lines, see
        :func:`_broken_row_lines`) gives one line per non-empty block of each cell (see
        ``_CELL_BLOCK_BREAK``), as a text dump gives each block a line.
    """
    if not looks_like_markdown(lines):
        return lines
    return render(lines)


def render(lines: list[str]) -> list[str]:
    """A text's lines as the text they render to, as :func:`rendered` gives them, without its
    test of whether the text looks like Markdown: for a caller that has made that test."""
    out: list[str] = []
    # Links over several lines first; :func:`rendered_line` then still renders, line by line,
    # the links that pass refuses (a stray quote in an address, a ``data:`` image longer than
    # MAX_LINK_CHARS): on 133 converted train pages, 3 lines.
    text_lines = _without_links("\n".join(lines)).split("\n")
    broken_rows = _broken_row_lines(text_lines)
    for index, line in enumerate(text_lines):
        if (_TABLE_ROW.match(line) or index in broken_rows) and not _is_rule(line):
            cells = [
                rendered_line(block).strip()
                for cell in _CELL_BORDER.split(line.strip().strip("|"))
                for block in _CELL_BLOCK_BREAK.split(cell.strip())
            ]
            out += [cell for cell in cells if cell] or [""]
        else:
            out.append(rendered_line(line))
    return out


def _broken_row_lines(lines: list[str]) -> set[int]:
    """Indices of the lines that end a table row broken over lines: markdownify ends every
    cell with `` |`` but keeps a line break inside a cell (an inline code span holding one),
    so the row's later lines do not start with a pipe. Such a line ends with an unescaped pipe
    and stands in a paragraph (a run of non-blank lines) holding a border row written with
    outer pipes (``| --- |``; html2text writes its border rows without them, ``---|---``,
    and its tables are left as they were)."""
    found: set[int] = set()
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if index in seen or not line.lstrip().startswith("|") or not _is_rule(line):
            continue
        start = index
        while start > 0 and lines[start - 1].strip():
            start -= 1
        end = index
        while end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
        seen.update(range(start, end + 1))
        found.update(i for i in range(start, end + 1) if _ENDS_WITH_CELL_BORDER.search(lines[i]))
    return found


def _without_links(text: str) -> str:
    """The text with its images removed and its links reduced to their text, links that run
    over several lines and loosely written targets included; a line break inside a removed
    part is kept, so that the text keeps its number of lines."""

    def text_only(match: re.Match[str]) -> str:
        kept = match.group(1) if match.re is _SPANNING_LINK else ""
        return kept + "\n" * (match.group(0).count("\n") - kept.count("\n"))

    return _SPANNING_LINK.sub(text_only, _SPANNING_IMAGE.sub(text_only, text))
