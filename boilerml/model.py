"""The trained model: loading, saving and its card.

A model file is a numpy ``.npz`` archive of plain arrays: for each input mode (HTML, text)
and pass (first, second), the trees of a gradient-boosted ensemble
(:class:`boilerml.trees.TreeEnsemble`), plus the model card as JSON text. It is read with
``allow_pickle=False``, so loading a model, even one from an untrusted source, cannot run
code; the tree arrays are range-checked before use, and archives that would unpack to more
than :data:`MAX_MODEL_BYTES` are refused. Loading checks the card against the code: feature
names and labels; a mismatch is refused with a message that says how to retrain. The trees
are stored in boilerml's own node format, so a model does not depend on the scikit-learn
version that fitted it (the card records it, with the other versions, as provenance). The
shipped model's SHA-256 is recorded in ``models/MODEL_CARD.json`` and verified on load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .features import CONTEXT_PROBABILITY_NAMES, feature_names, probability_context_matrix
from .lines import LABELS

logger = logging.getLogger(__name__)

Mode = Literal["html", "text"]
#: Which set of passes labels a page: one per mode, and two optional sets with text mode's
#: features: ``"markdown"``, fitted on boilerml's dumps and on converters' Markdown of the
#: training pages (benchmarks/experiments/exp71.md), for text read as Markdown; ``"small"``,
#: fitted on the dumps and on short windows of them (exp97), for text inputs of at most
#: :data:`SMALL_INPUT_LINES` lines.
Passes = Literal["html", "text", "markdown", "small"]
MARKDOWN: Passes = "markdown"
SMALL: Passes = "small"
#: Sets of passes a model may or may not have.
OPTIONAL_PASSES: tuple[Passes, ...] = (MARKDOWN, SMALL)
#: A text input of at most this many lines goes to the small-input passes when the model has
#: them: the longest short window they were fitted on (``boilerml.train.MAX_WINDOW_LINES``).
SMALL_INPUT_LINES = 16
#: Each set of passes in words, for output that says which labelled a page.
PASSES_DESCRIPTIONS: dict[str, str] = {
    "html": "HTML passes (the page's markup read)",
    "text": "text passes (plain text, one block per line)",
    "markdown": "Markdown passes (text read as Markdown: inline links)",
    "small": f"small-input passes (a text input of {SMALL_INPUT_LINES} lines or fewer)",
}


def _shipped_models_dir() -> Path:
    """The directory of the shipped model and its card.

    An installed package (a wheel, ``pip install .``) carries ``models/`` inside itself as
    ``boilerml/models/``; a source checkout or an editable install has it beside the package.
    One ``stat`` call.
    """
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "models"
    return installed if installed.is_dir() else package_dir.parent / "models"


MODELS_DIR = _shipped_models_dir()
DEFAULT_MODEL_PATH = MODELS_DIR / "boilerml.npz"
DEFAULT_CARD_PATH = MODELS_DIR / "MODEL_CARD.json"
RETRAIN_HINT = "retrain it with `boilerml train` (see README, 'Retraining')"
#: A model archive that would unpack to more than this is refused before it is read (the
#: shipped one unpacks to about 60 MB): a crafted file cannot exhaust memory.
MAX_MODEL_BYTES = 1 << 30
MODES: tuple[Mode, ...] = ("html", "text")
PASSES = ("first", "second")
#: A line whose first-pass verdict is at least this probable keeps it, and only the other
#: lines go through the second pass (whose context features still read every line's
#: first-pass probabilities). On 200 dev pages 56 % of the HTML lines and 30 % of the text
#: lines were this sure, and the second pass changed the label of 1 in 2,000 of those HTML
#: lines and 1 in 175 of those text lines; skipping them saves that share of the second
#: pass's time (README, "Known limits").
CONFIDENT_FIRST_PASS = 0.99
#: Lines predicted at a time. The trees read a float64 copy of their rows, and the second
#: pass a copy of its rows' features beside their context: made a block at a time, those
#: copies take at most about 14 MB (4,096 HTML lines), however many lines the page has,
#: instead of several hundred bytes per line of the page. A row's probabilities do not
#: depend on the rows predicted with it, and every corpus page fits in one block.
PREDICT_BLOCK_LINES = 4096


def features_of(passes: Passes) -> Mode:
    """The mode whose features a set of passes reads (the optional ones read text mode's)."""
    return "text" if passes in OPTIONAL_PASSES else passes


class ModelError(RuntimeError):
    """A model file is missing, corrupt, or does not fit this version of boilerml."""


def ordered_proba(estimator: Any, features: np.ndarray) -> np.ndarray:
    """``estimator.predict_proba`` with columns in :data:`LABELS` order (absent classes get 0)."""
    raw = estimator.predict_proba(features)
    out = np.zeros((features.shape[0], len(LABELS)))
    for column, label in enumerate(estimator.classes_):
        out[:, LABELS.index(str(label))] = raw[:, column]
    return out


@dataclass(frozen=True)
class Model:
    """A loaded model: two tree ensembles per input mode plus the card describing them.

    ``estimators[mode]["first"]`` labels lines from their own features, shape ``(n, k_mode)``;
    ``estimators[mode]["second"]`` sees those features plus what the first pass said about
    the lines around each one (:func:`boilerml.features.probability_context_matrix`) and
    gives the final probabilities, shape ``(n, 4)`` in :data:`boilerml.lines.LABELS` order,
    of the lines the first pass is unsure of (:data:`CONFIDENT_FIRST_PASS`). A model may also
    hold ``estimators["markdown"]`` and ``estimators["small"]``, passes with text mode's
    features for text read as Markdown and for small text inputs (:func:`boilerml.classify`
    chooses them). An estimator is a
    :class:`boilerml.trees.TreeEnsemble` (or, right after fitting, the scikit-learn estimator
    itself). They are only read, so one model may serve many threads.
    """

    estimators: dict[str, Any]
    card: dict[str, Any] = field(default_factory=dict)

    def predict_proba(
        self, features: np.ndarray, mode: Passes, confident: float = CONFIDENT_FIRST_PASS
    ) -> np.ndarray:
        """Class probabilities, shape ``(n_lines, len(LABELS))``, rows summing to 1.

        Lines whose first-pass probability of their most probable class reaches
        ``confident`` get the first pass's probabilities; the others the second pass's. A
        ``confident`` above 1 runs the second pass on every line.
        """
        n_lines = features.shape[0]
        if n_lines == 0:
            return np.zeros((0, len(LABELS)))
        passes = self.estimators[mode]
        first = np.vstack(
            [
                ordered_proba(passes["first"], features[start : start + PREDICT_BLOCK_LINES])
                for start in range(0, n_lines, PREDICT_BLOCK_LINES)
            ]
        )
        unsure = np.flatnonzero(first.max(axis=1) < confident)
        if len(unsure) == 0:
            return first
        context = probability_context_matrix(first)  # every line's verdict, before any is replaced
        for start in range(0, len(unsure), PREDICT_BLOCK_LINES):
            rows = unsure[start : start + PREDICT_BLOCK_LINES]
            first[rows] = ordered_proba(passes["second"], np.hstack([features[rows], context[rows]]))
        return first


def check_card(card: dict[str, Any]) -> None:
    """Refuse a model whose card does not match this code (features, labels)."""
    if tuple(card.get("labels", ())) != LABELS:
        raise ModelError(f"model labels {card.get('labels')} differ from {list(LABELS)}; {RETRAIN_HINT}")
    for mode in ("html", "text"):
        expected = list(feature_names(mode))
        if card.get("feature_names", {}).get(mode) != expected:
            raise ModelError(
                f"the model's {mode} features differ from this version's {len(expected)} features; "
                f"{RETRAIN_HINT}"
            )
    for passes in OPTIONAL_PASSES:
        names = card.get("feature_names", {}).get(passes)
        if names is not None and names != list(feature_names("text")):
            message = f"the model's {passes} passes read other features than text mode's"
            raise ModelError(f"{message}; {RETRAIN_HINT}")
    if card.get("context_feature_names") != list(CONTEXT_PROBABILITY_NAMES):
        raise ModelError(f"the model's second-pass features differ from this version's; {RETRAIN_HINT}")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _short_windows_line(card: dict[str, Any]) -> list[str]:
    windows = card.get("short_windows")
    if not windows:
        return []
    return [
        f"- small-input passes (benchmarks/experiments/exp97.md): text mode's pages plus "
        f"{windows['windows']} short windows ({windows['lines']} lines, up to "
        f"{windows['max_window_lines']} lines each, weight {windows['weight']} of their page's)"
    ]


def card_markdown(card: dict[str, Any]) -> str:
    """The model card as a human-readable Markdown page (rendered from the JSON card)."""
    out = [
        "# boilerml model card",
        "",
        f"- file: `{card.get('file', '?')}`, SHA-256 `{card.get('sha256', '?')}`",
        f"- estimator: {card['estimator']} (a pair per input mode: {', '.join(card['feature_names'])}),"
        f" seed {card['seed']}",
        f"- labels: {', '.join(card['labels'])}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in card["versions"].items()),
        "- training data: " + ", ".join(f"{k}: {v} pages" for k, v in card["training_sources"].items()),
        "- training lines: " + ", ".join(f"{k} {v}" for k, v in card.get("training_lines", {}).items()),
        "- training data SHA-256: "
        + ", ".join(f"{k} `{v[:16]}…`" for k, v in card.get("training_data_sha256", {}).items()),
        "- features: "
        + ", ".join(f"{mode} {len(names)}" for mode, names in card["feature_names"].items())
        + " (names in MODEL_CARD.json)",
        f"- training time: {card.get('training_seconds', '?')} s",
        *_short_windows_line(card),
        "",
        "## Cross-validated line scores (grouped by page, derived labels)",
        "",
        "| mode | estimator | content F1 | navigation F1 | ad F1 | comment F1 | macro F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, cv in card.get("cv", {}).items():
        for kind, scores in cv.items():
            if not isinstance(scores, dict):
                continue
            cells = " | ".join(f"{scores[label]['f1']:.3f}" for label in card["labels"])
            out.append(f"| {mode} | {kind} | {cells} | {scores['macro']['f1']:.3f} |")
    second_pass_pages = card.get("cv", {}).get("html", {}).get("pages")
    out += [
        "",
        f"Second pass cross-validated on {second_pass_pages} pages."
        if second_pass_pages
        else "Second pass not cross-validated (`--cv-pages` 0, or fewer pages than folds); the"
        " first pass's scores are out-of-fold on every training page.",
    ]
    return "\n".join(out) + "\n"


def model_arrays(model: Model) -> dict[str, np.ndarray]:
    """The model as named plain arrays (``"html/first/nodes"``, ..., ``"card"``)."""
    from .trees import TreeEnsemble, export_estimator

    arrays: dict[str, np.ndarray] = {"card": np.array(json.dumps(model.card, ensure_ascii=False))}
    for mode, passes in model.estimators.items():
        for name, estimator in passes.items():
            trees = estimator if isinstance(estimator, TreeEnsemble) else export_estimator(estimator)
            for key, array in trees.to_arrays().items():
                arrays[f"{mode}/{name}/{key}"] = array
    return arrays


def save_model(model: Model, path: Path, card_path: Path | None = None) -> str:
    """Write the model (an ``.npz`` of plain arrays), and its card as JSON and Markdown beside
    it; returns the file's SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:  # a file object: numpy would append ".npz" to a name
        np.savez_compressed(handle, **model_arrays(model))
    sha = file_sha256(path)
    if card_path is not None:
        card = dict(model.card, sha256=sha, file=path.name)
        card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", "utf-8")
        card_path.with_suffix(".md").write_text(card_markdown(card), "utf-8")
    return sha


def read_model_arrays(path: Path) -> dict[str, np.ndarray]:
    """All arrays of a model archive, read without pickle.

    Raises:
        ModelError: not a readable ``.npz``, an array needing pickle, or too large unpacked.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_MODEL_BYTES:
            raise ModelError(f"{path} would unpack to {unpacked} bytes (limit {MAX_MODEL_BYTES})")
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ModelError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise ModelError(f"cannot read model file {path}: {error}; {RETRAIN_HINT}") from error


def model_from_arrays(arrays: dict[str, np.ndarray], source: str = "model") -> Model:
    """Rebuild a :class:`Model` from :func:`model_arrays` output, checking everything.

    Raises:
        ModelError: a missing or malformed part, or a card that does not fit this code.
    """
    from .trees import TreeEnsemble, TreeError

    if "card" not in arrays:
        raise ModelError(f"{source} is not a boilerml model (no card); {RETRAIN_HINT}")
    try:
        card = json.loads(str(arrays["card"]))
    except ValueError as error:
        raise ModelError(f"{source}: unreadable card: {error}") from error
    if not isinstance(card, dict):
        raise ModelError(f"{source}: the card is not a JSON object")
    check_card(card)
    present = [passes for passes in OPTIONAL_PASSES if any(key.startswith(f"{passes}/") for key in arrays)]
    estimators: dict[str, Any] = {}
    for mode in (*MODES, *present):
        for name in PASSES:
            prefix = f"{mode}/{name}/"
            part = {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}
            try:
                trees = TreeEnsemble.from_arrays(part)
            except TreeError as error:
                raise ModelError(f"{source}: {mode} {name} pass: {error}; {RETRAIN_HINT}") from error
            columns = len(feature_names(features_of(mode)))
            columns += len(CONTEXT_PROBABILITY_NAMES) if name == "second" else 0
            # A model trained on pages without some class (no comment gold) lacks that class.
            if trees.n_features != columns or not set(trees.classes_.tolist()) <= set(LABELS):
                raise ModelError(f"{source}: {mode} {name} pass does not fit its card; {RETRAIN_HINT}")
            estimators.setdefault(mode, {})[name] = trees
    return Model(estimators, card)


def load_model(path: str | os.PathLike[str] | None = None) -> Model:
    """Load a model file; with no path, the shipped model (verified against its card's SHA-256).

    Raises:
        ModelError: the file is missing, corrupt, or was made for another version of the code.
    """
    if path is None:
        path = Path(os.environ.get("BOILERML_MODEL", DEFAULT_MODEL_PATH))
        verify_against = DEFAULT_CARD_PATH if Path(path) == DEFAULT_MODEL_PATH else None
    else:
        verify_against = None
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no model file at {path}; {RETRAIN_HINT}")
    if verify_against is not None and verify_against.is_file():
        expected = json.loads(verify_against.read_text("utf-8")).get("sha256")
        if expected and expected != file_sha256(path):
            raise ModelError(f"{path} does not match the checksum in {verify_against}; {RETRAIN_HINT}")
    model = model_from_arrays(read_model_arrays(path), str(path))
    logger.debug("loaded model %s", path)
    return model


class _DefaultModel:
    """Loads the shipped model on first use, once, even when several threads ask at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: Model | None = None

    def get(self) -> Model:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_model()
        return self._model


_default = _DefaultModel()


def default_model() -> Model:
    """The shipped model, loaded lazily on first call and shared afterwards (read-only)."""
    return _default.get()
