"""Readers for the public labelled corpora and the derivation of per-line labels.

The corpora (``../shared/datasets/<name>.tar.gz``) give each page's raw HTML and its gold
main text (and, for dragnet and l3s-gn1, gold comments), but no line labels. Labels are
derived by aligning the gold text to the lines the segmenter cuts, then telling the rest
apart by documented rules:

* **content**: a line with at least :data:`SHINGLE_TOKENS` tokens whose token shingles lie in
  the gold text for at least :data:`MATCH_SHARE` of them; a shorter line whose tokens form a
  whole gold block, or that sits inside the gold text between two aligned content lines.
  Tokens are lower-cased, CJK characters count one each, so this works without segmentation
  and survives whitespace, punctuation and partial lines.
* **comment**: the same test against the gold comments, where it matches better than content.
* **ad**: a remaining line inside an element whose class/id carries a cue of the strict ``ad``
  group of ``data/dom_cues.json`` (``ad``, ``ads``, ``advert``, ``sponsor``, ``outbrain``,
  ``taboola``, ``adsbygoogle``, ...; not the looser ``promo``/``banner``), or whose text is mostly
  an ad marker of ``data/ad_markers.json`` ("Advertisement", "Sponsored", "广告", "扫码关注",
  ...) or opens with one and a colon ("广告：...").
* **navigation**: every other line (menus, headers, footers, share bars, related links, ...).

Nothing here is on the classification path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .decode import decode, normalise_charset
from .lines import LabelName, Line
from .segment import DOM_FLAGS, text_to_lines
from .tokens import tokenize

logger = logging.getLogger(__name__)

#: Where the shared corpora live when no path is given (relative to the working directory),
#: overridable with the ``BOILERML_DATASETS`` environment variable.
DEFAULT_DATASETS = Path("../shared/datasets")
CHINESE_LANGS = frozenset({"zh", "ja", "ko"})

#: Shingle size for aligning lines to gold text: four tokens rarely recur by accident in
#: unrelated menu text, in words or in CJK characters.
SHINGLE_TOKENS = 4
#: A long line is gold when at least this share of its shingles are in the gold text; half
#: tolerates partial lines and small differences of wording between page and gold.
MATCH_SHARE = 0.5
#: A line counts as mostly an ad cue when the cue phrases cover this share of its characters.
AD_CUE_COVER = 0.5

_AD_FLAG = 1 << DOM_FLAGS.index("class_id_ad")


@cache
def _ad_marker_pattern() -> re.Pattern[str]:
    """The ad markers of ``data/ad_markers.json`` as one regex (built once, read-only)."""
    raw = json.loads(resources.files("boilerml").joinpath("data/ad_markers.json").read_text("utf-8"))
    english = [rf"\b{re.escape(m)}\b" for m in sorted(raw["en"], key=len, reverse=True)]
    chinese = [re.escape(m) for m in sorted(raw["zh"], key=len, reverse=True)]
    return re.compile("|".join(english + chinese), re.I)


def is_ad_text(text: str) -> bool:
    """Whether a line's text marks it as an advertisement (mostly a marker, or ``marker:`` first)."""
    pattern = _ad_marker_pattern()
    if sum(map(len, pattern.findall(text))) >= AD_CUE_COVER * len(text):
        return True
    opening = pattern.match(text)
    return opening is not None and text[opening.end() : opening.end() + 1] in (":", "：")


def datasets_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The corpora folder: ``path``, else ``$BOILERML_DATASETS``, else ``../shared/datasets``."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get("BOILERML_DATASETS", DEFAULT_DATASETS))


def corpus_names(root: Path) -> list[str]:
    """Names of the corpora (archives) present in ``root``, sorted."""
    return sorted(p.name.removesuffix(".tar.gz") for p in root.glob("*.tar.gz"))


@dataclass(frozen=True)
class Page:
    """One labelled page of a corpus.

    Attributes:
        dataset, page_id, lang, split: as in the corpus JSON.
        html: the raw bytes of the page.
        encoding_hint: the corpus's charset for ``html`` (or None).
        content: gold main text, one block per line.
        comments: gold comment text, or None where the corpus does not annotate comments.
        extra: the remaining JSON fields (page_type, with/without snippets, ...).
    """

    dataset: str
    page_id: str
    lang: str
    split: str
    html: bytes
    encoding_hint: str | None
    content: str
    comments: str | None
    extra: dict

    @property
    def is_chinese(self) -> bool:
        return self.lang in CHINESE_LANGS

    def text(self) -> str:
        """The page decoded as the corpus says (its ``encoding_hint``), else sniffed."""
        codec = normalise_charset(self.encoding_hint) if self.encoding_hint else None
        if codec:
            return self.html.decode(codec, errors="replace")
        return decode(self.html).text


def read_corpus(archive: Path, split: str | None = None) -> Iterator[Page]:
    """Yield the pages of one ``<name>.tar.gz`` archive, optionally only one split."""
    htmls: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            handle = tar.extractfile(member)
            if handle is None:
                continue
            stem = member.name.split("/", 1)[1]
            if stem.endswith(".annotated.html"):
                continue
            if stem.endswith(".html"):
                htmls[stem[:-5]] = handle.read()
            elif stem.endswith(".json"):
                record = json.loads(handle.read())
                html = htmls.pop(record["id"])
                if split is not None and record["split"] != split:
                    continue
                known = {"id", "dataset", "lang", "split", "encoding_hint", "content", "comments"}
                yield Page(
                    dataset=record["dataset"],
                    page_id=record["id"],
                    lang=record["lang"],
                    split=record["split"],
                    html=html,
                    encoding_hint=record["encoding_hint"],
                    content=record["content"] or "",
                    comments=record["comments"],
                    extra={k: v for k, v in record.items() if k not in known},
                )


def read_corpora(root: Path, split: str | None = None, names: list[str] | None = None) -> Iterator[Page]:
    """Yield the pages of every corpus in ``root`` (or of ``names``), in a fixed order."""
    for name in names or corpus_names(root):
        yield from read_corpus(root / f"{name}.tar.gz", split)


def _shingles(tokens: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


@dataclass(frozen=True)
class _Gold:
    shingles: set[tuple[str, ...]]
    blocks: set[tuple[str, ...]]
    joined: str

    @classmethod
    def of(cls, text: str | None) -> _Gold:
        tokens = [t.lower() for t in tokenize(text or "")]
        blocks = {tuple(t.lower() for t in tokenize(block)) for block in (text or "").splitlines()}
        blocks.discard(())
        return cls(_shingles(tokens, SHINGLE_TOKENS), blocks, " " + " ".join(tokens) + " ")

    def long_score(self, tokens: list[str]) -> float:
        line_shingles = [
            tuple(tokens[i : i + SHINGLE_TOKENS]) for i in range(len(tokens) - SHINGLE_TOKENS + 1)
        ]
        return sum(s in self.shingles for s in line_shingles) / len(line_shingles)

    def is_block(self, tokens: list[str]) -> bool:
        return tuple(tokens) in self.blocks

    def contains(self, tokens: list[str]) -> bool:
        return (" " + " ".join(tokens) + " ") in self.joined


def _match_scores(lines: list[Line], gold: _Gold) -> list[float]:
    """How well the gold text covers each line, in [0, 1] (see the module docstring for the rule).

    A long line scores the share of its shingles found in the gold; a short line scores 1 when
    it is a whole gold block or sits, contained in the gold, between two matched long lines.
    """
    token_lists = [[t.lower() for t in tokenize(line.text)] for line in lines]
    scores: list[float | None] = []
    for tokens in token_lists:
        if len(tokens) >= SHINGLE_TOKENS:
            scores.append(gold.long_score(tokens))
        elif tokens and gold.is_block(tokens):
            scores.append(1.0)
        else:
            scores.append(None)  # decided from the long lines around it
    long_matched = [
        (i, (scores[i] or 0.0) >= MATCH_SHARE)
        for i in range(len(lines))
        if len(token_lists[i]) >= SHINGLE_TOKENS
    ]
    result = []
    previous_matched = False
    pointer = 0
    for i, score in enumerate(scores):
        while pointer < len(long_matched) and long_matched[pointer][0] <= i:
            previous_matched = long_matched[pointer][1]
            pointer += 1
        if score is not None:
            result.append(score)
            continue
        next_matched = long_matched[pointer][1] if pointer < len(long_matched) else False
        tokens = token_lists[i]
        inside = bool(tokens) and previous_matched and next_matched and gold.contains(tokens)
        result.append(1.0 if inside else 0.0)
    return result


def derive_labels(lines: list[Line], content: str, comments: str | None) -> list[LabelName]:
    """Per-line labels for a page from its gold content and comments (module docstring rules)."""
    if not lines:
        return []
    content_scores = _match_scores(lines, _Gold.of(content))
    comment_scores = _match_scores(lines, _Gold.of(comments)) if comments else [0.0] * len(lines)
    labels: list[LabelName] = []
    for line, content_score, comment_score in zip(lines, content_scores, comment_scores):
        if comment_score >= MATCH_SHARE and comment_score > content_score:
            labels.append("comment")
        elif content_score >= MATCH_SHARE:
            labels.append("content")
        elif line.dom_flags & _AD_FLAG or is_ad_text(line.text):
            labels.append("ad")
        else:
            labels.append("navigation")
    return labels


def render_as_text(lines: list[Line], blank_lines: bool) -> str:
    """Render segmented HTML lines as a text dump would show them: one block per line.

    Args:
        blank_lines: put an empty line at each paragraph boundary (as copy-pasted pages
            and some scrapers do); otherwise one line after another (as WET records do).
    """
    parts: list[str] = []
    for line in lines:
        if blank_lines and line.blank_before and parts:
            parts.append("")
        parts.append(line.text)
    return "\n".join(parts)


def text_mode_lines(lines: list[Line], blank_lines: bool) -> list[Line]:
    """The lines text mode reads from the page's text dump (:func:`render_as_text`).

    The dump is one block per line by construction, so it is read as written (never rejoined
    as hard-wrapped text or read as Markdown): its lines stay line for line the HTML lines and
    their labels.
    """
    return text_to_lines(render_as_text(lines, blank_lines), unwrap_wrapped=False, read_markdown=False)


def uses_blank_lines(page: Page) -> bool:
    """A fixed, page-hashed half of the pages is rendered with blank lines between paragraphs."""
    digest = hashlib.sha1(f"{page.dataset}/{page.page_id}".encode()).digest()
    return digest[0] % 2 == 0
