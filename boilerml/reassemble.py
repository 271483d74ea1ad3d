"""Stage 5: labelled lines to clean text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Literal

from .lines import LABELS, Explanation, LabelledLine
from .segment import HEADING_TAGS
from .sentences import set_together_again

OutputFormat = Literal["text", "markdown", "json"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("text", "markdown", "json")

#: Default keep threshold: a line goes out when its ``keep`` classes are together at least as
#: likely as the rest. Keeping is a yes/no decision, and with calibrated probabilities (the
#: calibration table in benchmarks/RESULTS.md) 0.5 is the rule that errs least on it; the most
#: probable of four classes can be "content" at 0.4 while the line is 0.6 likely to be junk.
DEFAULT_THRESHOLD = 0.5


def check_keep(keep: Iterable[str]) -> tuple[str, ...]:
    """Validate the classes to keep; raises ValueError naming an unknown one."""
    kept = tuple(keep)
    unknown = [k for k in kept if k not in LABELS]
    if unknown:
        raise ValueError(f"unknown label(s) {unknown}; choose from {list(LABELS)}")
    return kept


def check_threshold(threshold: float | None) -> float | None:
    """Validate a keep threshold: None, or a probability in [0, 1]; raises ValueError otherwise."""
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a probability between 0 and 1, not {threshold!r}")
    return threshold


def is_kept(line: LabelledLine, keep: Sequence[str], threshold: float | None = DEFAULT_THRESHOLD) -> bool:
    """Whether a line goes into the output.

    A line is kept when the probabilities of the ``keep`` classes sum to at least
    ``threshold``: higher values trade recall for precision (the measured curve is in the
    README). With ``threshold=None``, when its most probable label (``line.label``) is in
    ``keep``. A line the batch rule marked as its site's boilerplate (``site_repeat``) is
    never kept.
    """
    if line.site_repeat:
        return False
    if threshold is None:
        return line.label in keep
    return sum(line.probabilities.get(label, 0.0) for label in keep) >= threshold


def kept_lines(
    labelled: Sequence[LabelledLine], keep: Sequence[str], threshold: float | None = DEFAULT_THRESHOLD
) -> list[LabelledLine]:
    """The lines :func:`is_kept` keeps, in page order."""
    return [line for line in labelled if is_kept(line, keep, threshold)]


def _continues(line: LabelledLine, previous: LabelledLine | None) -> bool:
    """Whether ``line`` is a piece of the same input line as ``previous``, right after it."""
    if previous is None or line.line is None or previous.line is None or not line.line.continues:
        return False
    return line.line.index == previous.line.index + 1


def paragraphs(lines: Sequence[LabelledLine]) -> list[list[LabelledLine]]:
    """``lines`` grouped into the input's paragraphs: a line read in pieces
    (:attr:`boilerml.lines.Line.continues`) is one paragraph again where its pieces follow
    each other; every other line is a paragraph of its own."""
    grouped: list[list[LabelledLine]] = []
    for previous, line in zip([None, *lines], lines):
        if grouped and _continues(line, previous):
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return grouped


def to_text(
    labelled: Sequence[LabelledLine],
    keep: Sequence[str] = ("content",),
    threshold: float | None = DEFAULT_THRESHOLD,
) -> str:
    """The kept lines, one paragraph per line (pieces of one input line set together again)."""
    groups = paragraphs(kept_lines(labelled, keep, threshold))
    return "\n".join(set_together_again([line.text for line in group]) for group in groups)


def _markdown_line(line: LabelledLine) -> str:
    tag = line.line.tag if line.line is not None else ""
    if tag in HEADING_TAGS:
        return "#" * int(tag[1]) + " " + line.text
    if tag == "li":
        return "- " + line.text
    if tag == "blockquote":
        return "> " + line.text
    if line.label == "comment":
        return "> " + line.text
    return line.text


def to_markdown(
    labelled: Sequence[LabelledLine],
    keep: Sequence[str] = ("content",),
    threshold: float | None = DEFAULT_THRESHOLD,
) -> str:
    """The kept lines as Markdown: headings, list items and quotes marked, blank-line separated
    (pieces of one input line set together again)."""
    groups = paragraphs(kept_lines(labelled, keep, threshold))
    return "\n\n".join(
        set_together_again([_markdown_line(group[0])] + [line.text for line in group[1:]]) for group in groups
    )


def to_json(
    labelled: Sequence[LabelledLine],
    keep: Sequence[str] = ("content",),
    threshold: float | None = DEFAULT_THRESHOLD,
    **extra: object,
) -> str:
    """A JSON object: ``passes`` (which of the model's sets of passes labelled the page, see
    :attr:`LabelledLine.passes`; null for a page without lines), ``text`` (the kept lines) and
    ``lines`` (every line with its label, probabilities and whether it was kept, and ``why``
    when the lines carry explanations)."""
    return json.dumps(
        {
            **extra,
            "passes": next((line.passes for line in labelled if line.passes), None),
            "text": to_text(labelled, keep, threshold),
            "lines": [
                {
                    "text": line.text,
                    "label": line.label,
                    "probabilities": line.probabilities,
                    "kept": is_kept(line, keep, threshold),
                    **({"continues": True} if line.line is not None and line.line.continues else {}),
                    **({"repeats_on_site": line.repeats_on_site} if line.repeats_on_site else {}),
                    **({"site_repeat": True} if line.site_repeat else {}),
                    **({} if line.explanation is None else {"why": explanation_record(line.explanation)}),
                }
                for line in labelled
            ],
        },
        ensure_ascii=False,
    )


def explanation_record(explanation: Explanation) -> dict[str, object]:
    """An explanation as plain JSON-ready data (weights in log-odds, rounded to 4 places)."""
    return {
        "rival": explanation.rival,
        "margin": round(explanation.margin, 4),
        "prior": round(explanation.prior, 4),
        "rest": round(explanation.rest, 4),
        "second_pass": explanation.second_pass,
        "reasons": [
            {"feature": r.feature, "says": r.says, "value": r.value, "weight": round(r.weight, 4)}
            for r in explanation.reasons
        ],
    }


def reassemble(
    labelled: Sequence[LabelledLine],
    keep: Sequence[str] = ("content",),
    output_format: OutputFormat = "text",
    threshold: float | None = DEFAULT_THRESHOLD,
) -> str:
    """Render labelled lines in one of :data:`OUTPUT_FORMATS` (``threshold``: see :func:`is_kept`)."""
    check_threshold(threshold)
    if output_format == "text":
        return to_text(labelled, keep, threshold)
    if output_format == "markdown":
        return to_markdown(labelled, keep, threshold)
    if output_format == "json":
        return to_json(labelled, keep, threshold)
    raise ValueError(f"output format must be one of {OUTPUT_FORMATS}, not {output_format!r}")
