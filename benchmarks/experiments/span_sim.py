"""exp28 (an article span in the reassembler) simulated on held-out train pages (experiment helper).

Usage: python benchmarks/experiments/span_sim.py HELDOUT.npz CHARS.npz

For each page, the span maximising the sum of (P(content) - 0.5) x characters over its
lines; lines inside it are kept at 0.5 - IN_SLACK, lines outside at 0.5 + OUT_MARGIN. Prints,
per mode and pair, the change of mean page F1, the mean change on the three text-gap
corpora, the worst corpus change and how many pages move by more than 0.01 each way, then
the pair exp28's rule picks.
"""

from __future__ import annotations

import itertools
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fallback_sim import by_corpus, load, page_f1
from heldout_compare import GAP_CORPORA, MOVED

IN_SLACKS = (0, 0.1, 0.2, 0.3)
OUT_MARGINS = (0, 0.1, 0.2, 0.3, 0.4, 0.51)
#: A pair is eligible when no corpus's mean falls by more than this in either mode.
WORST_CORPUS = -0.005


def article_span(p: np.ndarray, chars: np.ndarray) -> tuple[int, int] | None:
    """First and last line of the span maximising sum((p - 0.5) x chars); None when no line reaches 0.5."""
    score = (p - 0.5) * chars
    best, span = 0.0, None
    running, start = 0.0, 0
    for i, value in enumerate(score):
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, span = running, (start, i)
    return span


def span_keep(p: np.ndarray, span: tuple[int, int] | None, in_slack: float, out_margin: float) -> np.ndarray:
    """exp28's keep mask at threshold 0.5, shape ``p.shape``."""
    if span is None:
        return p >= 0.5
    inside = np.zeros(len(p), dtype=bool)
    inside[span[0] : span[1] + 1] = True
    return np.where(inside, p >= 0.5 - in_slack, p >= 0.5 + out_margin)


def main() -> None:
    results: dict[tuple[float, float], dict[str, tuple[float, float]]] = {}
    for mode in ("html", "text"):
        data = load(sys.argv[1], sys.argv[2], mode)
        spans = [article_span(p, chars.astype(np.float64)) for _, p, _, _, chars in data]
        base = {key: page_f1(p >= 0.5, gold, tokens) for key, p, gold, tokens, _ in data}
        base_corpus, base_mean = by_corpus(base), statistics.mean(base.values())
        print(mode, round(base_mean, 4), {k: round(v, 4) for k, v in base_corpus.items()})
        for in_slack, out_margin in itertools.product(IN_SLACKS, OUT_MARGINS):
            f1 = {
                key: page_f1(span_keep(p, span, in_slack, out_margin), gold, tokens)
                for (key, p, gold, tokens, _), span in zip(data, spans, strict=True)
            }
            corpus = by_corpus(f1)
            change = statistics.mean(f1.values()) - base_mean
            worst_name = min(corpus, key=lambda k: corpus[k] - base_corpus[k])
            worst = corpus[worst_name] - base_corpus[worst_name]
            gap = statistics.mean(corpus[k] - base_corpus[k] for k in GAP_CORPORA)
            better = sum(f1[k] > base[k] + MOVED for k in f1)
            worse = sum(f1[k] < base[k] - MOVED for k in f1)
            results.setdefault((in_slack, out_margin), {})[mode] = (change, worst)
            print(
                f"  in {in_slack} out {out_margin}: {change:+.4f} gap3 {gap:+.4f} "
                f"worst {worst:+.4f} ({worst_name}) better {better} worse {worse}"
            )
    eligible = {k: v for k, v in results.items() if min(m[1] for m in v.values()) >= WORST_CORPUS}
    chosen = max(eligible, key=lambda k: sum(x[0] for x in eligible[k].values()))
    print("chosen", chosen, {m: round(x[0], 4) for m, x in eligible[chosen].items()})


if __name__ == "__main__":
    main()
