"""Fuzz the public API with generated and mutated pages for a fixed time budget.

    python benchmarks/fuzz.py [--seconds N] [--inputs N] [--seed S] [--timeout T]
                              [--timeout-per-mb T] [--max-bytes B] [--json FILE] [--save DIR]
                              [--verbose]

Each input is a page (one of ``examples/`` or a generated one) put through one to four
mutations: byte flips, truncation, spliced tags, spliced pieces of another page, NULs,
surrogates and invalid UTF-8/UTF-16, huge runs of a short snippet, deep nesting, charset
lies (a wrong ``<meta charset>``, re-encoding, a contrary BOM), binary signatures. It goes
to ``boilerml.classify`` (with or without ``explain=True``) or ``boilerml.clean`` as bytes
or as ``str`` (decoded as UTF-8 with replacement, with ``surrogateescape``, or as Latin-1),
with ``input_format`` auto, html or text. No corpus page is read: ``../shared/datasets``
stays out of it.

The work runs in a child process. An input that takes more than ``--timeout`` seconds of
the child's CPU time plus ``--timeout-per-mb`` per megabyte of input (so that a big input
may take its linear time; 10 s + 60 s/MB by default), or ten times that in wall-clock time
(a hang that does not spin), is a timeout: the child is killed and replaced, and the run
goes on. Outcomes:

* ok: a result, which also passed the cheap checks (labels, probabilities summing to 1,
  text that UTF-8 can write, explanations whose weights add up to their margins);
* documented: a documented exception (``BinaryInputError``, ``TooManyLinesError``);
* crash: any other exception, or the child dying (a signal, the OOM killer);
* invariant: a result that failed the checks;
* timeout.

Prints a summary (inputs tried, outcomes, distinct crash signatures, peak RSS of the child
and the input that set it, CPU and wall time); ``--json`` also writes it with every failure,
``--save DIR`` writes each failing input and its metadata for replay. The same ``--seed``
gives the same inputs in the same order. Exit status 1 when anything but ok and documented
happened. Not a test: the test suite has hypothesis properties (tests/test_properties.py).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import logging
import math
import multiprocessing
import os
import random
import resource
import sys
import textwrap
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

#: Exceptions the API documents for bad input; anything else is a crash.
DOCUMENTED_ERRORS = ("BinaryInputError", "TooManyLinesError")
#: Wall-clock limit as a multiple of the CPU limit, for a child that hangs without spinning.
WALL_FACTOR = 10
POLL_SECONDS = 0.05

_ENGLISH = (
    "the council said on Monday that work on the harbour wall would begin before the autumn "
    "tides and residents will be able to follow it from a platform on the old slipway while "
    "engineers use granite quarried twenty miles inland"
)
ENGLISH = tuple(_ENGLISH.split())
CHINESE = (
    "本月初位于县城以西四十公里的青石村小学迎来了建校以来的第一座图书馆藏书约三千册全部来自社会各界的捐赠"
)
BOILERPLATE = (
    "Home",
    "News",
    "Sport",
    "Share on Facebook",
    "Reply",
    "Advertisement",
    "Subscribe to our newsletter",
    "© 2026 All rights reserved",
    "首页",
    "返回顶部",
    "广告：限时五折",
    "回复",
    "扫码关注公众号",
    "Privacy policy",
)
_TAGS = (
    "p div span a li ul ol h1 h2 h3 b i em strong nav footer header aside article section main "
    "blockquote pre code table tbody tr td th form label button select option script style noscript "
    "template svg iframe br hr img meta title head body html"
)
TAGS = tuple(_TAGS.split())
ATTRIBUTES = (
    "",
    ' class="nav"',
    ' class="article-body"',
    ' id="comments"',
    ' class="ad-slot"',
    ' style="display:none"',
    ' href="http://example.com/x"',
    " hidden",
    " class='unterminated",
    ' data-x="<p>not a tag</p>"',
    " =broken",
    ' class="' + "nav " * 50 + '"',
)
CHARSET_LABELS = (
    "utf-8",
    "UTF8",
    "gbk",
    "gb2312",
    "gb18030",
    "big5",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "iso-8859-1",
    "windows-1251",
    "koi8-r",
    "utf-16",
    "utf-16le",
    "utf-32",
    "utf-7",
    "rot13",
    "base64",
    "undefined",
    "idna",
    "x-user-defined",
    "bogus-charset",
    "",
)
ENCODINGS = ("utf-8", "gb18030", "gbk", "big5", "cp1252", "latin-1", "shift_jis", "koi8-r", "utf-16-le")
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
BINARY_HEADS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
    b"%PDF-1.7\n",
    b"\x1f\x8b\x08\x00",
    b"PK\x03\x04",
    b"\x00asm",
    b"RIFF\x00\x00\x00\x00WEBP",
)
BAD_BYTES = (
    b"\x00",
    b"\xed\xa0\x80",  # an encoded surrogate: invalid UTF-8
    b"\xed\xbf\xbf",
    b"\xc0\xaf",  # overlong
    b"\xff",
    b"\xfe\xff",
    b"\xe4\xb8",  # a cut character
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\x00\xd8",  # half of a UTF-16 surrogate pair
    b"\r",
    b"\x1b[31m",
)
#: Characters the huge runs are made of: markup, entities, CJK and spacing, and the
#: delimiters the Markdown reader parses (emphasis, links, images, autolinks, rules, tables).
RUN_ALPHABET = "a.-_ 1<>/\"'&;=中\n\t\u3000é*[]()!|#:"


@dataclass
class Case:
    """One fuzz input and how it is sent."""

    index: int
    page: bytes | str
    api: str
    input_format: str
    seed_name: str
    mutations: list[str]

    def describe(self) -> dict[str, Any]:
        kind = "str" if isinstance(self.page, str) else "bytes"
        return {
            "index": self.index,
            "api": self.api,
            "input": kind,
            "input_format": self.input_format,
            "seed": self.seed_name,
            "mutations": self.mutations,
            "length": len(self.page),
        }


@dataclass
class Summary:
    """What a run found; written as JSON with ``--json``."""

    seed: int
    seconds_budget: float
    timeout_seconds: float
    timeout_per_mb: float
    inputs: int = 0
    outcomes: Counter = field(default_factory=Counter)
    documented: Counter = field(default_factory=Counter)
    crash_signatures: Counter = field(default_factory=Counter)
    by_api_and_input: Counter = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    peak_rss_input: dict[str, Any] | None = None
    baseline_rss_mb: float = 0.0
    slowest_cpu_seconds: float = 0.0
    slowest_input: dict[str, Any] | None = None
    child_cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    worker_restarts: int = 0

    @property
    def bad(self) -> int:
        """Inputs that ended in a crash, a timeout or a failed check."""
        return sum(self.outcomes[k] for k in ("crash", "timeout", "invariant"))

    def to_json(self) -> dict[str, Any]:
        """The summary as plain JSON types (counters as dicts, most common first)."""
        payload = {}
        for key, value in self.__dict__.items():
            payload[key] = dict(value.most_common()) if isinstance(value, Counter) else value
        return payload


# --- generating pages ----------------------------------------------------------------------


def _sentence(rng: random.Random, chinese: bool) -> str:
    if chinese:
        start = rng.randrange(len(CHINESE) - 10)
        return CHINESE[start : start + rng.randint(5, 40)] + rng.choice("。，！？")
    words = rng.choices(ENGLISH, k=rng.randint(4, 30))
    return " ".join(words).capitalize() + rng.choice(".!?,:")


def generate_html(rng: random.Random) -> bytes:
    """A page with navigation, an article, an ad, comments and a footer, in a random encoding."""
    chinese = rng.random() < 0.4
    encoding = rng.choice(("utf-8", "gb18030", "big5") if chinese else ("utf-8", "cp1252", "utf-16"))
    label = {"gb18030": "gbk", "cp1252": "iso-8859-1"}.get(encoding, encoding)
    nav = "".join(f'<li><a href="/{i}">{rng.choice(BOILERPLATE)}</a></li>' for i in range(rng.randint(0, 12)))
    paragraphs = "".join(
        f"<p>{' '.join(_sentence(rng, chinese) for _ in range(rng.randint(1, 6)))}</p>"
        for _ in range(rng.randint(0, 15))
    )
    comments = "".join(
        f'<div class="comment"><b>user{i}</b>: {_sentence(rng, chinese)} <a href="#">Reply</a></div>'
        for i in range(rng.randint(0, 6))
    )
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{label}"><title>{_sentence(rng, chinese)}</title>'
        f"<script>var x = '<p>' + 1;</script></head><body><nav><ul>{nav}</ul></nav>"
        f"<article><h1>{_sentence(rng, chinese)}</h1>{paragraphs}"
        f'<div class="ad-slot">{rng.choice(BOILERPLATE)}</div></article>'
        f'<section id="comments">{comments}</section>'
        f"<footer>{rng.choice(BOILERPLATE)} | {rng.choice(BOILERPLATE)}</footer></body></html>"
    )
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + page.encode("utf-16-le")
    return page.encode(encoding, errors="replace")


def _cut_at_tags(line: str, rng: random.Random) -> list[str]:
    """A line as text cut at every tag gives it: pieces of a few words, and a piece that
    starts with the punctuation a link ended before."""
    words = line.split(" ")
    pieces: list[str] = []
    while words:
        take = rng.randint(1, 6)
        piece, words = " ".join(words[:take]), words[take:]
        if pieces and piece[:1] in ",." and rng.random() < 0.5:
            pieces[-1] += piece[:1]
            piece = piece[1:]
        if piece and rng.random() < 0.2:
            pieces.append(piece[:-1])
            piece = piece[-1] + rng.choice((",", ".", ""))
        pieces.append(piece)
    return pieces or [""]


def generate_text(rng: random.Random) -> bytes:
    """A text dump: menu lines, article paragraphs (now and then one of up to 150 sentences),
    comments, blank lines; sometimes in Markdown (linked menu entries, headings, emphasis, links
    with long addresses, hard breaks), sometimes with list items marked as Resiliparse marks
    them; sometimes hard-wrapped (inside links and addresses too, as html2text wraps), cut at
    every tag (one text node per line) or run into one line."""
    chinese = rng.random() < 0.4
    markdown = rng.random() < 0.3
    lines = []
    for _ in range(rng.randint(0, 40)):
        roll = rng.random()
        if roll < 0.15:
            lines.append("")
        elif roll < 0.4:
            entries = rng.choices(BOILERPLATE, k=rng.randint(1, 6))
            if markdown:
                entries = [f"[{entry}](https://example.com/{i}/)" for i, entry in enumerate(entries)]
            lines.append(" | ".join(entries))
        else:
            # Now and then an article run into one line, wider than text mode reads whole.
            sentences = rng.randint(1, 5) if rng.random() < 0.95 else rng.randint(30, 150)
            paragraph = " ".join(_sentence(rng, chinese) for _ in range(sentences))
            if markdown:
                # A link with a long hyphenated address (a wrapper breaks it), a hard break.
                slug = "-".join(rng.choices(ENGLISH, k=rng.randint(2, 12)))
                link = f"[{rng.choice(BOILERPLATE)}](https://example.com/{slug}/)"
                paragraph += f" {link}" + rng.choice(("", "  "))
                paragraph = rng.choice(("", "## ", "* ", "  * ", "> ")) + paragraph.replace(" ", " **", 1)
            elif rng.random() < 0.2:  # a list item as Resiliparse marks it
                paragraph = rng.choice(("  \u2022 ", "    \u2022 ", "  1. ")) + paragraph
            lines.append(paragraph)
    if rng.random() < 0.3:
        width = rng.randint(30, 140)
        lines = [piece for line in lines for piece in (textwrap.wrap(line, width) or [""])]
    elif rng.random() < 0.3:
        lines = [piece for line in lines for piece in _cut_at_tags(line, rng)]
    elif rng.random() < 0.1:  # a document flattened into one line (a JSON field, a CSV cell)
        lines = [" ".join(lines)]
    return "\n".join(lines).encode(rng.choice(("utf-8", "gb18030")) if chinese else "utf-8")


def load_seeds() -> list[tuple[str, bytes]]:
    """The shipped examples (never the corpora)."""
    return [(path.name, path.read_bytes()) for path in sorted(EXAMPLES.iterdir()) if path.is_file()]


# --- mutations -------------------------------------------------------------------------------


def _insert(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + piece + data[at:]


def flip_bytes(data: bytes, rng: random.Random, limit: int) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 32)):
        buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    return bytes(buffer)


def truncate(data: bytes, rng: random.Random, limit: int) -> bytes:
    return data[: rng.randint(0, len(data))]


def splice_tags(data: bytes, rng: random.Random, limit: int) -> bytes:
    for _ in range(rng.randint(1, 20)):
        tag = rng.choice(TAGS)
        piece = rng.choice(
            (
                f"<{tag}{rng.choice(ATTRIBUTES)}>",
                f"</{tag}>",
                f"<{tag}",
                f"<!-- {tag}",
                "]]>",
                "<![CDATA[",
                "&#x",
            )
        )
        data = _insert(data, rng, piece.encode())
    return data


def splice_page(data: bytes, rng: random.Random, limit: int, other: bytes = b"") -> bytes:
    if not other:
        return data
    start = rng.randint(0, len(other))
    return _insert(data, rng, other[start : start + rng.randint(0, 4000)])


def insert_bad_bytes(data: bytes, rng: random.Random, limit: int) -> bytes:
    for _ in range(rng.randint(1, 20)):
        data = _insert(data, rng, rng.choice(BAD_BYTES) * rng.choice((1, 1, 1, 2, 8)))
    return data


def huge_run(data: bytes, rng: random.Random, limit: int) -> bytes:
    snippet = "".join(rng.choices(RUN_ALPHABET, k=rng.randint(1, 4))).encode("utf-8")
    room = max(limit - len(data), 0)
    count = min(int(10 ** rng.uniform(1, 6)), room // len(snippet))
    return _insert(data, rng, snippet * count)


def deep_nesting(data: bytes, rng: random.Random, limit: int) -> bytes:
    opener, closer = rng.choice(
        (("<div>", "</div>"), ("<b>", "</b>"), ("<table><tr><td>", ""), ("<ul><li>", ""), ("<span>", ""))
    )
    depth = min(int(10 ** rng.uniform(2, 5)), max(limit - len(data), 0) // (2 * len(opener)))
    inner = b"<p>deep text</p>" if rng.random() < 0.5 else b""
    return _insert(data, rng, opener.encode() * depth + inner + closer.encode() * depth)


def charset_lie(data: bytes, rng: random.Random, limit: int) -> bytes:
    roll = rng.random()
    if roll < 0.4:  # declare something else
        label = rng.choice(CHARSET_LABELS).encode()
        meta = rng.choice(
            (b'<meta charset="%s">', b"<meta http-equiv=content-type content='text/html; charset=%s'>")
        )
        piece = meta % label
        if rng.random() < 0.3:
            piece = b'<?xml version="1.0" encoding="%s"?>' % label
            return piece + data
        return _insert(data, rng, piece) if rng.random() < 0.5 else piece + data
    if roll < 0.7:  # re-encode the text in another codec
        text = data.decode("utf-8", errors="replace")
        return text.encode(rng.choice(ENCODINGS), errors=rng.choice(("replace", "ignore")))
    return rng.choice(BOMS) + data  # a byte-order mark that may contradict everything else


def binary_noise(data: bytes, rng: random.Random, limit: int) -> bytes:
    if rng.random() < 0.5:
        return rng.choice(BINARY_HEADS) + data
    noise = rng.randbytes(rng.randint(1, 4000))
    return _insert(data, rng, noise)


def duplicate(data: bytes, rng: random.Random, limit: int) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    piece = data[start : start + rng.randint(1, 20000)]
    return _insert(data, rng, piece * rng.randint(1, max(1, min(50, (limit - len(data)) // len(piece)))))


MUTATIONS = {
    "flip": flip_bytes,
    "truncate": truncate,
    "tags": splice_tags,
    "splice": splice_page,
    "bad-bytes": insert_bad_bytes,
    "run": huge_run,
    "nesting": deep_nesting,
    "charset": charset_lie,
    "binary": binary_noise,
    "duplicate": duplicate,
}

#: Explanations cost about 0.2 ms per line (README: 3.8 s for 20,000 lines), so only inputs
#: up to this size are explained: a big input of tiny lines would take most of its time limit.
MAX_EXPLAINED_BYTES = 100_000

#: Binary data mostly ends in BinaryInputError at once, so it is drawn less often.
MUTATION_WEIGHTS = tuple(0.3 if name == "binary" else 1.0 for name in MUTATIONS)


def make_case(index: int, rng: random.Random, seeds: list[tuple[str, bytes]], limit: int) -> Case:
    """The ``index``-th input of a run; depends only on the state of ``rng``."""
    roll = rng.random()
    if roll < 0.3:
        seed_name, data = rng.choice(seeds)
    elif roll < 0.75:
        seed_name, data = "generated-html", generate_html(rng)
    else:
        seed_name, data = "generated-text", generate_text(rng)
    applied = []
    for name in rng.choices(list(MUTATIONS), weights=MUTATION_WEIGHTS, k=rng.choice((0, 1, 1, 2, 2, 3, 4))):
        if name == "splice":
            other = rng.choice(seeds)[1] if rng.random() < 0.5 else generate_html(rng)
            data = splice_page(data, rng, limit, other)
        else:
            data = MUTATIONS[name](data, rng, limit)
        data = data[:limit]
        applied.append(name)
    page: bytes | str = data
    form = rng.random()
    if form < 0.2:
        page = data.decode("utf-8", errors="replace")
    elif form < 0.35:
        page = data.decode("utf-8", errors="surrogateescape")  # lone surrogates for bad bytes
    elif form < 0.45:
        page = data.decode("latin-1")
    api = rng.choice(("classify", "clean", "explain"))
    if api == "explain" and len(data) > MAX_EXPLAINED_BYTES:
        api = "classify"
    input_format = rng.choices(("auto", "html", "text"), weights=(6, 2, 2))[0]
    return Case(index, page, api, input_format, seed_name, applied)


# --- the child process ---------------------------------------------------------------------


def _check(labelled: list[Any]) -> str | None:
    """A cheap check of classify's result; the reason it fails, or None."""
    from boilerml.lines import LABELS

    for line in labelled:
        if not line.text or line.label not in LABELS:
            return f"bad line {line.text[:40]!r} / {line.label!r}"
        if tuple(line.probabilities) != LABELS:
            return f"probabilities for {list(line.probabilities)}"
        total = sum(line.probabilities.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            return f"probabilities sum to {total}"
        line.text.encode("utf-8")
    return None


def _check_explained(labelled: list[Any]) -> str | None:
    """:func:`_check`, and each explanation's weights adding up to its margin, which is the
    log-ratio of the label's and the rival's probabilities."""
    problem = _check(labelled)
    if problem:
        return problem
    for line in labelled:
        why = line.explanation
        if why is None:
            return f"no explanation of {line.text[:40]!r}"
        total = why.prior + why.rest + sum(reason.weight for reason in why.reasons)
        if why.label != line.label or not math.isclose(total, why.margin, abs_tol=1e-6):
            return f"explanation of {line.text[:40]!r} adds up to {total}, not {why.margin}"
        label, rival = line.probabilities[why.label], line.probabilities[why.rival]
        if rival > 1e-12 and not math.isclose(why.margin, math.log(label / rival), abs_tol=1e-3):
            return f"margin {why.margin} of {line.text[:40]!r}, log-ratio {math.log(label / rival)}"
    return None


def _serve(connection: Connection) -> None:
    """Child: run the API on each case received; answer (outcome, detail, cpu, peak RSS KB)."""
    import boilerml

    logging.disable(logging.WARNING)  # warnings about empty and cut-short pages are expected
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        page, api, input_format = job
        started = time.process_time()
        try:
            if api == "classify":
                problem = _check(boilerml.classify(page, input_format=input_format))
            elif api == "explain":
                problem = _check_explained(boilerml.classify(page, input_format=input_format, explain=True))
            else:
                boilerml.clean(page, input_format=input_format).encode("utf-8")
                problem = None
            outcome, detail = ("invariant", problem) if problem else ("ok", "")
        except Exception as error:
            if type(error).__name__ in DOCUMENTED_ERRORS:
                outcome, detail = "documented", type(error).__name__
            else:
                outcome, detail = "crash", traceback.format_exc(limit=-6)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        connection.send((outcome, detail, time.process_time() - started, peak))


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process, from /proc (None where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Worker:
    """A child process that runs cases, replaced when it hangs or dies."""

    def __init__(self, timeout: float, timeout_per_mb: float) -> None:
        self.timeout = timeout
        self.timeout_per_mb = timeout_per_mb
        methods = multiprocessing.get_all_start_methods()
        # fork shares the model the parent loaded; spawn elsewhere.
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.restarts = -1
        self._start()

    def limit(self, case: Case) -> float:
        """Seconds of CPU time ``case`` may take: the base plus a share per megabyte, so that
        big inputs may take their (linear) time and only superlinear ones time out."""
        return self.timeout + self.timeout_per_mb * len(case.page) / 1e6

    def _start(self) -> None:
        self.connection, child_end = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child_end,), daemon=True)
        self.process.start()
        child_end.close()
        self.restarts += 1

    def _stop(self) -> None:
        self.process.kill()  # our own child, by its handle
        self.process.join()
        self.connection.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self._stop()

    def run(self, case: Case) -> tuple[str, str, float, int]:
        """(outcome, detail, CPU seconds, peak RSS KB of the child so far) for one case."""
        limit = self.limit(case)
        pid = self.process.pid
        cpu_before = _cpu_seconds(pid)
        started = time.monotonic()
        try:
            self.connection.send((case.page, case.api, case.input_format))
            while not self.connection.poll(POLL_SECONDS):
                cpu_now = _cpu_seconds(pid)
                spent = cpu_now - cpu_before if cpu_now is not None and cpu_before is not None else None
                waited = time.monotonic() - started
                over_cpu = spent is not None and spent > limit
                if over_cpu or waited > limit * (WALL_FACTOR if spent is not None else 1):
                    peak = _peak_rss_kb(pid)
                    self._stop()
                    self._start()
                    clock = "CPU" if over_cpu else "wall-clock"
                    return "timeout", f"over {limit:.3g} s of {clock} time", spent or waited, peak
            return self.connection.recv()
        except (EOFError, OSError) as error:
            self.process.join()
            code = self.process.exitcode
            self.connection.close()
            self._start()
            return "crash", f"child died (exit code {code}): {type(error).__name__}", 0.0, 0


# --- the run -------------------------------------------------------------------------------


def _signature(detail: str) -> str:
    """A crash's type and innermost frame, to count distinct crashes."""
    lines = [line.strip() for line in detail.strip().splitlines() if line.strip()]
    frames = [line for line in lines if line.startswith("File ")]
    return f"{lines[-1][:120] if lines else detail} @ {frames[-1] if frames else '?'}"


def run(args: argparse.Namespace) -> Summary:
    """Fuzz until the time or input budget is spent; returns the summary."""
    import boilerml

    boilerml.default_model()  # loaded once, before forking, and shared with the child
    seeds = load_seeds()
    rng = random.Random(args.seed)
    summary = Summary(args.seed, args.seconds, args.timeout, args.timeout_per_mb)
    save_dir = Path(args.save) if args.save else None
    worker = Worker(args.timeout, args.timeout_per_mb)
    baseline_seen = False
    started = time.monotonic()
    last_report = started
    try:
        while True:
            elapsed = time.monotonic() - started
            if args.seconds and elapsed >= args.seconds:
                break
            if args.inputs and summary.inputs >= args.inputs:
                break
            case = make_case(summary.inputs, rng, seeds, args.max_bytes)
            outcome, detail, cpu, peak_kb = worker.run(case)
            summary.inputs += 1
            summary.outcomes[outcome] += 1
            summary.by_api_and_input[f"{case.api}/{type(case.page).__name__}"] += 1
            summary.child_cpu_seconds += cpu
            if outcome == "documented":
                summary.documented[detail] += 1
            if not baseline_seen and peak_kb:
                summary.baseline_rss_mb = peak_kb / 1024
                baseline_seen = True
            if peak_kb / 1024 > summary.peak_rss_mb:
                summary.peak_rss_mb = peak_kb / 1024
                summary.peak_rss_input = case.describe()
            if cpu > summary.slowest_cpu_seconds:
                summary.slowest_cpu_seconds = cpu
                summary.slowest_input = case.describe()
            if outcome in ("crash", "timeout", "invariant"):
                record = {**case.describe(), "outcome": outcome, "detail": detail[-2000:]}
                if outcome == "crash":
                    summary.crash_signatures[_signature(detail)] += 1
                if save_dir is not None:
                    record["saved"] = str(_save(save_dir, case, record))
                summary.failures.append(record)
                if args.verbose:
                    print(
                        f"#{case.index} {outcome}: {detail.strip().splitlines()[-1][:200]}", file=sys.stderr
                    )
            if args.verbose and time.monotonic() - last_report > 10:
                last_report = time.monotonic()
                print(f"{summary.inputs} inputs, {dict(summary.outcomes)}", file=sys.stderr)
    finally:
        worker.close()
    summary.worker_restarts = worker.restarts
    summary.wall_seconds = time.monotonic() - started
    return summary


def _save(folder: Path, case: Case, record: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{record['outcome']}-{case.index:07d}"
    page = case.page
    # A str is written as UTF-8, its lone surrogates kept: read it back with "surrogatepass".
    data = page.encode("utf-8", errors="surrogatepass") if isinstance(page, str) else page
    stem.with_suffix(".input").write_bytes(data)
    stem.with_suffix(".json").write_text(json.dumps(record, indent=2, ensure_ascii=False), "utf-8")
    return stem.with_suffix(".input")


def format_summary(summary: Summary) -> str:
    rate = summary.inputs / summary.wall_seconds if summary.wall_seconds else 0.0
    lines = [
        f"fuzz: {summary.inputs} inputs in {summary.wall_seconds:.1f} s ({rate:.1f}/s), seed {summary.seed}",
        f"  ok {summary.outcomes['ok']}, documented errors {summary.outcomes['documented']} "
        f"({', '.join(f'{k} {v}' for k, v in summary.documented.items()) or 'none'})",
        f"  crashes {summary.outcomes['crash']} ({len(summary.crash_signatures)} distinct), "
        f"timeouts {summary.outcomes['timeout']} (limit {summary.timeout_seconds:g} s CPU "
        f"+ {summary.timeout_per_mb:g} s per MB), "
        f"invariant failures {summary.outcomes['invariant']}",
        f"  peak RSS of the child {summary.peak_rss_mb:.0f} MB (baseline {summary.baseline_rss_mb:.0f} MB; "
        f"set by {summary.peak_rss_input})",
        f"  child CPU {summary.child_cpu_seconds:.1f} s; slowest input {summary.slowest_cpu_seconds:.2f} s "
        f"({summary.slowest_input}); child restarts {summary.worker_restarts}",
        f"  by API and input type: {dict(summary.by_api_and_input)}",
    ]
    for signature, count in summary.crash_signatures.most_common(10):
        lines.append(f"  crash x{count}: {signature}")
    for failure in summary.failures[:10]:
        if failure["outcome"] != "crash":
            detail = failure["detail"].strip().splitlines()[-1][:160] if failure["detail"] else ""
            lines.append(
                f"  {failure['outcome']} #{failure['index']}: {failure['mutations']} "
                f"{failure['input']} {failure['api']} {failure['length']} chars/bytes: {detail}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget (0: no limit)")
    parser.add_argument("--inputs", type=int, default=0, help="stop after this many inputs (0: no limit)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="CPU seconds allowed per input ...")
    parser.add_argument(
        "--timeout-per-mb", type=float, default=60.0, help="... plus this many per megabyte of input"
    )
    parser.add_argument("--max-bytes", type=int, default=1_000_000, help="largest input generated")
    parser.add_argument("--json", help="write the summary and every failure to this file")
    parser.add_argument("--save", help="write failing inputs (and their metadata) into this folder")
    parser.add_argument("--verbose", action="store_true", help="report failures and progress as they come")
    args = parser.parse_args(argv)
    if not args.seconds and not args.inputs:
        parser.error("give --seconds or --inputs a limit")
    sys.path.insert(0, str(REPO))  # fuzz this checkout's boilerml, whatever else is installed
    summary = run(args)
    print(format_summary(summary))
    if args.json:
        text = json.dumps(summary.to_json(), indent=2, ensure_ascii=False)
        Path(args.json).write_text(text + "\n", "utf-8")
    return 1 if summary.bad else 0


if __name__ == "__main__":
    sys.exit(main())
