"""Loading and checking model files."""

from __future__ import annotations

import json
import shutil

import joblib
import pytest

import boilerml
from boilerml.model import DEFAULT_CARD_PATH, DEFAULT_MODEL_PATH, ModelError, check_card, load_model


def test_shipped_model_matches_its_card():
    card = json.loads(DEFAULT_CARD_PATH.read_text("utf-8"))
    model = load_model()
    assert model.card["labels"] == card["labels"] == list(boilerml.LABELS)
    check_card(model.card)


def test_missing_model_file_is_refused(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path / "absent.joblib")


def test_model_with_other_features_is_refused(tmp_path):
    payload = joblib.load(DEFAULT_MODEL_PATH)
    payload["card"]["feature_names"]["html"] = payload["card"]["feature_names"]["html"][:-1]
    path = tmp_path / "stale.joblib"
    joblib.dump(payload, path)
    with pytest.raises(ModelError, match="retrain"):
        load_model(path)


def test_model_from_other_sklearn_is_refused(tmp_path):
    payload = joblib.load(DEFAULT_MODEL_PATH)
    payload["card"]["versions"]["scikit-learn"] = "0.24.2"
    path = tmp_path / "old.joblib"
    joblib.dump(payload, path)
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2"):
        load_model(path)


def test_not_a_model_is_refused(tmp_path):
    path = tmp_path / "junk.joblib"
    path.write_bytes(b"this is not a pickle")
    with pytest.raises(ModelError, match="cannot read"):
        load_model(path)


def test_tampered_default_model_fails_checksum(tmp_path, monkeypatch):
    copy = tmp_path / "boilerml.joblib"
    shutil.copy(DEFAULT_MODEL_PATH, copy)
    with open(copy, "ab") as handle:
        handle.write(b"\0")
    monkeypatch.setattr("boilerml.model.DEFAULT_MODEL_PATH", copy)
    monkeypatch.setattr("boilerml.model.DEFAULT_CARD_PATH", DEFAULT_CARD_PATH)
    with pytest.raises(ModelError, match="checksum"):
        load_model()
