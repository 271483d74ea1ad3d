"""The hand-written ONNX protobuf is what the ``onnx`` package builds for the same operator."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from sklearn.ensemble import HistGradientBoostingClassifier

from boilerml.onnx_proto import _varint, _varints
from boilerml.trees import _ONNX_IR_VERSION, _ONNX_OPSETS, TreeEnsemble, export_estimator, onnx_model


def _reference_model(ensemble: TreeEnsemble, with_missing: bool) -> onnx.ModelProto:
    """The model built with ``onnx.helper``, as boilerml did before it wrote the bytes itself."""
    nodes, starts = ensemble.nodes, ensemble.tree_starts.astype(np.int64)
    sizes = np.diff(starts)
    tree = np.repeat(np.arange(len(sizes)), sizes)
    position = np.arange(len(nodes)) - np.repeat(starts[:-1], sizes)
    leaf = nodes["is_leaf"] == 1
    per_iteration = ensemble.trees_per_iteration
    missing_left = np.where(leaf | (not with_missing), 0, nodes["missing_go_to_left"])

    def ints(values: np.ndarray) -> list[int]:
        return np.asarray(values).astype(np.int64).tolist()

    def doubles(name: str, values: np.ndarray) -> onnx.TensorProto:
        array = np.ascontiguousarray(values, dtype="<f8")
        return helper.make_tensor(name, TensorProto.DOUBLE, [len(array)], array.tobytes(), raw=True)

    operator = helper.make_node(
        "TreeEnsembleRegressor",
        ["features"],
        ["scores"],
        domain="ai.onnx.ml",
        n_targets=per_iteration,
        nodes_treeids=ints(tree),
        nodes_nodeids=ints(position),
        nodes_modes=np.where(leaf, "LEAF", "BRANCH_LEQ").tolist(),
        nodes_featureids=ints(np.where(leaf, 0, nodes["feature_idx"])),
        nodes_values_as_tensor=doubles("thresholds", np.where(leaf, 0.0, nodes["num_threshold"])),
        nodes_truenodeids=ints(np.where(leaf, 0, nodes["left"])),
        nodes_falsenodeids=ints(np.where(leaf, 0, nodes["right"])),
        nodes_missing_value_tracks_true=ints(missing_left),
        target_treeids=ints(tree[leaf]),
        target_nodeids=ints(position[leaf]),
        target_ids=ints(tree[leaf] % per_iteration),
        target_weights_as_tensor=doubles("leaf_values", nodes["value"][leaf]),
        base_values_as_tensor=doubles("baseline", ensemble.baseline),
        aggregate_function="SUM",
        post_transform="NONE",
    )
    graph = helper.make_graph(
        [operator],
        "boilerml_trees",
        [helper.make_tensor_value_info("features", TensorProto.DOUBLE, [None, ensemble.n_features])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, per_iteration])],
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
