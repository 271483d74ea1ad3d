"""The command line, driven through ``main(argv)``."""

from __future__ import annotations

import io
import json
import logging
import os
import sys

import pytest
from tqdm import tqdm

from boilerml.cli import EXIT_INPUT_FAILED, EXIT_MODEL, EXIT_OK, _AboveProgressBars, main
from boilerml.lines import LABELS


@pytest.fixture
def news_file(tmp_path, news_html):
    path = tmp_path / "news.html"
    path.write_bytes(news_html)
    return path


def test_clean_to_stdout(news_file, capsys):
    assert main(["clean", str(news_file)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Work began on Monday" in out
    assert "Privacy policy" not in out


def test_clean_keep_comments(news_file, capsys):
    assert main(["clean", "--keep", "content,comment", str(news_file)]) == EXIT_OK
    assert "About time. The old wall" in capsys.readouterr().out


def test_clean_into_folder_as_json(news_file, tmp_path):
    out_dir = tmp_path / "out"
    assert main(["clean", "--format", "json", "-o", str(out_dir), str(news_file)]) == EXIT_OK
    payload = json.loads((out_dir / "news.json").read_text("utf-8"))
    assert "Work began on Monday" in payload["text"]
    assert {line["label"] for line in payload["lines"]} <= set(LABELS)
    assert not list(out_dir.glob(".*"))  # no temporary files left behind


def test_clean_markdown(news_file, capsys):
    assert main(["clean", "--format", "markdown", str(news_file)]) == EXIT_OK
    assert "# Harbour town rebuilds its sea wall" in capsys.readouterr().out


def test_clean_stdin_text(monkeypatch, capsys, chinese_text):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(chinese_text.encode("utf-8"))))
    assert main(["clean", "--input", "text", "-"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "青石村小学" in out
    assert "返回顶部" not in out


def test_missing_file_is_reported_and_others_still_cleaned(news_file, tmp_path, capsys):
    missing = tmp_path / "missing.html"
    code = main(["clean", "-o", str(tmp_path / "out"), str(missing), str(news_file)])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT_FAILED
    assert str(missing) in err and "cannot read" in err
    assert (tmp_path / "out" / "news.txt").is_file()


def test_refuses_to_overwrite_an_input(tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("Home | News\nA long enough paragraph of article text goes here.\n", "utf-8")
    before = page.read_bytes()
    assert main(["clean", "-o", str(tmp_path), str(page)]) == EXIT_INPUT_FAILED
    assert "refusing to overwrite" in capsys.readouterr().err
    assert page.read_bytes() == before


def test_classify_prints_label_probability_text(news_file, capsys):
    assert main(["classify", str(news_file)]) == EXIT_OK
    rows = [row.split("\t") for row in capsys.readouterr().out.splitlines()]
    assert rows and all(len(row) == 3 for row in rows)
    assert all(row[0] in LABELS and 0.0 <= float(row[1]) <= 1.0 for row in rows)
    assert any(row[2].startswith("Harbour town rebuilds") for row in rows)


def test_bad_keep_is_a_usage_error(news_file):
    with pytest.raises(SystemExit) as exit_info:
        main(["clean", "--keep", "sidebar", str(news_file)])
    assert exit_info.value.code == 2


def test_bad_model_exits_with_model_code(news_file, tmp_path, capsys):
    assert main(["clean", "--model", str(tmp_path / "nope.npz"), str(news_file)]) == EXIT_MODEL
    assert "no model file" in capsys.readouterr().err


def test_clean_a_folder_mirrors_it(tmp_path, news_html, chinese_text):
    source = tmp_path / "crawl"
    (source / "a").mkdir(parents=True)
    (source / "b").mkdir()
    (source / "a" / "index.html").write_bytes(news_html)
    (source / "b" / "index.html").write_text(chinese_text, "utf-8")
    out_dir = tmp_path / "out"
    assert main(["clean", "-o", str(out_dir), str(source)]) == EXIT_OK
    assert "Work began on Monday" in (out_dir / "a" / "index.txt").read_text("utf-8")
    assert "青石村小学" in (out_dir / "b" / "index.txt").read_text("utf-8")


def test_a_page_that_fails_to_clean_is_reported_and_the_batch_goes_on(
    tmp_path, news_file, monkeypatch, capsys
):
    import boilerml.batch

    real_classify = boilerml.batch.classify
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"<html><body><p>poison</p></body></html>")

    def classify_or_fail(raw, **kwargs):
        if b"poison" in raw:
            raise RuntimeError("simulated failure")
        return real_classify(raw, **kwargs)

    monkeypatch.setattr(boilerml.batch, "classify", classify_or_fail)
    code = main(["clean", "-o", str(tmp_path / "out"), str(bad), str(news_file)])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT_FAILED
    assert f"{bad}: cannot clean: RuntimeError: simulated failure" in err
    assert "1 of 2 file(s) failed" in err
    assert (tmp_path / "out" / "news.txt").is_file()
    assert not (tmp_path / "out" / "bad.txt").exists()


def test_threshold_option(news_file, capsys):
    assert main(["clean", "--threshold", "0.0", str(news_file)]) == EXIT_OK
    everything = capsys.readouterr().out
    assert main(["clean", "--threshold", "0.95", str(news_file)]) == EXIT_OK
    strict = capsys.readouterr().out
    assert "Privacy policy" in everything and "Privacy policy" not in strict
    assert set(strict.splitlines()) < set(everything.splitlines())
    with pytest.raises(SystemExit) as exit_info:
        main(["clean", "--threshold", "high", str(news_file)])
    assert exit_info.value.code == 2


def test_an_interrupted_write_leaves_the_old_output_whole(news_file, tmp_path, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "news.txt").write_text("the output of an earlier run\n", "utf-8")
    real_fdopen = os.fdopen

    class HalfWriter(io.TextIOWrapper):
        def write(self, text):
            super().write(text[: len(text) // 2])
            raise KeyboardInterrupt  # Ctrl-C in the middle of writing the new output

    def fdopen(handle, mode="r", **kwargs):
        raw = real_fdopen(handle, mode.replace("w", "wb"))
        return HalfWriter(raw, encoding=kwargs.get("encoding"))

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(KeyboardInterrupt):
        main(["clean", "-o", str(out_dir), str(news_file)])
    monkeypatch.undo()
    assert (out_dir / "news.txt").read_text("utf-8") == "the output of an earlier run\n"
    assert [p.name for p in out_dir.iterdir()] == ["news.txt"]  # no half-written temporary file


def test_a_dangling_link_inside_a_folder_is_reported(tmp_path, news_html, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html").write_bytes(news_html)
    (folder / "gone.html").symlink_to(tmp_path / "deleted.html")
    assert main(["clean", "-o", str(tmp_path / "out"), str(folder)]) == EXIT_INPUT_FAILED
    err = capsys.readouterr().err
    assert f"{folder / 'gone.html'}: cannot read" in err
    assert "1 of 2 file(s) failed" in err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["page.txt"]


def test_log_lines_are_written_above_a_progress_bar_not_through_it():
    stream = io.StringIO()
    handler = _AboveProgressBars(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    record = logging.LogRecord("boilerml.warc", logging.WARNING, __file__, 1, "stray %s", ("bytes",), None)
    with tqdm(total=3, file=stream, mininterval=0) as bar:
        bar.update()
        before = stream.getvalue()
        handler.handle(record)
        written = stream.getvalue()[len(before) :]
    # The bar is cleared, the log line written on a line of its own, then the bar drawn again
    # (a plain StreamHandler writes the line straight after the bar, on the bar's own line).
    clearing, rest = written.split("WARNING boilerml.warc: stray bytes\n")
    assert clearing.startswith("\r") and clearing.endswith("\r") and not clearing.strip()
    assert "1/3" in rest
