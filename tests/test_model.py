"""Loading and checking model files: plain arrays only, never pickle."""

from __future__ import annotations

import io
import json
import pickle
import shutil
import zipfile

import numpy as np
import pytest

import boilerml
from boilerml.features import extract_features, probability_context_matrix
from boilerml.model import (
    CONFIDENT_FIRST_PASS,
    DEFAULT_CARD_PATH,
    DEFAULT_MODEL_PATH,
    ModelError,
    card_markdown,
    check_card,
    load_model,
    ordered_proba,
    read_model_arrays,
)
from boilerml.segment import html_to_lines


def test_shipped_model_matches_its_card():
    card = json.loads(DEFAULT_CARD_PATH.read_text("utf-8"))
    model = load_model()
    assert model.card["labels"] == card["labels"] == list(boilerml.LABELS)
    check_card(model.card)


def test_missing_model_file_is_refused(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path / "absent.npz")


@pytest.fixture(scope="module")
def shipped_arrays():
    """The shipped model's arrays, read once; tests take a copy of the dict to change."""
    return read_model_arrays(DEFAULT_MODEL_PATH)


def _write_arrays(path, arrays):
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    return path


def _with_card(arrays, change):
    arrays = dict(arrays)
    card = json.loads(str(arrays["card"]))
    change(card)
    arrays["card"] = np.array(json.dumps(card))
    return arrays


def test_model_with_other_features_is_refused(tmp_path, shipped_arrays):
    arrays = _with_card(shipped_arrays, lambda card: card["feature_names"]["html"].pop())
    with pytest.raises(ModelError, match="retrain"):
        load_model(_write_arrays(tmp_path / "stale.npz", arrays))


def test_a_model_fitted_under_another_scikit_learn_loads(tmp_path, shipped_arrays):
    # the trees are in boilerml's own node format: the fitting version is provenance only
    arrays = _with_card(shipped_arrays, lambda card: card["versions"].update({"scikit-learn": "0.24.2"}))
    model = load_model(_write_arrays(tmp_path / "old.npz", arrays))
    page = "<html><body><p>A sentence of an article, long enough to count.</p></body></html>"
    assert [x.probabilities for x in boilerml.classify(page, model=model)] == [
        x.probabilities for x in boilerml.classify(page)
    ]


def test_a_copied_model_loads_and_predicts_like_the_shipped_one(tmp_path, shipped_arrays):
    copy = _write_arrays(tmp_path / "copy.npz", shipped_arrays)
    page = (
        "<html><body><nav><a href='/'>Home</a></nav>"
        "<p>A sentence of an article, long enough.</p></body></html>"
    )
    ours = boilerml.classify(page, model=load_model(copy))
    shipped = boilerml.classify(page)
    assert [line.probabilities for line in ours] == [line.probabilities for line in shipped]


def test_not_a_model_is_refused(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"this is not a model")
    with pytest.raises(ModelError, match="cannot read"):
        load_model(path)


class _Payload:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_pickle_posing_as_a_model_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"card": _Payload(marker)}))
    with pytest.raises(ModelError, match="cannot read"):
        load_model(path)
    assert not marker.exists()


def test_an_archive_with_a_pickled_array_is_refused_without_running_it(tmp_path, shipped_arrays):
    marker = tmp_path / "pwned"
    arrays = dict(shipped_arrays)
    evil = np.empty(1, dtype=object)
    evil[0] = _Payload(marker)
    arrays["html/first/baseline"] = evil  # stored as a pickle inside the .npy
    path = tmp_path / "evil.npz"
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(ModelError, match="cannot read"):
        load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("left", 10**6, "child index"),
        ("right", 0, "child index"),  # pointing back to the root: a walk that never ends
        ("feature_idx", 10**5, "feature index"),
        ("is_categorical", 1, "categorical"),
    ],
)
def test_tree_arrays_out_of_range_are_refused(tmp_path, shipped_arrays, field, value, reason):
    arrays = dict(shipped_arrays)
    nodes = arrays["text/second/nodes"].copy()
    first_split = int(np.flatnonzero(nodes["is_leaf"] == 0)[0])
    nodes[field][first_split] = value
    arrays["text/second/nodes"] = nodes
    with pytest.raises(ModelError, match=reason):
        load_model(_write_arrays(tmp_path / "bad.npz", arrays))


def test_missing_pass_is_refused(tmp_path, shipped_arrays):
    arrays = {key: value for key, value in shipped_arrays.items() if not key.startswith("html/second/")}
    with pytest.raises(ModelError, match="html second pass"):
        load_model(_write_arrays(tmp_path / "half.npz", arrays))


def test_archive_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.npz"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(1000))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("card.npy", buffer.getvalue())
    monkeypatch.setattr("boilerml.model.MAX_MODEL_BYTES", 1000)
    with pytest.raises(ModelError, match="unpack"):
        load_model(path)


def test_tampered_default_model_fails_checksum(tmp_path, monkeypatch):
    copy = tmp_path / "boilerml.npz"
    shutil.copy(DEFAULT_MODEL_PATH, copy)
    with open(copy, "ab") as handle:
        handle.write(b"\0")
    monkeypatch.setattr("boilerml.model.DEFAULT_MODEL_PATH", copy)
    monkeypatch.setattr("boilerml.model.DEFAULT_CARD_PATH", DEFAULT_CARD_PATH)
    with pytest.raises(ModelError, match="checksum"):
        load_model()


def test_only_lines_the_first_pass_is_unsure_of_go_through_the_second(news_html):
    model = load_model()
    lines = html_to_lines(news_html.decode("utf-8"))
    features = extract_features(lines, "html")
    passes = model.estimators["html"]
    first = ordered_proba(passes["first"], features)
    second = ordered_proba(passes["second"], np.hstack([features, probability_context_matrix(first)]))
    sure = first.max(axis=1) >= CONFIDENT_FIRST_PASS
    assert 0 < sure.sum() < len(lines)  # the example has lines of both kinds
    probabilities = model.predict_proba(features, "html")
    np.testing.assert_array_equal(probabilities[sure], first[sure])
    # The unsure lines' context features still read every line's first-pass verdict.
    np.testing.assert_array_equal(probabilities[~sure], second[~sure])
    np.testing.assert_array_equal(model.predict_proba(features, "html", confident=1.5), second)


def test_a_page_predicted_in_blocks_gets_the_probabilities_it_gets_in_one(news_html, monkeypatch):
    model = load_model()
    features = extract_features(html_to_lines(news_html.decode("utf-8")), "html")
    whole = model.predict_proba(features, "html")
    every_line_twice = model.predict_proba(features, "html", confident=1.5)
    assert len(features) > 2 * 7
    monkeypatch.setattr("boilerml.model.PREDICT_BLOCK_LINES", 7)
    np.testing.assert_array_equal(model.predict_proba(features, "html"), whole)
    np.testing.assert_array_equal(model.predict_proba(features, "html", confident=1.5), every_line_twice)


def test_card_markdown_says_whether_the_second_pass_was_cross_validated():
    card = json.loads(DEFAULT_CARD_PATH.read_text("utf-8"))
    card["cv"]["html"]["pages"] = 1200
    assert "Second pass cross-validated on 1200 pages." in card_markdown(card)
    for cv in card["cv"].values():
        cv.pop("pages", None)
    assert "Second pass not cross-validated (`--cv-pages` 0" in card_markdown(card)
