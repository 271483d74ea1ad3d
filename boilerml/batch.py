"""Many pages across worker processes: :func:`clean_many`.

Cleaning a page is mostly Python (segmenting, features) holding the GIL, so threads do not
add throughput; worker processes do. When this process runs a single thread (no thread of
the caller's, no OpenMP pool) on a platform that can fork, workers are forked and share the
loaded model for free; otherwise, since forking a threaded process can deadlock the child,
they start from a fork server that has already imported boilerml (or are spawned) and load
the model once each. Pages go out in small chunks and results come back in input order, with
at most a few chunks per worker in flight, so an endless iterator of pages is cleaned in
bounded memory. With ``site_repeats`` the whole batch is labelled first (the labelled pages
wait in a temporary file, and memory holds a fingerprint of each line), then the site rule of
:mod:`boilerml.repeats` runs, then each page is read back and reassembled.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

import numpy as np

from .lines import LabelledLine
from .model import Model, default_model
from .pipeline import MAX_LINES, classify
from .reassemble import DEFAULT_THRESHOLD, OutputFormat, check_keep, check_threshold, is_kept, reassemble
from .repeats import count_holders, line_hashes, line_key, mark_page
from .segment import InputFormat
from .sites import site_key

logger = logging.getLogger(__name__)

#: Pages sent to a worker at a time: a round trip between processes costs well under a
#: millisecond, a page about 15 ms, so eight pages amortise it while keeping the order of
#: results close to the order of work.
CHUNK_PAGES = 8
#: Chunks in flight per worker: enough that no worker waits for the next chunk, few enough
#: that memory does not grow with the number of pages.
CHUNKS_IN_FLIGHT_PER_WORKER = 4

#: The options and model of this worker process, set once by :func:`_start_worker` (only
#: ever assigned inside worker processes).
_worker_state: dict[str, Any] = {}


def _start_worker(model: Model | None, options: dict[str, Any]) -> None:
    _worker_state["model"] = model or default_model()
    _worker_state["options"] = options


#: A page as the workers receive it: the page, or with ``site_repeats`` the page and its URL.
WorkItem = str | bytes | tuple[str | bytes, str | None]
#: A page's result from a worker: its output, or with ``site_repeats`` its labelled lines
#: and site key (reassembled once the whole batch is in).
WorkResult = str | tuple[list[LabelledLine], str | None]


def _clean_page(item: WorkItem, model: Model, options: dict[str, Any]) -> WorkResult:
    page, url = item if options["site_repeats"] else (item, None)
    assert not isinstance(page, tuple)
    labelled = classify(
        page,
        input_format=options["input_format"],
        model=model,
        max_lines=options["max_lines"],
        unwrap=options["unwrap"],
        markdown=options["markdown"],
        explain=options["explain"],
    )
    if options["site_repeats"]:
        return labelled, site_key(page, url)
    return reassemble(labelled, options["keep"], options["output_format"], options["threshold"])


def _clean_chunk(items: list[WorkItem]) -> list[WorkResult | Exception]:
    results: list[WorkResult | Exception] = []
    for item in items:
        try:
            results.append(_clean_page(item, _worker_state["model"], _worker_state["options"]))
        except Exception as error:  # handed back to the caller, who decides
            results.append(error)
    return results


def _single_threaded() -> bool:
    """Whether this process has one thread, native ones (OpenMP pools) included (Linux)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def start_method() -> str:
    """How workers start: ``fork`` when that is safe (see the module docstring), else
    ``forkserver`` where the platform has it, else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _single_threaded():
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def worker_count(n_jobs: int | None) -> int:
    """Processes for ``n_jobs``: itself when positive; None or -1 mean one per CPU."""
    if n_jobs is None or n_jobs == -1:
        return os.cpu_count() or 1
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive number of processes, None or -1, not {n_jobs}")
    return n_jobs


def clean_many(
    pages: Iterable[str | bytes],
    *,
    n_jobs: int | None = 1,
    input_format: InputFormat = "auto",
    keep: Iterable[str] = ("content",),
    threshold: float | None = DEFAULT_THRESHOLD,
    output_format: OutputFormat = "text",
    model: Model | None = None,
    max_lines: int | None = MAX_LINES,
    unwrap: bool = True,
    markdown: bool = True,
    explain: bool = False,
    return_exceptions: bool = False,
    site_repeats: bool = False,
    urls: Iterable[str | None] | None = None,
) -> Iterator[str | Exception]:
    """Clean many pages, in input order, on ``n_jobs`` processes.

    Args:
        pages: pages as for :func:`boilerml.clean` (``str`` or bytes); any iterable, read
            lazily.
        n_jobs: worker processes; 1 works in this process, None or -1 one per CPU.
        output_format: ``"text"`` (what :func:`boilerml.clean` returns), ``"markdown"`` or
            ``"json"`` (every line with its label and probabilities).
        explain: with ``output_format="json"``, each line also says why it got its label
            (its ``why``: see :func:`boilerml.classify`); refused with the other formats,
            which have no place for it.
        return_exceptions: yield a page's exception in its place instead of raising it (a
            batch then never stops for one bad page).
        site_repeats: drop the lines a site repeats on its other pages in the batch (its
            menus, footers, bylines), unless the model is sure they are content
            (:mod:`boilerml.repeats`; measured in the README). The whole batch is labelled
            before the first page is yielded: the labelled pages wait in a temporary file
            (about 190 bytes a line; ``TMPDIR`` chooses where) and memory grows by 8 bytes a
            line.
        urls: with ``site_repeats``, each page's URL (None where unknown), in the order of
            ``pages``; it names the page's site. Without it, or where it is None, the site is
            read from the page (canonical link, ``og:url``, the host its links point to).
        input_format, keep, threshold, model, max_lines, unwrap, markdown: as for
            :func:`boilerml.clean`.

    Yields:
        One result per page, in the order of ``pages``: its text, or with
        ``return_exceptions`` the exception (``BinaryInputError``, ``TooManyLinesError``, ...)
        that cleaning it raised.
    """
    if explain and output_format != "json":
        raise ValueError(f"explain=True needs output_format='json', not {output_format!r}")
    options = {
        "input_format": input_format,
        "keep": check_keep(keep),
        "threshold": check_threshold(threshold),
        "output_format": output_format,
        "max_lines": max_lines,
        "unwrap": unwrap,
        "markdown": markdown,
        "explain": explain,
    }
    if urls is not None and not site_repeats:
        raise ValueError("urls name the pages' sites for site_repeats=True; pass both or neither")
    options["site_repeats"] = site_repeats
    items: Iterable[WorkItem] = pages
    if site_repeats:
        items = zip(pages, urls, strict=True) if urls is not None else ((page, None) for page in pages)
    workers = worker_count(n_jobs)
    if workers == 1:
        results = _in_process(items, model, options)
    else:
        results = _in_workers(items, model, options, workers)
    if site_repeats:
        results = _without_site_repeats(results, options)
    for result in results:
        if isinstance(result, Exception) and not return_exceptions:
            raise result
        yield result


def _without_site_repeats(
    results: Iterable[WorkResult | Exception], options: dict[str, Any]
) -> Iterator[str | Exception]:
    """Reassemble a whole batch's labelled pages once the site rule has marked their lines.

    Memory stays bounded by the batch's line count, not its text: as the labelled pages come
    in, each is written to a temporary file and only its lines' fingerprints are kept
    (:func:`boilerml.repeats.line_hashes`, eight bytes a line); once the batch is in, the
    fingerprints are counted and the pages are read back one at a time, marked and reassembled.
    """
    keep, threshold = options["keep"], options["threshold"]
    hashes: deque[np.ndarray] = deque()  # per page, in order; each is freed once used
    failures: dict[int, Exception] = {}
    with tempfile.TemporaryFile(prefix="boilerml-batch-") as spill:
        for i, result in enumerate(results):
            if isinstance(result, Exception):
                failures[i] = result
                continue
            labelled, site = result  # type: ignore[misc]
            # A page whose site is unknown is a site of its own: its index names it.
            hashes.append(line_hashes([line_key(line.text) for line in labelled], site or i))
            pickle.dump(labelled, spill, protocol=pickle.HIGHEST_PROTOCOL)
        counts = count_holders(hashes)
        spill.seek(0)
        for i in range(len(hashes) + len(failures)):
            if i in failures:
                yield failures.pop(i)
                continue
            page: list[LabelledLine] = pickle.load(spill)
            kept = [is_kept(line, keep, threshold) for line in page]
            marked = mark_page(page, counts.holders(hashes.popleft()) - 1, kept)
            yield reassemble(marked, keep, options["output_format"], threshold)


def _in_process(
    items: Iterable[WorkItem], model: Model | None, options: dict[str, Any]
) -> Iterator[WorkResult | Exception]:
    model = model or default_model()
    for item in items:
        try:
            yield _clean_page(item, model, options)
        except Exception as error:
            yield error


def _in_workers(
    items: Iterable[WorkItem], model: Model | None, options: dict[str, Any], workers: int
) -> Iterator[WorkResult | Exception]:
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "fork":
        model = model or default_model()  # loaded here, inherited by the workers
    elif method == "forkserver":
        context.set_forkserver_preload(["boilerml.batch", "boilerml.trees"])
    logger.debug("cleaning on %d %s workers", workers, method)
    page_iterator = iter(items)
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(model, options))
    with pool:
        pending: deque[Future[list[WorkResult | Exception]]] = deque()

        def submit_next() -> bool:
            chunk = list(islice(page_iterator, CHUNK_PAGES))
            if chunk:
                pending.append(pool.submit(_clean_chunk, chunk))
            return bool(chunk)

        while len(pending) < workers * CHUNKS_IN_FLIGHT_PER_WORKER and submit_next():
            pass
        while pending:
            chunk_results = pending.popleft().result()
            submit_next()
            yield from chunk_results
