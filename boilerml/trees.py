"""Gradient-boosted trees as plain arrays: what a model file holds, and how it predicts.

A fitted scikit-learn ``HistGradientBoostingClassifier`` is exported to numpy arrays: the
nodes of all its trees (scikit-learn's own node record), where each tree starts, the
baseline scores and the class names. A model file of such arrays loads without pickle, so
loading it cannot run code; :func:`validate_trees` then checks that every child index,
feature index and flag is in range, so that a crafted file cannot make the compiled tree
walker read outside the arrays or loop. Prediction walks the trees with scikit-learn's
compiled predictor on one thread (the caller parallelises over pages, not over the few
hundred lines of one page), giving the probabilities ``predict_proba`` gives.

Shapes: ``nodes`` is a record array of :data:`NODE_DTYPE`, all trees one after another;
``tree_starts`` has ``n_trees + 1`` entries; trees are stored iteration by iteration, with
``trees_per_iteration`` trees per boosting iteration (one per class, or one for two classes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE, X_BITSET_INNER_DTYPE
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

#: The node record of scikit-learn's tree predictor (value, feature_idx, num_threshold,
#: missing_go_to_left, left, right, is_leaf, ... ), stored as is.
NODE_DTYPE = PREDICTOR_RECORD_DTYPE


class TreeError(ValueError):
    """Tree arrays that are inconsistent, out of range, or not from a supported estimator."""


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """A boosted tree ensemble as arrays, with ``predict_proba`` and ``classes_`` like the
    scikit-learn estimator it came from.

    Attributes:
        classes_: class names, shape ``(k,)``.
        baseline: raw score every line starts from, shape ``(trees_per_iteration,)``.
        nodes: every tree's nodes, record array of :data:`NODE_DTYPE`.
        tree_starts: index of each tree's first node in ``nodes``, and ``len(nodes)`` last.
        n_features: columns of the feature matrix the trees expect.
    """

    classes_: np.ndarray
    baseline: np.ndarray
    nodes: np.ndarray
    tree_starts: np.ndarray
    n_features: int
    _predictors: tuple[TreePredictor, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        validate_trees(self.classes_, self.baseline, self.nodes, self.tree_starts, self.n_features)
        no_categories = np.zeros((0, 8), dtype=X_BITSET_INNER_DTYPE)
        predictors = tuple(
            TreePredictor(self.nodes[start:end], no_categories, no_categories)
            for start, end in zip(self.tree_starts[:-1], self.tree_starts[1:], strict=True)
        )
        object.__setattr__(self, "_predictors", predictors)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, np.ndarray]]]:
        # Pickled (for worker processes) as its arrays only; the walkers are rebuilt.
        return (TreeEnsemble.from_arrays, (self.to_arrays(),))

    @property
    def trees_per_iteration(self) -> int:
        return len(self.baseline)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities, shape ``(n_lines, k)`` in ``classes_`` order, rows summing to 1."""
        x = np.ascontiguousarray(features, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"expected a matrix of {self.n_features} columns, got shape {x.shape}")
        per_iteration = self.trees_per_iteration
        raw = np.empty((x.shape[0], per_iteration))
        raw[:] = self.baseline
        no_categories = np.zeros((0, 8), dtype=X_BITSET_INNER_DTYPE)
        feature_map = np.zeros(self.n_features, dtype=np.uint32)
        for index, predictor in enumerate(self._predictors):
            raw[:, index % per_iteration] += predictor.predict(x, no_categories, feature_map, 1)
        if per_iteration == 1:  # two classes: the score is the log-odds of the second
            second = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            return np.column_stack([1.0 - second, second])
        raw -= raw.max(axis=1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=1, keepdims=True)
        return raw

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays that describe this ensemble (no Python objects: storable without pickle)."""
        return {
            "classes": self.classes_.astype(str),
            "baseline": self.baseline,
            "nodes": self.nodes,
            "tree_starts": self.tree_starts,
            "n_features": np.array(self.n_features, dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TreeEnsemble:
        """Rebuild from :meth:`to_arrays` output; raises :class:`TreeError` if they are invalid."""
        try:
            return cls(
                classes_=np.asarray(arrays["classes"]).astype(str),
                baseline=np.asarray(arrays["baseline"], dtype=np.float64),
                nodes=np.asarray(arrays["nodes"]),
                tree_starts=np.asarray(arrays["tree_starts"]),
                n_features=int(arrays["n_features"]),
            )
        except KeyError as error:
            raise TreeError(f"missing array {error}") from error


def export_estimator(estimator: Any) -> TreeEnsemble:
    """The arrays of a fitted ``HistGradientBoostingClassifier`` fitted on numeric features."""
    if type(estimator).__name__ != "HistGradientBoostingClassifier":
        raise TreeError(f"cannot export {type(estimator).__name__}: only HistGradientBoostingClassifier")
    if getattr(estimator, "is_categorical_", None) is not None:
        raise TreeError("categorical features are not supported")
    trees = [predictor for iteration in estimator._predictors for predictor in iteration]
    sizes = [len(predictor.nodes) for predictor in trees]
    return TreeEnsemble(
        classes_=np.asarray(estimator.classes_).astype(str),
        baseline=np.asarray(estimator._baseline_prediction, dtype=np.float64).ravel(),
        nodes=np.concatenate([predictor.nodes for predictor in trees]),
        tree_starts=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        n_features=int(estimator.n_features_in_),
    )


def validate_trees(
    classes: np.ndarray, baseline: np.ndarray, nodes: np.ndarray, tree_starts: np.ndarray, n_features: int
) -> None:
    """Raise :class:`TreeError` unless the arrays form trees the compiled walker can follow
    safely: every split's children lie after it inside its own tree (so every walk ends at a
    leaf), every feature index is a column, no node is categorical, every leaf value is finite."""
    if nodes.dtype != NODE_DTYPE or nodes.ndim != 1:
        raise TreeError("nodes are not tree-predictor records")
    if classes.ndim != 1 or len(classes) < 2 or len(set(classes.tolist())) != len(classes):
        raise TreeError("classes must be two or more distinct names")
    per_iteration = 1 if len(classes) == 2 else len(classes)
    if baseline.shape != (per_iteration,) or not np.isfinite(baseline).all():
        raise TreeError(f"baseline must hold {per_iteration} finite scores")
    if n_features < 1:
        raise TreeError("no features")
    if tree_starts.dtype.kind not in "iu":
        raise TreeError("tree boundaries must be integers")
    starts = tree_starts.astype(np.int64)
    if (
        starts.ndim != 1
        or len(starts) < 2
        or starts[0] != 0
        or starts[-1] != len(nodes)
        or (np.diff(starts) < 1).any()
        or (len(starts) - 1) % per_iteration
    ):
        raise TreeError("tree boundaries are inconsistent")
    sizes = np.diff(starts)
    position = np.arange(len(nodes), dtype=np.int64) - np.repeat(starts[:-1], sizes)
    size_of_tree = np.repeat(sizes, sizes)
    split = nodes["is_leaf"] == 0
    if ((nodes["is_leaf"] != 0) & (nodes["is_leaf"] != 1)).any():
        raise TreeError("leaf flags must be 0 or 1")
    for child in ("left", "right"):
        index = nodes[child].astype(np.int64)[split]
        if ((index <= position[split]) | (index >= size_of_tree[split])).any():
            raise TreeError(f"a {child} child index points outside its tree or backwards")
    feature = nodes["feature_idx"][split]
    if ((feature < 0) | (feature >= n_features)).any():
        raise TreeError("a split uses a feature index out of range")
    if nodes["is_categorical"].any():
        raise TreeError("categorical splits are not supported")
    if not np.isfinite(nodes["value"]).all():
        raise TreeError("non-finite leaf values")
