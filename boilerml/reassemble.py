"""Stage 5: labelled lines to clean text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Literal

from .lines import LABELS, LabelledLine
from .segment import HEADING_TAGS

OutputFormat = Literal["text", "markdown", "json"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("text", "markdown", "json")


def check_keep(keep: Iterable[str]) -> tuple[str, ...]:
    """Validate the classes to keep; raises ValueError naming an unknown one."""
    kept = tuple(keep)
    unknown = [k for k in kept if k not in LABELS]
    if unknown:
        raise ValueError(f"unknown label(s) {unknown}; choose from {list(LABELS)}")
    return kept


def kept_lines(labelled: Sequence[LabelledLine], keep: Sequence[str]) -> list[LabelledLine]:
    """The lines whose label is in ``keep``, in page order."""
    return [line for line in labelled if line.label in keep]


def to_text(labelled: Sequence[LabelledLine], keep: Sequence[str] = ("content",)) -> str:
    """The kept lines, one paragraph per line."""
    return "\n".join(line.text for line in kept_lines(labelled, keep))


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


def to_markdown(labelled: Sequence[LabelledLine], keep: Sequence[str] = ("content",)) -> str:
    """The kept lines as Markdown: headings, list items and quotes marked, blank-line separated."""
    return "\n\n".join(_markdown_line(line) for line in kept_lines(labelled, keep))


def to_json(labelled: Sequence[LabelledLine], keep: Sequence[str] = ("content",), **extra: object) -> str:
    """A JSON object: ``text`` (the kept lines) and ``lines`` (every line with label and probabilities)."""
    return json.dumps(
        {
            **extra,
            "text": to_text(labelled, keep),
            "lines": [
                {"text": line.text, "label": line.label, "probabilities": line.probabilities}
                for line in labelled
            ],
        },
        ensure_ascii=False,
    )


def reassemble(
    labelled: Sequence[LabelledLine], keep: Sequence[str] = ("content",), output_format: OutputFormat = "text"
) -> str:
    """Render labelled lines in one of :data:`OUTPUT_FORMATS`."""
    if output_format == "text":
        return to_text(labelled, keep)
    if output_format == "markdown":
        return to_markdown(labelled, keep)
    if output_format == "json":
        return to_json(labelled, keep)
    raise ValueError(f"output format must be one of {OUTPUT_FORMATS}, not {output_format!r}")
