"""Where text mode loses to HTML mode on held-out pages of unseen sites (experiment helper).

Usage: python benchmarks/experiments/text_gap.py OUT.npz [OUT.npz ...] [--text TEXT.npz]

Reads ``site_gate.py`` outputs holding both modes, or HTML mode with ``--text`` naming a run
of text mode at the same seed (the text rendering of a corpus page has its HTML lines, line
for line, so the two modes' rows of a page line up) and prints, per corpus and over all
pages:

- the mean page token F1 of each mode (``heldout_compare.page_scores``, keep rule
  ``KEEP_THRESHOLD`` on P(content)) and the gap, HTML minus text;
- how much of that gap the pages whose article text mode loses make: pages at or above
  ``ARTICLE_KEPT`` in HTML mode and below ``ARTICLE_LOST`` in text mode, their summed
  differences over the corpus's page count (so it is a part of the gap, in its unit);
- token errors of each mode, as shares of the corpus's gold content tokens: content lines
  dropped, by the class the model gave them, and non-content lines kept, by their label.

The hand-labelled text-only pages, which have no HTML rows, are left out. Numbers and labels
only: no corpus text is read or printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from heldout_compare import page_scores

from boilerml.lines import LABELS

#: A page HTML mode extracts well: its token F1 is at least this.
ARTICLE_KEPT = 0.8
#: A page whose article text mode misses or buries: its token F1 is below this.
ARTICLE_LOST = 0.5
#: The keep rule of the comparison: P(content) at least this (the shipped default).
KEEP_THRESHOLD = 0.5


def corpus_of(page_key: str) -> str:
    """``"dragnet/R990"`` -> ``"dragnet"``."""
    return page_key.split("/", 1)[0]


def token_errors(path: str, mode: str, pages: set[str]) -> dict[str, dict[str, float]]:
    """Corpus -> error kind -> tokens, for the lines of ``pages`` in one mode of an output.

    Kinds: ``gold`` (content tokens), ``dropped as X`` (content lines whose most probable
    class is X and which the keep rule drops) and ``kept X`` (lines labelled X, not content,
    which the keep rule keeps).
    """
    data = np.load(path)
    probabilities = data[f"{mode}_probabilities"]
    labels, tokens = data[f"{mode}_labels"], data[f"{mode}_tokens"]
    keys = np.repeat([str(k) for k in data[f"{mode}_pages"]], data[f"{mode}_lengths"])
    in_pages = np.isin(keys, sorted(pages))
    corpora = np.array([corpus_of(k) for k in keys])
    kept = probabilities[:, LABELS.index("content")] >= KEEP_THRESHOLD
    predicted = np.array(LABELS)[probabilities.argmax(axis=1)]
    gold = labels == "content"
    errors: dict[str, dict[str, float]] = {}
    for corpus in sorted(set(corpora[in_pages])):
        lines = in_pages & (corpora == corpus)
        kinds = {"gold": float(tokens[lines & gold].sum())}
        for label in LABELS[1:]:
            kinds[f"dropped as {label}"] = float(tokens[lines & gold & ~kept & (predicted == label)].sum())
            kinds[f"kept {label}"] = float(tokens[lines & kept & (labels == label)].sum())
        errors[corpus] = kinds
    return errors


def report(path: str, text_path: str | None = None) -> None:
    """Print the gap table and the token error table of one output (its text mode from
    ``text_path`` when given)."""
    paths = {"html": path, "text": text_path or path}
    html = page_scores(paths["html"], "html", KEEP_THRESHOLD)
    text = page_scores(paths["text"], "text", KEEP_THRESHOLD)
    pages = set(html) & set(text)
    corpora = sorted({corpus_of(k) for k in pages})
    print(f"{path}{f' and {text_path}' if text_path else ''}: {len(pages)} pages in both modes")
    print("| corpus | pages | HTML | text | gap | of it, pages whose article text mode loses (pages) |")
    print("|---|---|---|---|---|---|")
    for corpus in [*corpora, "all pages"]:
        keys = sorted(k for k in pages if corpus in ("all pages", corpus_of(k)))
        html_mean = statistics.mean(html[k] for k in keys)
        text_mean = statistics.mean(text[k] for k in keys)
        lost = [k for k in keys if html[k] >= ARTICLE_KEPT and text[k] < ARTICLE_LOST]
        lost_part = sum(html[k] - text[k] for k in lost) / len(keys)
        print(
            f"| {corpus} | {len(keys)} | {html_mean:.4f} | {text_mean:.4f} | {html_mean - text_mean:+.4f} "
            f"| {lost_part:+.4f} ({len(lost)}) |"
        )
    print()
    print("Token errors, shares of the gold content tokens, HTML / text:")
    by_mode = {mode: token_errors(paths[mode], mode, pages) for mode in ("html", "text")}
    kinds = [k for k in by_mode["html"][corpora[0]] if k != "gold"]
    print(f"| corpus | {' | '.join(kinds)} |")
    print(f"|---|{'---|' * len(kinds)}")
    for corpus in corpora:
        cells = []
        for kind in kinds:
            counts = [by_mode[mode][corpus] for mode in ("html", "text")]
            shares = [c[kind] / max(c["gold"], 1.0) for c in counts]
            cells.append(f"{shares[0]:.3f} / {shares[1]:.3f}")
        print(f"| {corpus} | {' | '.join(cells)} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outputs", nargs="+", help="site_gate.py outputs holding both modes")
    parser.add_argument("--text", default=None, help="take text mode from this output (one output only)")
    args = parser.parse_args()
    if args.text and len(args.outputs) > 1:
        parser.error("--text goes with one output")
    for path in args.outputs:
        report(path, args.text)


if __name__ == "__main__":
    main()
