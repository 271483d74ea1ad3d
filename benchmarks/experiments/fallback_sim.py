"""exp26's page fallback simulated on held-out train pages (experiment helper).

Usage: python benchmarks/experiments/fallback_sim.py HELDOUT.npz [CHARS.npz]

HELDOUT.npz comes from ``heldout.py``. CHARS.npz, when given, supplies ``<mode>_chars`` and
``<mode>_pages`` for the same rows (exp26's run made it separately, before ``heldout.py``
stored the characters itself). A page's F1 is computed from line labels and per-line token
counts (gold: the lines labelled content), for the keep rule at 0.5 and for every
(share, ratio) of exp26's grid.
"""

from __future__ import annotations

import itertools
import statistics
import sys

import numpy as np

from boilerml.lines import LABELS

#: (page key, P(content) per line, gold content per line, tokens per line, characters per line)
PageData = tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def page_f1(keep: np.ndarray, content: np.ndarray, tokens: np.ndarray) -> float:
    """Token F1 of one page from line masks ``(n,)`` and tokens per line (METRICS.md's empty cases)."""
    gold = tokens[content].sum()
    out = tokens[keep].sum()
    both = tokens[keep & content].sum()
    if gold == 0 and out == 0:
        return 1.0
    if gold == 0 or out == 0 or both == 0:
        return 0.0
    p, r = both / out, both / gold
    return float(2 * p * r / (p + r))


def keep_mask(
    p: np.ndarray, chars: np.ndarray, share: float | None = None, ratio: float | None = None, t: float = 0.5
) -> np.ndarray:
    """exp26's rule at threshold ``t`` (the default one): without ``share``, the plain threshold."""
    keep = p >= t
    if share is not None and len(p) and chars[keep].sum() < share * chars.sum():
        keep = p >= min(t, ratio * p.max())
    return keep


def load(path: str, chars_path: str, mode: str) -> list[PageData]:
    d = np.load(path)
    c = np.load(chars_path)
    probs = d[f"{mode}_probabilities"]
    labels = d[f"{mode}_labels"]
    tokens = d[f"{mode}_tokens"]
    lengths = d[f"{mode}_lengths"]
    pages = d[f"{mode}_pages"]
    if f"{mode}_chars" not in c:
        raise SystemExit(f"{chars_path} has no {mode}_chars: give the characters file (usage above)")
    chars = c[f"{mode}_chars"]
    if not (np.array_equal(c[f"{mode}_pages"], pages) and len(chars) == len(tokens)):
        raise SystemExit(f"{chars_path}: {mode} rows differ from {path}'s")
    cuts = np.cumsum(lengths)[:-1]
    return list(
        zip(
            pages,
            np.split(probs[:, LABELS.index("content")], cuts),
            np.split(labels == "content", cuts),
            np.split(tokens, cuts),
            np.split(chars, cuts),
        )
    )


def evaluate(data: list[PageData], **rule: float) -> dict[str, float]:
    """Page key -> page F1 under :func:`keep_mask` with ``rule``."""
    return {key: page_f1(keep_mask(p, ch, **rule), c, tok) for key, p, c, tok, ch in data}


def by_corpus(f1: dict[str, float]) -> dict[str, float]:
    by: dict[str, list[float]] = {}
    for k, v in f1.items():
        by.setdefault(k.split("/")[0], []).append(v)
    return {k: statistics.mean(v) for k, v in by.items()}


if __name__ == "__main__":
    path = sys.argv[1]
    chars_path = sys.argv[2] if len(sys.argv) > 2 else path
    results = {}
    present = np.load(path).files
    for mode in [m for m in ("html", "text") if f"{m}_probabilities" in present]:
        data = load(path, chars_path, mode)
        base = evaluate(data)
        cb = by_corpus(base)
        mb = statistics.mean(base.values())
        print(mode, "base", round(mb, 4), {k: round(v, 4) for k, v in cb.items()}, "pages", len(base))
        for share, ratio in itertools.product((0.02, 0.05, 0.1, 0.2, 0.3), (0.3, 0.5, 0.7, 0.85)):
            f = evaluate(data, share=share, ratio=ratio)
            c = by_corpus(f)
            touched = sum(1 for k in f if abs(f[k] - base[k]) > 1e-9)
            worse = sum(1 for k in f if f[k] < base[k] - 0.01)
            better = sum(1 for k in f if f[k] > base[k] + 0.01)
            change = statistics.mean(f.values()) - mb
            worst = min(c[k] - cb[k] for k in c)
            results.setdefault((share, ratio), {})[mode] = (change, worst)
            print(
                f"  share {share} ratio {ratio}: {change:+.4f} touched {touched} better {better} "
                f"worse {worse} worst corpus {worst:+.4f}"
            )
    print("choice (mean of modes, worst corpus >= -0.005):")
    ok = {k: v for k, v in results.items() if min(m[1] for m in v.values()) >= -0.005}
    for k, v in sorted(ok.items(), key=lambda kv: -sum(x[0] for x in kv[1].values()))[:5]:
        print("  ", k, {m: round(x[0], 4) for m, x in v.items()})
