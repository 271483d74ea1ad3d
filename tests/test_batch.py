"""clean_many: many pages, in order, in this process or across worker processes."""

from __future__ import annotations

import itertools
import json
import pickle

import numpy as np
import pytest

import boilerml
from boilerml.batch import CHUNK_PAGES, CHUNKS_IN_FLIGHT_PER_WORKER, clean_many, start_method, worker_count
from boilerml.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture
def pages(news_html, chinese_text):
    return [news_html, chinese_text, PNG, news_html.decode("utf-8"), "", chinese_text.encode("gb18030")]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_results_in_input_order_as_clean_gives_them(pages, n_jobs):
    got = list(clean_many(pages, n_jobs=n_jobs, return_exceptions=True))
    assert len(got) == len(pages)
    for page, result in zip(pages, got, strict=True):
        if page is PNG:
            assert isinstance(result, boilerml.BinaryInputError)
            assert result.kind == "PNG image"  # the exception crossed the process boundary whole
        else:
            assert result == boilerml.clean(page)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_failing_page_raises_unless_exceptions_are_returned(pages, n_jobs):
    results = clean_many(pages, n_jobs=n_jobs)
    assert next(results) == boilerml.clean(pages[0])
    next(results)
    with pytest.raises(boilerml.BinaryInputError):
        next(results)


def test_options_reach_the_workers(news_html):
    (as_json,) = clean_many([news_html], n_jobs=2, output_format="json", keep=("content", "comment"))
    record = json.loads(as_json)
    kept = {line["label"] for line in record["lines"] if line["kept"]}
    assert kept <= {"content", "comment"} and "content" in kept
    assert record["text"] == boilerml.clean(news_html, keep=("content", "comment"))
    with pytest.raises(boilerml.TooManyLinesError):
        list(clean_many(["a\nb\nc"], n_jobs=2, input_format="text", max_lines=2))


def test_pages_are_read_lazily(news_html):
    taken = []

    def endless():
        for i in itertools.count():
            taken.append(i)
            yield news_html

    first = list(itertools.islice(clean_many(endless(), n_jobs=2), 3))
    assert first == [boilerml.clean(news_html)] * 3
    assert len(taken) <= (2 * CHUNKS_IN_FLIGHT_PER_WORKER + 1) * CHUNK_PAGES


def test_worker_count():
    assert worker_count(3) == 3
    assert worker_count(None) == worker_count(-1) >= 1
    with pytest.raises(ValueError, match="n_jobs"):
        worker_count(0)


def test_a_process_with_threads_is_never_forked():
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert start_method() in ("forkserver", "spawn")  # forking it could deadlock a worker
    finally:
        stop.set()
        thread.join()


def test_models_and_errors_survive_pickling():
    model = boilerml.default_model()
    trees = model.estimators["text"]["first"]
    again = pickle.loads(pickle.dumps(trees))
    features = np.zeros((3, trees.n_features))
    np.testing.assert_array_equal(again.predict_proba(features), trees.predict_proba(features))
    error = pickle.loads(pickle.dumps(boilerml.TooManyLinesError(7)))
    assert error.limit == 7 and str(error) == str(boilerml.TooManyLinesError(7))


def test_cli_jobs_give_the_same_outputs(tmp_path, news_html, chinese_text):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        (folder / f"{i:02d}.html").write_bytes(news_html if i % 2 else chinese_text.encode("utf-8"))
    (folder / "bad.png").write_bytes(PNG)
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        assert main(["clean", "--jobs", jobs, "-o", str(out), str(folder)]) == 1  # the PNG failed
        outputs[jobs] = {p.name: p.read_text("utf-8") for p in sorted(out.iterdir())}
    assert outputs["1"] == outputs["2"]
    assert len(outputs["1"]) == 12


def test_cli_rejects_negative_jobs(news_html, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["clean", "--jobs", "-2", str(tmp_path)])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_workers_that_cannot_inherit_the_model_load_it(pages, method, monkeypatch):
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    monkeypatch.setattr("boilerml.batch.start_method", lambda: method)
    got = list(clean_many(pages[:2], n_jobs=2))
    assert got == [boilerml.clean(page) for page in pages[:2]]
