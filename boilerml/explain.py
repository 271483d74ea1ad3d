"""Why each line got its label: every feature's share of the model's decision.

This sits beside the pipeline, not in it: :func:`boilerml.classify` calls
:func:`explain_lines` only when asked (``explain=True``).

**Method.** A boosted model's raw score for a class is its starting score plus one leaf value
per tree of that class. On the way from a tree's root to the line's leaf, each split moves the
expected score (the mean of the leaf values under a node, weighted by how many training lines
reached each) from the parent's to the child's; the move is credited to the feature the split
reads. This is path attribution (Saabas's "interpreting random forests", as in the
``treeinterpreter`` package). The credits of every tree, plus the roots' expected scores and the
starting score, add up exactly to the raw score. So the margin by which the label beat its
rival (the label's raw score minus the rival's, which is also the log of the ratio of their
probabilities) splits exactly into one weight per feature, and the weights are summed into
reasons: a feature of the line itself, one of the lines around it (its copies from the
neighbours and its window means), or the first pass's verdicts on the lines around it.

The second pass also reads the first pass's verdict on the line itself. That weight is handed
on to the line's own features in proportion to their weights in the first pass's margin, when
those point the same way, so that a reason names a property of the page rather than "the first
pass said so"; otherwise it stays one reason, ``first_verdict``. The weights still add up to the
margin.

Path attribution credits a feature with what the trees did at its splits, given the splits
above them; features used together (length and word count, say) may split their weight
between them differently from one tree to the next. Read the reasons as what moved the model,
not as causes in the page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from .features import CONTEXT_PROBABILITY_NAMES, feature_names, probability_context_matrix, window_mean_matrix
from .lines import LABELS, Explanation, LabelledLine, LabelName, Reason
from .model import CONFIDENT_FIRST_PASS, Mode, Model, Passes, features_of, ordered_proba
from .trees import TreeEnsemble, export_estimator

#: Lines explained per block. A block walks the trees of each line's label and rival for all
#: its lines at once, about 50 kB per HTML line (a step of each of 300 of the 600 trees), so
#: a block stays under about 15 MB.
LINES_PER_BLOCK = 256
#: Reasons weaker than this (log-odds, either way) are summed into ``Explanation.rest``
#: rather than listed: they change the odds of the label against its rival by less than 5 %,
#: and a line has about a hundred of them (most features move every line a little).
MIN_REASON_WEIGHT = 0.05
#: A reason about the lines around a line shows their mean over the line and this many lines
#: on either side (one of the feature windows, :data:`boilerml.features.WINDOW_RADII`).
SHOWN_WINDOW_RADIUS = 3
#: The reason of the second pass's own first-pass verdict, when it is not handed on.
FIRST_VERDICT = "first_verdict"
#: Suffix of the reason of a feature copied from, or averaged over, the lines around a line.
AROUND = "@around"
#: The second pass's columns holding the first pass's verdict on the line itself.
_OWN_VERDICT_COLUMNS = frozenset(f"p_{label}" for label in LABELS)


@cache
def _descriptions() -> dict[str, dict[str, str]]:
    """``feature_descriptions.json``: base feature or group name to its ``says`` and ``shown_as``."""
    data = resources.files("boilerml").joinpath("data", "feature_descriptions.json")
    features: dict[str, dict[str, str]] = json.loads(data.read_text("utf-8"))["features"]
    groups = {entry["group"]: entry for entry in features.values() if "group" in entry}
    return {**features, **groups}


def reason_key(column: str) -> str:
    """The reason a feature column counts towards (see :class:`boilerml.lines.Reason`)."""
    if column in _OWN_VERDICT_COLUMNS:
        return FIRST_VERDICT
    base, around, _ = column.partition("@")
    if base.startswith("tag_"):
        base = "tag"
    if around:
        return base + AROUND
    return _descriptions()[base].get("group", base)


@cache
def _reasons_of(mode: Mode) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The reason keys of a mode's second-pass columns (a superset of the first pass's), and
    the one-hot matrices mapping the first pass's and the second pass's columns to them,
    shapes ``(k_first, r)`` and ``(k_second, r)``."""
    first = feature_names(mode)
    second = first + CONTEXT_PROBABILITY_NAMES
    keys = tuple(dict.fromkeys(reason_key(column) for column in second))
    position = {key: i for i, key in enumerate(keys)}

    def one_hot(columns: tuple[str, ...]) -> np.ndarray:
        matrix = np.zeros((len(columns), len(keys)))
        matrix[np.arange(len(columns)), [position[reason_key(column)] for column in columns]] = 1.0
        return matrix

    return keys, one_hot(first), one_hot(second)


def path_weights(
    ensemble: TreeEnsemble, features: np.ndarray, walked: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Path attribution of the raw scores of every tree group (one per class, or one for two
    classes).

    Args:
        features: the lines' features, shape ``(n, ensemble.n_features)``.
        walked: which tree groups to attribute for each line, bool ``(n, t)``; the others'
            weights are left 0 (None: all of them).

    Returns:
        ``prior`` of shape ``(t,)`` (starting score plus the roots' expected scores, the same
        for every line) and ``weights`` of shape ``(n, t, ensemble.n_features)``:
        ``prior + weights.sum(-1)`` is the raw score of each walked tree group,
        ``t = ensemble.trees_per_iteration``.
    """
    x = np.asarray(features, dtype=np.float64)
    expected = ensemble.expected_scores()
    n, n_features, groups = x.shape[0], ensemble.n_features, ensemble.trees_per_iteration
    nodes = ensemble.nodes
    starts = ensemble.tree_starts[:-1].astype(np.int64)
    # Per node, its two ways down as entries 2i (right) and 2i + 1 (left): the child and how
    # far the step moves the expected score. A step is then a few gathers.
    child_of, step_credit = ensemble.steps()
    is_split = nodes["is_leaf"] == 0
    split_feature = nodes["feature_idx"].astype(np.int64)
    threshold = nodes["num_threshold"]
    missing_left = nodes["missing_go_to_left"] == 1
    with_missing = bool(np.isnan(x).any())  # boilerml's own features never are
    tree_group = np.arange(len(starts)) % groups
    prior = ensemble.baseline + np.bincount(tree_group, weights=expected[starts], minlength=groups)
    # Every (line, tree) walk at once, as flat arrays of the walks not yet at a leaf: where the
    # line's features start in ``x`` and its credits in the output, and the node it stands on.
    flat_x = x.ravel()
    x_start = np.repeat(np.arange(n) * n_features, len(starts))
    out_start = (np.repeat(np.arange(n) * groups, len(starts)) + np.tile(tree_group, n)) * n_features
    current = np.tile(starts, n)
    walking = is_split[current]
    if walked is not None:
        line_of_walk = np.repeat(np.arange(n), len(starts))
        walking &= np.asarray(walked, dtype=bool)[line_of_walk, np.tile(tree_group, n)]
    x_start, out_start, current = x_start[walking], out_start[walking], current[walking]
    cells, credits = [], []
    while len(current):
        feature = split_feature[current]
        value = flat_x[x_start + feature]
        go_left = value <= threshold[current]
        if with_missing:
            go_left = np.where(np.isnan(value), missing_left[current], go_left)
        way = 2 * current + go_left
        cells.append(out_start + feature)
        credits.append(step_credit[way])
        current = child_of[way]
        walking = is_split[current]
        x_start, out_start, current = x_start[walking], out_start[walking], current[walking]
    weights = np.bincount(
        np.concatenate(cells) if cells else np.zeros(0, np.intp),
        weights=np.concatenate(credits) if credits else None,
        minlength=n * groups * n_features,
    )
    return prior, weights.reshape(n, groups, n_features)


def _as_ensemble(estimator: Any) -> TreeEnsemble:
    return estimator if isinstance(estimator, TreeEnsemble) else export_estimator(estimator)


def _margin_weights(
    ensemble: TreeEnsemble, features: np.ndarray, one_hot: np.ndarray, label: np.ndarray, rival: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The raw-score margin of each line's ``label`` over its ``rival`` (indices into
    :data:`LABELS`, ``(n,)`` each), split into its prior ``(n,)`` and its reason weights
    ``(n, r)`` (a class the ensemble lacks scores 0). Only those two classes' trees are walked,
    block by block, so memory stays at a few rows per line."""
    # Two classes have one tree group: the score of the second, the first's being 0.
    classes = [LABELS.index(str(name)) for name in ensemble.classes_][-ensemble.trees_per_iteration :]
    n = features.shape[0]
    wanted = np.zeros((n, len(LABELS)), dtype=bool)
    wanted[np.arange(n), label] = wanted[np.arange(n), rival] = True
    prior = np.zeros(len(LABELS))
    weights = np.empty((n, one_hot.shape[1]))
    for start in range(0, n, LINES_PER_BLOCK):
        block = slice(start, start + LINES_PER_BLOCK)
        prior[classes], group_weights = path_weights(ensemble, features[block], wanted[block][:, classes])
        by_class = np.zeros((len(group_weights), len(LABELS), one_hot.shape[1]))
        by_class[:, classes] = group_weights @ one_hot
        rows = np.arange(len(by_class))
        weights[block] = by_class[rows, label[block]] - by_class[rows, rival[block]]
    return prior[label] - prior[rival], weights


def _rival(line: LabelledLine, classes: set[str]) -> LabelName:
    """``content`` for a line labelled anything else; else the most probable other class."""
    if line.label != "content" and "content" in classes:
        return "content"
    others = [label for label in LABELS if label != line.label and label in classes]
    return max(others, key=lambda label: line.probabilities.get(label, 0.0))


def _shown(value: float, shown_as: str) -> str:
    if shown_as == "count":
        return str(round(math.expm1(value)))
    if shown_as == "share":
        return f"{value:.0%}"
    if shown_as == "flag":
        return "yes" if value >= 0.5 else "no"
    return f"{value:.2f}"


def _says(key: str) -> str:
    """What a reason says (``Reason.says``)."""
    says = _descriptions()[key.removesuffix(AROUND)]["says"]
    return "lines around it: " + says if key.endswith(AROUND) else says


def _shown_values(
    features: np.ndarray, mode: Mode, first_probabilities: np.ndarray
) -> dict[str, tuple[np.ndarray, str]]:
    """Per reason key, the column of values a reason shows, ``(n,)``, and how to show them:
    a feature's own column, or for the lines around it the mean over the seven lines centred
    on each line (:data:`SHOWN_WINDOW_RADIUS`)."""
    descriptions = _descriptions()
    shown: dict[str, tuple[np.ndarray, str]] = {}
    for column, name in enumerate(feature_names(mode)):
        base, around, where = name.partition("@")
        if not around:
            if base in descriptions:
                shown[base] = (features[:, column], descriptions[base]["shown_as"])
        elif where == f"mean{SHOWN_WINDOW_RADIUS}" and base in descriptions:
            shown[base + AROUND] = (features[:, column], descriptions[base]["shown_as"])
    means = window_mean_matrix(first_probabilities, (SHOWN_WINDOW_RADIUS,))
    for k, label in enumerate(LABELS):
        shown[f"p_{label}{AROUND}"] = (means[:, k], "share")
    return shown


def explain_lines(
    labelled: Sequence[LabelledLine], features: np.ndarray, model: Model, mode: Passes
) -> list[Explanation]:
    """Why each line got its label (see the module docstring for the method).

    Args:
        labelled: the page's labelled lines, ``n`` of them, as :func:`boilerml.classify.classify_lines`
            gave them for ``features``.
        features: their feature matrix, shape ``(n, k)`` for ``mode``.
        model: the model that labelled them.
        mode: the passes that labelled them, ``"html"``, ``"text"``, ``"markdown"`` or ``"small"``.

    Returns:
        ``n`` explanations, in line order.
    """
    if not labelled:
        return []
    passes = model.estimators[mode]
    first, second = _as_ensemble(passes["first"]), _as_ensemble(passes["second"])
    keys, first_one_hot, second_one_hot = _reasons_of(features_of(mode))
    # Which lines the second pass decided, and what it read, exactly as Model.predict_proba.
    first_probabilities = ordered_proba(passes["first"], features)
    unsure = first_probabilities.max(axis=1) < CONFIDENT_FIRST_PASS
    first_classes = {str(name) for name in first.classes_}
    second_classes = {str(name) for name in second.classes_}
    rivals = [
        _rival(line, second_classes if decided_second else first_classes)
        for line, decided_second in zip(labelled, unsure.tolist(), strict=True)
    ]
    label_index = np.array([LABELS.index(line.label) for line in labelled])
    rival_index = np.array([LABELS.index(rival) for rival in rivals])
    # Every line's margin split into its prior, (n,), and reason weights, (n, r).
    priors, weights = _margin_weights(first, features, first_one_hot, label_index, rival_index)
    shown = _shown_values(features, features_of(mode), first_probabilities)
    shown_columns = [(shown[key][0].tolist(), shown[key][1]) if key in shown else None for key in keys]
    says = [_says(key) for key in keys]
    tag = keys.index("tag") if "tag" in keys else -1
    verdict = keys.index(FIRST_VERDICT)
    if unsure.any():
        context = probability_context_matrix(first_probabilities)
        decided = np.flatnonzero(unsure)
        second_input = np.hstack([features[decided], context[decided]])
        second_priors, second_weights = _margin_weights(
            second, second_input, second_one_hot, label_index[decided], rival_index[decided]
        )
        own = weights[decided]
        handed, own_total = second_weights[:, verdict], own.sum(axis=1)
        # Where they point the same way, the line's own features take the verdict's weight.
        takes = handed * own_total > 0
        second_weights[takes] += own[takes] * (handed[takes] / own_total[takes])[:, None]
        second_weights[takes, verdict] = 0.0
        weights[decided] = second_weights
        priors[decided] = second_priors
    totals = weights.sum(axis=1)
    # The listed reasons, line by line, each line's strongest first (ties in reason order).
    line_of, reason_of = np.nonzero(np.abs(weights) >= MIN_REASON_WEIGHT)
    listed_weight = weights[line_of, reason_of]
    order = np.lexsort((-listed_weight, line_of))
    line_of, reason_of, listed_weight = line_of[order], reason_of[order], listed_weight[order]
    ends = np.cumsum(np.bincount(line_of, minlength=len(labelled))).tolist()
    reason_list, weight_list = reason_of.tolist(), listed_weight.tolist()
    explanations = []
    begin = 0
    for i, (line, rival) in enumerate(zip(labelled, rivals, strict=True)):
        reasons = []
        for r, weight in zip(reason_list[begin : ends[i]], weight_list[begin : ends[i]], strict=True):
            value = ""
            if shown_columns[r] is not None:
                column, shown_as = shown_columns[r]
                value = _shown(column[i], shown_as)
            elif r == tag and line.line is not None:
                value = f"<{line.line.tag}>"
            reasons.append(Reason(keys[r], says[r], value, weight))
        begin = ends[i]
        explanations.append(
            Explanation(
                label=line.label,
                rival=rival,
                margin=float(priors[i] + totals[i]),
                prior=float(priors[i]),
                reasons=tuple(reasons),
                rest=float(totals[i] - sum(reason.weight for reason in reasons)),
                second_pass=bool(unsure[i]),
            )
        )
    return explanations
