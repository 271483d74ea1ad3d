"""Tokens and accuracy metrics as ../shared/METRICS.md defines them (boilerml.tokens, boilerml.metrics)."""

from __future__ import annotations

from collections import Counter

import pytest

from boilerml.metrics import aeb_f1, aeb_page, shingles, token_f1
from boilerml.tokens import tokenize, words

# --- tokens -----------------------------------------------------------------------------


def test_metrics_md_example():
    assert tokenize("Alibaba 阿里巴巴 2016年") == ["Alibaba", "阿", "里", "巴", "巴", "2016", "年"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World! it's", ["Hello", "World", "it", "s"]),  # case kept, punctuation splits
        ("snake_case x2", ["snake_case", "x2"]),  # '_' is a \w character
        ("ひらがな", ["ひ", "ら", "が", "な"]),
        ("カタカナ", ["カ", "タ", "カ", "ナ"]),
        ("한국어", ["한", "국", "어"]),
        ("ｶﾀｶﾅ", ["ｶ", "ﾀ", "ｶ", "ﾅ"]),  # half-width Katakana
        ("𠀀𠀁", ["𠀀", "𠀁"]),  # extension B, outside the BMP
        ("我们，你们。", ["我", "们", "你", "们"]),  # CJK punctuation is not a token
        ("Ｆｕｌｌ width", ["Ｆｕｌｌ", "width"]),  # full-width Latin is not CJK
        ("café naïve", ["café", "naïve"]),
        ("", []),
        ("... --- !!!", []),
    ],
)
def test_tokenize(text, expected):
    assert tokenize(text) == expected


def test_katakana_middle_dot_is_not_a_token():
    assert tokenize("玛丽・居里") == ["玛", "丽", "居", "里"]


def test_words_are_plain_word_runs():
    assert words("Alibaba 阿里巴巴 2016年") == ["Alibaba", "阿里巴巴", "2016年"]
    assert words("a-b c_d") == ["a", "b", "c_d"]


# --- token F1 ---------------------------------------------------------------------------


def test_token_f1_both_empty_is_one():
    assert token_f1("", "") == (1.0, 1.0, 1.0)
    assert token_f1("  ...  ", "!!") == (1.0, 1.0, 1.0)  # no tokens on either side


@pytest.mark.parametrize(("gold", "output"), [("", "some output"), ("some gold", ""), ("gold", "。。")])
def test_token_f1_one_empty_is_zero(gold, output):
    assert token_f1(gold, output)[2] == 0.0


def test_token_f1_identical():
    assert token_f1("The cat sat. 猫坐着。", "The cat sat. 猫坐着。") == (1.0, 1.0, 1.0)


def test_token_f1_partial_overlap():
    precision, recall, f1 = token_f1("a b c d", "a b x")
    assert precision == pytest.approx(2 / 3)
    assert recall == pytest.approx(2 / 4)
    assert f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))  # = 4/7


def test_token_f1_uses_multisets():
    # gold {a:2, b:1}, output {a:1, b:2}: overlap min(2,1) + min(1,2) = 2
    precision, recall, f1 = token_f1("a a b", "a b b")
    assert (precision, recall) == pytest.approx((2 / 3, 2 / 3))
    assert f1 == pytest.approx(2 / 3)


def test_token_f1_cjk_per_character_and_case_sensitive():
    precision, recall, _ = token_f1("阿里巴巴", "阿里")
    assert (precision, recall) == pytest.approx((1.0, 0.5))
    assert token_f1("Apple", "apple")[2] == 0.0  # case is kept


def test_token_f1_disjoint():
    assert token_f1("alpha beta", "gamma")[2] == 0.0


# --- AEB shingles -----------------------------------------------------------------------


def test_shingles_short_text_is_one_shingle():
    assert shingles("one") == Counter({("one",): 1})
    assert shingles("one two three") == Counter({("one", "two", "three"): 1})
    assert shingles("阿里巴巴 2016年") == Counter({("阿里巴巴", "2016年"): 1})
    assert shingles("") == Counter()
    assert shingles(" -- ! ") == Counter()


def test_shingles_four_word_windows():
    assert shingles("a b c d") == Counter({("a", "b", "c", "d"): 1})
    assert shingles("a b c d e f") == Counter(
        {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1, ("c", "d", "e", "f"): 1}
    )


def test_shingles_are_a_multiset():
    assert shingles("x y z w x y z w")[("x", "y", "z", "w")] == 2


def test_aeb_page():
    gold = "a b c d e f"  # shingles abcd bcde cdef
    output = "a b c d e z"  # shingles abcd bcde cdez
    precision, recall = aeb_page(gold, output)
    assert precision == pytest.approx(2 / 3)
    assert recall == pytest.approx(2 / 3)


def test_aeb_page_undefined_sides_are_none():
    assert aeb_page("a b c d e", "") == (None, 0.0)
    assert aeb_page("", "a b c d e") == (0.0, None)
    assert aeb_page("", "") == (None, None)


def test_aeb_page_short_texts():
    assert aeb_page("one two", "one two") == (1.0, 1.0)
    assert aeb_page("one two", "one two three") == (0.0, 0.0)  # different single shingles


def test_aeb_f1_averages_defined_values_only():
    pairs = [(1.0, 0.5), (None, 0.0), (0.5, None), (None, None)]
    precision, recall, f1 = aeb_f1(pairs)
    assert precision == pytest.approx(0.75)  # mean of 1.0 and 0.5
    assert recall == pytest.approx(0.25)  # mean of 0.5 and 0.0
    assert f1 == pytest.approx(2 * 0.75 * 0.25 / (0.75 + 0.25))


def test_aeb_f1_is_f1_of_means_not_mean_of_f1s():
    pairs = [(1.0, 0.0), (0.0, 1.0)]
    assert aeb_f1(pairs) == pytest.approx((0.5, 0.5, 0.5))  # per-page F1s would both be 0


def test_aeb_f1_degenerate():
    assert aeb_f1([]) == (0.0, 0.0, 0.0)
    assert aeb_f1([(None, None)]) == (0.0, 0.0, 0.0)
    assert aeb_f1([(0.0, 0.0)]) == (0.0, 0.0, 0.0)


def test_empty_output_counts_against_recall():
    pages = [("a b c d e", "a b c d e"), ("f g h i j", "")]
    precision, recall, _ = aeb_f1([aeb_page(gold, output) for gold, output in pages])
    assert precision == pytest.approx(1.0)
    assert recall == pytest.approx(0.5)


def test_page_figures_of_a_group():
    from boilerml.metrics import page_figures

    figures = page_figures([1.0, 0.5, 0.0], [(1.0, 0.5), (None, 0.5), (0.5, None)])
    assert figures["pages"] == 3
    assert figures["token_f1_mean"] == pytest.approx(0.5)
    assert figures["token_f1_median"] == pytest.approx(0.5)
    assert figures["aeb_f1"] == pytest.approx(2 * 0.75 * 0.5 / 1.25)
