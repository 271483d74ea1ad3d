"""The ``boilerml`` command: clean, classify, train, evaluate.

Exit codes (also in the README):

* 0: everything succeeded;
* 1: at least one input file could not be read or cleaned (the others were processed);
* 2: the command line is wrong (argparse's own code);
* 3: the model cannot be loaded or does not fit this version;
* 4: the labelled corpora or training data cannot be found or read.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import itertools
import json
import logging
import os
import sys
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from .batch import clean_many
from .lines import LABELS, Explanation
from .model import (
    DEFAULT_CARD_PATH,
    DEFAULT_MODEL_PATH,
    PASSES_DESCRIPTIONS,
    Model,
    ModelError,
    default_model,
    load_model,
)
from .pipeline import classify
from .reassemble import DEFAULT_THRESHOLD, OUTPUT_FORMATS
from .sites import domain_of
from .warc import SNIFF_BYTES, ArchivedPage, ArchiveError, looks_like_archive, read_archive

logger = logging.getLogger(__name__)

#: Show a progress bar (on a terminal) from this many input files on.
PROGRESS_MIN_FILES = 10

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_DATA = 4

OUTPUT_SUFFIX = {"text": ".txt", "markdown": ".md", "json": ".json"}
#: An archive's output: one JSON object per page (JSON Lines), whatever ``--format``.
ARCHIVE_SUFFIX = ".jsonl"
ERROR_ARCHIVE = "{path}: cannot read the archive: {reason}"
ERROR_ARCHIVE_ON_STDIN = "-: standard input holds a WARC/WET archive; give it as a file to clean its pages"
ERROR_CLASSIFY_ARCHIVE = (
    "{path}: a WARC/WET archive holds many pages; `boilerml clean --format json` gives every line "
    "of each with its label (add --explain for why)"
)
ERROR_OVERWRITE_INPUT = "{path}: refusing to overwrite an input file"
ERROR_READ = "{path}: cannot read: {reason}"
ERROR_WRITE = "{path}: cannot write: {reason}"
ERROR_CLEAN = "{path}: cannot clean: {reason}"
ERROR_CLASSIFY = "{path}: cannot classify: {reason}"
ERROR_SAME_OUTPUT = "{path}: not written: {target} already holds the output of {other}"
ERROR_NO_CORPORA = "{path}: no corpora (*.tar.gz) found; pass --datasets DIR"
ERROR_EXPLAIN_FORMAT = "--explain needs --format json (text and markdown have no place for it), not {format}"
ERROR_SITE_WITHOUT_REPEATS = "--site names the inputs' site for --site-repeats; give both or neither"
ERROR_SITE_HOST = "--site needs a host name or a URL with one, not {site!r}"
#: ``classify --explain`` prints this many reasons for each line's label, and this many
#: against it: enough to read at a glance; ``clean --format json --explain`` gives them all.
REASONS_SHOWN = 3
REASONS_AGAINST_SHOWN = 1


NO_UNWRAP_HELP = (
    "text input: read every line as one block, even when the text looks hard-wrapped or cut "
    "at every tag (by default paragraphs wrapped at a fixed width, and blocks cut into one line "
    "per text node as BeautifulSoup's get_text gives them, are rejoined first)"
)
NO_MARKDOWN_HELP = (
    "text input: read Markdown markup as text (by default a text with Markdown links is read "
    "as the text it renders to)"
)


def _parse_keep(value: str) -> tuple[str, ...]:
    kept = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [k for k in kept if k not in LABELS]
    if unknown or not kept:
        raise argparse.ArgumentTypeError(f"--keep takes labels from {', '.join(LABELS)}; got {value!r}")
    return kept


def _parse_threshold(value: str) -> float:
    try:
        threshold = float(value)
    except ValueError:
        threshold = -1.0
    if not 0.0 <= threshold <= 1.0:
        raise argparse.ArgumentTypeError(f"--threshold takes a probability between 0 and 1; got {value!r}")
    return threshold


def _parse_jobs(value: str) -> int | None:
    try:
        jobs = int(value)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"--jobs takes a count of processes (0: one per CPU), not {value!r}")
    return jobs or None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boilerml", description="Remove boilerplate from web pages and text dumps."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    clean = commands.add_parser("clean", help="extract the article text of pages")
    clean.add_argument(
        "files", nargs="+", help="input files (HTML or text) or folders of them; '-' reads stdin"
    )
    clean.add_argument(
        "-o", "--output", help="write one output file per input into this folder (default: stdout)"
    )
    clean.add_argument("--format", choices=OUTPUT_FORMATS, default="text", help="output format")
    clean.add_argument(
        "--keep",
        type=_parse_keep,
        default=("content",),
        help="comma-separated labels to keep (default: content)",
    )
    clean.add_argument(
        "--threshold",
        type=_parse_threshold,
        default=DEFAULT_THRESHOLD,
        help="keep a line when the --keep classes' probabilities sum to at least this "
        f"(higher: less junk, less article; default {DEFAULT_THRESHOLD})",
    )
    clean.add_argument(
        "--input", choices=("auto", "html", "text"), default="auto", help="input format (default: sniffed)"
    )
    clean.add_argument("--no-unwrap", action="store_true", help=NO_UNWRAP_HELP)
    clean.add_argument("--no-markdown", action="store_true", help=NO_MARKDOWN_HELP)
    clean.add_argument("--model", help="model file (default: the shipped model)")
    clean.add_argument(
        "--jobs",
        type=_parse_jobs,
        default=1,
        help="worker processes (default 1; 0: one per CPU); outputs keep the input order",
    )
    clean.add_argument(
        "--no-progress", action="store_true", help="no progress bar (shown on a terminal for many files)"
    )
    clean.add_argument(
        "--explain",
        action="store_true",
        help="with --format json: give each line a 'why', the features that weighed for and against "
        "its label (slower: see the README)",
    )
    clean.add_argument(
        "--site-repeats",
        action="store_true",
        help="drop the lines a site repeats on its other pages among the inputs (menus, footers), "
        "unless the model is sure they are content; an archive's pages are grouped by their URLs, "
        "files by the site their HTML names. Every input is read before the first is written",
    )
    clean.add_argument(
        "--site",
        metavar="HOST",
        help="with --site-repeats: every input file is a page of this site (a host such as "
        "news.example.com, or a URL), whatever its HTML names; for files that name no site, "
        "such as text saved from one site's pages. Archives keep their records' URLs",
    )

    show = commands.add_parser("classify", help="print every line with its label and probability")
    show.add_argument("file", help="input file (HTML or text); '-' reads stdin")
    show.add_argument("--input", choices=("auto", "html", "text"), default="auto")
    show.add_argument("--no-unwrap", action="store_true", help=NO_UNWRAP_HELP)
    show.add_argument("--no-markdown", action="store_true", help=NO_MARKDOWN_HELP)
    show.add_argument("--model", help="model file (default: the shipped model)")
    show.add_argument(
        "--explain",
        action="store_true",
        help="under each line, the features that weighed most for its label and against it",
    )

    train = commands.add_parser("train", help="fit the model on the corpora's train split")
    train.add_argument("--datasets", help="folder of the corpora (default: ../shared/datasets)")
    train.add_argument("--corpus", action="append", help="train on this corpus only (repeatable)")
    train.add_argument("--training-data", help="this project's labelled data (default: training_data/)")
    train.add_argument("--output", default=str(DEFAULT_MODEL_PATH), help="model file to write")
    train.add_argument(
        "--card",
        help="model card JSON to write (default: MODEL_CARD.json beside "
        "the shipped model, or <output>.card.json)",
    )
    train.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    train.add_argument(
        "--cv-pages",
        type=int,
        default=1200,
        help="cross-validate on this many pages (0: skip cross-validation)",
    )
    train.add_argument(
        "--compare", default="", help="also cross-validate these estimators (comma-separated: logreg,forest)"
    )
    train.add_argument("--max-pages", type=int, help="use at most this many pages per corpus")
    train.add_argument(
        "--markdown-passes",
        action="store_true",
        help="also fit passes for text read as Markdown, on the pages converted by markdownify "
        "(needs the train extra; benchmarks/experiments/exp71.md)",
    )
    train.add_argument(
        "--windows",
        type=int,
        help="short windows of each page, each read as an input of its own, that the passes for "
        "text inputs of 16 lines or fewer are fitted on besides text mode's pages (default: as "
        "many as the shipped model's; 0: no such passes; benchmarks/experiments/exp97.md)",
    )
    train.add_argument(
        "--seed",
        type=int,
        help="seed of the out-of-fold split and of line sampling (default: the shipped model's); "
        "other seeds show how far a retrain moves on its own",
    )
    train.add_argument(
        "--iterations",
        type=int,
        help="boosting iterations per pass (default: as the shipped model; prediction time grows with them)",
    )
    train.add_argument(
        "--learning-rate", type=float, help="boosting learning rate (default: as the shipped model)"
    )
    train.add_argument(
        "--first-pass-cache",
        help="folder where the first pass is stored and reused when its rows, seed and boosting "
        "are unchanged (experiments that change only the second pass then retrain much faster)",
    )

    evaluate = commands.add_parser("evaluate", help="score the model on the corpora's dev split")
    evaluate.add_argument("--datasets", help="folder of the corpora (default: ../shared/datasets)")
    evaluate.add_argument("--corpus", action="append", help="evaluate this corpus only (repeatable)")
    evaluate.add_argument("--model", help="model file (default: the shipped model)")
    evaluate.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    evaluate.add_argument("--limit", type=int, help="at most this many dev pages per corpus")
    evaluate.add_argument("--json", help="also write the summary as JSON to this file")
    evaluate.add_argument(
        "--why-errors",
        action="store_true",
        help="also report what weighed most for the wrong labels (slower: every line is explained)",
    )
    return parser


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


@contextlib.contextmanager
def _atomic_output(path: Path) -> Iterator[TextIO]:
    """A text file to write ``path`` through: a temporary file in the same folder, renamed
    when the block ends without an error (and removed otherwise): never a half-written output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_atomically(path: Path, text: str) -> None:
    with _atomic_output(path) as out:
        out.write(text)


def _model(path: str | None) -> Model:
    return load_model(path) if path else default_model()


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or its absolute form where symlinks cannot be followed (a loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # Python before 3.13 raises RuntimeError for a loop
        return Path(os.path.abspath(path))


def _dangling(path: Path) -> bool:
    return path.is_symlink() and not path.exists()


def _expand_inputs(names: Sequence[str]) -> list[tuple[str, str]]:
    """Inputs as (path or '-', output stem); a folder stands for every file below it.

    Files found in a folder keep their path relative to it in the stem, so that ``-o DIR``
    mirrors the folder and two ``index.html`` in different subfolders do not collide. A link
    in a folder that points nowhere is an input too, so that reading it reports it.
    """
    expanded = []
    for name in names:
        path = Path(name)
        try:
            is_dir = name != "-" and path.is_dir()
        except OSError:  # a name too long, a folder on the way we may not enter: reading says so
            is_dir = False
        if is_dir:
            for found in sorted(p for p in path.rglob("*") if p.is_file() or _dangling(p)):
                relative = found.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                expanded.append((str(found), str(relative.with_suffix(""))))
        else:
            expanded.append((name, "stdin" if name == "-" else path.name.rsplit(".", 1)[0]))
    return expanded


def _show_progress(args: argparse.Namespace, n_inputs: int) -> bool:
    """A progress bar on stderr for many files on a terminal, unless ``--no-progress``."""
    return not args.no_progress and n_inputs >= PROGRESS_MIN_FILES and sys.stderr.isatty()


def _output_conflict(target: Path, name: str, input_paths: set[Path], written: dict[Path, str]) -> str | None:
    """Why the output of input ``name`` may not be written to ``target``, or None: it is an
    input, or the output of an earlier input of the same name from another folder."""
    resolved = _resolved(target)
    if resolved in input_paths:
        return ERROR_OVERWRITE_INPUT.format(path=target)
    if resolved in written:
        return ERROR_SAME_OUTPUT.format(path=name, target=target, other=written[resolved])
    return None


def _clean_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options of ``clean`` that go to :func:`clean_many` as they are, for pages and
    archives alike."""
    return {
        "n_jobs": args.jobs,
        "keep": args.keep,
        "threshold": args.threshold,
        "output_format": args.format,
        "unwrap": not args.no_unwrap,
        "markdown": not args.no_markdown,
        "explain": args.explain,
        "return_exceptions": True,  # one bad page must not end a batch; it is reported instead
        "site_repeats": args.site_repeats,
    }


def _is_archive(name: str) -> bool:
    """Whether a named input file is a WARC or WET archive (an unreadable one is not: reading
    it as a page reports why)."""
    if name == "-":
        return False
    try:
        with open(name, "rb") as handle:
            return looks_like_archive(handle.read(SNIFF_BYTES))
    except OSError:
        return False


def _archive_record(archived: ArchivedPage, result: str, output_format: str) -> str:
    """One JSON line of an archive's output: the record's URL, id and date with its result."""
    record: dict[str, object] = {"url": archived.url, "record_id": archived.record_id, "date": archived.date}
    if output_format == "json":
        record.update(json.loads(result))
    else:
        record["text"] = result
    return json.dumps(record, ensure_ascii=False) + "\n"


def _clean_archive(args: argparse.Namespace, model: Model | None, name: str, out: TextIO, shown: bool) -> int:
    """Clean every page of an archive into ``out``, one JSON line per page, in archive order.

    The archive's first page sets the input format (HTML for WARC responses, text for WET
    records); pages of the other kind in the same archive are skipped with a warning. A page
    that fails is reported on standard error and left out.

    Returns:
        the number of pages that failed, plus one if the archive broke off (it is reported,
        and the pages before the break are written).
    """
    broken: list[ArchiveError] = []  # where the archive broke off, if it did

    def readable_pages() -> Iterator[ArchivedPage]:
        try:
            yield from read_archive(name)
        except ArchiveError as error:  # the pages before it are cleaned and written
            broken.append(error)

    pages = readable_pages()
    first = next(pages, None)
    if first is None:
        if broken:
            tqdm.write(ERROR_ARCHIVE.format(path=name, reason=broken[0]), file=sys.stderr)
            return 1
        logger.warning("%s: no HTML or WET text records", name)
        return 0
    input_format = first.input_format
    sent: deque[ArchivedPage] = deque()
    all_sent = False
    skipped = 0

    def pages_of_the_format() -> Iterator[str]:
        nonlocal skipped, all_sent
        for archived in itertools.chain([first], pages):
            if archived.input_format != input_format:
                skipped += 1
                continue
            # Only the record's fields wait for the result: the page itself is not held, so
            # memory does not grow while results lag behind (all of them with --site-repeats).
            sent.append(dataclasses.replace(archived, page=""))
            yield archived.page
        all_sent = True

    def url_of_the_page_just_sent() -> Iterator[str]:
        # clean_many zips pages with their URLs, pulling a page before its URL: the URL of the
        # page just pulled is the last record sent, and there is none once the pages are done.
        while not all_sent:
            yield sent[-1].url

    urls = url_of_the_page_just_sent() if args.site_repeats else None
    results = clean_many(
        pages_of_the_format(), input_format=input_format, model=model, urls=urls, **_clean_options(args)
    )
    failed = 0
    with tqdm(unit="page", desc=name, file=sys.stderr, disable=not shown) as progress:
        for result in results:
            archived = sent.popleft()
            progress.update()
            if isinstance(result, Exception):
                failed += 1
                logger.info("failed to clean %s in %s", archived.record_id, name, exc_info=result)
                where = f"{name} {archived.record_id or archived.url}"
                tqdm.write(
                    ERROR_CLEAN.format(path=where, reason=f"{type(result).__name__}: {result}"),
                    file=sys.stderr,
                )
                continue
            out.write(_archive_record(archived, result, args.format))
    if skipped:
        logger.warning("%s: skipped %d page(s) that are not %s like its first", name, skipped, input_format)
    if broken:
        failed += 1
        tqdm.write(ERROR_ARCHIVE.format(path=name, reason=broken[0]), file=sys.stderr)
    return failed


def run_clean(args: argparse.Namespace) -> int:
    if args.explain and args.format != "json":
        print(ERROR_EXPLAIN_FORMAT.format(format=args.format), file=sys.stderr)
        return EXIT_USAGE
    site_url = None
    if args.site is not None:
        if not args.site_repeats:
            print(ERROR_SITE_WITHOUT_REPEATS, file=sys.stderr)
            return EXIT_USAGE
        site_url = args.site if "://" in args.site else f"http://{args.site}/"
        if domain_of(site_url) is None:
            print(ERROR_SITE_HOST.format(site=args.site), file=sys.stderr)
            return EXIT_USAGE
    model = _model(args.model)
    expanded = _expand_inputs(args.files)
    input_paths = {_resolved(Path(name)) for name, _ in expanded if name != "-"}
    is_archive = [_is_archive(name) for name, _ in expanded]
    archives = [entry for entry, archive in zip(expanded, is_archive, strict=True) if archive]
    inputs = [entry for entry, archive in zip(expanded, is_archive, strict=True) if not archive]
    folder = Path(args.output) if args.output else None
    failures = []
    written: dict[Path, str] = {}  # output file -> the input it was cleaned from
    shown = _show_progress(args, len(inputs))
    progress = tqdm(total=len(inputs), unit="file", file=sys.stderr, disable=not shown)

    def fail(message: str) -> None:
        failures.append(message)
        tqdm.write(message, file=sys.stderr)  # above the progress bar, if one is shown

    cleaned: deque[tuple[str, str]] = deque()  # (input, output stem) of each page sent
    all_read = False

    def readable_pages() -> Iterator[bytes]:
        nonlocal all_read
        for name, stem in inputs:
            try:
                raw = _read_input(name)
            except OSError as error:
                fail(ERROR_READ.format(path=name, reason=error.strerror or error))
                progress.update()
                continue
            if name == "-" and looks_like_archive(raw[:SNIFF_BYTES]):
                fail(ERROR_ARCHIVE_ON_STDIN)
                progress.update()
                continue
            cleaned.append((name, stem))
            yield raw
        all_read = True

    def the_sites_url() -> Iterator[str | None]:
        # clean_many pulls a page, then its URL; once the pages are done there is none.
        while not all_read:
            yield site_url

    urls = the_sites_url() if site_url is not None else None
    worker_model = model if args.model else None  # workers that cannot inherit it load the shipped one
    results = clean_many(
        readable_pages(), input_format=args.input, model=worker_model, urls=urls, **_clean_options(args)
    )
    with progress:
        for result in results:
            name, stem = cleaned.popleft()
            progress.update()
            if isinstance(result, Exception):
                logger.info("failed to clean %s", name, exc_info=result)
                fail(ERROR_CLEAN.format(path=name, reason=f"{type(result).__name__}: {result}"))
                continue
            if folder is None:
                sys.stdout.write(result + "\n")
                continue
            target = folder / (stem + OUTPUT_SUFFIX[args.format])
            conflict = _output_conflict(target, name, input_paths, written)
            if conflict:
                fail(conflict)
                continue
            try:
                _write_atomically(target, result + "\n")
            except OSError as error:
                fail(ERROR_WRITE.format(path=target, reason=error.strerror or error))
                continue
            written[_resolved(target)] = name
    archive_progress = not args.no_progress and sys.stderr.isatty()  # pages, however few archives
    for name, stem in archives:
        target = folder / (stem + ARCHIVE_SUFFIX) if folder is not None else None
        try:
            if target is None:
                failed = _clean_archive(args, worker_model, name, sys.stdout, archive_progress)
            else:
                conflict = _output_conflict(target, name, input_paths, written)
                if conflict:
                    fail(conflict)
                    continue
                with _atomic_output(target) as out:
                    failed = _clean_archive(args, worker_model, name, out, archive_progress)
                written[_resolved(target)] = name
        except (ImportError, OSError) as error:  # warcio is missing; the file cannot be read
            fail(ERROR_ARCHIVE.format(path=name, reason=error))
            continue
        if failed:
            failures.append(name)
    total = len(inputs) + len(archives)
    if failures:
        print(f"{len(failures)} of {total} file(s) failed", file=sys.stderr)
        return EXIT_INPUT_FAILED
    return EXIT_OK


def run_classify(args: argparse.Namespace) -> int:
    if _is_archive(args.file):
        print(ERROR_CLASSIFY_ARCHIVE.format(path=args.file), file=sys.stderr)
        return EXIT_INPUT_FAILED
    try:
        raw = _read_input(args.file)
    except OSError as error:
        print(ERROR_READ.format(path=args.file, reason=error.strerror or error), file=sys.stderr)
        return EXIT_INPUT_FAILED
    model = _model(args.model)
    try:
        labelled = classify(
            raw,
            input_format=args.input,
            model=model,
            unwrap=not args.no_unwrap,
            markdown=not args.no_markdown,
            explain=args.explain,
        )
    except Exception as error:  # binary data, or a bug: reported like clean reports it
        logger.info("failed to classify %s", args.file, exc_info=True)
        reason = f"{type(error).__name__}: {error}"
        print(ERROR_CLASSIFY.format(path=args.file, reason=reason), file=sys.stderr)
        return EXIT_INPUT_FAILED
    if args.explain and labelled:
        sys.stdout.write(passes_header(labelled[0].passes))
    for line in labelled:
        sys.stdout.write(f"{line.label}\t{line.probability:.3f}\t{line.text}\n")
        if line.explanation is not None:
            sys.stdout.write(explanation_text(line.explanation))
    return EXIT_OK


def passes_header(passes: str) -> str:
    """What ``classify --explain`` prints first: which of the model's passes labelled the page
    (a text of 16 lines labelled by other passes than one of 17 is the usual surprise)."""
    return f"# labelled by the {PASSES_DESCRIPTIONS.get(passes, passes)}\n"


def explanation_text(explanation: Explanation) -> str:
    """What ``classify --explain`` prints under a line: its margin over the rival, then the
    strongest reasons for the label and against it, one per line, each indented by a tab."""
    rows = [
        f"\t{explanation.label} rather than {explanation.rival}: {explanation.margin:+.2f} "
        f"(log-odds; {explanation.prior:+.2f} of it from how common each class is)"
    ]
    for reason in (
        *explanation.strongest(REASONS_SHOWN),
        *explanation.strongest(REASONS_AGAINST_SHOWN, for_label=False),
    ):
        value = f": {reason.value}" if reason.value else ""
        rows.append(f"\t  {reason.weight:+.2f}  {reason.says}{value}")
    return "".join(row + "\n" for row in rows)


def _corpora(args: argparse.Namespace) -> tuple[Path, list[str]]:
    """The corpora folder and the corpus names asked for (all found there by default)."""
    from .corpora import corpus_names, datasets_dir

    root = datasets_dir(args.datasets)
    return root, args.corpus or corpus_names(root)


def run_train(args: argparse.Namespace) -> int:
    from .handlabelled import LabelledDataError
    from .model import save_model
    from .train import (
        SEED,
        WINDOWS_PER_PAGE,
        Boosting,
        default_training_data_dir,
        markdown_training_rows,
        train_model,
        training_rows,
    )

    if args.markdown_passes and importlib.util.find_spec("markdownify") is None:
        print("--markdown-passes needs markdownify: pip install 'boilerml[train]'", file=sys.stderr)
        return EXIT_USAGE
    root, names = _corpora(args)
    if not names:
        print(ERROR_NO_CORPORA.format(path=root), file=sys.stderr)
        return EXIT_DATA
    own = Path(args.training_data) if args.training_data else default_training_data_dir()
    try:
        seed = SEED if args.seed is None else args.seed
        windows = WINDOWS_PER_PAGE if args.windows is None else args.windows
        html_rows, text_rows, sources = training_rows(
            root, names, own, args.jobs, args.max_pages, windows, seed
        )
        markdown_rows = (
            markdown_training_rows(root, names, args.jobs, args.max_pages) if args.markdown_passes else None
        )
    except (OSError, LabelledDataError) as error:
        print(f"training data: {error}", file=sys.stderr)
        return EXIT_DATA
    if not html_rows:
        print(f"{root}: no training pages found", file=sys.stderr)
        return EXIT_DATA
    compare = tuple(k for k in args.compare.split(",") if k)
    chosen = {"iterations": args.iterations, "learning_rate": args.learning_rate}
    boosting = Boosting(**{name: value for name, value in chosen.items() if value is not None})
    model = train_model(
        html_rows,
        text_rows,
        sources,
        cv_pages=args.cv_pages,
        compare=compare,
        boosting=boosting,
        first_pass_cache=Path(args.first_pass_cache) if args.first_pass_cache else None,
        markdown_rows=markdown_rows,
        **({} if args.seed is None else {"seed": args.seed}),
    )
    output = Path(args.output)
    if args.card:
        card_path = Path(args.card)
    elif output.resolve() == DEFAULT_MODEL_PATH.resolve():
        card_path = DEFAULT_CARD_PATH
    else:
        card_path = output.with_suffix(".card.json")
    sha = save_model(model, output, card_path)
    print(f"wrote {output} (sha256 {sha[:12]}…) and {card_path}")
    for mode, cv in model.card["cv"].items():
        for stage, scores in cv.items():
            if isinstance(scores, dict):
                print(f"{mode}, {stage}: cross-validated line macro F1 {scores['macro']['f1']:.3f}")
    return EXIT_OK


def run_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_report, summarise

    root, names = _corpora(args)
    if not names:
        print(ERROR_NO_CORPORA.format(path=root), file=sys.stderr)
        return EXIT_DATA
    results = evaluate(
        root, _model(args.model), names, n_jobs=args.jobs, limit=args.limit, explain_errors=args.why_errors
    )
    print(format_report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(summarise(results), indent=2) + "\n", "utf-8")
    return EXIT_OK


class _AboveProgressBars(logging.StreamHandler):
    """A log handler that writes each line with ``tqdm.write``: above a progress bar on its
    stream, not through it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(self.format(record), file=self.stream)
        except Exception:  # as logging.StreamHandler.emit: a failing log line must not stop the run
            self.handleError(record)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (tests call this directly)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(  # does nothing where logging is set up already (a caller's, pytest's)
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=[_AboveProgressBars(sys.stderr)],
    )
    runners = {"clean": run_clean, "classify": run_classify, "train": run_train, "evaluate": run_evaluate}
    try:
        return runners[args.command](args)
    except ModelError as error:
        print(f"model: {error}", file=sys.stderr)
        return EXIT_MODEL
    except BrokenPipeError:
        return EXIT_OK
