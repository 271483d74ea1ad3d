"""The shipped model is what ``boilerml train`` fits today: its training rows are unchanged.

Training is deterministic (the same rows give the same trees, node for node; see
``test_train.py``), so the shipped model is reproducible exactly when the rows this code
derives from the corpora are the ones the model card recorded. A change to segmentation,
features or labels that alters them fails here, before anyone compares a retrain with a
model the code can no longer make. The small-input passes' rows are text mode's pages plus
the short windows the default ``--windows`` draws from them (seeded, so reproducible too).
"""

from __future__ import annotations

import json

from boilerml.corpora import corpus_names
from boilerml.model import DEFAULT_CARD_PATH, SMALL
from boilerml.train import WINDOWS_PER_PAGE, data_hash, default_training_data_dir, training_rows, window_rows


def test_training_rows_are_those_of_the_shipped_model(datasets):
    html_rows, text_rows, _ = training_rows(
        datasets, corpus_names(datasets), default_training_data_dir(), n_jobs=2, windows=WINDOWS_PER_PAGE
    )
    card = json.loads(DEFAULT_CARD_PATH.read_text("utf-8"))
    hashes = {
        "html": data_hash(html_rows),
        "text": data_hash(text_rows),  # the pages only: text passes fit no windows
        SMALL: data_hash(text_rows + window_rows(text_rows)),
    }
    assert hashes == card["training_data_sha256"], (
        "the training rows differ from the shipped model's: retrain (README, 'Retraining') "
        "or keep the change out of training"
    )
