"""Many pages across processes: :func:`clean_many`.

Cleaning a page is mostly Python (segmenting, features) holding the GIL, so threads do not
add throughput; processes do. With ``n_jobs`` N, N - 1 worker processes clean pages and so
does the calling process, which would otherwise mostly wait for them: it cleans the next
chunk itself whenever the oldest chunk a worker holds is not back yet, so it also works
while the workers start. When this process runs a single thread (no thread of the
caller's, no OpenMP pool) on a platform that can fork, workers are forked and share the
loaded model for free; otherwise, since forking a threaded process can deadlock the child,
they start from a fork server that has already imported boilerml (or are spawned) and load
the model once each. Pages go out in small chunks and results come back in input order,
with at most a few chunks per worker in flight, so an endless iterator of pages is cleaned
in bounded memory.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from .model import Model, default_model
from .pipeline import MAX_LINES, classify
from .reassemble import DEFAULT_THRESHOLD, OutputFormat, check_keep, check_threshold, reassemble
from .segment import InputFormat

logger = logging.getLogger(__name__)

#: Pages sent to a worker at a time: a round trip between processes costs well under a
#: millisecond, a page about 15 ms, so eight pages amortise it while keeping the order of
#: results close to the order of work.
CHUNK_PAGES = 8
#: Chunks in flight per worker: enough that no worker waits for the next chunk, few enough
#: that memory does not grow with the number of pages. The calling process keeps at most
#: as many chunks it cleaned itself waiting for an older chunk of a worker's.
CHUNKS_IN_FLIGHT_PER_WORKER = 4

#: The options and model of this worker process, set once by :func:`_start_worker` (only
#: ever assigned inside worker processes).
_worker_state: dict[str, Any] = {}


def _start_worker(model: Model | None, options: dict[str, Any]) -> None:
    _worker_state["model"] = model or default_model()
    _worker_state["options"] = options


def _clean_page(page: str | bytes, model: Model, options: dict[str, Any]) -> str:
    labelled = classify(
        page,
        input_format=options["input_format"],
        model=model,
        max_lines=options["max_lines"],
        unwrap=options["unwrap"],
        markdown=options["markdown"],
        explain=options["explain"],
    )
    return reassemble(labelled, options["keep"], options["output_format"], options["threshold"])


def _clean_pages(pages: list[str | bytes], model: Model, options: dict[str, Any]) -> list[str | Exception]:
    results: list[str | Exception] = []
    for page in pages:
        try:
            results.append(_clean_page(page, model, options))
        except Exception as error:  # handed back to the caller, who decides
            results.append(error)
    return results


def _clean_chunk(pages: list[str | bytes]) -> list[str | Exception]:
    """A worker process's task: a chunk of pages, with the model and options it started with."""
    return _clean_pages(pages, _worker_state["model"], _worker_state["options"])


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
) -> Iterator[str | Exception]:
    """Clean many pages, in input order, on ``n_jobs`` processes.

    Args:
        pages: pages as for :func:`boilerml.clean` (``str`` or bytes); any iterable, read
            lazily.
        n_jobs: processes cleaning pages, this one included: 1 works in this process
            alone, N starts N - 1 worker processes beside it; None or -1 one per CPU.
        output_format: ``"text"`` (what :func:`boilerml.clean` returns), ``"markdown"`` or
            ``"json"`` (every line with its label and probabilities).
        explain: with ``output_format="json"``, each line also says why it got its label
            (its ``why``: see :func:`boilerml.classify`); refused with the other formats,
            which have no place for it.
        return_exceptions: yield a page's exception in its place instead of raising it (a
            batch then never stops for one bad page).
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
    workers = worker_count(n_jobs)
    if workers == 1:
        results = _in_process(pages, model, options)
    else:
        results = _in_workers(pages, model, options, workers)
    for result in results:
        if isinstance(result, Exception) and not return_exceptions:
            raise result
        yield result


def _in_process(
    pages: Iterable[str | bytes], model: Model | None, options: dict[str, Any]
) -> Iterator[str | Exception]:
    model = model or default_model()
    for page in pages:
        try:
            yield _clean_page(page, model, options)
        except Exception as error:
            yield error


def _in_workers(
    pages: Iterable[str | bytes], model: Model | None, options: dict[str, Any], workers: int
) -> Iterator[str | Exception]:
    """Results in input order from ``workers - 1`` worker processes and this one."""
    method = start_method()
    context = multiprocessing.get_context(method)
    own_model = model or default_model()  # this process cleans pages too
    if method == "fork":
        model = own_model  # inherited by the workers
    elif method == "forkserver":
        context.set_forkserver_preload(["boilerml.batch", "boilerml.trees"])
    logger.debug("cleaning on this process and %d %s workers", workers - 1, method)
    page_iterator = iter(pages)
    futures_wanted = (workers - 1) * CHUNKS_IN_FLIGHT_PER_WORKER
    pool = ProcessPoolExecutor(workers - 1, context, initializer=_start_worker, initargs=(model, options))
    with pool:
        # Chunks in input order: a worker's (a future) or this process's (its results).
        pending: deque[Future[list[str | Exception]] | list[str | Exception]] = deque()
        futures = own = 0

        def next_chunk() -> list[str | bytes]:
            return list(islice(page_iterator, CHUNK_PAGES))

        def submit(chunk: list[str | bytes]) -> None:
            nonlocal futures
            pending.append(pool.submit(_clean_chunk, chunk))
            futures += 1

        while futures < futures_wanted and (chunk := next_chunk()):
            submit(chunk)
        while pending:
            oldest = pending[0]
            waiting = isinstance(oldest, Future) and not oldest.done()
            if waiting and own < CHUNKS_IN_FLIGHT_PER_WORKER and (chunk := next_chunk()):
                pending.append(_clean_pages(chunk, own_model, options))  # instead of waiting
                own += 1
                continue
            pending.popleft()
            if isinstance(oldest, Future):
                futures -= 1
                chunk_results = oldest.result()
                if chunk := next_chunk():
                    submit(chunk)
            else:
                own -= 1
                chunk_results = oldest
            yield from chunk_results
