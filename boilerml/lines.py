"""The shared vocabulary of the pipeline: labels, lines, labelled lines and their explanations.

Every stage speaks in these plain, immutable records; no stage mutates another's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

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
        continues: the line is a piece of an input line that text mode read in pieces
            (:mod:`boilerml.sentences`), after its first: it continues the line before it,
            and the output sets the two together again when it keeps both.
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
    continues: bool = False


class Reason(NamedTuple):
    """One feature (or group of features) and how far it pushed a line's verdict.

    Attributes:
        feature: the feature's name (``"link_share"``), or its group's: ``"tag"``, a
            feature of the lines around it (``"link_share@around"``), what the first look
            at the lines around it said (``"p_navigation@around"``).
        says: the feature in words (``boilerml/data/feature_descriptions.json``), starting
            with "lines around it: " for a feature of the lines around the line.
        value: the line's own value of the feature as shown (``"100%"``, ``"yes"``, ``"3"``,
            ``"<li>"``); for a feature of the lines around it, their mean over the seven
            lines centred on it; ``""`` for groups of several features.
        weight: how much it raised the label's score over the rival's, in log-odds (natural
            log); negative when it argued for the rival.
    """

    feature: str
    says: str
    value: str
    weight: float


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a line got its label rather than its rival (:mod:`boilerml.explain`).

    ``prior`` plus ``rest`` plus the weights of all ``reasons`` add up to ``margin``.

    Attributes:
        label: the line's label.
        rival: the class it was weighed against: ``"content"`` for a line labelled anything
            else (why it is not article text), else the most probable other class.
        margin: the label's raw score minus the rival's, in log-odds (natural log).
        prior: the part of ``margin`` owed to no feature (the model's starting scores).
        reasons: every reason that moved the margin by at least
            :data:`boilerml.explain.MIN_REASON_WEIGHT` either way, strongest for the label first.
        rest: the summed weight of the reasons too small to list.
        second_pass: whether the second pass (which also reads the first pass's verdicts on
            the lines around it) decided the line; else the first pass was sure of it.
    """

    label: LabelName
    rival: LabelName
    margin: float
    prior: float
    reasons: tuple[Reason, ...]
    rest: float
    second_pass: bool

    def strongest(self, count: int = 3, for_label: bool = True) -> tuple[Reason, ...]:
        """The ``count`` reasons that pushed hardest for the label (or, with
        ``for_label=False``, for the rival), strongest first."""
        if for_label:
            return tuple(reason for reason in self.reasons if reason.weight > 0)[:count]
        return tuple(reason for reason in reversed(self.reasons) if reason.weight < 0)[:count]


@dataclass(frozen=True, slots=True)
class LabelledLine:
    """A line with the model's verdict.

    Attributes:
        text: the line's text.
        label: the most probable class, one of :data:`LABELS`.
        probabilities: class name to probability, summing to 1.
        line: the segmented line the verdict is about (its DOM context included).
        explanation: why it got its label (only when asked for: ``classify(explain=True)``).
        repeats_on_site: on how many other pages of its site in the batch the line is (only
            when a batch is cleaned with ``site_repeats=True``; :mod:`boilerml.repeats`).
        site_repeat: the batch rule drops the line as its site's boilerplate: it is on
            enough of the site's other pages and the model is not sure it is content.
        passes: which of the model's sets of passes labelled the line, the same for every
            line of a page: ``"html"``, ``"text"``, ``"markdown"`` (text read as Markdown) or
            ``"small"`` (a text input of 16 lines or fewer); ``""`` when unknown (a line
            made by hand).
    """

    text: str
    label: LabelName
    probabilities: dict[str, float] = field(default_factory=dict)
    line: Line | None = None
    explanation: Explanation | None = None
    repeats_on_site: int = 0
    site_repeat: bool = False
    passes: str = ""

    @property
    def probability(self) -> float:
        """Probability of the chosen label."""
        return self.probabilities.get(self.label, 0.0)
