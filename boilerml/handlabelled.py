"""This project's own labelled data in ``training_data/`` (format in its README).

* ``training_data/pages/*.tsv``: plain-text pages labelled by hand, one line per row,
  ``label<TAB>text`` (a ``label<TAB>probability<TAB>text`` row as printed by
  ``boilerml classify`` is accepted too, so its output can be corrected and saved as is).
  ``#`` starts a comment row (``# lang: zh``); a blank row is a paragraph break.
* ``training_data/corrections.tsv``: ``dataset<TAB>page_id<TAB>line_index<TAB>label`` rows
  that override derived labels of corpus pages, without any corpus text.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .lines import LABELS, LabelName, Line
from .segment import collapse_whitespace


class LabelledDataError(ValueError):
    """A row of a hand-labelled file cannot be read; the message names file and row."""


def _label(value: str, path: Path, row: int) -> LabelName:
    value = value.strip()
    if value not in LABELS:
        raise LabelledDataError(f"{path}:{row}: unknown label {value!r}; use one of {list(LABELS)}")
    return value  # type: ignore[return-value]


def read_labelled_page(path: Path) -> tuple[list[Line], list[LabelName], dict[str, str]]:
    """Lines, labels and ``# key: value`` metadata of one hand-labelled page."""
    lines: list[Line] = []
    labels: list[LabelName] = []
    meta: dict[str, str] = {}
    blank_before = False
    for row, raw in enumerate(path.read_text("utf-8-sig").splitlines(), start=1):
        if raw.startswith("#"):
            key, _, value = raw[1:].partition(":")
            if value:
                meta[key.strip()] = value.strip()
            continue
        if not raw.strip():
            blank_before = True
            continue
        fields = raw.split("\t")
        if len(fields) < 2:
            raise LabelledDataError(f"{path}:{row}: expected 'label<TAB>text'")
        text = collapse_whitespace(fields[-1])
        if not text:
            raise LabelledDataError(f"{path}:{row}: empty text")
        labels.append(_label(fields[0], path, row))
        lines.append(Line(text, len(lines), blank_before=blank_before))
        blank_before = False
    return lines, labels, meta


def read_labelled_pages(directory: Path) -> list[tuple[str, list[Line], list[LabelName], dict[str, str]]]:
    """All ``*.tsv`` pages under ``directory/pages``, sorted by name: (key, lines, labels, meta)."""
    pages = []
    for path in sorted((directory / "pages").glob("*.tsv")):
        lines, labels, meta = read_labelled_page(path)
        pages.append((f"training_data/{path.name}", lines, labels, meta))
    return pages


def read_corrections(directory: Path) -> dict[tuple[str, str], dict[int, LabelName]]:
    """Label overrides from ``directory/corrections.tsv``: (dataset, page id) → {line index: label}."""
    path = directory / "corrections.tsv"
    corrections: dict[tuple[str, str], dict[int, LabelName]] = defaultdict(dict)
    if not path.is_file():
        return {}
    for row, raw in enumerate(path.read_text("utf-8-sig").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) < 4:
            raise LabelledDataError(f"{path}:{row}: expected dataset, page_id, line_index, label")
        dataset, page_id, index, label = fields[:4]
        if not index.strip().isdigit():
            raise LabelledDataError(f"{path}:{row}: line_index must be a whole number, not {index!r}")
        corrections[(dataset, page_id)][int(index)] = _label(label, path, row)
    return dict(corrections)
