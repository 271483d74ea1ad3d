"""Evaluation on the ``dev`` split: page-level content token F1 and line-level class scores.

For every corpus, each dev page is cleaned twice: as HTML, and rendered as a text dump
(the same rendering training uses) and cleaned in text mode. The extracted text is compared
with the gold content (token F1, AEB shingle F1), and the line labels with the derived
labels (per-class precision/recall/F1).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .classify import classify_lines
from .corpora import Page, derive_labels, read_corpora, text_mode_lines, uses_blank_lines
from .explain import explain_lines
from .features import extract_features
from .lines import LABELS, LabelledLine
from .metrics import aeb_page, line_scores, page_figures, token_f1
from .model import Mode, Model
from .reassemble import to_text
from .segment import html_to_lines

logger = logging.getLogger(__name__)
MODES = ("html", "text")
#: The report's "why" part covers this many kinds of error, with this many reasons each: the
#: kinds that make most of the errors, and the reasons that come first most often.
ERROR_KINDS_SHOWN = 4
ERROR_REASONS_SHOWN = 5


@dataclass
class PageResult:
    """What one dev page scored in one mode."""

    dataset: str
    page_id: str
    lang: str
    mode: str
    token_f1: float
    aeb: tuple[float | None, float | None]
    truth: list[str] = field(repr=False)
    predicted: list[str] = field(repr=False)
    page_type: str | None = None
    #: Whether the page's corpus annotates reader comments (elsewhere a comment is labelled
    #: navigation or content, so the comment class is scored on these pages only as well).
    comment_gold: bool = False
    #: With ``explain_errors``: per mislabelled line, (derived label, predicted label, what the
    #: strongest reason for the predicted label says; "" when no reason was for it).
    error_reasons: list[tuple[str, str, str]] = field(default_factory=list, repr=False)


def _error_reasons(
    labelled: list[LabelledLine], truth: list[str], features: np.ndarray, model: Model, mode: Mode
) -> list[tuple[str, str, str]]:
    wrong = [i for i, (line, label) in enumerate(zip(labelled, truth, strict=True)) if line.label != label]
    if not wrong:
        return []
    explanations = explain_lines(labelled, features, model, mode)
    reasons = []
    for i in wrong:
        strongest = explanations[i].strongest(1)
        reasons.append((truth[i], labelled[i].label, strongest[0].says if strongest else ""))
    return reasons


def evaluate_page(page: Page, model: Model, explain_errors: bool = False) -> list[PageResult]:
    """Clean one page in both modes and score it; with ``explain_errors``, also say what
    weighed most for each wrong label (:mod:`boilerml.explain`)."""
    results = []
    lines = html_to_lines(page.text())
    truth = derive_labels(lines, page.content, page.comments)
    text_lines = text_mode_lines(lines, uses_blank_lines(page))
    for mode, mode_lines in (("html", lines), ("text", text_lines)):
        features = extract_features(mode_lines, mode)
        labelled = classify_lines(mode_lines, features, model, mode)
        output = to_text(labelled)
        results.append(
            PageResult(
                page.dataset,
                page.page_id,
                page.lang,
                mode,
                token_f1(page.content, output)[2],
                aeb_page(page.content, output),
                list(truth),
                [line.label for line in labelled],
                page.extra.get("page_type"),
                page.comments is not None,
                _error_reasons(labelled, truth, features, model, mode) if explain_errors else [],
            )
        )
    return results


def _evaluate_chunk(pages: list[Page], model: Model, explain_errors: bool) -> list[PageResult]:
    return [result for page in pages for result in evaluate_page(page, model, explain_errors)]


def evaluate(
    root: Path,
    model: Model,
    names: list[str] | None = None,
    n_jobs: int = 1,
    limit: int | None = None,
    explain_errors: bool = False,
) -> list[PageResult]:
    """Score every dev page of the corpora in ``root`` (or of ``names``) in both modes.

    Args:
        limit: at most this many dev pages per corpus (a quick look; the report says so).
        explain_errors: also record why each mislabelled line got its label (about three to
            five times the time: every page's lines are explained).
    """
    from joblib import Parallel, delayed

    pages_by_corpus: dict[str, int] = Counter()
    chunk: list[Page] = []
    chunks: list[list[Page]] = []
    for page in read_corpora(root, "dev", names):
        if limit is not None and pages_by_corpus[page.dataset] >= limit:
            continue
        pages_by_corpus[page.dataset] += 1
        chunk.append(page)
        if len(chunk) == 16:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    parts = Parallel(n_jobs=n_jobs)(delayed(_evaluate_chunk)(c, model, explain_errors) for c in chunks)
    return [result for part in parts for result in part]


def _group_key(result: PageResult) -> list[str]:
    keys = [result.dataset]
    keys.append(
        "English pages"
        if result.lang == "en"
        else "Chinese pages"
        if result.lang == "zh"
        else f"other ({result.lang})"
    )
    if result.page_type:
        keys.append(f"{result.dataset}:{result.page_type}")
    return keys


def summarise(results: list[PageResult]) -> dict[str, dict[str, dict[str, float]]]:
    """Per group (corpus, language, wcxb page type) and mode: pages, mean/median token F1, AEB F1."""
    grouped: dict[tuple[str, str], list[PageResult]] = defaultdict(list)
    for result in results:
        for key in _group_key(result):
            grouped[(key, result.mode)].append(result)
    summary: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for (key, mode), members in sorted(grouped.items()):
        figures = page_figures([r.token_f1 for r in members], [r.aeb for r in members])
        summary[key][mode] = {name: round(value, 4) for name, value in figures.items()}
    return dict(summary)


def line_report(results: list[PageResult], mode: str) -> dict:
    """Per-class line scores and the confusion matrix (rows truth, columns predicted) for one mode."""
    results = [r for r in results if r.mode == mode]
    truth = np.array([t for r in results for t in r.truth])
    predicted = np.array([p for r in results for p in r.predicted])
    scores = line_scores(truth, predicted)
    confusion = {t: {p: int(np.sum((truth == t) & (predicted == p))) for p in LABELS} for t in LABELS}
    return {"scores": scores, "confusion": confusion}


def format_report(results: list[PageResult]) -> str:
    """A Markdown report: the token F1 table, then line scores per mode."""
    summary = summarise(results)
    out = [
        "| corpus / group | pages | HTML token F1 mean | median | AEB F1 "
        "| text token F1 mean | median | AEB F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    order = sorted(summary, key=lambda k: (":" in k, k.endswith("pages") or k.startswith("other"), k))
    for key in order:
        html = summary[key].get("html", {})
        text = summary[key].get("text", {})
        out.append(
            f"| {key} | {html.get('pages', 0)} | {html.get('token_f1_mean', 0):.3f} | "
            f"{html.get('token_f1_median', 0):.3f} | {html.get('aeb_f1', 0):.3f} | "
            f"{text.get('token_f1_mean', 0):.3f} | {text.get('token_f1_median', 0):.3f} | "
            f"{text.get('aeb_f1', 0):.3f} |"
        )
    for mode in MODES:
        if not any(r.mode == mode for r in results):
            continue
        report = line_report(results, mode)
        out += [
            "",
            f"Line labels, {mode} mode (against the derived labels):",
            "",
            "| class | precision | recall | F1 | lines |",
            "|---|---|---|---|---|",
        ]
        for label in LABELS:
            s = report["scores"][label]
            out.append(
                f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |"
            )
        out.append(f"| macro | | | {report['scores']['macro']['f1']:.3f} | |")
        gold = [r for r in results if r.comment_gold]
        if gold:
            s = line_report(gold, mode)["scores"]["comment"]
            pages = sum(r.mode == mode for r in gold)
            out += [
                "",
                f"Comment lines on the {pages} pages whose corpus annotates comments: precision "
                f"{s['precision']:.3f}, recall {s['recall']:.3f}, F1 {s['f1']:.3f} ({s['support']} lines).",
            ]
        out += [
            "",
            "Confusion (rows: derived label, columns: predicted):",
            "",
            "| | " + " | ".join(LABELS) + " |",
            "|---" * (len(LABELS) + 1) + "|",
        ]
        for t in LABELS:
            out.append(f"| {t} | " + " | ".join(str(report["confusion"][t][p]) for p in LABELS) + " |")
        out += why_errors_report(results, mode)
    return "\n".join(out)


def why_errors_report(results: list[PageResult], mode: str) -> list[str]:
    """Report lines: for the :data:`ERROR_KINDS_SHOWN` most frequent kinds of error (derived
    label, predicted label) of one mode, the strongest reasons for the predicted label, with
    the share of those errors where each came first. Empty without recorded reasons."""
    kinds: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for result in results:
        if result.mode == mode:
            for truth, predicted, says in result.error_reasons:
                kinds[(truth, predicted)][says] += 1
    if not kinds:
        return []
    out = ["", f"Why lines were mislabelled, {mode} mode (the strongest reason for the wrong label):", ""]
    by_size = sorted(kinds.items(), key=lambda item: -sum(item[1].values()))
    for (truth, predicted), reasons in by_size[:ERROR_KINDS_SHOWN]:
        total = sum(reasons.values())
        shares = "; ".join(
            f"{says or 'no reason for it'} {count / total:.0%}"
            for says, count in reasons.most_common(ERROR_REASONS_SHOWN)
        )
        out.append(f"- {truth} labelled {predicted} ({total:,} lines): {shares}")
    return out
