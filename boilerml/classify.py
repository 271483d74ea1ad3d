"""Stage 4: features to labelled lines with probabilities."""

from __future__ import annotations

import numpy as np

from .lines import LABELS, LabelledLine, Line
from .model import Mode, Model


def classify_lines(lines: list[Line], features: np.ndarray, model: Model, mode: Mode) -> list[LabelledLine]:
    """Label every line with its most probable class.

    Args:
        lines: the page's lines, ``n`` of them.
        features: their feature matrix, shape ``(n, k)`` for ``mode``.
        model: the trained model.
        mode: which estimator to use, ``"html"`` or ``"text"``.

    Returns:
        ``n`` labelled lines, in input order.
    """
    probabilities = model.predict_proba(features, mode)
    best = probabilities.argmax(axis=1) if len(lines) else np.zeros(0, dtype=int)
    return [
        LabelledLine(
            text=line.text,
            label=LABELS[int(choice)],
            probabilities={label: float(p) for label, p in zip(LABELS, row)},
            line=line,
        )
        for line, row, choice in zip(lines, probabilities, best)
    ]
