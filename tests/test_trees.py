"""Tree ensembles as plain arrays: exported trees predict what scikit-learn predicts.

The compiled walker returns float32 class scores, so probabilities agree to about 1e-7
(and the most probable class exactly), not bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from boilerml.trees import TreeEnsemble, TreeError, export_estimator, onnx_model


def _fitted(n_classes: int) -> tuple[HistGradientBoostingClassifier, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values take their learnt side
    side = (np.nan_to_num(x[:, 0]) * 2 + np.nan_to_num(x[:, 1]) > 0).astype(int)
    names = np.array(["content", "navigation", "ad", "comment"][:n_classes])
    y = names[side + (n_classes > 2) * (x[:, 2] > 1)]
    return HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(x, y), x


@pytest.mark.parametrize("n_classes", [2, 3])
def test_exported_trees_predict_like_the_estimator(n_classes):
    estimator, x = _fitted(n_classes)
    trees = export_estimator(estimator)
    assert trees.classes_.tolist() == estimator.classes_.tolist()
    ours, theirs = trees.predict_proba(x), estimator.predict_proba(x)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(ours.argmax(axis=1), theirs.argmax(axis=1))
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_arrays_round_trip():
    estimator, x = _fitted(3)
    trees = export_estimator(estimator)
    again = TreeEnsemble.from_arrays(trees.to_arrays())
    np.testing.assert_array_equal(again.predict_proba(x), trees.predict_proba(x))


def test_wrong_number_of_columns_is_an_error():
    estimator, x = _fitted(3)
    with pytest.raises(ValueError, match="5 columns"):
        export_estimator(estimator).predict_proba(x[:, :4])


def test_inconsistent_arrays_are_refused():
    arrays = export_estimator(_fitted(3)[0]).to_arrays()
    with pytest.raises(TreeError, match="boundaries"):
        TreeEnsemble.from_arrays({**arrays, "tree_starts": arrays["tree_starts"][:-1]})
    with pytest.raises(TreeError, match="baseline"):
        TreeEnsemble.from_arrays({**arrays, "baseline": arrays["baseline"][:1]})
    with pytest.raises(TreeError, match="missing array"):
        TreeEnsemble.from_arrays({k: v for k, v in arrays.items() if k != "nodes"})


def test_only_histogram_boosting_is_exported():
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TreeError, match="LogisticRegression"):
        export_estimator(LogisticRegression())


def test_an_empty_matrix_gives_no_rows():
    trees = export_estimator(_fitted(3)[0])
    assert trees.predict_proba(np.zeros((0, 5))).shape == (0, 3)


def test_cleaning_imports_neither_scikit_learn_nor_onnx():
    # Each takes most of a second to import (onnx through ml_dtypes): prediction needs neither.
    import subprocess
    import sys

    code = (
        "import sys, boilerml; "
        "boilerml.clean('<html><body><p>One sentence of an article here.</p></body></html>'); "
        "boilerml.clean('a line of text\\nanother line', input_format='text'); "
        "heavy = ('sklearn', 'scipy', 'onnx', 'ml_dtypes'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_finite_rows_score_the_same_with_or_without_a_nan_row_beside_them():
    # A matrix without NaN runs on trees stripped of their missing-value sides, one with a
    # NaN on the full trees: the finite rows must not notice which.
    estimator, x = _fitted(3)
    trees = export_estimator(estimator)
    finite = x[~np.isnan(x).any(axis=1)]
    alone = trees.predict_proba(finite)
    beside_nan = trees.predict_proba(np.vstack([finite, x[np.isnan(x).any(axis=1)][:1]]))[: len(finite)]
    np.testing.assert_array_equal(alone, beside_nan)
    np.testing.assert_allclose(alone, estimator.predict_proba(finite), rtol=0, atol=1e-6)


@pytest.mark.parametrize("with_missing", [True, False])
def test_one_operator_per_class_scores_like_one_for_all_classes(with_missing):
    # Prediction runs one operator per class; the operator with every class's trees (one
    # output column each) must give exactly the same raw scores, rows of any count.
    import onnxruntime

    estimator, x = _fitted(3)
    x = x if with_missing else np.nan_to_num(x)
    trees = export_estimator(estimator)

    def scores(model: bytes) -> np.ndarray:
        session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
        return session.run(None, {"features": x})[0]

    all_classes = scores(onnx_model(trees, with_missing))
    per_class = np.hstack([scores(onnx_model(trees, with_missing, target)) for target in range(3)])
    assert all_classes.shape == per_class.shape == (len(x), 3)
    np.testing.assert_array_equal(per_class, all_classes)
    np.testing.assert_array_equal(trees._raw_scores(x), all_classes.astype(np.float64))
