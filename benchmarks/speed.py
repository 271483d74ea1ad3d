"""Speed and memory of boilerml against the peers and a parse-only baseline, on real dev pages.

    python benchmarks/speed.py [--datasets DIR] [--pages N] [--repeats R] [--extractors a,b]
                               [--sizes 10,100,1000,5000] [--write]
    python benchmarks/speed.py --check | --pin [--allow-lower REASON]

Everything runs on one core (the process pins itself to one CPU before numpy, scikit-learn or
lxml start their thread pools), as ``../shared/METRICS.md`` asks. In one run, on the same
pages (the first ``--pages`` dev pages across the corpora):

* **throughput**: pages/s and lines/s of each extractor, the median of ``--repeats`` runs
  after one warm-up call, each call given the page's bytes and timed with its decoding;
  ratios to the parse-only baseline (lxml parse plus ``text_content()``) and to trafilatura.
  boilerml runs in HTML mode, and in text mode on the pages rendered as text dumps.
* **stages**: boilerml's time split into decode, parse/segment, features, predict (both
  passes) and reassemble, summed over the pages; and beside them what explaining every
  line's label (``classify(explain=True)``, not part of cleaning) adds.
* **cold start**: import plus model load in a fresh interpreter (median of 5);
  **peak RSS** of a fresh process cleaning all the pages; **model size** on disk.
* **workers**: the first 500 dev pages (HTML mode) on 1 and 2 workers, taken in turn over 5
  runs, in fresh processes that may use every CPU (the rest of the run uses one): through
  ``clean_many`` (pages in memory, model loaded, workers' start-up included), and through
  the whole command ``boilerml clean --jobs N -o OUT FOLDER`` on the pages written as files
  (interpreter start, model load, reading and writing included: issue 4's measure); the
  median speed-up of 2 workers over 1.
* **page size**: seconds per page for pages of 10 KB to 5 MB built by concatenating the
  bodies of real dev pages, and seconds per MB, to show how time grows with size.

Not a test: nothing here asserts a time. ``--write`` puts the tables into
``benchmarks/RESULTS.md``.

Floors (``benchmarks/speed_floors.json``), for CI: ``--check`` times only boilerml (both
modes) and the parse-only baseline on the first ``--pages`` dev pages, and fails (exit 1) when
a mode's pages/s as a multiple of the baseline's, measured in the same run, falls below its
pinned floor by more than the file's tolerance, or when the model file outgrows its ceiling.
Ratios to a baseline timed on the same machine and pages travel between machines; absolute
pages/s do not. ``--pin`` measures and writes the floors, refusing to lower one unless given
``--allow-lower REASON``, which the file's history records.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

#: The CPUs this process may use before it pins itself to one: the worker-scaling run
#: (:func:`jobs_scaling`) gives them back to its own process.
ALL_CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None

# One core for everything, before any library sizes a thread pool from the CPU count.
if ALL_CPUS is not None:
    os.sched_setaffinity(0, {ALL_CPUS[0]})

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the peers of the accuracy benchmark

from accuracy import EXTRACTORS, write_results  # noqa: E402

import boilerml  # noqa: E402
from boilerml.classify import classify_lines  # noqa: E402
from boilerml.corpora import Page, corpus_names, datasets_dir, read_corpora, render_as_text  # noqa: E402
from boilerml.decode import decode  # noqa: E402
from boilerml.explain import explain_lines  # noqa: E402
from boilerml.features import extract_features  # noqa: E402
from boilerml.model import DEFAULT_MODEL_PATH  # noqa: E402
from boilerml.reassemble import to_text  # noqa: E402
from boilerml.segment import _remembered_class_id_bits, html_to_lines, segment  # noqa: E402

#: Peers timed by default (boilerpy3 and trafilatura without comments add nothing here).
PEERS = ("trafilatura", "readability", "justext", "resiliparse")
BASELINE = "lxml parse + text_content (baseline)"
#: The stage timed beside cleaning: explaining every line's label (``classify(explain=True)``).
EXPLAIN = "explain"
#: Sizes (KB) of the pages built for the page-size table.
DEFAULT_SIZES_KB = (10, 100, 1000, 5000)
#: Fresh interpreters timed for the cold start.
COLD_STARTS = 5
#: Dev pages timed for the full report.
DEFAULT_PAGES = 200
FLOORS_PATH = HERE / "speed_floors.json"
#: boilerml's two modes, as the tables name them; their speed relative to the baseline is pinned.
CHECKED = ("boilerml, HTML mode", "boilerml, text mode")
#: ``--check`` fails below ``floor * (1 - tolerance)``. Measured here, the ratios moved by up to
#: 8 % between runs on an idle machine and 14 % with a training on the other core, and other
#: machines favour C and Python code differently: only a regression of a third or more fails.
DEFAULT_TOLERANCE = 0.35
#: Pages and runs timed by ``--check`` and ``--pin`` unless told otherwise: about 10 s.
CHECK_PAGES = 100
CHECK_REPEATS = 5
#: Runs per timing of the full report.
REPORT_REPEATS = 3
#: Pages of the worker-scaling run, and the worker counts compared (issue 4: a batch of 500
#: pages, ``--jobs 2`` against ``--jobs 1``).
SCALING_PAGES = 500
SCALING_JOBS = (1, 2)
#: Runs of each worker count: two processes on two cores feel a shared machine's noise more
#: than one core does (single runs measured 1.39x to 1.78x within an hour).
SCALING_REPEATS = 5


def _forget_seen_pages() -> None:
    """Empty the memo of class/id cue verdicts that boilerml keeps across pages
    (``boilerml.segment._remembered_class_id_bits``): a run over pages timed before would find every
    class name remembered, which a crawl of new pages does not. Each timed run starts with it."""
    _remembered_class_id_bits.cache_clear()


def _median_seconds(call: Callable[[object], object], items: list, repeats: int) -> float:
    """Median over ``repeats`` of the summed time of ``call`` over ``items`` (one warm-up call)."""
    call(items[0])
    runs = []
    for _ in range(repeats):
        _forget_seen_pages()
        started = time.perf_counter()
        for item in items:
            call(item)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def _own_calls(pages: list[Page], dumps: list[bytes]) -> dict[str, tuple[Callable[[object], object], list]]:
    """The baseline and boilerml's two modes: name -> (call on one item, the items)."""
    import lxml.html

    return {
        BASELINE: (lambda page: lxml.html.document_fromstring(page.html).text_content(), pages),
        CHECKED[0]: (lambda page: boilerml.clean(page.html, input_format="html"), pages),
        CHECKED[1]: (lambda dump: boilerml.clean(dump, input_format="text"), dumps),
    }


def throughput(pages: list[Page], dumps: list[bytes], names: list[str], repeats: int) -> dict[str, float]:
    """Seconds for all pages, per extractor (median of repeats)."""
    calls = _own_calls(pages, dumps)
    for name in names:
        run = EXTRACTORS[name].run
        calls[name] = (lambda page, run=run: run(page, page.text()), pages)
    return {name: _median_seconds(call, items, repeats) for name, (call, items) in calls.items()}


def stage_seconds(pages: list[bytes], mode: str, repeats: int) -> dict[str, float]:
    """boilerml's time per stage, summed over ``pages`` (median of repeats per stage), and
    what explaining the labels (``classify(explain=True)``, not part of cleaning) adds."""
    model = boilerml.default_model()
    runs: dict[str, list[float]] = {}
    for _ in range(repeats):
        _forget_seen_pages()
        totals = dict.fromkeys(("decode", "parse/segment", "features", "predict", "reassemble"), 0.0)
        explaining = 0.0
        for raw in pages:
            t0 = time.perf_counter()
            text = decode(raw).text
            t1 = time.perf_counter()
            lines = segment(text, mode)
            t2 = time.perf_counter()
            features = extract_features(lines, mode)
            t3 = time.perf_counter()
            labelled = classify_lines(lines, features, model, mode)
            t4 = time.perf_counter()
            to_text(labelled, ("content",))
            t5 = time.perf_counter()
            for stage, seconds in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                totals[stage] += seconds
            t6 = time.perf_counter()
            explain_lines(labelled, features, model, mode)
            explaining += time.perf_counter() - t6
        for stage, seconds in {**totals, EXPLAIN: explaining}.items():
            runs.setdefault(stage, []).append(seconds)
    return {stage: statistics.median(values) for stage, values in runs.items()}


def _python(code: str) -> str:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


def cold_start_seconds() -> tuple[float, float]:
    """Median seconds, in fresh interpreters, to import boilerml and load the shipped model,
    and then to clean a first small page (which builds the HTML-mode tree operators)."""
    code = (
        "import time; t = time.perf_counter(); import boilerml; boilerml.default_model(); "
        "t1 = time.perf_counter(); boilerml.clean('<html><body><p>One sentence.</p></body></html>'); "
        "print(t1 - t, time.perf_counter() - t)"
    )
    runs = [tuple(map(float, _python(code).split())) for _ in range(COLD_STARTS)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


#: Peak resident memory of the process, in MB. Linux's ``VmHWM`` belongs to the process's own
#: memory map; ``ru_maxrss`` would also count the parent's memory at the fork before ``exec``
#: (on Linux it survives ``exec``), which made this benchmark report its own 350 MB.
_PEAK_RSS_MB = (
    "(int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024 "
    "if __import__('os').path.exists('/proc/self/status') "
    "else __import__('resource').getrusage(__import__('resource').RUSAGE_SELF).ru_maxrss / 1024)"
)


def peak_rss_mb(datasets: Path, n_pages: int) -> float:
    """Peak resident memory (MB) of a fresh process that cleans the pages in HTML mode."""
    code = (
        "import itertools; from pathlib import Path; import boilerml; "
        "from boilerml.corpora import read_corpora; "
        f"pages = itertools.islice(read_corpora(Path({str(datasets)!r}), 'dev'), {n_pages}); "
        "[boilerml.clean(p.html, input_format='html') for p in pages]; "
        f"print({_PEAK_RSS_MB})"
    )
    return float(_python(code))


def jobs_scaling(datasets: Path, n_pages: int, repeats: int) -> dict[int, list[float]]:
    """Seconds of each of ``repeats`` runs of ``clean_many`` over the first ``n_pages`` dev
    pages (HTML mode), per worker count of :data:`SCALING_JOBS`, in a fresh process that may
    use every CPU; the pages are read and the model loaded before the clock starts, the
    workers start inside it. Each repeat times every worker count in turn, so that a slow
    spell of a shared machine falls on all of them."""
    code = f"""
import itertools, os, time
from pathlib import Path
if {ALL_CPUS!r} is not None:
    os.sched_setaffinity(0, {ALL_CPUS!r})
import boilerml
from boilerml.corpora import read_corpora
from boilerml.segment import _remembered_class_id_bits
pages = [p.html for p in itertools.islice(read_corpora(Path({str(datasets)!r}), "dev"), {n_pages})]
if not pages:
    raise SystemExit("no dev pages to clean")
boilerml.default_model()
for _ in range({repeats}):
    for jobs in {SCALING_JOBS!r}:
        _remembered_class_id_bits.cache_clear()  # as _forget_seen_pages does
        started = time.perf_counter()
        for _ in boilerml.clean_many(pages, n_jobs=jobs, input_format="html", return_exceptions=True):
            pass
        print(jobs, time.perf_counter() - started)
"""
    runs: dict[int, list[float]] = {}
    for jobs, seconds in (row.split() for row in _python(code).splitlines()):
        runs.setdefault(int(jobs), []).append(float(seconds))
    return runs


def cli_scaling(pages: list[Page], repeats: int) -> dict[int, list[float]]:
    """Seconds of each of ``repeats`` runs of the whole command ``boilerml clean --jobs N -o
    OUT FOLDER`` over ``pages`` written as files, per worker count of :data:`SCALING_JOBS`,
    taken in turn; each run is a fresh process that may use every CPU, timed from outside
    (interpreter start, imports, model load, reading and writing the files included)."""
    command = (
        "import os, sys\n"
        f"if {ALL_CPUS!r} is not None:\n    os.sched_setaffinity(0, {ALL_CPUS!r})\n"
        "from boilerml.cli import main\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    runs: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder, "pages")
        inputs.mkdir()
        for number, page in enumerate(pages):
            (inputs / f"{number:05d}.html").write_bytes(page.html)
        for run in range(repeats):
            for jobs in SCALING_JOBS:
                output = Path(folder, f"out-{run}-{jobs}")
                argv = ["clean", "--no-progress", "--input", "html", "--jobs", str(jobs), "-o", str(output)]
                command_line = [sys.executable, "-c", command, *argv, str(inputs)]
                started = time.perf_counter()
                done = subprocess.run(command_line, capture_output=True)
                runs.setdefault(jobs, []).append(time.perf_counter() - started)
                if done.returncode not in (0, 1):  # 1: some inputs failed, the others were cleaned
                    error = done.stderr.decode(errors="replace")[-500:]
                    raise RuntimeError(f"boilerml clean exited {done.returncode}: {error}")
    return runs


def built_page(pages: list[Page], size_bytes: int) -> bytes:
    """One HTML page of about ``size_bytes``: the bodies of dev pages one after another."""
    import lxml.html

    bodies = []
    for page in pages:
        body = lxml.html.document_fromstring(page.html).find("body")
        if body is not None:
            bodies.append(lxml.html.tostring(body, encoding="unicode")[6:-7])
    parts, size, i = [], 0, 0
    while size < size_bytes:
        piece = bodies[i % len(bodies)]
        parts.append(piece)
        size += len(piece.encode())
        i += 1
    return ("<html><body>" + "".join(parts) + "</body></html>").encode()[: size_bytes + 100_000]


def page_size_seconds(pages: list[Page], sizes_kb: tuple[int, ...]) -> list[tuple[int, int, float]]:
    """(size in KB, lines, seconds to clean) for pages built at each size (best of 3)."""
    rows = []
    for kb in sizes_kb:
        page = built_page(pages, kb * 1000)
        lines = len(html_to_lines(decode(page).text))
        seconds = min(  # _median_seconds forgets the page's class names before each run
            _median_seconds(lambda p: boilerml.clean(p, input_format="html"), [page], 1) for _ in range(3)
        )
        rows.append((kb, lines, seconds))
    return rows


def format_report(
    n_pages: int,
    n_lines: int,
    repeats: int,
    timings: dict[str, float],
    stages: dict[str, dict[str, float]],
    cold: tuple[float, float],
    rss: float,
    sizes: list[tuple[int, int, float]],
    scaling: dict[str, dict[int, list[float]]],
    scaling_pages: int,
) -> str:
    baseline = timings[BASELINE]
    trafilatura = timings.get("trafilatura")
    out = [
        f"{n_pages} dev pages ({n_lines} lines as text), one core, median of {repeats} runs.",
        "",
        "| extractor | pages/s | lines/s | × baseline's pages/s | × trafilatura's pages/s |",
        "|---|---|---|---|---|",
    ]
    for name, seconds in timings.items():
        versus = f"{trafilatura / seconds:.2f}" if trafilatura else "–"
        out.append(
            f"| {name} | {n_pages / seconds:.1f} | {n_lines / seconds:,.0f} "
            f"| {baseline / seconds:.3f} | {versus} |"
        )
    out += [
        "",
        "| boilerml stage | HTML mode, ms/page | share | text mode, ms/page | share |",
        "|---|---|---|---|---|",
    ]
    cleaning = [stage for stage in stages["html"] if stage != EXPLAIN]
    html_total = sum(stages["html"][stage] for stage in cleaning)
    text_total = sum(stages["text"][stage] for stage in cleaning)
    for stage in cleaning:
        h, t = stages["html"][stage], stages["text"][stage]
        out.append(
            f"| {stage} | {1000 * h / n_pages:.2f} | {h / html_total:.0%} "
            f"| {1000 * t / n_pages:.2f} | {t / text_total:.0%} |"
        )
    if EXPLAIN in stages["html"]:
        h, t = stages["html"][EXPLAIN], stages["text"][EXPLAIN]
        out.append(
            f"| {EXPLAIN} (only with `explain=True`; × the stages above) | {1000 * h / n_pages:.2f} "
            f"| {h / html_total:.1f}× | {1000 * t / n_pages:.2f} | {t / text_total:.1f}× |"
        )
    model_mb = DEFAULT_MODEL_PATH.stat().st_size / 1e6
    out += [
        "",
        f"Cold start (median of {COLD_STARTS} fresh interpreters): import boilerml and load the model "
        f"{cold[0]:.2f} s; with a first page cleaned {cold[1]:.2f} s. "
        f"Peak RSS cleaning the pages: {rss:.0f} MB. Model file: {model_mb:.1f} MB.",
    ]
    cpus = len(ALL_CPUS) if ALL_CPUS is not None else os.cpu_count()
    runs_each = len(next(iter(scaling.values()))[SCALING_JOBS[0]])
    out += [
        "",
        f"Workers ({scaling_pages} dev pages in HTML mode, {cpus} CPUs, {runs_each} runs of each worker "
        "count taken in turn, start-up included; medians, and the median of the runs' speed-ups):",
        "",
        "| how | workers | seconds | pages/s | × 1 worker |",
        "|---|---|---|---|---|",
    ]
    for how, by_jobs in scaling.items():
        one = by_jobs[SCALING_JOBS[0]]
        for jobs, runs in by_jobs.items():
            seconds = statistics.median(runs)
            speedup = statistics.median(first / other for first, other in zip(one, runs, strict=True))
            out.append(f"| {how} | {jobs} | {seconds:.2f} | {scaling_pages / seconds:.1f} | {speedup:.2f} |")
    out += [
        "",
        "| page size | lines | seconds | seconds per MB | × the 10 KB page's seconds per MB |",
        "|---|---|---|---|---|",
    ]
    per_mb_first = sizes[0][2] / (sizes[0][0] / 1000)
    for kb, lines, seconds in sizes:
        per_mb = seconds / (kb / 1000)
        out.append(f"| {kb:,} KB | {lines:,} | {seconds:.3f} | {per_mb:.2f} | {per_mb / per_mb_first:.2f} |")
    return "\n".join(out)


def speed_ratios(pages: list[Page], dumps: list[bytes], repeats: int) -> dict[str, float]:
    """Per checked boilerml mode, its pages/s as a multiple of the baseline's, same run.

    The three are timed in turn within each repeat, so that a slow spell of a shared machine
    falls on all of them; each ratio is the median of the repeats' ratios.
    """
    calls = _own_calls(pages, dumps)
    ratios: dict[str, list[float]] = {name: [] for name in CHECKED}
    for _ in range(repeats):
        seconds = {name: _median_seconds(call, items, 1) for name, (call, items) in calls.items()}
        for name in CHECKED:
            ratios[name].append(seconds[BASELINE] / seconds[name])
    return {name: statistics.median(values) for name, values in ratios.items()}


def check(floors_file: dict, ratios: dict[str, float], model_mb: float) -> int:
    """Compare measured ratios and model size with the pinned floors; 0 when all hold, else 1."""
    tolerance = floors_file.get("tolerance", DEFAULT_TOLERANCE)
    failed = 0
    for name in CHECKED:
        floor = floors_file["floors"][name]
        holds = ratios[name] >= floor * (1 - tolerance)
        failed += not holds
        print(
            f"{name}: {ratios[name]:.3f} × baseline (floor {floor:.3f}, tolerance {tolerance:.0%})"
            f" {'ok' if holds else 'BELOW FLOOR'}"
        )
    ceiling = floors_file["model_mb_max"]
    holds = model_mb <= ceiling
    failed += not holds
    print(f"model file: {model_mb:.1f} MB (ceiling {ceiling:.1f} MB) {'ok' if holds else 'TOO LARGE'}")
    return 1 if failed else 0


def pin(floors_file: dict, ratios: dict[str, float], model_mb: float, pages: int, reason: str | None) -> int:
    """Write the measured ratios as floors (and the model size, with room, as its ceiling)."""
    old = floors_file.get("floors", {})
    lowered = [name for name in CHECKED if name in old and ratios[name] < old[name]]
    if lowered and not reason:
        print(f"refusing to lower the floors of {', '.join(lowered)}; give --allow-lower REASON")
        return 1
    floors_file["tolerance"] = floors_file.get("tolerance", DEFAULT_TOLERANCE)
    floors_file["pages"] = pages
    floors_file["floors"] = {name: round(ratios[name], 3) for name in CHECKED}
    _write_pinned(floors_file, model_mb, reason or "raised or first pin")
    print(f"pinned {floors_file['floors']} in {FLOORS_PATH.name}")
    return 0


def pin_ceiling(floors_file: dict, model_mb: float, reason: str) -> int:
    """Re-pin the model file's ceiling alone (a model that grew on purpose), floors unchanged."""
    if "floors" not in floors_file:
        print(f"no speed floors pinned in {FLOORS_PATH.name}: run --pin first")
        return 1
    _write_pinned(floors_file, model_mb, reason)
    print(f"pinned a model ceiling of {floors_file['model_mb_max']:.1f} MB in {FLOORS_PATH.name}")
    return 0


def _write_pinned(floors_file: dict, model_mb: float, reason: str) -> None:
    """Set the ceiling from ``model_mb`` (MB), record the pin in the history, write the file."""
    # The limit is 20 MB; the ceiling keeps a retrain from growing the file unnoticed.
    floors_file["model_mb_max"] = round(min(20.0, model_mb * 1.5), 1)
    floors_file.setdefault("history", []).append(
        {
            "date": datetime.date.today().isoformat(),
            "pages": floors_file["pages"],
            "floors": floors_file["floors"],
            "model_mb_max": floors_file["model_mb_max"],
            "reason": reason,
        }
    )
    FLOORS_PATH.write_text(json.dumps(floors_file, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="corpora folder (default: ../shared/datasets)")
    parser.add_argument("--pages", type=int, help="dev pages to time (default 200; 100 for --check/--pin)")
    parser.add_argument("--repeats", type=int, help="runs per timing (default 3; 5 for --check and --pin)")
    parser.add_argument("--extractors", default=",".join(PEERS), help="peers to time (comma-separated)")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES_KB)), help="page sizes in KB")
    parser.add_argument("--write", action="store_true", help="write the tables into RESULTS.md")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="compare with the pinned speed floors")
    group.add_argument("--pin", action="store_true", help="measure and pin the speed floors")
    group.add_argument(
        "--pin-ceiling",
        metavar="REASON",
        help="re-pin only the model file's ceiling (1.5x its size), for this reason; times nothing",
    )
    parser.add_argument("--allow-lower", metavar="REASON", help="with --pin: lower floors, for this reason")
    args = parser.parse_args()
    if args.pin_ceiling:
        floors_file = json.loads(FLOORS_PATH.read_text()) if FLOORS_PATH.exists() else {}
        sys.exit(pin_ceiling(floors_file, DEFAULT_MODEL_PATH.stat().st_size / 1e6, args.pin_ceiling))
    root = Path(datasets_dir(args.datasets))
    if not corpus_names(root):
        print(f"no corpora in {root}: nothing to time (the speed check needs real dev pages)")
        sys.exit(0 if args.check else 2)
    floors_file = json.loads(FLOORS_PATH.read_text()) if FLOORS_PATH.exists() else {}
    n_pages = args.pages or DEFAULT_PAGES
    if (args.check or args.pin) and args.pages is None:  # the pinned pages, or the default set
        n_pages = floors_file.get("pages", CHECK_PAGES) if args.check else CHECK_PAGES
    pages = [page for page, _ in zip(read_corpora(root, "dev"), range(n_pages), strict=False)]
    dumps = [render_as_text(html_to_lines(page.text()), False).encode() for page in pages]
    if args.check or args.pin:
        if args.check and "floors" not in floors_file:
            print(f"no speed floors pinned in {FLOORS_PATH.name}: run --pin first")
            sys.exit(1)
        boilerml.default_model()
        ratios = speed_ratios(pages, dumps, args.repeats or CHECK_REPEATS)
        model_mb = DEFAULT_MODEL_PATH.stat().st_size / 1e6
        if args.pin:
            sys.exit(pin(floors_file, ratios, model_mb, len(pages), args.allow_lower))
        sys.exit(check(floors_file, ratios, model_mb))
    n_lines = sum(dump.count(b"\n") + 1 for dump in dumps)
    names = [name for name in args.extractors.split(",") if name]
    boilerml.default_model()
    repeats = args.repeats or REPORT_REPEATS
    timings = throughput(pages, dumps, names, repeats)
    stages = {
        "html": stage_seconds([page.html for page in pages], "html", repeats),
        "text": stage_seconds(dumps, "text", repeats),
    }
    sizes = page_size_seconds(pages, tuple(int(kb) for kb in args.sizes.split(",")))
    report = format_report(
        len(pages),
        n_lines,
        repeats,
        timings,
        stages,
        cold_start_seconds(),
        peak_rss_mb(root, len(pages)),
        sizes,
        {
            "`clean_many(n_jobs=N)`": jobs_scaling(root, SCALING_PAGES, SCALING_REPEATS),
            "`boilerml clean --jobs N`": cli_scaling(
                [page for page, _ in zip(read_corpora(root, "dev"), range(SCALING_PAGES), strict=False)],
                SCALING_REPEATS,
            ),
        },
        SCALING_PAGES,
    )
    print(report)
    if args.write:
        heading = (
            f"Speed, measured {datetime.date.today().isoformat()} "
            f"(`python benchmarks/speed.py --pages {n_pages} --write`):"
        )
        write_results(f"{heading}\n\n{report}", "speed")


if __name__ == "__main__":
    main()
