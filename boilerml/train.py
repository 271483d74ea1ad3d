"""Training: labelled pages to a fitted model and its card.

Rows come from the ``train`` split of the shared corpora (labels derived by
:mod:`boilerml.corpora`) plus this project's own labelled pages in ``training_data/``
(see its README). Each page is used twice: as HTML (DOM features) and rendered as a text
dump (text features), so both input modes have a model of their own. Cross-validation is
grouped by page, seeds are fixed, and the card records versions, feature names, labels,
the hash of the training data and the scores.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .corpora import Page, derive_labels, read_corpora, text_mode_lines, uses_blank_lines
from .features import CONTEXT_PROBABILITY_NAMES, extract_features, feature_names, probability_context_matrix
from .handlabelled import read_corrections, read_labelled_pages
from .lines import LABELS, LabelName, Line
from .metrics import line_scores
from .model import MARKDOWN, SMALL, SMALL_INPUT_LINES, Model, ordered_proba
from .segment import DOM_FLAGS, html_to_lines, text_to_lines
from .sites import site_of
from .trees import TreeEnsemble, export_estimator

logger = logging.getLogger(__name__)

SEED = 20261124
#: CJK pages are about a tenth of the corpora but half of what we are judged on: weight them up.
CJK_PAGE_WEIGHT = 2.0
#: Cross-validation folds (grouped by page).
CV_FOLDS = 3
#: Fit on at most this many lines per page (a seeded sample, weights scaled up to match): a
#: few huge pages of repeated links otherwise cost most of the fitting time for little gain.
MAX_FIT_LINES_PER_PAGE = 300
#: The label of a training line whose true class the corpus does not say: it is not fitted
#: or scored, but its features and first-pass verdict still serve its neighbours' context.
UNLABELLED = "?"
#: Bumped whenever what :func:`first_pass` stores changes, so that older cache files are ignored.
FIRST_PASS_CACHE_FORMAT = 2
_COMMENT_CONTAINER = 1 << DOM_FLAGS.index("class_id_comment")
#: Label arrays hold any class name, so that a label can be given back in place.
LABEL_DTYPE = f"<U{max(len(label) for label in LABELS)}"
#: When more than this share of a page's lines sit inside a "comment" class/id, the cue is
#: the page's own (``<body class="... comments-open">``), not a thread's: nothing is unlabelled.
PAGE_LEVEL_CUE_SHARE = 0.5
#: A comment area's line with at least this share of its characters in links is a widget
#: ("Most commented" headlines, "Comments (46)"), not a posted comment: it keeps its label.
LINK_HEAVY_SHARE = 0.5
#: Short windows cut from each corpus page and read as text inputs of their own, what the
#: small-input passes are fitted on besides the pages (``--windows``; exp96, exp97): a model
#: fitted on whole pages only has never seen a one- to few-line input, whose position,
#: neighbour and window features look like no page's, and drops the first paragraph of a
#: small input on about one page in seven. Windows per page (exp97's value), the longest
#: window (lines), and the weight of a window's lines relative to its page's (a page's lines
#: share ``weight / sqrt(n)``, so at full weight the short windows would outweigh whole pages).
WINDOWS_PER_PAGE = 4
MAX_WINDOW_LINES = SMALL_INPUT_LINES
WINDOW_WEIGHT = 0.25
#: A window drawn around a content line starts at most this many lines before it (a menu's
#: last items, a title, a byline).
MAX_LEAD_LINES = 3


#: Whether training reads pages with :func:`boilerml.segment.html_to_lines`'s repairs (a page
#: whose text sits in ``<noscript>``, exp100; a ``<title>`` never closed, exp101), as
#: cleaning does. False keeps the rows the shipped model was fitted on, which predates them
#: (``tests/test_reproducible.py`` holds the two together). A retrain with them alone moved
#: comment F1 by -0.016 (HTML) and -0.063 (text) on dev and failed its check (exp102): turn
#: it on with a retrain that is worth that move.
REPAIRS_IN_TRAINING = False


@dataclass(frozen=True)
class Boosting:
    """Size of the gradient-boosted ensembles (each pass of each mode), recorded in the card.

    Prediction walks every tree for every line, so its time is proportional to
    ``iterations`` (one tree per class per iteration); fewer iterations with a larger
    ``learning_rate`` trade accuracy for speed.
    """

    iterations: int = 150
    learning_rate: float = 0.15
    max_leaf_nodes: int = 48


@dataclass(frozen=True)
class PageRows:
    """The training rows of one page in one mode: features ``(n, k)``, labels ``(n,)``."""

    page_key: str
    features: np.ndarray
    labels: np.ndarray
    weight: float
    #: a stable 64-bit fingerprint of each line's text, shape ``(n,)`` (corpus pages only):
    #: what :func:`relabel_site_boilerplate` counts across pages.
    text_keys: np.ndarray | None = None
    #: the page's site (:func:`boilerml.sites.site_of`), for folds that keep a site's pages
    #: together (:func:`page_folds`); ``None`` makes the page a site of its own.
    site: str | None = None
    #: short windows of the page read as inputs of their own (text mode, :func:`window_rows`):
    #: (first line index, features of the window's lines ``(length, k)``) per window.
    windows: tuple[tuple[int, np.ndarray], ...] = ()

    @property
    def group(self) -> str:
        """The key the out-of-fold split keeps together: the site, else the page."""
        return self.site if self.site is not None else self.page_key


def page_rows(
    page: Page, corrections: dict[int, LabelName] | None = None, windows: int = 0, seed: int = SEED
) -> tuple[PageRows | None, PageRows | None]:
    """HTML-mode and text-mode rows of one corpus page (None when the page has no lines).

    ``corrections`` (line index → label, from ``training_data/corrections.tsv``) override
    the derived labels. With ``windows``, the text rows also hold the features of that many
    short windows of the page (:func:`window_spans`, seeded by ``seed`` and the page), each
    read as a text input of its own; :func:`window_rows` turns them into rows.
    """
    lines = html_to_lines(page.text(), repair=REPAIRS_IN_TRAINING)
    if not lines:
        return None, None
    derived = derive_labels(lines, page.content, page.comments)
    for index, label in (corrections or {}).items():
        if 0 <= index < len(derived):
            derived[index] = label
    if page.comments is None:
        derived = unlabel_threads(lines, derived, protected=set(corrections or {}))
    labels = np.array(derived, dtype=LABEL_DTYPE)
    key = f"{page.dataset}/{page.page_id}"
    weight = CJK_PAGE_WEIGHT if page.is_chinese else 1.0
    blank_lines = uses_blank_lines(page)
    # where the page's content runs start (a title after a menu, a paragraph after an ad)
    run_starts = [
        i for i, label in enumerate(derived) if label == "content" and (i == 0 or derived[i - 1] != "content")
    ]
    text_lines = text_mode_lines(lines, blank_lines)
    assert len(text_lines) == len(lines)
    text_keys = np.array([text_key(line.text) for line in lines], dtype=np.uint64)
    site = site_of(page)
    window_features = tuple(
        (start, extract_features(window, "text"))
        for start, length in window_spans(len(lines), key, windows, seed, run_starts)
        if len(window := text_mode_lines(lines[start : start + length], blank_lines)) == length
    )
    return (
        PageRows(key, extract_features(lines, "html"), labels, weight, text_keys, site),
        PageRows(
            key, extract_features(text_lines, "text"), labels.copy(), weight, text_keys, site, window_features
        ),
    )


def window_spans(
    n_lines: int, page_key: str, windows: int, seed: int = SEED, anchors: list[int] | None = None
) -> list[tuple[int, int]]:
    """``windows`` seeded (first line, length) spans of a page of ``n_lines`` lines.

    Lengths are uniform from 1 to :data:`MAX_WINDOW_LINES` (at most the page). Even-numbered
    windows, and every window when ``anchors`` is empty or None, start anywhere (uniform): a
    piece of any part of a page. Odd-numbered ones start up to :data:`MAX_LEAD_LINES` lines
    before a line drawn from ``anchors`` (where the page's content runs start): the start of
    an article or of a block of it, maybe after a menu's last items, which random pieces of
    menu-heavy pages seldom are.
    """
    rng = np.random.default_rng([seed, text_key(page_key)])
    spans = []
    for j in range(windows if n_lines else 0):
        length = int(rng.integers(1, min(MAX_WINDOW_LINES, n_lines) + 1))
        if j % 2 == 0 or not anchors:
            start = int(rng.integers(0, n_lines - length + 1))
        else:
            anchor = anchors[int(rng.integers(len(anchors)))]
            lead = int(rng.integers(0, min(MAX_LEAD_LINES, length - 1) + 1))
            start = min(max(anchor - lead, 0), n_lines - length)
        spans.append((start, length))
    return spans


def window_rows(rows: list[PageRows]) -> list[PageRows]:
    """The short windows of ``rows`` (:attr:`PageRows.windows`) as rows of their own.

    A window's labels are its page's, read when this is called (after
    :func:`relabel_thread_lines`); its weight is the page's times :data:`WINDOW_WEIGHT`, its
    site the page's. Keys are ``<page key>#window<j>``.
    """
    return [
        PageRows(
            f"{r.page_key}#window{j}",
            features,
            r.labels[start : start + len(features)].copy(),
            r.weight * WINDOW_WEIGHT,
            site=r.site,
        )
        for r in rows
        for j, (start, features) in enumerate(r.windows)
    ]


def text_key(text: str) -> int:
    """A fingerprint of a line's text that is the same in every process (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def relabel_thread_lines(html_rows: list[PageRows], text_rows: list[PageRows]) -> tuple[int, int]:
    """Label the lines :func:`unlabel_threads` left unlabelled: site furniture or posted comment.

    A comment area holds both the posted comments, which the corpus labelled navigation
    although they are comments, and the site's own furniture around them (commenting rules,
    "Leave a reply", login prompts), which is navigation on every page. The posted comments
    are unique to their page; the furniture repeats across the site's pages. So an
    unlabelled line whose text also appears on another page of ``html_rows`` gets
    "navigation" back, and the others become "comment", in both modes (the pairs are
    aligned, page for page). Labels are changed in place.

    Returns:
        (lines given "navigation", lines given "comment").
    """
    pages_with_text: Counter[int] = Counter()
    for row in html_rows:
        if row.text_keys is not None:
            pages_with_text.update(set(row.text_keys.tolist()))
    furniture = comments = 0
    for html_row, text_row in zip(html_rows, text_rows, strict=True):
        if html_row.text_keys is None:
            continue
        for i in np.flatnonzero(html_row.labels == UNLABELLED):
            repeated = pages_with_text[int(html_row.text_keys[i])] >= 2
            html_row.labels[i] = text_row.labels[i] = "navigation" if repeated else "comment"
            furniture += repeated
            comments += not repeated
    return furniture, comments


def unlabel_threads(
    lines: list[Line], labels: list[LabelName], protected: frozenset[int] | set[int] = frozenset()
) -> list[str]:
    """Unlabel the reader comments of a page whose corpus has no comment gold.

    Such corpora call a reader comment navigation (or content, if their gold keeps it), so a
    thread inside a "comment" class/id would teach that comment sections are navigation,
    against the pages that do label comments. Those navigation-labelled lines become
    :data:`UNLABELLED` instead, unless the cue covers most of the page (a page-level class) or
    the line's label is a hand correction (``protected`` line indices).

    Returns:
        the labels, shape ``(len(lines),)``, with some "navigation" turned :data:`UNLABELLED`.
    """
    in_thread = [bool(line.dom_flags & _COMMENT_CONTAINER) for line in lines]
    if sum(in_thread) > PAGE_LEVEL_CUE_SHARE * len(lines):
        return list(labels)
    return [
        UNLABELLED
        if flagged and label == "navigation" and i not in protected and not _link_heavy(lines[i])
        else label
        for i, (flagged, label) in enumerate(zip(in_thread, labels, strict=True))
    ]


def _link_heavy(line: Line) -> bool:
    return line.link_chars >= LINK_HEAVY_SHARE * len(line.text)


def labelled_text_rows(key: str, lines: list[Line], labels: list[LabelName], weight: float = 1.0) -> PageRows:
    """Text-mode rows of a page this project labelled by hand (``training_data/``)."""
    return PageRows(key, extract_features(lines, "text"), np.array(labels), weight)


def _chunks(pages: Iterable[Page], size: int) -> Iterator[list[Page]]:
    chunk: list[Page] = []
    for page in pages:
        chunk.append(page)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows_of_chunk(
    chunk: list[Page], corrections: dict[tuple[str, str], dict[int, LabelName]], windows: int, seed: int
) -> list[tuple[PageRows | None, PageRows | None]]:
    return [page_rows(page, corrections.get((page.dataset, page.page_id)), windows, seed) for page in chunk]


def collect_rows(
    pages: Iterable[Page],
    n_jobs: int = 1,
    corrections: dict[tuple[str, str], dict[int, LabelName]] | None = None,
    windows: int = 0,
    seed: int = SEED,
) -> tuple[list[PageRows], list[PageRows]]:
    """Rows of many pages, computed in ``n_jobs`` processes; returns (html rows, text rows).

    With ``windows``, each text row also holds that many short windows (:func:`page_rows`).
    """
    from joblib import Parallel, delayed

    html_rows: list[PageRows] = []
    text_rows: list[PageRows] = []
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_rows_of_chunk)(chunk, corrections or {}, windows, seed) for chunk in _chunks(pages, 32)
    )
    for chunk_result in results:
        for html_part, text_part in chunk_result:
            if html_part is not None and text_part is not None:
                html_rows.append(html_part)
                text_rows.append(text_part)
    furniture, comments = relabel_thread_lines(html_rows, text_rows)
    logger.info(
        "comment areas: %d lines repeat on other pages (navigation), %d become comment", furniture, comments
    )
    return html_rows, text_rows


def train_pages(root: Path, names: list[str], max_pages: int | None = None) -> Iterator[Page]:
    """The ``train`` split of the corpora ``names`` in ``root``, at most ``max_pages`` each."""
    for name in names:
        for i, page in enumerate(read_corpora(root, "train", [name])):
            if max_pages is not None and i >= max_pages:
                break
            yield page


def training_rows(
    root: Path,
    names: list[str],
    own: Path,
    n_jobs: int = 1,
    max_pages: int | None = None,
    windows: int = 0,
    seed: int = SEED,
) -> tuple[list[PageRows], list[PageRows], dict[str, int]]:
    """The rows ``boilerml train`` fits: the ``train`` split of the corpora ``names`` in
    ``root`` (at most ``max_pages`` per corpus), with this project's corrections, plus its
    hand-labelled pages in text mode. With ``windows``, each corpus page's text rows hold that
    many short windows (:func:`page_rows`), not yet rows of their own (:func:`window_rows`).

    Returns:
        (html rows, text rows, pages per source for the card).

    Raises:
        OSError, boilerml.handlabelled.LabelledDataError: ``own`` cannot be read.
    """
    corrections = read_corrections(own)
    hand_pages = read_labelled_pages(own)

    pages = train_pages(root, names, max_pages)
    html_rows, text_rows = collect_rows(pages, n_jobs, corrections, windows, seed)
    sources: dict[str, int] = {}
    for row in html_rows:
        dataset = row.page_key.split("/", 1)[0]
        sources[dataset] = sources.get(dataset, 0) + 1
    for key, lines, labels, _meta in hand_pages:
        text_rows.append(labelled_text_rows(key, lines, labels))
    if hand_pages:
        sources["training_data (text mode only)"] = len(hand_pages)
    return html_rows, text_rows, sources


def markdown_page_rows(page: Page) -> PageRows | None:
    """Text-mode rows of a corpus page converted to Markdown by markdownify and read as any
    text input is (Markdown rendered, hard wraps rejoined), labelled against the page's gold
    (:func:`boilerml.corpora.derive_labels`; with no DOM, "ad" comes from ad markers only).
    None when the page has no lines or markdownify cannot convert it (it recurses once per
    level of nesting). These rows teach the Markdown passes how converters cut a page
    (benchmarks/experiments/exp71.md).
    """
    from markdownify import markdownify  # a training-only dependency (the "train" extra)

    try:
        converted = markdownify(page.text())
    except RecursionError:
        return None
    lines = text_to_lines(converted)
    if not lines:
        return None
    labels = np.array(derive_labels(lines, page.content, page.comments), dtype=LABEL_DTYPE)
    weight = CJK_PAGE_WEIGHT if page.is_chinese else 1.0
    key = f"{page.dataset}/{page.page_id}"
    return PageRows(key, extract_features(lines, "text"), labels, weight, site=site_of(page))


def _markdown_rows_of_chunk(chunk: list[Page]) -> list[PageRows | None]:
    return [markdown_page_rows(page) for page in chunk]


def markdown_training_rows(
    root: Path, names: list[str], n_jobs: int = 1, max_pages: int | None = None
) -> list[PageRows]:
    """:func:`markdown_page_rows` of the ``train`` split of the corpora ``names`` (at most
    ``max_pages`` per corpus), computed in ``n_jobs`` processes."""
    from joblib import Parallel, delayed

    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_markdown_rows_of_chunk)(chunk) for chunk in _chunks(train_pages(root, names, max_pages), 32)
    )
    return [row for chunk in results for row in chunk if row is not None]


def stack_rows(
    rows: list[PageRows], max_lines_per_page: int | None = None, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate pages: features ``(N, k)``, labels ``(N,)``, sample weights ``(N,)``, groups ``(N,)``.

    A page's lines share a weight of ``page_weight / sqrt(n_lines)``, so that long pages do
    not drown short ones while still counting for more than one line's worth; weights are
    then scaled to mean 1. With ``max_lines_per_page``, longer pages keep a seeded random
    sample of that many lines, each weighing correspondingly more. :data:`UNLABELLED` lines
    are left out (after sampling, so that the other pages' samples do not move).
    """
    rng = np.random.default_rng(seed)
    features, labels, weights, groups = [], [], [], []
    for group, r in enumerate(rows):
        n = len(r.labels)
        weight = r.weight / np.sqrt(n)
        index = np.arange(n)
        if max_lines_per_page is not None and n > max_lines_per_page:
            index = np.sort(rng.choice(n, size=max_lines_per_page, replace=False))
            weight *= n / max_lines_per_page
        index = index[r.labels[index] != UNLABELLED]
        features.append(r.features[index])
        labels.append(r.labels[index])
        weights.append(np.full(len(index), weight))
        groups.append(np.full(len(index), group))
    all_weights = np.concatenate(weights)
    return (
        np.vstack(features),
        np.concatenate(labels),
        all_weights / all_weights.mean(),
        np.concatenate(groups),
    )


def make_estimator(kind: str = "hgb", seed: int = SEED, boosting: Boosting = Boosting()):
    """A fresh, unfitted stock scikit-learn estimator of the named kind.

    ``hgb`` (the shipped choice) is histogram gradient boosting, sized by ``boosting``;
    ``logreg`` and ``forest`` are the alternatives it was compared with (see the model card).
    """
    if kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=boosting.iterations,
            learning_rate=boosting.learning_rate,
            max_leaf_nodes=boosting.max_leaf_nodes,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=seed,
        )
    if kind == "logreg":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500, C=1.0, random_state=seed))
    if kind == "forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=100, min_samples_leaf=5, max_features="sqrt", n_jobs=-1, random_state=seed
        )
    raise ValueError(f"unknown estimator kind {kind!r}")


def cross_validate(
    rows: list[PageRows],
    kind: str = "hgb",
    folds: int = CV_FOLDS,
    boosting: Boosting = Boosting(),
    seed: int = SEED,
) -> dict:
    """Grouped (by page) k-fold line scores of an estimator kind; every test line is scored."""
    truth, predicted = [], []
    for train_pages, test_pages in page_folds(rows, folds, seed):
        estimator = _fitted([rows[i] for i in train_pages], kind, boosting, seed)
        test_features, test_labels, _, _ = stack_rows([rows[i] for i in test_pages])
        truth.append(test_labels)
        predicted.append(estimator.predict(test_features))
    return line_scores(np.concatenate(truth), np.concatenate(predicted))


def _fitted(rows: list[PageRows], kind: str, boosting: Boosting = Boosting(), seed: int = SEED):
    features, labels, weights, _ = stack_rows(rows, MAX_FIT_LINES_PER_PAGE, seed)
    estimator = make_estimator(kind, seed, boosting)
    if kind == "logreg":
        estimator.fit(features, labels, logisticregression__sample_weight=weights)
    else:
        estimator.fit(features, labels, sample_weight=weights)
    return estimator


def fit(rows: list[PageRows], kind: str = "hgb", boosting: Boosting = Boosting(), seed: int = SEED):
    """Fit one estimator on all pages (long pages sampled, see ``MAX_FIT_LINES_PER_PAGE``)."""
    return _fitted(rows, kind, boosting, seed)


def data_hash(rows: list[PageRows]) -> str:
    """SHA-256 over page keys, labels and features: changes whenever the training data does."""
    digest = hashlib.sha256()
    for r in rows:
        digest.update(r.page_key.encode())
        digest.update(r.labels.astype("U10").tobytes())
        digest.update(np.ascontiguousarray(r.features).tobytes())
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """Versions of the libraries a model depends on."""
    import importlib.metadata

    import joblib
    import lxml.etree
    import sklearn

    from . import __version__

    return {
        "boilerml": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        # The keyword cues are matched by its automaton (features, not only speed).
        "pyahocorasick": importlib.metadata.version("pyahocorasick"),
    }


def page_folds(
    rows: list[PageRows], folds: int, seed: int, by_site: bool = False
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Seeded k-fold split of the pages: ``folds`` pairs of (train, test) page indices.

    With ``by_site``, each site's pages (:attr:`PageRows.group`) stay on one side (unless
    there are fewer sites than folds): a model that saw a site's other pages is surer on it
    than on an unseen site, so this is how to measure what an unseen site gets. The shipped
    recipe splits by page: exp46 found no gain in fitting the second pass on a first pass
    split by site.
    """
    from sklearn.model_selection import GroupKFold, KFold

    pages = np.arange(len(rows))
    groups = np.unique([r.group for r in rows], return_inverse=True)[1]
    if by_site and groups.max(initial=-1) + 1 >= folds:
        return GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(pages, groups=groups)
    return KFold(n_splits=folds, shuffle=True, random_state=seed).split(pages)


def out_of_fold_probabilities(
    rows: list[PageRows],
    folds: int = CV_FOLDS,
    boosting: Boosting = Boosting(),
    seed: int = SEED,
    cache_prefix: Path | None = None,
    by_site: bool = False,
) -> list[np.ndarray]:
    """First-pass probabilities of every page from a model that never saw it (grouped k-fold).

    Returns one ``(n_lines, 4)`` array per page, columns in LABELS order. These are what the
    second pass trains on, so that it learns from verdicts as imperfect as the real ones.
    The folds are :func:`page_folds`: by page, or with ``by_site`` by site.
    With ``cache_prefix``, each fold's probabilities are read from ``<prefix>-fold<i>.npz``
    when present and stored there otherwise (see :func:`first_pass`).
    """
    probabilities: list[np.ndarray] = [np.empty((0, len(LABELS)))] * len(rows)
    for fold, (train_pages, test_pages) in enumerate(page_folds(rows, folds, seed, by_site)):
        path = _cache_piece(cache_prefix, f"fold{fold}")
        stored = _read_piece(path)
        if stored is not None:
            fold_probabilities = np.split(stored["probabilities"], np.cumsum(stored["lengths"])[:-1])
        else:
            estimator = _fitted([rows[i] for i in train_pages], "hgb", boosting, seed)
            fold_probabilities = [ordered_proba(estimator, rows[i].features) for i in test_pages]
            _store_piece(
                path,
                probabilities=np.concatenate(fold_probabilities),
                lengths=np.array([len(p) for p in fold_probabilities], dtype=np.int64),
            )
        for i, page_probabilities in zip(test_pages, fold_probabilities, strict=True):
            probabilities[i] = page_probabilities
    return probabilities


def first_pass(
    rows: list[PageRows],
    folds: int,
    boosting: Boosting = Boosting(),
    seed: int = SEED,
    cache: Path | None = None,
    by_site: bool = False,
) -> tuple[list[np.ndarray], TreeEnsemble]:
    """The first pass of one mode: out-of-fold probabilities of every page, and the pass fitted on all.

    The first pass is four of the five fits of a mode, and it depends only on the first-pass
    rows and what :func:`_first_pass_key` hashes with them. With a ``cache`` folder, each of
    its fits is read from there when that key matches a stored one, and stored as soon as it
    is made otherwise (one file per fit, so that an interrupted training keeps the fits it
    finished). An experiment changing only the second pass then retrains in a fraction of
    the time. The result is the same array for array with or without the cache.

    Returns:
        (one ``(n_lines, 4)`` array per page, columns in LABELS order; the fitted first pass).
    """
    prefix = None if cache is None else cache_prefix(cache, rows, folds, boosting, seed, by_site)
    if folds >= 2:
        probabilities = out_of_fold_probabilities(rows, folds, boosting, seed, prefix, by_site)
    else:
        probabilities = [np.full((len(r.labels), len(LABELS)), 1 / len(LABELS)) for r in rows]
    path = _cache_piece(prefix, "all")
    stored = _read_piece(path)
    if stored is not None:
        return probabilities, TreeEnsemble.from_arrays(stored)
    ensemble = export_estimator(fit(rows, boosting=boosting, seed=seed))
    _store_piece(path, **ensemble.to_arrays())
    return probabilities, ensemble


def cache_prefix(
    cache: Path, rows: list[PageRows], folds: int, boosting: Boosting, seed: int, by_site: bool = False
) -> Path:
    """Where in the ``cache`` folder the pieces of this first pass live (``<prefix>-<piece>.npz``)."""
    return cache / f"first-pass-{_first_pass_key(rows, folds, boosting, seed, by_site)}"


def _cache_piece(prefix: Path | None, piece: str) -> Path | None:
    return None if prefix is None else prefix.with_name(f"{prefix.name}-{piece}.npz")


def _read_piece(path: Path | None) -> dict[str, np.ndarray] | None:
    if path is None or not path.is_file():
        return None
    logger.info("first pass: read %s", path)
    with np.load(path, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def _store_piece(path: Path | None, **arrays: np.ndarray) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.partial.npz")
    np.savez(partial, **arrays)
    partial.replace(path)  # whole or absent, even if training is interrupted
    logger.info("first pass: stored %s", path)


def _first_pass_key(
    rows: list[PageRows], folds: int, boosting: Boosting, seed: int, by_site: bool = False
) -> str:
    """A hash of everything a first pass depends on: rows and their weights, the folds and
    the pages' sites when they group them, the seed, the estimator's settings, the sampling of
    long pages and the library versions."""
    digest = hashlib.sha256(data_hash(rows).encode())
    settings = (
        FIRST_PASS_CACHE_FORMAT,
        [r.weight for r in rows],
        folds,
        seed,
        sorted(make_estimator("hgb", seed, boosting).get_params().items()),
        MAX_FIT_LINES_PER_PAGE,
        sorted(versions().items()),
    )
    if by_site:  # a page-grouped split's key is the one it was before sites were known
        settings += ("by site", [r.group for r in rows])
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:24]


def with_context(rows: list[PageRows], probabilities: list[np.ndarray]) -> list[PageRows]:
    """Second-pass rows: each page's features plus the context of its first-pass probabilities."""
    return [
        PageRows(
            r.page_key,
            np.hstack([r.features, probability_context_matrix(p)]),
            r.labels,
            r.weight,
            None,
            r.site,
        )
        for r, p in zip(rows, probabilities, strict=True)
    ]


def _first_pass_scores(rows: list[PageRows], probabilities: list[np.ndarray]) -> dict:
    truth = np.concatenate([r.labels for r in rows])
    predicted = np.array(LABELS)[np.concatenate([p.argmax(axis=1) for p in probabilities])]
    labelled = truth != UNLABELLED
    return line_scores(truth[labelled], predicted[labelled])


def fit_passes(
    rows: list[PageRows],
    boosting: Boosting = Boosting(),
    seed: int = SEED,
    first_pass_cache: Path | None = None,
) -> tuple[dict[str, TreeEnsemble], list[np.ndarray]]:
    """Both passes of one set of rows, as :func:`train_model` fits each mode's.

    The first pass out of fold (:data:`CV_FOLDS` folds by page) and on all pages, then the
    second pass on the features plus the context of the out-of-fold probabilities.

    Returns:
        (``{"first": ..., "second": ...}``, the out-of-fold first-pass probabilities, one
        ``(n_lines, 4)`` array per page, columns in LABELS order).
    """
    probabilities, first = first_pass(rows, min(CV_FOLDS, len(rows)), boosting, seed, first_pass_cache)
    second = export_estimator(fit(with_context(rows, probabilities), boosting=boosting, seed=seed))
    return {"first": first, "second": second}, probabilities


def train_model(
    html_rows: list[PageRows],
    text_rows: list[PageRows],
    sources: dict[str, int],
    cv_pages: int | None = None,
    compare: tuple[str, ...] = (),
    boosting: Boosting = Boosting(),
    seed: int = SEED,
    first_pass_cache: Path | None = None,
    markdown_rows: list[PageRows] | None = None,
) -> Model:
    """Fit both passes for both modes (and the Markdown passes, given their rows) and build
    the card.

    Per mode: out-of-fold first-pass probabilities for every page (their scores are the
    first pass's cross-validated scores, on all pages); the first pass fitted on all pages;
    the second pass fitted on the features plus the context of those out-of-fold
    probabilities, and cross-validated on ``cv_pages`` pages.

    Args:
        html_rows, text_rows: training rows per page.
        sources: pages per training source, recorded in the card.
        cv_pages: cross-validate the second pass on this many randomly chosen pages (seeded)
            instead of all of them; 0 skips that. The final fits always use every page.
        compare: further estimator kinds to cross-validate (first pass, same pages) for the card.
        boosting: the size of the boosted ensembles.
        seed: seeds the out-of-fold split, the sampling of long pages' lines and the choice
            of cross-validation pages. Training is deterministic for a given seed; other
            seeds measure how far the model moves with them alone (README, "Retraining").
        first_pass_cache: a folder where :func:`first_pass` reuses and stores first passes.
        markdown_rows: converted pages' rows (:func:`markdown_training_rows`): when given,
            a third set of passes, ``"markdown"``, is fitted on ``text_rows`` plus these, with
            text mode's features, for text read as Markdown.

    When ``text_rows`` hold short windows (:attr:`PageRows.windows`), a fourth set of passes,
    ``"small"``, is fitted on ``text_rows`` plus the windows as rows of their own, with text
    mode's features, for text inputs of at most ``SMALL_INPUT_LINES`` lines (exp97); its
    card scores are the pages' out-of-fold first pass only.
    """
    rng = np.random.default_rng(seed)
    started = time.time()
    card: dict = {
        "labels": list(LABELS),
        "estimator": "HistGradientBoostingClassifier, two passes",
        "seed": seed,
        "boosting": asdict(boosting),
        "versions": versions(),
        "feature_names": {
            "html": list(feature_names("html")),
            "text": list(feature_names("text")),
            **({MARKDOWN: list(feature_names("text"))} if markdown_rows else {}),
        },
        "context_feature_names": list(CONTEXT_PROBABILITY_NAMES),
        "training_sources": sources,
        "cjk_page_weight": CJK_PAGE_WEIGHT,
        "max_fit_lines_per_page": MAX_FIT_LINES_PER_PAGE,
        "cv": {},
    }
    estimators = {}
    windows = window_rows(text_rows)
    if windows:
        card["short_windows"] = {
            "windows": len(windows),
            "lines": int(sum(len(r.labels) for r in windows)),
            "max_window_lines": MAX_WINDOW_LINES,
            "max_lead_lines": MAX_LEAD_LINES,
            "weight": WINDOW_WEIGHT,
        }
    no_windows: list[PageRows] = []
    sets = [("html", html_rows, no_windows), ("text", text_rows, no_windows)]
    if markdown_rows:
        sets.append((MARKDOWN, text_rows + markdown_rows, no_windows))
    if windows:
        sets.append((SMALL, text_rows, windows))
        card["feature_names"][SMALL] = list(feature_names("text"))
    for mode, rows, extra in sets:
        cv: dict = {"folds": CV_FOLDS}
        logger.info("%s: both passes on %d pages and %d short windows", mode, len(rows), len(extra))
        estimators[mode], probabilities = fit_passes(rows + extra, boosting, seed, first_pass_cache)
        probabilities = probabilities[: len(rows)]  # the pages' own: what is scored below
        cv["first pass (all pages)"] = _first_pass_scores(rows, probabilities)
        chosen = np.arange(len(rows))
        if cv_pages is not None and cv_pages < len(rows):
            chosen = np.sort(rng.choice(len(rows), size=cv_pages, replace=False))
        if len(chosen) >= CV_FOLDS and mode != SMALL:  # whole pages say little of small inputs
            logger.info("%s: cross-validating the second pass on %d pages", mode, len(chosen))
            cv["pages"] = len(chosen)
            second_rows = with_context([rows[i] for i in chosen], [probabilities[i] for i in chosen])
            cv["second pass"] = cross_validate(second_rows, boosting=boosting, seed=seed)
            for kind in compare:
                logger.info("%s: cross-validating %s (first pass)", mode, kind)
                cv[f"first pass, {kind}"] = cross_validate([rows[i] for i in chosen], kind, seed=seed)
        card["cv"][mode] = cv
        card.setdefault("training_lines", {})[mode] = int(sum(len(r.labels) for r in rows))
        card.setdefault("training_data_sha256", {})[mode] = data_hash(rows + extra)
    card["training_seconds"] = round(time.time() - started, 1)
    return Model(estimators, card)


def default_training_data_dir() -> Path:
    """``training_data/`` of the repository."""
    return Path(__file__).resolve().parent.parent / "training_data"
