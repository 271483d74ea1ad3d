"""exp32's signal gate: does a learnt word model of each line add to the held-out probabilities?

Usage: python benchmarks/experiments/lexical_sim.py HELDOUT.npz [--datasets DIR]
                                                    [--texts-cache FILE]

HELDOUT.npz comes from ``heldout.py``. The train pages' lines are segmented again (as
training does) to read their words; ``--texts-cache`` keeps them in a local pickle between
runs (corpus text: keep it outside the repository). Prints the mean page F1 of a stacker with
and without the word model's scores, per mode and per corpus (``exp32.md`` says how).
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import re
import statistics
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from fallback_sim import page_f1
from heldout_compare import report
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier

from boilerml.corpora import datasets_dir, read_corpora
from boilerml.lines import LABELS
from boilerml.segment import html_to_lines
from boilerml.tokens import CJK_CHAR, TOKEN
from boilerml.train import SEED

BIG5_SITE = re.compile(r"^(big5-\d\d)_(.+)_\d+$")
DIGIT = re.compile(r"\d")
FOLDS = 3


def site_of(dataset: str, page_id: str, url: str | None) -> str:
    """The group a page's word-model score is held out by (exp32.md)."""
    if url:
        host = urlsplit(url).hostname or url
        return host.removeprefix("www.")
    match = BIG5_SITE.match(page_id) if dataset == "chaos" else None
    return f"chaos:{match.group(2)}" if match else f"{dataset}/{page_id}"


def line_tokens(text: str) -> list[str]:
    """Words (digits as 0), CJK characters and adjacent CJK pairs of one line."""
    tokens = [DIGIT.sub("0", token.lower()) for token in TOKEN.findall(text)]
    pairs = [a + b for a, b in itertools.pairwise(tokens) if CJK_CHAR.fullmatch(a) and CJK_CHAR.fullmatch(b)]
    return tokens + pairs


def train_texts(datasets: Path, cache: Path | None) -> dict[str, tuple[str, list[str]]]:
    """Page key -> (site, line texts) for every train page, as training segments them."""
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    texts = {}
    for page in read_corpora(datasets, "train"):
        lines = html_to_lines(page.text())
        if lines:
            key = f"{page.dataset}/{page.page_id}"
            texts[key] = (site_of(page.dataset, page.page_id, page.extra.get("url")), [x.text for x in lines])
    if cache:
        cache.write_bytes(pickle.dumps(texts))
    return texts


def word_scores(texts: list[str], labels: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Out-of-fold (by site group) word-model probabilities ``(n, 4)`` in LABELS order."""
    vectoriser = HashingVectorizer(
        analyzer=line_tokens, n_features=2**20, binary=True, norm="l2", alternate_sign=False
    )
    matrix = vectoriser.transform(texts)
    unique = np.unique(groups)
    fold_of_group = dict(zip(unique, np.random.default_rng(SEED).integers(0, FOLDS, len(unique))))
    fold = np.array([fold_of_group[g] for g in groups])
    labelled = labels >= 0
    scores = np.zeros((len(texts), len(LABELS)))
    for k in range(FOLDS):
        fit = labelled & (fold != k)
        model = SGDClassifier(loss="log_loss", alpha=1e-5, random_state=SEED)
        model.fit(matrix[fit], labels[fit])
        scores[fold == k] = model.predict_proba(matrix[fold == k])[:, np.argsort(model.classes_)]
        print(f"  word model fold {k}: {fit.sum()} lines", flush=True)
    return scores


def shifted(column: np.ndarray, cuts: np.ndarray, step: int) -> np.ndarray:
    """``column`` moved by ``step`` lines within each page (NaN past the page's ends)."""
    out = np.full(len(column), np.nan)
    for piece, start in zip(np.split(np.arange(len(column)), cuts), np.r_[0, cuts], strict=True):
        idx = piece - start
        src = idx - step
        ok = (src >= 0) & (src < len(piece))
        out[piece[ok]] = column[start + src[ok]]
    return out


def page_scores(
    keys: list[str], p_content: np.ndarray, content: np.ndarray, tokens: np.ndarray, cuts: np.ndarray
) -> dict[str, float]:
    """Page key -> page token F1 keeping the lines with ``p_content`` >= 0.5."""
    pieces = zip(
        keys, np.split(p_content, cuts), np.split(content, cuts), np.split(tokens, cuts), strict=True
    )
    return {key: page_f1(p >= 0.5, gold, t) for key, p, gold, t in pieces}


def stacked(matrix: np.ndarray, labels: np.ndarray, row_half: np.ndarray) -> np.ndarray:
    """P(content) per row from a stacker fitted on the other half of the sites' pages."""
    final = np.zeros(len(labels))
    for half in (0, 1):
        fit = (row_half != half) & (labels >= 0)
        model = HistGradientBoostingClassifier(max_iter=100, random_state=SEED)
        model.fit(matrix[fit], labels[fit])
        final[row_half == half] = model.predict_proba(matrix[row_half == half])[:, LABELS.index("content")]
    return final


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("heldout")
    parser.add_argument("--datasets", type=Path, default=None)
    parser.add_argument("--texts-cache", type=Path, default=None)
    args = parser.parse_args()
    data = np.load(args.heldout)
    texts = train_texts(datasets_dir(args.datasets), args.texts_cache)
    content = LABELS.index("content")
    for mode in ("text", "html"):
        all_keys = [str(k) for k in data[f"{mode}_pages"]]
        all_lengths = data[f"{mode}_lengths"]
        known = np.array(
            [k in texts and len(texts[k][1]) == n for k, n in zip(all_keys, all_lengths, strict=True)]
        )
        left_out = sorted({k.split("/")[0] for k, ok in zip(all_keys, known, strict=True) if not ok})
        print(mode, f"{known.sum()} pages, left out {(~known).sum()}:", left_out)
        rows = np.repeat(known, all_lengths)
        lengths = all_lengths[known]
        keys = [k for k, ok in zip(all_keys, known, strict=True) if ok]
        cuts = np.cumsum(lengths)[:-1]
        probs = np.clip(data[f"{mode}_probabilities"][rows], 1e-6, 1)
        labels = np.array([LABELS.index(x) if x in LABELS else -1 for x in data[f"{mode}_labels"][rows]])
        tokens = data[f"{mode}_tokens"][rows]
        groups = np.repeat([texts[k][0] for k in keys], lengths)
        words = np.clip(word_scores([t for k in keys for t in texts[k][1]], labels, groups), 1e-6, 1)
        log_p = np.log(probs)
        around = [shifted(log_p[:, content], cuts, step) for step in (1, -1)]
        base = np.column_stack([log_p, np.log1p(tokens), *around])
        words_around = [shifted(words[:, content], cuts, step) for step in (1, -1)]
        treat = np.column_stack([base, np.log(words), *words_around])
        unique = sorted(set(groups.tolist()))
        half_of_group = dict(zip(unique, np.random.default_rng(SEED + 1).integers(0, 2, len(unique))))
        row_half = np.array([half_of_group[g] for g in groups])
        gold = labels == content
        as_is = page_scores(keys, probs[:, content], gold, tokens, cuts)
        print(f"  held-out probabilities as they are: {statistics.mean(as_is.values()):.4f}")
        print("  stacker without -> with the word model:")
        report(
            mode,
            page_scores(keys, stacked(base, labels, row_half), gold, tokens, cuts),
            page_scores(keys, stacked(treat, labels, row_half), gold, tokens, cuts),
        )


if __name__ == "__main__":
    main()
