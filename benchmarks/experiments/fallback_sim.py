"""exp26's page fallback simulated on held-out train pages (experiment helper).

Usage: python benchmarks/experiments/fallback_sim.py HELDOUT.npz CHARS.npz

HELDOUT.npz comes from ``heldout.py``; CHARS.npz holds ``<mode>_chars`` and ``<mode>_pages``
for the same rows (``heldout.py`` now stores the characters itself: pass its output twice).
A page's F1 is computed from line labels and per-line token counts (gold: the lines
labelled content), for the keep rule at 0.5 and for every (share, ratio) of exp26's grid.
"""

import itertools
import statistics
import sys

import numpy as np

CONTENT = 0


def page_f1(keep, content, tokens):
    gold = tokens[content].sum()
    out = tokens[keep].sum()
    both = tokens[keep & content].sum()
    if gold == 0 and out == 0:
        return 1.0
    if gold == 0 or out == 0 or both == 0:
        return 0.0
    p, r = both / out, both / gold
    return float(2 * p * r / (p + r))


def keep_mask(p, chars, share=None, ratio=None, t=0.5):
    keep = p >= t
    if share is not None and len(p) and chars[keep].sum() < share * chars.sum():
        keep = p >= min(t, ratio * p.max())
    return keep


def load(path, chars_path, mode):
    d = np.load(path)
    c = np.load(chars_path)
    probs = d[f"{mode}_probabilities"]
    labels = d[f"{mode}_labels"]
    tokens = d[f"{mode}_tokens"]
    lengths = d[f"{mode}_lengths"]
    pages = d[f"{mode}_pages"]
    chars = c[f"{mode}_chars"] if f"{mode}_chars" in c else d[f"{mode}_chars"]
    cpages = c[f"{mode}_pages"]
    if len(cpages) != len(pages):  # text mode: hand-labelled pages come last, not in chars file
        assert (cpages == pages[: len(cpages)]).all()
        n = int(lengths[: len(cpages)].sum())
        probs, labels, tokens = probs[:n], labels[:n], tokens[:n]
        lengths, pages = lengths[: len(cpages)], pages[: len(cpages)]
    assert (cpages == pages).all() and len(chars) == len(tokens)
    cuts = np.cumsum(lengths)[:-1]
    return list(
        zip(
            pages,
            np.split(probs[:, CONTENT], cuts),
            np.split(labels == "content", cuts),
            np.split(tokens, cuts),
            np.split(chars, cuts),
        )
    )


def evaluate(data, **kw):
    return {key: page_f1(keep_mask(p, ch, **kw), c, tok) for key, p, c, tok, ch in data}


def by_corpus(f1):
    by = {}
    for k, v in f1.items():
        by.setdefault(k.split("/")[0], []).append(v)
    return {k: statistics.mean(v) for k, v in by.items()}


if __name__ == "__main__":
    path, chars_path = sys.argv[1], sys.argv[2]
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
