"""Can text mode's features tell dragnet's posted comments from its article lines? (experiment helper)

Usage: python benchmarks/experiments/thread_separability.py (about 4 minutes on 2 cores)

First pass only, text mode, the train pages split into halves that share no site
(``site_gate.halves_by_site`` at the default seed): (a) fitted on every corpus's first-half
pages, (b) on dragnet's first-half pages only. Both are scored on dragnet's second-half
pages, on the lines labelled comment or content: the AUC of P(comment) / (P(comment) +
P(content)) for telling comment lines from content lines, the share of comment lines whose
most probable class is content, and the share of content lines whose most probable class is
comment. Run with the worktree to judge on ``PYTHONPATH`` (its features, its site keys).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).parent))
from site_gate import halves_by_site

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.train import SEED, default_training_data_dir, fit, training_rows


def main() -> None:
    root = datasets_dir(None)
    _, text_rows, _ = training_rows(root, corpus_names(root), default_training_data_dir(), 2, None)
    first, second = halves_by_site(text_rows, SEED)
    is_dragnet = np.array([r.page_key.startswith("dragnet/") for r in text_rows])
    train_all = [text_rows[i] for i in first]
    train_dragnet = [text_rows[i] for i in first if is_dragnet[i]]
    test = [text_rows[i] for i in second if is_dragnet[i]]
    print(f"{len(train_all)} train pages, {len(train_dragnet)} of dragnet; {len(test)} dragnet test pages")
    features = np.vstack([r.features for r in test])
    labels = np.concatenate([r.labels for r in test])
    scored = (labels == "comment") | (labels == "content")
    for name, rows in (("all corpora", train_all), ("dragnet only", train_dragnet)):
        model = fit(rows, seed=SEED)
        classes = [str(c) for c in model.classes_]
        probabilities = model.predict_proba(features)
        comment = probabilities[:, classes.index("comment")]
        content = probabilities[:, classes.index("content")]
        share = comment / np.maximum(comment + content, 1e-9)
        auc = roc_auc_score(labels[scored] == "comment", share[scored])
        predicted = np.array(classes)[probabilities.argmax(axis=1)]
        comment_as_content = np.mean(predicted[labels == "comment"] == "content")
        content_as_comment = np.mean(predicted[labels == "content"] == "comment")
        print(
            f"{name}: AUC comment vs content {auc:.3f}; comment lines called content "
            f"{comment_as_content:.3f}; content lines called comment {content_as_comment:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
