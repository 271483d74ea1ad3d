"""Explanations: the features' weights add up to the model's own margins, and say what moved it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

import boilerml
from boilerml.cli import EXIT_OK, EXIT_USAGE, main
from boilerml.explain import MIN_REASON_WEIGHT, _descriptions, path_weights, reason_key
from boilerml.features import CONTEXT_PROBABILITY_NAMES, feature_names
from boilerml.trees import NODE_DTYPE, TreeEnsemble, export_estimator

MENU_PAGE = """<html><body>
<nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<article><h1>River levels fall after a week of rain</h1>
<p>Water levels on the river fell on Tuesday for the first time in a week, and the council
said that the flood barriers along the quay would stay in place until the weekend.</p>
<p>Residents of the lower town, where cellars flooded on Sunday night, were told that pumps
would run through the night and that the road along the river would reopen on Friday.</p>
</article></body></html>"""


def _fitted(n_classes: int) -> tuple[HistGradientBoostingClassifier, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 4))
    x[rng.random(x.shape) < 0.05] = np.nan  # walks that take a split's missing-value side
    side = (np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 1]) > 0).astype(int)
    names = np.array(["content", "navigation", "ad"][:n_classes])
    y = names[side + (n_classes > 2) * (x[:, 2] > 1)]
    return HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(x, y), x


@pytest.mark.parametrize("n_classes", [2, 3])
def test_path_weights_add_up_to_the_raw_scores(n_classes):
    estimator, x = _fitted(n_classes)
    prior, weights = path_weights(export_estimator(estimator), x)
    raw = estimator._raw_predict(x)  # (n, trees per iteration), as scikit-learn sums its trees
    np.testing.assert_allclose(prior + weights.sum(axis=2), raw, rtol=0, atol=1e-9)
    assert prior.shape == (1 if n_classes == 2 else n_classes,)
    assert np.abs(weights).sum(axis=(0, 1)).min() > 0  # every feature is credited somewhere


def test_path_weights_walk_only_the_tree_groups_asked_for():
    estimator, x = _fitted(3)
    ensemble = export_estimator(estimator)
    _, every = path_weights(ensemble, x)
    walked = np.random.default_rng(2).random((len(x), 3)) < 0.5
    _, some = path_weights(ensemble, x, walked)
    np.testing.assert_array_equal(some[walked], every[walked])
    assert not some[~walked].any()
    assert every[~walked].any()


def _stump(left_count: int, right_count: int) -> TreeEnsemble:
    """Two classes, one tree: feature 1 <= 0.5 goes to a leaf worth 1.0, else to one worth -1.0."""
    nodes = np.zeros(3, dtype=NODE_DTYPE)
    nodes[0] = (0.0, left_count + right_count, 1, 0.5, 1, 1, 2, 1.0, 0, 0, 0, 0, 0)
    nodes[1] = (1.0, left_count, 0, 0.0, 0, 0, 0, 0.0, 1, 1, 0, 0, 0)
    nodes[2] = (-1.0, right_count, 0, 0.0, 0, 0, 0, 0.0, 1, 1, 0, 0, 0)
    return TreeEnsemble(
        classes_=np.array(["content", "navigation"]),
        baseline=np.array([0.25]),
        nodes=nodes,
        tree_starts=np.array([0, 3]),
        n_features=2,
    )


def test_a_split_is_credited_with_the_move_from_the_expected_score():
    stump = _stump(left_count=3, right_count=1)
    assert stump.expected_scores().tolist() == [0.5, 1.0, -1.0]  # 3 lines at 1.0, 1 at -1.0
    prior, weights = path_weights(stump, np.array([[9.0, 0.0], [9.0, 1.0]]))
    assert prior.tolist() == [0.75]  # the baseline plus the root's expected score
    assert weights[:, 0, :].tolist() == [[0.0, 0.5], [0.0, -1.5]]  # feature 0 is never read


def _margin_of(line: boilerml.LabelledLine) -> float:
    why = line.explanation
    return math.log(line.probabilities[why.label] / line.probabilities[why.rival])


@pytest.mark.parametrize("fixture", ["news_html", "chinese_text"])
def test_explanations_add_up_to_the_models_margins(fixture, request):
    page = request.getfixturevalue(fixture)
    plain = boilerml.classify(page)
    explained = boilerml.classify(page, explain=True)
    assert [(line.label, line.probabilities) for line in explained] == [
        (line.label, line.probabilities) for line in plain
    ]
    assert any(line.explanation.second_pass for line in explained)
    assert any(not line.explanation.second_pass for line in explained)
    for line in explained:
        why = line.explanation
        assert why.label == line.label
        assert why.rival == "content" if line.label != "content" else why.rival != "content"
        assert why.margin == pytest.approx(_margin_of(line), abs=1e-4)
        assert why.prior + why.rest + sum(r.weight for r in why.reasons) == pytest.approx(
            why.margin, abs=1e-9
        )
        weights = [reason.weight for reason in why.reasons]
        assert weights == sorted(weights, reverse=True)
        assert all(abs(weight) >= MIN_REASON_WEIGHT for weight in weights)
        assert len({reason.feature for reason in why.reasons}) == len(why.reasons)


def test_a_menu_link_is_dropped_for_its_links_and_a_paragraph_kept_for_its_prose():
    lines = {line.text: line for line in boilerml.classify(MENU_PAGE, input_format="html", explain=True)}
    menu = lines["News"].explanation
    assert (menu.label, menu.rival) == ("navigation", "content")
    strongest = {reason.feature for reason in menu.strongest(5)}
    assert strongest & {
        "link_share",
        "link_share@around",
        "in_nav_tag",
        "class_id_navigation",
        "in_list_item",
    }
    link_share = next(reason for reason in menu.reasons if reason.feature == "link_share")
    assert link_share.value == "100%"
    paragraph = next(line for text, line in lines.items() if text.startswith("Water levels")).explanation
    assert paragraph.label == "content"
    assert {reason.feature for reason in paragraph.strongest(5)} & {
        "log_chars",
        "log_tokens",
        "chars_over_page_max",
        "ends_sentence",
        "function_word_share",
        "link_share@around",
        "log_chars@around",
    }


@pytest.mark.parametrize("mode", ["html", "text"])
def test_every_feature_is_described(mode):
    descriptions = _descriptions()
    for column in feature_names(mode) + CONTEXT_PROBABILITY_NAMES:
        key = reason_key(column).removesuffix("@around")
        assert descriptions[key]["says"]
        assert descriptions[key]["shown_as"] in {"count", "share", "flag", "number", "element"}


def test_classify_explain_prints_the_reasons(news_html, tmp_path, capsys):
    path = tmp_path / "news.html"
    path.write_bytes(news_html)
    assert main(["classify", "--explain", str(path)]) == EXIT_OK
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "# labelled by the HTML passes (the page's markup read)"
    home = rows.index(next(row for row in rows if row.endswith("\tHome")))
    assert rows[home + 1].startswith("\tnavigation rather than content: +")
    assert all(row.startswith("\t  ") for row in rows[home + 2 : home + 6])
    assert main(["classify", str(path)]) == EXIT_OK
    plain = capsys.readouterr().out.splitlines()
    assert not any(row.startswith(("\t", "#")) for row in plain)


def test_clean_explain_needs_json(news_html, tmp_path, capsys):
    path = tmp_path / "news.html"
    path.write_bytes(news_html)
    assert main(["clean", "--explain", str(path)]) == EXIT_USAGE
    assert "--format json" in capsys.readouterr().err
    assert main(["clean", "--format", "json", "--explain", str(path)]) == EXIT_OK
    payload = json.loads(capsys.readouterr().out)
    for line in payload["lines"]:
        why = line["why"]
        assert why["prior"] + why["rest"] + sum(r["weight"] for r in why["reasons"]) == pytest.approx(
            why["margin"], abs=1e-3
        )
    assert main(["clean", "--format", "json", str(path)]) == EXIT_OK
    assert not any("why" in line for line in json.loads(capsys.readouterr().out)["lines"])


def test_clean_many_explains_in_workers_and_only_in_json(news_html, chinese_text):
    with pytest.raises(ValueError, match="output_format='json'"):
        list(boilerml.clean_many([news_html], explain=True))
    results = list(
        boilerml.clean_many([news_html, chinese_text], n_jobs=2, output_format="json", explain=True)
    )
    for result in results:
        assert all(line["why"]["reasons"] for line in json.loads(result)["lines"])


def test_the_readme_shows_what_classify_explain_prints(news_html, tmp_path, capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("### Why a line was dropped", 1)[1]
    shown = section.split("```", 2)[1].strip("\n").splitlines()
    path = tmp_path / "news.html"
    path.write_bytes(news_html)
    assert main(["classify", "--explain", str(path)]) == EXIT_OK
    printed = capsys.readouterr().out.splitlines()
    start = printed.index(shown[0])
    assert printed[start : start + 6] == shown[:6]  # a line and its five rows, verbatim
    for row in shown:
        assert row in printed
