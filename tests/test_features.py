"""Stage 3: lines to a feature matrix (boilerml.features)."""

from __future__ import annotations

import math
import re
import string

import numpy as np
import pytest

from boilerml import features as f
from boilerml.features import (
    DOM_BASE_NAMES,
    POSITION_NAMES,
    TEXT_BASE_NAMES,
    cue_vocabulary,
    dom_matrix,
    extract_features,
    feature_names,
    neighbour_matrix,
    position_matrix,
    text_matrix,
    window_mean_matrix,
)
from boilerml.lines import Line
from boilerml.segment import DOM_FLAGS, html_to_lines, text_to_lines

HTML = (
    "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/n'>News</a></li></ul></nav>"
    "<h1>A headline</h1><p>This is the first paragraph of the article. It has two sentences.</p>"
    "<p>这是第二段，记者表示今年的增长速度很快。</p><div class='ad'>Advertisement</div>"
    "<footer>Copyright 2024 Example</footer></body></html>"
)


def text_features(text: str, blank_before: bool = False) -> dict[str, float]:
    values = text_matrix([text], [blank_before], cue_vocabulary())
    assert values.shape == (1, len(TEXT_BASE_NAMES))
    return dict(zip(TEXT_BASE_NAMES, values[0].tolist()))


# --- shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["html", "text"])
def test_matrix_shape_matches_feature_names(mode):
    lines = html_to_lines(HTML)
    matrix = extract_features(lines, mode)
    assert matrix.shape == (len(lines), len(feature_names(mode)))
    assert matrix.dtype == np.float32
    assert np.isfinite(matrix).all()


def test_feature_names_are_unique_and_html_extends_text():
    html_names = feature_names("html")
    text_names = feature_names("text")
    assert len(set(html_names)) == len(html_names)
    assert html_names[: len(text_names)] == text_names
    assert len(html_names) > len(text_names)
    assert set(DOM_BASE_NAMES) <= set(html_names)
    assert not set(DOM_BASE_NAMES) & set(text_names)


def test_html_matrix_starts_with_the_text_matrix():
    lines = html_to_lines(HTML)
    html_matrix = extract_features(lines, "html")
    text_matrix = extract_features(lines, "text")
    np.testing.assert_array_equal(html_matrix[:, : text_matrix.shape[1]], text_matrix)


def test_text_mode_on_plain_text_lines():
    lines = text_to_lines("Home | News | Sports\n\nA long paragraph of prose, with commas, ends here.\n广告")
    matrix = extract_features(lines, "text")
    assert matrix.shape == (3, len(feature_names("text")))
    blank_col = feature_names("text").index("blank_before")
    assert matrix[:, blank_col].tolist() == [0.0, 1.0, 0.0]


@pytest.mark.parametrize("mode", ["html", "text"])
def test_empty_input_gives_zero_rows(mode):
    matrix = extract_features([], mode)
    assert matrix.shape == (0, len(feature_names(mode)))


@pytest.mark.parametrize("mode", ["html", "text"])
def test_single_line(mode):
    matrix = extract_features(html_to_lines("<p>Only line.</p>"), mode)
    assert matrix.shape == (1, len(feature_names(mode)))
    assert np.isfinite(matrix).all()


# --- text features ----------------------------------------------------------------------


def test_cjk_length_in_characters_and_tokens_per_character():
    f = text_features("中文abc 2016年")  # 11 characters; tokens 中 文 abc 2016 年
    assert f["log_chars"] == pytest.approx(math.log1p(11))
    assert f["log_tokens"] == pytest.approx(math.log1p(5))
    assert f["cjk_share"] == pytest.approx(3 / 11)
    assert f["mean_word_len"] == pytest.approx((3 + 4) / 2)  # spaced words only


def test_pure_chinese_line():
    f = text_features("返回顶部")
    assert f["log_chars"] == pytest.approx(math.log1p(4))
    assert f["log_tokens"] == pytest.approx(math.log1p(4))
    assert f["cjk_share"] == 1.0
    assert f["upper_share"] == 0.0


def test_cjk_punctuation_counted():
    f = text_features("我们，你们、他们。")
    assert f["ends_sentence"] == 1.0
    assert f["log_sentence_marks"] == pytest.approx(math.log1p(1))
    assert f["comma_per_token"] == pytest.approx(2 / 6)
    assert f["punct_share"] == pytest.approx(3 / 9)


def test_sentence_end_seen_through_closing_quotes():
    assert text_features("他说：“好。”")["ends_sentence"] == 1.0
    assert text_features('He said "fine."')["ends_sentence"] == 1.0
    assert text_features("No full stop here")["ends_sentence"] == 0.0
    assert text_features("分类：")["ends_with_colon"] == 1.0


def test_english_shape_features():
    f = text_features("Hello World, this is a test.")
    assert f["upper_share"] == pytest.approx(2 / 21)
    assert f["titlecase_share"] == pytest.approx(2 / 6)
    assert f["comma_per_token"] == pytest.approx(1 / 6)
    assert f["function_word_share"] > 0  # "this", "is", "a"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("返回顶部", "navigation"),
        ("Back to top", "navigation"),
        ("Home", "navigation"),
        ("广告", "ad"),
        ("Advertisement", "ad"),
        ("ADVERTISEMENT", "ad"),
        ("回复", "comment"),
        ("Leave a reply", "comment"),
    ],
)
def test_keyword_cues_fire(text, cue):
    f = text_features(text)
    assert f[f"cue_cover_{cue}"] == 1.0
    assert f[f"cue_count_{cue}"] > 0
    others = {"navigation", "ad", "comment"} - {cue}
    assert all(f[f"cue_cover_{other}"] == 0.0 for other in others)


def test_cue_cover_is_a_share_of_characters():
    f = text_features("共10条评论 回复")  # '评论' + '回复' = 4 of 9 characters
    assert f["cue_cover_comment"] == pytest.approx(4 / 9)
    assert f["cue_count_comment"] == pytest.approx(math.log1p(2))


def test_english_cues_match_whole_words_only():
    f = text_features("Shadow headline loaded")  # contains 'ad' only inside words
    assert f["cue_cover_ad"] == 0.0
    assert f["cue_count_ad"] == 0.0


def test_pattern_features():
    assert text_features("Visit https://example.com")["has_url"] == 1.0
    assert text_features("Mail me at a.b@example.org")["has_email"] == 1.0
    assert text_features("© 2024 版权所有")["has_copyright"] == 1.0
    assert text_features("2016年3月5日 发布")["has_date"] == 1.0
    assert text_features("Posted Mar 5 at 10:30")["has_date"] == 1.0
    assert text_features("• first item")["starts_with_bullet"] == 1.0
    assert text_features("Home | News | Sports")["separator_per_token"] == pytest.approx(2 / 3)
    plain = text_features("nothing special")
    assert plain["has_url"] == plain["has_email"] == plain["has_date"] == plain["has_copyright"] == 0.0


def test_blank_before_feature():
    assert text_features("x", blank_before=True)["blank_before"] == 1.0
    assert text_features("x", blank_before=False)["blank_before"] == 0.0


# --- DOM and position features ----------------------------------------------------------


def test_dom_matrix_columns():
    nav_bit = 1 << DOM_FLAGS.index("in_nav_tag")
    lines = [
        Line("Home", 0, tag="li", link_chars=4, depth=4, dom_flags=nav_bit, path="html/body/nav/ul/li"),
        Line("Body text", 1, tag="p", link_chars=0, depth=2, path="html/body/p"),
        Line("More", 2, tag="span", link_chars=2, depth=3, path="html/body/p", repeated_units=300),
    ]
    dom = dom_matrix(lines)
    col = {name: i for i, name in enumerate(DOM_BASE_NAMES)}
    assert dom.shape == (3, len(DOM_BASE_NAMES))
    assert dom[:, col["link_share"]].tolist() == pytest.approx([1.0, 0.0, 0.5])
    assert dom[:, col["log_depth"]].tolist() == pytest.approx([math.log1p(4), math.log1p(2), math.log1p(3)])
    assert dom[:, col["depth_minus_page_median"]].tolist() == pytest.approx([1.0, -1.0, 0.0])
    assert dom[:, col["log_path_repeats"]].tolist() == pytest.approx(
        [math.log1p(1), math.log1p(2), math.log1p(2)]
    )
    assert dom[:, col["log_repeated_units"]].tolist() == pytest.approx([0.0, 0.0, math.log1p(10)])
    assert (
        dom[0, col["tag_li"]] == 1.0 and dom[1, col["tag_p"]] == 1.0 and dom[2, col["tag_span_like"]] == 1.0
    )
    assert dom[:, col["in_nav_tag"]].tolist() == [1.0, 0.0, 0.0]
    assert dom_matrix([]).shape == (0, len(DOM_BASE_NAMES))


def test_position_matrix():
    lines = text_to_lines("aa\nbbbb\naa")
    pos = position_matrix(lines)
    col = {name: i for i, name in enumerate(POSITION_NAMES)}
    assert pos[:, col["relative_position"]].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert pos[:, col["chars_before_share"]].tolist() == pytest.approx([0.0, 2 / 8, 6 / 8])
    assert pos[:, col["chars_over_page_max"]].tolist() == pytest.approx([0.5, 1.0, 0.5])
    assert pos[:, col["log_text_repeats"]].tolist() == pytest.approx([math.log1p(1), 0.0, math.log1p(1)])
    assert pos[:, col["log_lines_from_end"]].tolist() == pytest.approx([math.log1p(2), math.log1p(1), 0.0])


# --- context matrices -------------------------------------------------------------------


def test_neighbour_matrix_shifts_rows_with_zero_padding():
    base = np.arange(1, 11, dtype=np.float32).reshape(5, 2)  # rows [1,2],[3,4],...,[9,10]
    out = neighbour_matrix(base, offsets=(-2, -1, 1, 2))
    assert out.shape == (5, 8)
    expected = np.zeros((5, 8), dtype=np.float32)
    for i in range(5):
        for j, offset in enumerate((-2, -1, 1, 2)):
            if 0 <= i + offset < 5:
                expected[i, 2 * j : 2 * j + 2] = base[i + offset]
    np.testing.assert_array_equal(out, expected)
    assert out[0, :4].tolist() == [0, 0, 0, 0]  # nothing above the first line
    assert out[0, 4:6].tolist() == [3, 4]  # next line
    assert out[4, 6:8].tolist() == [0, 0]  # nothing two below the last line


@pytest.mark.parametrize("n", [0, 1, 2])
def test_neighbour_matrix_on_pages_shorter_than_the_offsets(n):
    base = np.ones((n, 3), dtype=np.float32)
    out = neighbour_matrix(base, offsets=(-2, 2))
    assert out.shape == (n, 6)
    assert not out.any()


@pytest.mark.parametrize("n", [1, 2, 7, 25])
def test_window_mean_matrix_equals_brute_force(n):
    rng = np.random.default_rng(n)
    base = rng.normal(size=(n, 3)).astype(np.float32)
    radii = (1, 3, 10)
    out = window_mean_matrix(base, radii)
    assert out.shape == (n, 3 * len(radii))
    for j, radius in enumerate(radii):
        for i in range(n):
            window = base[max(0, i - radius) : min(n, i + radius + 1)]
            np.testing.assert_allclose(out[i, 3 * j : 3 * j + 3], window.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_window_mean_matrix_empty():
    assert window_mean_matrix(np.zeros((0, 4), dtype=np.float32), (3, 10)).shape == (0, 8)


def test_context_columns_in_full_matrix_follow_neighbours():
    lines = text_to_lines("返回顶部\nA sentence of ordinary prose.\n广告")
    names = feature_names("text")
    matrix = extract_features(lines, "text")
    col = names.index
    assert matrix[1, col("cue_cover_navigation@-1")] == 1.0
    assert matrix[1, col("cue_cover_ad@+1")] == 1.0
    assert matrix[0, col("cue_cover_navigation@-1")] == 0.0
    assert matrix[2, col("cue_cover_ad@+1")] == 0.0
    assert matrix[1, col("cue_cover_ad@mean3")] == pytest.approx(1 / 3)


def test_probability_context_matrix_columns():
    from boilerml.features import CONTEXT_PROBABILITY_NAMES, probability_context_matrix

    p = np.array(
        [[0.1, 0.9, 0.0, 0.0], [0.2, 0.7, 0.1, 0.0], [0.4, 0.5, 0.0, 0.1], [0.0, 0.2, 0.0, 0.8]],
        dtype=np.float32,
    )
    context = probability_context_matrix(p)
    assert context.shape == (4, len(CONTEXT_PROBABILITY_NAMES))
    col = {name: i for i, name in enumerate(CONTEXT_PROBABILITY_NAMES)}
    assert context[:, col["p_content"]].tolist() == pytest.approx([0.1, 0.2, 0.4, 0.0])
    assert context[:, col["p_content@-1"]].tolist() == pytest.approx([0.0, 0.1, 0.2, 0.4])
    assert context[:, col["page_max_p_content"]].tolist() == pytest.approx([0.4] * 4)
    assert context[:, col["log_lines_to_likely_comment_before"]][3] == pytest.approx(0.0)
    assert probability_context_matrix(np.zeros((0, 4))).shape == (0, len(CONTEXT_PROBABILITY_NAMES))


def test_cue_matcher_prefers_the_longest_cue_and_keeps_word_boundaries():
    from boilerml.features import _cue_regexes

    english, chinese = (
        re.compile(regex, re.I)
        for regex in _cue_regexes(["share", "shared content", "ad", "advertisement"], ["广告", "广告位"])
    )
    assert english.findall("Shared content: ad, share; ADVERTISEMENT") == [
        "Shared content",
        "ad",
        "share",
        "ADVERTISEMENT",
    ]
    assert english.findall("shares adverts head") == []  # short cues need a word boundary on both sides
    assert english.findall("Advertisements") == ["Advertisement"]  # long ones may be glued
    assert chinese.findall("广告位招租 广告") == ["广告位", "广告"]
    assert all(re.compile(regex, re.I).findall("anything") == [] for regex in _cue_regexes([], []))


def test_english_and_chinese_cues_never_overlap():
    """The two patterns of a class are counted together, which counts what one alternation
    would only if a match of one never overlaps a match of the other. Overlap needs a cue
    inside the other or a suffix of one equal to a prefix of the other: every such joined
    string is built and the two patterns' matches in it checked for overlap."""
    import json
    from importlib import resources

    cues = json.loads(resources.files("boilerml").joinpath("data/text_cues.json").read_text("utf-8"))
    for cls, (english_pattern, chinese_pattern) in zip(
        ("navigation", "ad", "comment", "content"), cue_vocabulary().cue_patterns
    ):
        for english in (cue.lower() for cue in cues[cls]["en"]):
            for chinese in (cue.lower() for cue in cues[cls]["zh"]):
                joined = [english, chinese]
                joined += [
                    english + chinese[k:] for k in range(1, len(chinese)) if english.endswith(chinese[:k])
                ]
                joined += [
                    chinese + english[k:] for k in range(1, len(english)) if chinese.endswith(english[:k])
                ]
                for text in joined + [f" {text} " for text in joined]:
                    spans = [m.span() for m in english_pattern.finditer(text)]
                    for match in chinese_pattern.finditer(text):
                        assert all(match.end() <= s or e <= match.start() for s, e in spans), (cls, text)


# --- the page-level text features against their per-line definitions --------------------

# The per-line definitions, as the features were first written (one line at a time, \s for
# a space, ^/$ for the line's ends): the page-level computation must agree with them exactly.
_LINE_SEPARATORS = re.compile(r"[|·•»«›‹>/\\]|\s[-–—]\s|::")
_LINE_DATE = re.compile(
    r"\b\d{4}[-/.年]\s?\d{1,2}(?:[-/.月]\s?\d{1,2})?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}月\d{1,2}日|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}:\d{2}\b",
    re.I,
)
_LINE_NAME_COLON_PREFIX = re.compile(r"^[^\s:：]{1,16}\s?[：:]\s?\S")
_LINE_BULLET_START = re.compile(r"^(?:[-*•·▪►>]|\d{1,3}[.)、]|[（(]\d{1,3}[)）])\s*")


def reference_line_features(text: str, blank_before: bool) -> list[float]:
    import unicodedata

    from boilerml.tokens import CJK_CHAR, TOKEN

    vocab = cue_vocabulary()
    log_count = lambda n: math.log1p(min(n, f.MAX_COUNT))  # noqa: E731
    n_chars = len(text)
    tokens = TOKEN.findall(text)
    n_tokens = len(tokens) or 1
    n_cjk = len(CJK_CHAR.findall(text))
    letters = uppers = digits = puncts = sentence_marks = commas = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            uppers += ch.isupper()
        elif ch.isdigit():
            digits += 1
        elif not ch.isspace():
            puncts += unicodedata.category(ch)[0] in "PS"
            sentence_marks += ch in f._SENTENCE_END
            commas += ch in f._COMMAS
    words = [t for t in tokens if not CJK_CHAR.match(t)]
    function_hits = sum(w.lower() in vocab.english_function_words for w in words)
    function_hits += sum(t in vocab.chinese_function_chars for t in tokens if len(t) == 1)
    stripped = text.rstrip(f._CLOSERS)
    cover, count = [], []
    for patterns in vocab.cue_patterns:
        matches = [m for pattern in patterns for m in pattern.findall(text)]
        count.append(log_count(len(matches)))
        cover.append(min(sum(map(len, matches)) / n_chars, 1.0))
    return [
        log_count(n_chars),
        log_count(len(tokens)),
        n_cjk / n_chars,
        letters / n_chars,
        digits / n_chars,
        uppers / max(letters - n_cjk, 1),
        puncts / n_chars,
        float(bool(stripped) and stripped[-1] in f._SENTENCE_END),
        log_count(sentence_marks),
        commas / n_tokens,
        (sum(map(len, words)) / len(words)) if words else 0.0,
        (sum(w[:1].isupper() for w in words) / len(words)) if words else 0.0,
        function_hits / n_tokens,
        float(bool(f._URL.search(text))),
        float(bool(f._EMAIL.search(text))),
        len(_LINE_SEPARATORS.findall(text)) / n_tokens,
        float(bool(_LINE_BULLET_START.match(text))),
        float(bool(f._COPYRIGHT.search(text))),
        float(bool(_LINE_DATE.search(text))),
        float(text.endswith((":", "："))),
        float(bool(_LINE_NAME_COLON_PREFIX.match(text))),
        float(any(pattern.search(text) for pattern in vocab.comment_cue_at_end)),
        *cover,
        *count,
        float(blank_before),
    ]


def assert_page_matches_lines(texts: list[str]) -> None:
    blanks = [i % 3 == 0 for i in range(len(texts))]
    page = text_matrix(texts, blanks, cue_vocabulary())
    expected = np.array([reference_line_features(t, b) for t, b in zip(texts, blanks)]).reshape(
        -1, len(TEXT_BASE_NAMES)
    )
    for row, text in enumerate(texts):
        for column, name in enumerate(TEXT_BASE_NAMES):
            assert page[row, column] == pytest.approx(expected[row, column], rel=1e-12, abs=1e-12), (
                text,
                name,
            )


def test_page_level_features_agree_with_the_per_line_definitions_at_line_ends():
    # Each pair would let a pattern run over the line break if the page were scanned as
    # plain text: a date split over two lines, a separator at a line start, a colon
    # prefix or bullet after a break, a comment cue followed by a count on the next line.
    assert_page_matches_lines(
        [
            "Published 2016-",
            "12 people liked this",
            "Jan",
            "12 reasons",
            "end of a line",
            "- a dash opens this one",
            "网友",
            "：说得好",
            "1.",
            "Reply",
            "(3)",
            "回复",
            "12",
            'He said "fine."',
            "Mail a.b@example.org now: ADVERTISEMENT back to top",
            "中文abc 2016年 ©",
            "ǅungla İstanbul ſ K Ⅻ ²",  # case, titlecase, odd digits
            "𠀀𠀁 astral 😀",
            "Between THROUGH because_ against1 through",  # the longest function words
            "中文・日本゛の的",  # CJK-range characters that are no word characters
            "x2016-12-04",  # no date: a word character before the year
            "a12:30 and 12/3/2016",  # a date, after a time that is not one
            "xjan 12",  # no date: the month name inside a word
            "mayday 5",  # a date: the month name may go on
            "a:::b | c — d\t-\u3000e x :y",  # separators: "::" once, a dash between odd spaces
        ]
    )


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # the property test needs the test extra
    given = None

if given is not None:
    _PIECES = st.sampled_from(
        [
            "Reply",
            "回复",
            "(3)",
            "12",
            "2016-",
            "Jan",
            ":",
            "：",
            "- ",
            " - ",
            "•",
            "1.",
            "广告",
            "ad",
            "Advertisement",
            "ADVERTISEMENT",
            "ſhare",  # long s: "share" to a case-insensitive pattern, not to str.lower()
            "Iı",
            "İ",
            "back to top",
            "Back To Top",
            "返回顶部",
            "a.b@x.org",
            "www.x.com",
            "©",
            "。",
            "”",
            "Hello",
            "the",
            "的",
            "评论",
            " ",
            "x",
        ]
    )
    _LINE = st.lists(st.one_of(_PIECES, st.text(min_size=1, max_size=4)), min_size=1, max_size=6).map("".join)

    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(
            _LINE.filter(lambda t: t.strip() and "\n" not in t and "\r" not in t), min_size=1, max_size=6
        )
    )
    def test_page_level_features_agree_with_the_per_line_definitions(texts):
        assert_page_matches_lines(texts)


def test_upper_case_cues_are_found_on_the_lower_cased_page():
    # No character here folds unlike str.lower(), so the cue patterns scan the lower-cased
    # text case-sensitively (the fast way) and must find what they find case-insensitively.
    texts = ["ADVERTISEMENT", "Back To Top | PRINT", "COPYRIGHT 2016 · WWW.EXAMPLE.COM", "JAN 12 Reply (3)"]
    assert f._case_folded("\n".join(texts)) is not None
    assert_page_matches_lines(texts)


@pytest.mark.parametrize("odd", ["ſ", "ı", "İ"])
def test_pages_with_characters_that_fold_unlike_lower_case_are_scanned_case_insensitively(odd):
    texts = [f"{odd}hare this", f"L{odd}KE", "Advertisement"]
    assert f._case_folded("\n".join(texts)) is None
    assert_page_matches_lines(texts)


def test_only_three_characters_fold_to_an_ascii_letter_unlike_their_lower_case():
    # The premises of the lower-cased scan, over every code point: apart from the three
    # characters f._FOLDS_UNLIKE_LOWER names, a character matches a lower-case ASCII letter
    # case-insensitively exactly when its lower case is that one letter; and lower-casing
    # keeps a character a word character, digit or space (or not), so \b, \w, \d and \s
    # read the lower-cased text as they read the original.
    letter = re.compile("[a-z]", re.IGNORECASE)
    classes = [re.compile(r"\w"), re.compile(r"\d"), re.compile(r"\s")]
    unlike, reclassed = [], []
    for code in range(0x110000):
        ch = chr(code)
        lower = ch.lower()
        if (letter.fullmatch(ch) is not None) != (len(lower) == 1 and lower in string.ascii_lowercase):
            unlike.append(ch)
        if len(lower) == 1 and any(bool(c.match(ch)) != bool(c.match(lower)) for c in classes):
            reclassed.append(ch)
    assert "".join(unlike) == "\u0130\u0131\u017f"
    assert reclassed == []
    assert all(f._FOLDS_UNLIKE_LOWER.fullmatch(ch) for ch in unlike)


def test_case_sensitive_copies_refuse_upper_case_or_non_ascii_letters():
    with pytest.raises(ValueError, match="lower-case ASCII"):
        f._case_sensitive(re.compile("Share", re.IGNORECASE))
    with pytest.raises(ValueError, match="lower-case ASCII"):
        f._case_sensitive(re.compile("café", re.IGNORECASE))
    copy = f._case_sensitive(re.compile(r"\bshare\S", re.IGNORECASE))
    assert not copy.flags & re.IGNORECASE and copy.pattern == r"\bshare\S"


def test_the_cue_automaton_finds_what_the_cue_patterns_find():
    # Overlapping cues (the longest wins at an offset, the scan goes on after it), short
    # cues inside longer words (need a boundary on both sides), long cues glued to the next
    # word, cues after astral characters (offsets count code points), and the two languages.
    texts = [
        "advertisements ad ads adverts read-ad ad_x",
        "share shares shared content sharing",
        "back to top back to topics 返回顶部返回",
        "𠀀ad 😀advertisement 𠀀广告位招租 广告",
        "comments: comment comment_ reply (3) 回复 回复回复",
        "according to a report, he said",
        "_home home1 home",
    ]
    page = f._Page(texts)
    assert page.folded is not None
    vocab = cue_vocabulary()
    found = page.cue_matches(vocab)
    expected = [[page.matches(pattern) for pattern in patterns] for patterns in vocab.cue_patterns]
    assert sum(len(lines) for per_class in expected for lines, _ in per_class) > 10
    flat = [match for per_class in found for match in per_class]
    flat_expected = [match for per_class in expected for match in per_class]
    for (lines, lengths), (expected_lines, expected_lengths) in zip(flat, flat_expected, strict=True):
        assert lines.tolist() == expected_lines.tolist()
        assert lengths.tolist() == expected_lengths.tolist()


def test_the_word_class_is_what_backslash_w_matches_on_every_code_point():
    # Tokens are read off the character classes, so the word bit must be re's \w exactly.
    word = re.compile(r"\w")
    mismatched = [
        code
        for code in range(0x110000)
        if bool(f._char_class(chr(code)) & f._WORD) != (word.match(chr(code)) is not None)
    ]
    assert mismatched == []


def test_function_words_looked_up_in_blocks_give_the_same_features(monkeypatch):
    lines = [
        "The cat and the dog sat on a mat in the sun, as it is said of them.",
        "Of it, to be or not to be: that is a question for the ages and for us.",
        "他的书在桌子上，我们的朋友也在这里。",
        "A b c d e f g h i j k l m n o p of in on at to by as is it",
    ]
    whole = text_matrix(lines, [False] * len(lines), cue_vocabulary())
    share = whole[:, TEXT_BASE_NAMES.index("function_word_share")]
    assert (share[[0, 1, 3]] > 0.3).all()  # the lookup has work to do
    monkeypatch.setattr("boilerml.features.FUNCTION_WORD_BLOCK", 3)
    np.testing.assert_array_equal(text_matrix(lines, [False] * len(lines), cue_vocabulary()), whole)
