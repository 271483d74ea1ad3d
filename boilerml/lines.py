"""The shared vocabulary of the pipeline: labels, lines and labelled lines.

Every stage speaks in these plain, immutable records; no stage mutates another's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LabelName = Literal["content", "navigation", "ad", "comment"]

#: The four classes a line can take, in the column order of every probability matrix.
LABELS: tuple[LabelName, ...] = ("content", "navigation", "ad", "comment")


@dataclass(frozen=True, slots=True)
class Line:
    """One block of text of the input, with what its markup said about it.

    For plain-text input only ``text``, ``index`` and ``blank_before`` carry information;
    the DOM fields keep their neutral defaults.

    Attributes:
        text: the block's text, whitespace collapsed to single spaces, never empty.
        index: 0-based position of the line in the page's line list.
        blank_before: a blank line (text mode) or a paragraph boundary preceded it.
        tag: the innermost block-level element holding the text (``"p"``, ``"li"``, ...);
            ``""`` in text mode.
        link_chars: how many of the characters of ``text`` sit inside ``<a>`` elements.
        depth: element nesting depth of that block element (the ``<html>`` root is 0).
        dom_flags: bit set of :data:`boilerml.segment.DOM_FLAGS` that hold for the line:
            ancestor tags (nav, footer, li, a heading, ...) and class/id cue groups.
        path: ``/``-joined tag names from the root to the block element, for repetition
            and debugging (``"html/body/div/p"``).
        repeated_units: how many sibling blocks of one kind, each of several lines, make the
            run of blocks the line sits in (a thread of posted comments, a listing's teasers);
            0 outside any such run and in text mode.
    """

    text: str
    index: int
    blank_before: bool = False
    tag: str = ""
    link_chars: int = 0
    depth: int = 0
    dom_flags: int = 0
    path: str = ""
    repeated_units: int = 0


@dataclass(frozen=True, slots=True)
class LabelledLine:
    """A line with the model's verdict.

    Attributes:
        text: the line's text.
        label: the most probable class, one of :data:`LABELS`.
        probabilities: class name to probability, summing to 1.
        line: the segmented line the verdict is about (its DOM context included).
    """

    text: str
    label: LabelName
    probabilities: dict[str, float] = field(default_factory=dict)
    line: Line | None = None

    @property
    def probability(self) -> float:
        """Probability of the chosen label."""
        return self.probabilities.get(self.label, 0.0)
