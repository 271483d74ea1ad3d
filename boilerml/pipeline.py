"""The stages composed: decode → segment → features → classify → reassemble."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from .classify import classify_lines
from .decode import BinaryInputError, binary_signature, control_character_kind, decode
from .explain import explain_lines
from .features import extract_features
from .lines import LabelledLine
from .model import MARKDOWN, SMALL, SMALL_INPUT_LINES, Model, Passes, default_model
from .reassemble import DEFAULT_THRESHOLD, check_keep, check_threshold, to_text
from .segment import InputFormat, resolve_format, segment_with_markdown_flag

logger = logging.getLogger(__name__)

#: Most lines a page may have, unless the caller passes ``max_lines``. An HTML line costs
#: about 3 to 5 kB of memory (the parsed tree, the lines, the feature matrix and the labelled
#: lines; prediction works in blocks) and 0.1 ms of CPU, so this bounds a page to about
#: 2.5 GB and 50 s; real pages have a few thousand lines (the longest corpus page 3,076).
MAX_LINES = 500_000


def classify(
    page: str | bytes,
    *,
    input_format: InputFormat = "auto",
    model: Model | None = None,
    max_lines: int | None = MAX_LINES,
    unwrap: bool = True,
    markdown: bool = True,
    explain: bool = False,
) -> list[LabelledLine]:
    """Label every line of a page as content, navigation, ad or comment.

    Args:
        page: HTML or plain text (one block per line), as ``str`` or as bytes in any encoding.
        input_format: ``"html"``, ``"text"`` or ``"auto"`` (sniffed from the markup).
        model: a model from :func:`boilerml.load_model`; the shipped one by default. A text
            input of at most 16 lines (``SMALL_INPUT_LINES``) is labelled by the model's
            small-input passes when it has them (``boilerml train --windows``).
        max_lines: refuse pages with more lines than this (None: no limit).
        unwrap: in text input, rejoin the blocks another tool split over lines: paragraphs
            hard-wrapped at a fixed width (terminal browsers' dumps, html2text, e-mail), when
            the text looks wrapped, and blocks cut at every tag (BeautifulSoup's
            ``get_text("\\n")``: a link on a line of its own), when the text looks cut
            (:mod:`boilerml.fragments`); False reads every input line as one block.
        markdown: in text input that looks like Markdown (inline links), read the text it
            renders to: link text without its address, headings and list items without
            their markers, no images, and label it with the model's Markdown passes when it
            has them (``boilerml train --markdown-passes``); False reads the markup as text.
        explain: also say why each line got its label (``LabelledLine.explanation``: the
            features that pushed it towards its label rather than its rival, with their
            weights; :mod:`boilerml.explain`). It costs several times what labelling the page
            does (measured in the README).

    Returns:
        One :class:`LabelledLine` per non-blank line, in page order; an empty list, with a
        logged warning, when the page has no text (empty, blank, markup only).

    Raises:
        BinaryInputError: the input is an image, a PDF, compressed or other binary data.
        TooManyLinesError: the page has more than ``max_lines`` lines.
        ValueError: ``input_format`` is not one of the three (both errors above are
            ValueErrors too).
    """
    signature = binary_signature(page)  # before decoding: no charset detection on an image
    if signature is not None:
        raise BinaryInputError(signature)
    text = decode(page).text
    kind = control_character_kind(text)  # the signature was checked above
    if kind is not None:
        raise BinaryInputError(kind)
    mode = resolve_format(text, input_format)
    lines, read_as_markdown = segment_with_markdown_flag(text, mode, max_lines, unwrap, markdown)
    if not lines:
        logger.warning("no text in the page (%d characters, read as %s)", len(text), mode)
    features = extract_features(lines, mode)
    model = model or default_model()
    # Text read as Markdown goes to the model's Markdown passes, and a small text input to its
    # small-input passes, when it has them.
    passes: Passes = mode
    if read_as_markdown and MARKDOWN in model.estimators:
        passes = MARKDOWN
    elif mode == "text" and len(lines) <= SMALL_INPUT_LINES and SMALL in model.estimators:
        passes = SMALL
    labelled = classify_lines(lines, features, model, passes)
    if explain:
        explanations = explain_lines(labelled, features, model, passes)
        labelled = [replace(line, explanation=why) for line, why in zip(labelled, explanations, strict=True)]
    return labelled


def clean(
    page: str | bytes,
    *,
    input_format: InputFormat = "auto",
    keep: Iterable[str] = ("content",),
    threshold: float | None = DEFAULT_THRESHOLD,
    model: Model | None = None,
    max_lines: int | None = MAX_LINES,
    unwrap: bool = True,
    markdown: bool = True,
) -> str:
    """The article text of a page: the lines labelled with one of ``keep``, one per line.

    Args:
        keep: the classes to keep; ``("content", "comment")`` adds the reader comments.
        threshold: keep the lines whose ``keep`` classes' probabilities sum to at least
            this (default 0.5: more likely kept than not). Raise it (0.7, 0.9) for less junk
            and less article, lower it (0.3) for the reverse; the README gives the measured
            trade-off. None keeps the lines whose most probable class is in ``keep``.
        input_format, model, max_lines, unwrap, markdown: as for :func:`classify`.

    Returns:
        The kept lines joined by newlines; ``""`` when there are none.

    Raises:
        BinaryInputError: the input is binary data (see :func:`classify`).
        TooManyLinesError: the page has more than ``max_lines`` lines.
        ValueError: an unknown label in ``keep``, a threshold outside [0, 1], or an unknown
            ``input_format``.
    """
    kept = check_keep(keep)
    check_threshold(threshold)
    labelled = classify(
        page, input_format=input_format, model=model, max_lines=max_lines, unwrap=unwrap, markdown=markdown
    )
    return to_text(labelled, kept, threshold)
