"""exp58's signal checks: two text-only signals for the lines text mode keeps (experiment helper).

Usage: python benchmarks/experiments/text_signal_sim.py OUT.npz [--datasets DIR]

Reads a ``site_gate.py`` output holding text mode and the train pages' lines (segmented
again from the corpora, so no text is stored), and asks of the lines the held-out text
model keeps (P(content) at least ``KEEP_THRESHOLD``) whether either signal tells gold
content from the rest:

- **cohesion**: the share of a line's terms (words of 3 or more letters that are not function
  words, lower-cased; Han character bigrams) that the page's other lines hold with a summed
  P(content) of at least ``COHESION_MASS``: does the line share the page's topic? A teaser of
  another story, a policy or a product grid should not.
- **periodic runs**: lines inside a run of at least ``MIN_RECORDS`` records of 2 to
  ``MAX_PERIOD`` lines repeating one sequence of line shapes (length bucket, has a digit),
  with more than one shape in the record: a thread's "text / name, date / rating / report"
  or a listing's "title / price / rating". Paragraphs of an article repeat one shape (period
  1) and are not counted.

Prints, per corpus, the ROC AUC of cohesion for gold content against the rest among kept
lines (lines and tokens), and the content share and tokens of the kept lines in periodic
runs; then the share of all lines in such runs and the content share of the kept lines
outside them. Numbers only: no corpus text is printed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).parent))
from text_gap import KEEP_THRESHOLD

from boilerml.corpora import corpus_names, datasets_dir, read_corpora
from boilerml.features import cue_vocabulary
from boilerml.lines import LABELS
from boilerml.segment import html_to_lines
from boilerml.tokens import tokenize

#: A term counts as the page's when its other lines hold it with this much P(content)
#: summed: one confident content line.
COHESION_MASS = 1.0
#: Words shorter than this say little about a topic ("the", "of", numbers are not words).
MIN_WORD_LETTERS = 3
#: Periods of records looked for, in lines.
MAX_PERIOD = 6
#: A run is periodic from three records on: two can be chance.
MIN_RECORDS = 3
#: Token counts at which a line's shape changes bucket: 1-3, 4-12, 13-40, more.
SHAPE_BUCKETS = (3, 12, 40)

_WORD = re.compile(rf"[^\W\d_]{{{MIN_WORD_LETTERS},}}")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_DIGIT = re.compile(r"\d")


def terms(text: str, function_words: frozenset[str]) -> set[str]:
    """The topical terms of a line: content words and Han character bigrams."""
    found = {word for word in (w.lower() for w in _WORD.findall(text)) if word not in function_words}
    for run in _HAN_RUN.findall(text):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def cohesion(line_terms: list[set[str]], content: np.ndarray) -> np.ndarray:
    """Per line, shape ``(n,)``: the share of its terms the other lines hold with
    ``COHESION_MASS`` of P(content); -1 for a line without terms."""
    mass: Counter[str] = Counter()
    for found, weight in zip(line_terms, content, strict=True):
        for term in found:
            mass[term] += weight
    shares = np.full(len(line_terms), -1.0)
    for i, (found, weight) in enumerate(zip(line_terms, content, strict=True)):
        if found:
            shares[i] = sum(mass[t] - weight >= COHESION_MASS for t in found) / len(found)
    return shares


def shape(text: str) -> int:
    """A line's shape: its length bucket and whether it holds a digit."""
    return 2 * int(np.searchsorted(SHAPE_BUCKETS, len(tokenize(text)))) + bool(_DIGIT.search(text))


def periodic_records(shapes: list[int]) -> np.ndarray:
    """Per line, shape ``(n,)``: the most records of a repeated multi-shape sequence of 2 to
    ``MAX_PERIOD`` lines that the line sits in (0 outside any such run)."""
    sequence = np.array(shapes)
    records = np.zeros(len(shapes))
    for period in range(2, MAX_PERIOD + 1):
        same = sequence[:-period] == sequence[period:]
        start = 0
        while start < len(same):
            if not same[start]:
                start += 1
                continue
            end = start
            while end < len(same) and same[end]:
                end += 1
            count = (end - start + period) / period
            if count >= MIN_RECORDS and len(set(sequence[start : start + period])) > 1:
                covered = slice(start, end + period)
                records[covered] = np.maximum(records[covered], count)
            start = end
    return records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", help="a site_gate.py output holding text mode")
    parser.add_argument("--datasets", default=None)
    args = parser.parse_args()
    function_words = cue_vocabulary().english_function_words
    data = np.load(args.output)
    cuts = np.cumsum(data["text_lengths"])[:-1]
    rows = dict(
        zip(
            (str(k) for k in data["text_pages"]),
            zip(
                np.split(data["text_probabilities"][:, LABELS.index("content")], cuts),
                np.split(data["text_labels"], cuts),
                np.split(data["text_tokens"], cuts),
                strict=True,
            ),
            strict=True,
        )
    )
    columns: dict[str, list[np.ndarray]] = {
        k: [] for k in ("corpus", "kept", "gold", "tokens", "cohesion", "runs")
    }
    root = datasets_dir(args.datasets)
    for page in read_corpora(root, "train", corpus_names(root)):
        key = f"{page.dataset}/{page.page_id}"
        texts = [line.text for line in html_to_lines(page.text())]
        if key not in rows or len(rows[key][1]) != len(texts):
            continue
        content, labels, tokens = rows[key]
        columns["corpus"].append(np.full(len(texts), page.dataset))
        columns["kept"].append(content >= KEEP_THRESHOLD)
        columns["gold"].append(labels == "content")
        columns["tokens"].append(tokens)
        columns["cohesion"].append(cohesion([terms(t, function_words) for t in texts], content))
        columns["runs"].append(periodic_records([shape(t) for t in texts]))
    c = {k: np.concatenate(v) for k, v in columns.items()}
    print(
        "| corpus | kept lines | cohesion AUC, lines / tokens | kept lines in periodic runs | "
        "their content share | their content / other tokens |"
    )
    print("|---|---|---|---|---|---|")
    for corpus in [*sorted(set(c["corpus"])), "all pages"]:
        kept = c["kept"] & ((c["corpus"] == corpus) | (corpus == "all pages"))
        scored = kept & (c["cohesion"] >= 0)
        gold, tokens = c["gold"][scored], c["tokens"][scored]
        auc = (
            f"{roc_auc_score(gold, c['cohesion'][scored]):.3f} / "
            f"{roc_auc_score(gold, c['cohesion'][scored], sample_weight=tokens):.3f}"
            if 0 < gold.sum() < len(gold)
            else "n/a"
        )
        in_runs = kept & (c["runs"] > 0)
        share = c["gold"][in_runs].mean() if in_runs.any() else float("nan")
        content_tokens = c["tokens"][in_runs & c["gold"]].sum()
        other_tokens = c["tokens"][in_runs & ~c["gold"]].sum()
        print(
            f"| {corpus} | {kept.sum()} | {auc} | {in_runs.sum()} | {share:.3f} | "
            f"{content_tokens:.0f} / {other_tokens:.0f} |"
        )
    outside = c["kept"] & (c["runs"] == 0)
    print(
        f"\nAll corpora: {np.mean(c['runs'] > 0):.3f} of all lines are in periodic runs; "
        f"the kept lines outside them are {c['gold'][outside].mean():.3f} content."
    )


if __name__ == "__main__":
    main()
