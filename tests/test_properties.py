"""Properties of the whole pipeline over generated pages (hypothesis).

decode → segment → features → classify → reassemble, on generated HTML (well-formed trees
and tag soup) and plain text:

* every non-blank input line gets exactly one label;
* the probabilities of each line are the four labels' and sum to 1, the label is the most
  probable, and no feature is NaN or infinite;
* the cleaned text consists only of input lines, in order (for any ``keep`` and threshold);
* the same input always gives the same output;
* ``str`` and bytes input agree (UTF-8, UTF-8 with a BOM, UTF-16 with a BOM).

Binary-looking input raising :class:`BinaryInputError` is an allowed outcome where the
generator can produce it (arbitrary characters), and then the other input form must raise it
too. Example counts are modest to keep the suite fast (``BOILERML_HYPOTHESIS_EXAMPLES`` raises
them); the fuzzer (benchmarks/fuzz.py) runs long.
"""

from __future__ import annotations

import json
import math
import os
import re

import numpy as np
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import boilerml
from boilerml.decode import BinaryInputError, decode
from boilerml.features import extract_features, feature_names
from boilerml.lines import LABELS, LabelledLine
from boilerml.reassemble import to_json, to_text
from boilerml.segment import collapse_whitespace, html_to_lines, resolve_format, text_to_lines

#: Examples per property; BOILERML_HYPOTHESIS_EXAMPLES=2000 for a long hunt.
EXAMPLES = int(os.environ.get("BOILERML_HYPOTHESIS_EXAMPLES", "80"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_WORDS = (
    "the council met on Monday to agree the budget , . ! ? : Home News Sport Share Reply "
    "Advertisement Subscribe Copyright © 2026 Read more 首页 新闻 广告 回复 评论 返回顶部 "
    "这是 一个 关于 经济 的 报道 。 ， & &amp; &nbsp; &lt; &#x4e2d; > < | » ... 12:30 a@b.com"
)
WORDS = tuple(_WORDS.split())
ATTRIBUTES = (
    "",
    ' class="nav"',
    ' class="article-body"',
    ' id="comments"',
    ' class="ad-slot"',
    ' style="display:none"',
    ' href="/x"',
    " hidden",
    " class='footer menu'",
)
_CONTAINERS = (
    "p div span a li ul ol h1 h2 b i em strong nav footer header aside article section "
    "blockquote pre table tr td th form label button time address figure figcaption"
)
CONTAINERS = tuple(_CONTAINERS.split())
VOID_OR_DROPPED = ("<br>", "<hr>", "<img src=x>", "<script>var s = '<p>x</p>';</script>", "<!-- c -->")
META = (
    "",
    "<meta charset=utf-8>",
    "<meta charset=gbk>",
    '<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">',
)

phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)
#: Characters a page may hold, without the control characters that make input binary and
#: the NULs that make bytes UTF-16 (both tested in test_bad_input), and without surrogates,
#: which bytes cannot hold (test_lone_surrogates_read_as_replacement_characters).
page_chars = st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\t\n\r ")
free_text = st.text(page_chars, max_size=40)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attributes, kids: f"<{tag}{attributes}>{''.join(kids)}</{tag}>",
        st.sampled_from(CONTAINERS),
        st.sampled_from(ATTRIBUTES),
        st.lists(children, max_size=4),
    )


node = st.recursive(phrase | free_text | st.sampled_from(VOID_OR_DROPPED), _element, max_leaves=60)
tree_pages = st.builds(
    lambda meta, body: f"<html><head>{meta}<title>t</title></head><body>{''.join(body)}</body></html>",
    st.sampled_from(META),
    st.lists(node, max_size=12),
)
#: Tag soup: open and close tags in any order, unclosed and stray, with text between.
soup_pages = st.lists(
    st.one_of(
        st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(CONTAINERS), st.sampled_from(ATTRIBUTES)),
        st.builds(lambda t: f"</{t}>", st.sampled_from(CONTAINERS)),
        phrase,
        free_text,
        st.sampled_from(VOID_OR_DROPPED),
    ),
    max_size=80,
).map(lambda parts: "<html><body>" + "".join(parts))
html_pages = tree_pages | soup_pages
text_pages = st.lists(st.one_of(st.just(""), phrase, free_text), max_size=60).map("\n".join)
pages = st.tuples(html_pages, st.sampled_from(["html", "auto"])) | st.tuples(
    text_pages, st.sampled_from(["text", "auto"])
)


def _outcome(page: str | bytes, input_format: str) -> list[LabelledLine] | str:
    """The labelled lines, or the kind of binary data the page was refused as."""
    try:
        return boilerml.classify(page, input_format=input_format)
    except BinaryInputError as error:
        return error.kind


def _input_lines(page: str, input_format: str) -> list[str]:
    """What counts as the page's lines: non-blank text lines, or the segmented HTML blocks."""
    text = decode(page).text
    if resolve_format(text, input_format) == "html":
        return [line.text for line in html_to_lines(text)]
    return [cleaned for cleaned in map(collapse_whitespace, text.splitlines()) if cleaned]


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    remaining = iter(whole)
    return all(any(item == candidate for candidate in remaining) for item in part)


@SETTINGS
@given(pages)
@example(("Home | News\nThe council met on Monday.\n\n  \nShare", "text"))
def test_every_non_blank_line_gets_exactly_one_label(case):
    page, input_format = case
    labelled = _outcome(page, input_format)
    if isinstance(labelled, str):  # refused as binary data: nothing to label
        return
    assert [line.text for line in labelled] == _input_lines(page, input_format)
    for line in labelled:
        assert line.label in LABELS
        assert line.line is not None and line.line.text == line.text


@SETTINGS
@given(pages)
def test_probabilities_are_a_distribution_over_the_labels(case):
    page, input_format = case
    labelled = _outcome(page, input_format)
    if isinstance(labelled, str):
        return
    for line in labelled:
        assert tuple(line.probabilities) == LABELS
        assert all(0.0 <= p <= 1.0 for p in line.probabilities.values())
        assert math.isclose(sum(line.probabilities.values()), 1.0, abs_tol=1e-6)
        assert line.probability == max(line.probabilities.values())


@SETTINGS
@given(pages)
def test_features_are_finite_and_shaped_by_mode(case):
    page, input_format = case
    text = decode(page).text
    mode = resolve_format(text, input_format)
    lines = html_to_lines(text) if mode == "html" else text_to_lines(text)
    matrix = extract_features(lines, mode)
    assert matrix.shape == (len(lines), len(feature_names(mode)))
    assert np.isfinite(matrix).all()


@SETTINGS
@given(
    pages,
    st.sampled_from([("content",), ("content", "comment"), ("navigation", "ad"), LABELS]),
    st.none() | st.floats(0.0, 1.0),
)
def test_cleaned_text_is_input_lines_in_order(case, keep, threshold):
    page, input_format = case
    try:
        cleaned = boilerml.clean(page, input_format=input_format, keep=keep, threshold=threshold)
    except BinaryInputError:
        return
    kept = cleaned.split("\n") if cleaned else []
    assert _is_subsequence(kept, _input_lines(page, input_format))
    if threshold == 0.0:  # every line passes a zero threshold
        assert kept == _input_lines(page, input_format)


@SETTINGS
@given(pages)
def test_same_input_same_output(case):
    page, input_format = case
    first = _outcome(page, input_format)
    assert _outcome(page, input_format) == first
    if not isinstance(first, str):
        assert to_text(first) == to_text(_outcome(page, input_format))


@SETTINGS
@given(pages, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
@example(("\ufeff<p>A paragraph after a byte-order mark read as a character.</p>", "html"), "utf-8")
@example(("\ufeff<p>one tag only, sniffed</p>", "auto"), "utf-8")
def test_str_and_bytes_agree(case, codec):
    page, input_format = case
    data = page.encode(codec)  # utf-8-sig and utf-16 write a byte-order mark
    from_str = _outcome(page, input_format)
    from_bytes = _outcome(data, input_format)
    assert from_bytes == from_str
    if not isinstance(from_str, str):
        assert boilerml.clean(data, input_format=input_format) == to_text(from_str)


@SETTINGS
@given(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300),
    st.sampled_from(["html", "auto"]),
)
def test_str_and_utf8_bytes_agree_on_any_characters(page, input_format):
    """Control characters included, so that refusing binary data must agree too (NULs are
    left out: bytes with a NUL in every other place are UTF-16 by the browsers' rule)."""
    assert _outcome(page.encode("utf-8"), input_format) == _outcome(page, input_format)


@SETTINGS
@given(
    st.lists(st.text(page_chars, max_size=20) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
    st.sampled_from(["html", "text"]),
)
def test_lone_surrogates_read_as_replacement_characters(pieces, input_format):
    page = "".join(pieces)
    assume(not re.search("[\ud800-\udbff][\udc00-\udfff]", page))  # a split pair is joined instead
    replaced = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in page)
    assert _outcome(page, input_format) == _outcome(replaced, input_format)


@SETTINGS
@given(st.text(page_chars, max_size=200), st.sampled_from(["utf-8-sig", "utf-16", "utf-32"]))
def test_decode_reads_any_text_behind_a_byte_order_mark(text, codec):
    assert decode(text.encode(codec)).text == text


@SETTINGS
@given(pages)
def test_json_output_round_trips(case):
    page, input_format = case
    labelled = _outcome(page, input_format)
    if isinstance(labelled, str):
        return
    payload = json.loads(to_json(labelled).encode("utf-8"))
    assert payload["text"] == to_text(labelled)
    assert [line["text"] for line in payload["lines"]] == [line.text for line in labelled]
    assert [line["label"] for line in payload["lines"]] == [line.label for line in labelled]


def test_generators_reach_real_pages():
    """The strategies make pages with many lines, in both modes, and ones that sniff as HTML:
    a guard against a generator that only makes tiny pages and so vacuous properties."""
    line_counts: list[int] = []
    modes: set[tuple[str, str]] = set()

    @settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(pages)
    def draw(case: tuple[str, str]) -> None:
        page, input_format = case
        line_counts.append(len(_input_lines(page, input_format)))
        modes.add((input_format, resolve_format(page, input_format)))

    draw()
    assert max(line_counts) >= 20
    assert sum(count >= 5 for count in line_counts) >= 20
    assert modes == {("html", "html"), ("text", "text"), ("auto", "html"), ("auto", "text")}
    assert _is_subsequence(["a", "c"], ["a", "b", "c"])
    assert not _is_subsequence(["c", "a"], ["a", "b", "c"])
