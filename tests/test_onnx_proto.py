"""The hand-written ONNX protobuf is what the ``onnx`` package builds for the same operator.

The attributes themselves (which arrays say what) are checked by predicting like
scikit-learn (``tests/test_trees.py``); here only their encoding is.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from sklearn.ensemble import HistGradientBoostingClassifier

from boilerml.onnx_proto import DoubleTensor, _varint, _varints
from boilerml.trees import (
    _ONNX_IR_VERSION,
    _ONNX_OPSETS,
    TreeEnsemble,
    export_estimator,
    onnx_model,
    operator_attributes,
)


def _reference_model(ensemble: TreeEnsemble, with_missing: bool) -> onnx.ModelProto:
    """The same operator built with ``onnx.helper``, as boilerml did before it wrote the bytes."""

    def helper_value(value: object) -> object:
        if isinstance(value, DoubleTensor):
            array = np.ascontiguousarray(value.values, dtype="<f8")
            return helper.make_tensor(value.name, TensorProto.DOUBLE, [len(array)], array.tobytes(), raw=True)
        if isinstance(value, np.ndarray):
            return value.astype(np.int64).tolist()
        return value

    attributes = {
        name: helper_value(value) for name, value in operator_attributes(ensemble, with_missing).items()
    }
    operator = helper.make_node(
        "TreeEnsembleRegressor", ["features"], ["scores"], domain="ai.onnx.ml", **attributes
    )
    graph = helper.make_graph(
        [operator],
        "boilerml_trees",
        [helper.make_tensor_value_info("features", TensorProto.DOUBLE, [None, ensemble.n_features])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, ensemble.trees_per_iteration])],
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid(domain, version) for domain, version in _ONNX_OPSETS],
        ir_version=_ONNX_IR_VERSION,
    )


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("with_missing", [True, False])
def test_written_model_parses_to_the_helper_built_one(n_classes, with_missing):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 6))
    x[rng.random(x.shape) < 0.05] = np.nan
    y = np.array(["content", "navigation", "ad", "comment"][:n_classes])[rng.integers(0, n_classes, 300)]
    # Enough trees and leaves that node ids need two-byte varints.
    estimator = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=200, random_state=0).fit(x, y)
    trees = export_estimator(estimator)
    written = onnx.ModelProto.FromString(onnx_model(trees, with_missing))
    assert written == _reference_model(trees, with_missing)
    onnx.checker.check_model(written)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 16_383, 16_384, 2**31, 2**63 - 1])
def test_varints_match_the_protobuf_encoding(value):
    expected = bytearray()
    rest = value
    while True:
        expected.append((rest & 0x7F) | (0x80 if rest >> 7 else 0))
        rest >>= 7
        if not rest:
            break
    assert _varints(np.array([value], dtype=np.uint64)) == bytes(expected)
    assert _varints(np.array([value, 5], dtype=np.uint64)) == bytes(expected) + b"\x05"


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**63 - 1])
def test_one_varint_is_written_like_an_array_of_one(value):
    assert _varint(value) == _varints(np.array([value], dtype=np.uint64))
