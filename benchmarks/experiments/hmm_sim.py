"""exp30 (forward-backward smoothing of line labels) simulated on held-out train pages.

Usage: python benchmarks/experiments/hmm_sim.py HELDOUT.npz

For each mode: counts the label prior and the transition matrix on the file's labels, then
for each λ smooths every page's probabilities with transitions λ·A + (1-λ)·1·priorᵀ and
prints the change of mean page F1 (keep rule P(content) >= 0.5), the mean change on the
three text-gap corpora, the worst corpus and how many pages move by more than 0.01 each way.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import by_corpus, page_f1
from heldout_compare import GAP_CORPORA, MOVED

from boilerml.lines import LABELS

LAMBDAS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


def forward_backward(p: np.ndarray, prior: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """Posteriors ``(n, k)`` of a chain with emissions ``p / prior`` (scaled recursion)."""
    emission = p / prior
    n, k = p.shape
    alpha = np.empty((n, k))
    state = prior
    for t in range(n):
        a = (state if t == 0 else alpha[t - 1] @ transitions) * emission[t]
        alpha[t] = a / a.sum()
        state = alpha[t]
    beta = np.ones(k)
    out = np.empty((n, k))
    for t in range(n - 1, -1, -1):
        post = alpha[t] * beta
        out[t] = post / post.sum()
        b = transitions @ (emission[t] * beta)
        beta = b / b.sum()
    return out


def main() -> None:
    data = np.load(sys.argv[1])
    content = LABELS.index("content")
    for mode in ("html", "text"):
        labels = np.array([LABELS.index(label) for label in data[f"{mode}_labels"]])
        probs = np.clip(data[f"{mode}_probabilities"], 1e-9, None)
        tokens = data[f"{mode}_tokens"]
        cuts = np.cumsum(data[f"{mode}_lengths"])[:-1]
        keys = [str(k) for k in data[f"{mode}_pages"]]
        k = len(LABELS)
        prior = np.bincount(labels, minlength=k) / len(labels)
        pairs = np.zeros((k, k))
        for page_labels in np.split(labels, cuts):
            np.add.at(pairs, (page_labels[:-1], page_labels[1:]), 1)
        learnt = pairs / pairs.sum(axis=1, keepdims=True)
        print(mode, "prior", np.round(prior, 3).tolist())
        print("  transitions", np.round(learnt, 3).tolist())
        gold = np.split(labels == content, cuts)
        pages = list(zip(keys, np.split(probs, cuts), gold, np.split(tokens, cuts), strict=True))
        base = {key: page_f1(p[:, content] >= 0.5, g, t) for key, p, g, t in pages}
        base_corpus, base_mean = by_corpus(base), statistics.mean(base.values())
        print(f"  base {base_mean:.4f}", {c: round(v, 4) for c, v in base_corpus.items()})
        for lam in LAMBDAS[1:]:
            transitions = lam * learnt + (1 - lam) * prior[None, :]
            f1 = {
                key: page_f1(forward_backward(p, prior, transitions)[:, content] >= 0.5, g, t)
                for key, p, g, t in pages
            }
            corpus = by_corpus(f1)
            change = statistics.mean(f1.values()) - base_mean
            worst_name = min(corpus, key=lambda c: corpus[c] - base_corpus[c])
            worst = corpus[worst_name] - base_corpus[worst_name]
            gap = statistics.mean(corpus[c] - base_corpus[c] for c in GAP_CORPORA)
            better = sum(f1[x] > base[x] + MOVED for x in f1)
            worse = sum(f1[x] < base[x] - MOVED for x in f1)
            print(
                f"  λ {lam}: {change:+.4f} gap3 {gap:+.4f} worst {worst:+.4f} "
                f"({worst_name}) better {better} worse {worse}",
                {c: round(corpus[c] - base_corpus[c], 4) for c in corpus},
                flush=True,
            )


if __name__ == "__main__":
    main()
