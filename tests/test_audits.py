"""The hand audits of the derived labels (``training_data/audits/``) describe today's rules.

Each audit row keys a corpus line (dataset, page id, line index) and records the label the
rules derived for it (``derived``) next to the hand judgement (``judged``). The error rates in
``training_data/README.md`` are counted from those two columns, so they hold only while the
code derives the recorded labels: a change to segmentation or to the label rules that moves
an audited line fails here until the audit file (and the rates) are brought up to date.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from boilerml.corpora import derive_labels, read_corpus
from boilerml.lines import LABELS
from boilerml.segment import html_to_lines

AUDITS = Path(__file__).resolve().parent.parent / "training_data" / "audits"


def audit_rows() -> list[dict[str, str]]:
    rows = []
    for path in sorted(AUDITS.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [{**row, "file": path.name} for row in csv.DictReader(handle, delimiter="\t")]
    return rows


def test_audit_files_are_well_formed():
    rows = audit_rows()
    assert len(rows) >= 400
    assert all(row["derived"] in LABELS and row["judged"] in LABELS for row in rows)
    assert all(int(row["line_index"]) >= 0 for row in rows)


def test_audited_lines_get_the_recorded_derived_label(datasets):
    wanted: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in audit_rows():
        wanted[(row["dataset"], row["page_id"])].append(row)
    found = 0
    moved = []
    for dataset in sorted({dataset for dataset, _ in wanted}):
        for page in read_corpus(datasets / f"{dataset}.tar.gz"):
            rows = wanted.get((dataset, page.page_id))
            if not rows:
                continue
            lines = html_to_lines(page.text())
            labels = derive_labels(lines, page.content, page.comments)
            for row in rows:
                found += 1
                label = labels[int(row["line_index"])]
                if label != row["derived"]:
                    moved.append(
                        (row["file"], dataset, page.page_id, row["line_index"], row["derived"], label)
                    )
    assert found == sum(map(len, wanted.values())), "an audited page is missing from the corpora"
    assert not moved, (
        f"audited lines whose derived label changed (file, dataset, page, line, recorded, now): {moved}"
    )
