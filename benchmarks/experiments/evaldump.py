"""Evaluate a model on every dev page and dump per-page figures as JSON (experiment helper).

Usage: python benchmarks/experiments/evaldump.py MODEL.npz OUT.json [--jobs 2] [--compact]
                                                  [--average OTHER.npz]

OUT.json holds the summary (per corpus / language / page type and mode), the comment F1 on
pages whose corpus annotates comments, per mode, and per page and mode: token F1 and the
line labels (truth, predicted; one letter each, comment is "m"), so that two models can be
compared page by page (``compare.py``); on comment-gold pages, the counts of gold, predicted
and correctly predicted comment lines. ``--compact`` leaves the line labels out: the figures
that are kept in ``figures/`` (numbers keyed by page id, no corpus text). ``--average``
evaluates the mean of the final probabilities of MODEL and OTHER (exp38).

Run it with the code that fitted the model first on ``sys.path`` (``PYTHONPATH=<worktree>``):
the editable install otherwise supplies whichever checkout it was installed from.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from boilerml.corpora import datasets_dir
from boilerml.evaluate import evaluate, line_report, summarise
from boilerml.model import Model, load_model

#: One letter per label in the ``truth``/``pred`` strings ("content" and "comment" share a
#: first letter, so the comment class is "m").
LABEL_LETTERS = {"content": "c", "navigation": "n", "ad": "a", "comment": "m"}


class AveragedModel:
    """The mean of several models' final probabilities (each runs its own two passes)."""

    def __init__(self, models: list[Model]) -> None:
        self.models = models
        self.card = models[0].card

    def predict_proba(self, features: np.ndarray, mode: str) -> np.ndarray:
        return np.mean([model.predict_proba(features, mode) for model in self.models], axis=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("out")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--compact", action="store_true", help="per-page token F1 only, no line labels")
    parser.add_argument("--average", default=None, help="evaluate the mean of MODEL and this model")
    args = parser.parse_args()
    model = load_model(args.model)
    if args.average:
        model = AveragedModel([model, load_model(args.average)])
    results = evaluate(datasets_dir(args.datasets), model, n_jobs=args.jobs)
    out = {"summary": summarise(results), "comment_gold": {}, "lines": {}, "pages": []}
    for mode in ("html", "text"):
        gold = [r for r in results if r.comment_gold and r.mode == mode]
        out["comment_gold"][mode] = line_report(gold, mode)["scores"]["comment"]
        out["lines"][mode] = line_report(results, mode)["scores"]
    for r in results:
        page = {"dataset": r.dataset, "id": r.page_id, "lang": r.lang, "mode": r.mode, "type": r.page_type}
        page["f1"] = round(r.token_f1, 4) if args.compact else r.token_f1
        if r.comment_gold:  # counts only (no text): which pages a pooled comment F1 rests on
            is_gold = [label == "comment" for label in r.truth]
            is_said = [label == "comment" for label in r.predicted]
            page["comment_lines"] = {
                "gold": sum(is_gold),
                "predicted": sum(is_said),
                "both": sum(g and s for g, s in zip(is_gold, is_said)),
            }
        if not args.compact:
            page["truth"] = "".join(LABEL_LETTERS.get(t, "?") for t in r.truth)
            page["pred"] = "".join(LABEL_LETTERS.get(p, "?") for p in r.predicted)
        out["pages"].append(page)
    Path(args.out).write_text(
        json.dumps(out, default=lambda o: float(o) if isinstance(o, np.floating) else int(o))
    )


if __name__ == "__main__":
    main()
