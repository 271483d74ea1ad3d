"""Stage 4: features to labelled lines with probabilities."""

from __future__ import annotations

import numpy as np

from .lines import LABELS, LabelledLine, Line
from .model import Model, Passes


def classify_lines(lines: list[Line], features: np.ndarray, model: Model, mode: Passes) -> list[LabelledLine]:
    """Label every line with its most probable class.

    Args:
        lines: the page's lines, ``n`` of them.
        features: their feature matrix, shape ``(n, k)`` for ``mode``'s features.
        model: the trained model.
        mode: which passes to use, ``"html"``, ``"text"``, ``"markdown"`` (text read as
            Markdown) or ``"small"`` (a small text input), the last two when the model has them.

    Returns:
        ``n`` labelled lines, in input order, each naming ``mode`` as its ``passes``.
    """
    probabilities = model.predict_proba(features, mode)
    best = probabilities.argmax(axis=1).tolist() if len(lines) else []
    # Python floats and ints in one conversion each: about a quarter faster than per item.
    return [
        LabelledLine(
            text=line.text, label=LABELS[choice], probabilities=dict(zip(LABELS, row)), line=line, passes=mode
        )
        for line, row, choice in zip(lines, probabilities.tolist(), best)
    ]
