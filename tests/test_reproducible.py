"""The shipped model is what ``boilerml train`` fits today: its training rows are unchanged.

Training is deterministic (the same rows give the same trees, node for node; see
``test_train.py``), so the shipped model is reproducible exactly when the rows this code
derives from the corpora are the ones the model card recorded. A change to segmentation,
features or labels that alters them fails here, before anyone compares a retrain with a
model the code can no longer make.
"""

from __future__ import annotations

import json

from boilerml.corpora import corpus_names
from boilerml.model import DEFAULT_CARD_PATH
from boilerml.train import data_hash, default_training_data_dir, training_rows


def test_training_rows_are_those_of_the_shipped_model(datasets):
    html_rows, text_rows, _ = training_rows(
        datasets, corpus_names(datasets), default_training_data_dir(), n_jobs=2
    )
    card = json.loads(DEFAULT_CARD_PATH.read_text("utf-8"))
    assert {"html": data_hash(html_rows), "text": data_hash(text_rows)} == card["training_data_sha256"], (
        "the training rows differ from the shipped model's: retrain (README, 'Retraining') "
        "or keep the change out of training"
    )
