"""Accuracy metrics exactly as ``../shared/METRICS.md`` defines them."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .lines import LABELS
from .tokens import tokenize, words

#: Words per AEB shingle.
SHINGLE_WORDS = 4


def token_f1(gold: str, output: str) -> tuple[float, float, float]:
    """Bag-of-tokens (precision, recall, F1) of one page; CJK characters are tokens.

    Both empty gives (1, 1, 1); exactly one empty gives F1 0.
    """
    gold_bag = Counter(tokenize(gold))
    output_bag = Counter(tokenize(output))
    n_gold = sum(gold_bag.values())
    n_output = sum(output_bag.values())
    if n_gold == 0 and n_output == 0:
        return 1.0, 1.0, 1.0
    if n_gold == 0 or n_output == 0:
        return (0.0 if n_output else 1.0), (0.0 if n_gold else 1.0), 0.0
    overlap = sum((gold_bag & output_bag).values())
    precision = overlap / n_output
    recall = overlap / n_gold
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return precision, recall, f1


def shingles(text: str, size: int = SHINGLE_WORDS) -> Counter[tuple[str, ...]]:
    """Multiset of ``size``-word shingles; a text of 1 to size-1 words is one shingle."""
    tokens = words(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def aeb_page(gold: str, output: str) -> tuple[float | None, float | None]:
    """Shingle (precision, recall) of one page; None where undefined (no shingles)."""
    gold_shingles = shingles(gold)
    output_shingles = shingles(output)
    shared = sum((gold_shingles & output_shingles).values())
    precision = shared / sum(output_shingles.values()) if output_shingles else None
    recall = shared / sum(gold_shingles.values()) if gold_shingles else None
    return precision, recall


def aeb_f1(pairs: Sequence[tuple[float | None, float | None]]) -> tuple[float, float, float]:
    """Corpus AEB figure: mean precision and mean recall where defined, and F1 of the two means."""
    precisions = [p for p, _ in pairs if p is not None]
    recalls = [r for _, r in pairs if r is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def line_scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, dict[str, float]]:
    """Per-class precision, recall, F1 and support over lines, plus macro F1."""
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(LABELS), zero_division=0
    )
    scores = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(LABELS, precision, recall, f1, support)
    }
    scores["macro"] = {"f1": round(float(np.mean(f1)), 4)}
    return scores


def page_figures(
    token_f1s: Sequence[float], aeb_pairs: Sequence[tuple[float | None, float | None]]
) -> dict[str, float]:
    """A group of pages' figures: pages, mean and median token F1, AEB F1 (METRICS.md)."""
    return {
        "pages": len(token_f1s),
        "token_f1_mean": statistics.fmean(token_f1s),
        "token_f1_median": statistics.median(token_f1s),
        "aeb_f1": aeb_f1(aeb_pairs)[2],
    }
