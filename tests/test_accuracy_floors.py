"""The accuracy floors: CI's fast check on real pages, and the rules of pinning."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from conftest import REPO

from boilerml.corpora import Page

SCRIPT = REPO / "benchmarks" / "accuracy.py"


@pytest.fixture(scope="module")
def accuracy():
    spec = importlib.util.spec_from_file_location("accuracy_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _page(page_id: str, content: str = "gold text") -> Page:
    return Page("demo", page_id, "en", "dev", b"<p>x</p>", "utf-8", content, None, {})


def _summary(value: float) -> dict:
    figures = {"token_f1_mean": value, "aeb_f1": value, "token_f1_median": value, "pages": 2, "failures": 0}
    return {"demo": {"boilerml-html": figures, "boilerml-text": figures}}


def test_ci_floors_hold_on_the_pinned_pages(datasets):
    """The shipped model holds every pinned figure of the fast CI set (exit 0), on the same pages."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--set", "ci", "--jobs", "2", "--datasets", str(datasets)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pinned figures hold" in result.stdout


def test_a_figure_below_its_floor_by_more_than_epsilon_is_reported(accuracy):
    pinned = {"boilerml-html": {"demo": {"token_f1_mean": 0.9}}}
    assert accuracy.compare_floors(_summary(0.898), pinned, epsilon=0.003) == []
    below = accuracy.compare_floors(_summary(0.89), pinned, epsilon=0.003)
    assert len(below) == 1 and "demo token_f1_mean" in below[0]
    missing = accuracy.compare_floors({}, pinned, epsilon=0.003)
    assert len(missing) == 1


def test_pinning_never_lowers_a_floor_silently(accuracy, tmp_path, monkeypatch):
    monkeypatch.setattr(accuracy, "FLOORS", tmp_path / "floors.json")
    pages = [_page("a"), _page("b")]
    floors: dict = {"epsilon": 0.003}
    assert accuracy.pin(floors, "ci", pages, _summary(0.95), None) == 0
    assert floors["sets"]["ci"]["floors"]["boilerml-html"]["demo"]["token_f1_mean"] == 0.95

    assert accuracy.pin(floors, "ci", pages, _summary(0.93), None) == 1
    assert floors["sets"]["ci"]["floors"]["boilerml-html"]["demo"]["token_f1_mean"] == 0.95

    assert accuracy.pin(floors, "ci", pages, _summary(0.93), "new labels") == 0
    written = json.loads((tmp_path / "floors.json").read_text("utf-8"))
    assert written["sets"]["ci"]["floors"]["boilerml-html"]["demo"]["token_f1_mean"] == 0.93
    assert written["history"][-1]["reason"] == "new labels"
    assert written["history"][-1]["lowered"]


def test_check_refuses_other_pages_than_the_pinned_ones(accuracy, tmp_path, monkeypatch):
    monkeypatch.setattr(accuracy, "FLOORS", tmp_path / "floors.json")
    floors: dict = {"epsilon": 0.003}
    accuracy.pin(floors, "ci", [_page("a"), _page("b")], _summary(0.95), None)
    assert accuracy.check(floors, "ci", [_page("a"), _page("b")], _summary(0.95)) == 0
    assert accuracy.check(floors, "ci", [_page("a"), _page("b", "other gold")], _summary(0.95)) == 2
    assert accuracy.check(floors, "ci", [_page("a"), _page("b")], _summary(0.90)) == 1


def test_dev_pages_on_sites_without_train_pages_get_their_own_rows(accuracy, tmp_path):
    import io
    import tarfile

    def member(tar, name, data):
        info = tarfile.TarInfo(f"demo/{name}")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(tmp_path / "demo.tar.gz", "w:gz") as tar:
        for page_id, split, url in (("t1", "train", "http://www.seen.org/1"), ("d1", "dev", None)):
            record = {
                "id": page_id,
                "dataset": "demo",
                "lang": "en",
                "split": split,
                "encoding_hint": "utf-8",
            }
            record |= {"content": "x", "comments": None, "url": url}
            member(tar, f"{page_id}.html", b"<p>x</p>")
            member(tar, f"{page_id}.json", json.dumps(record).encode())
    seen = Page(
        "demo", "d2", "en", "dev", b"<p>x</p>", "utf-8", "x", None, {"url": "https://news.seen.org/2"}
    )
    unseen = Page("demo", "d3", "en", "dev", b"<p>x</p>", "utf-8", "x", None, {"url": "https://other.net/3"})
    scores = [
        accuracy.Score("boilerml-html", "demo", p.page_id, "en", None, 1, 1, 1, 1, 1, 0)
        for p in (seen, unseen)
    ]
    accuracy.mark_unseen_sites(scores, [seen, unseen], tmp_path)
    assert [s.unseen_site for s in scores] == [False, True]
    assert "sites not in train, English pages" in accuracy.groups_of(scores[1])
    assert not any(key.startswith("sites not in train") for key in accuracy.groups_of(scores[0]))


def test_renderings_score_text_mode_on_each_tool_s_text(accuracy):
    story = "The harbour reopened on Monday after a week of repairs to the old stone wall. " * 3
    menu = "<ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul>"
    html = f"<html><body>{menu}<p>{story}</p>"
    page = Page("demo", "p1", "en", "dev", html.encode(), "utf-8", story, None, {})
    rendered = accuracy._rendered(page, html)
    assert list(rendered) == list(accuracy.RENDERINGS)
    assert all("harbour reopened" in text for text in rendered.values())
    already_extracted = {"trafilatura text", "the article alone, one line"}
    assert all("Home" in text for name, text in rendered.items() if name not in already_extracted)
    assert "Home" not in rendered["the article alone, one line"]
    assert "\n" not in rendered["the article alone, one line"]
    rows = accuracy._renderings_chunk([page])
    assert sorted(name for _, name, _ in rows) == sorted(["HTML", *accuracy.RENDERINGS])
    assert all(f1 > 0.9 for _, _, f1 in rows)
    chinese = [(["Chinese pages"], name, 0.5) for name in ("HTML", *accuracy.RENDERINGS)]
    table = accuracy.format_renderings(rows + chinese)
    assert "| all pages | 1 |" in table
    assert "| Chinese pages | 1 | 0.500 | 0.500 | 0.500 | 0.500 | 0.500 | 0.500 |" in table


def test_text_gap_parts_add_up_and_name_the_article_lost(accuracy):
    def score(mode: str, page_id: str, precision: float, recall: float, f1: float):
        return accuracy.Score(f"boilerml-{mode}", "demo", page_id, "en", None, precision, recall, f1, 1, 1, 0)

    scores = [
        score("html", "lost", 1.0, 1.0, 1.0),
        score("text", "lost", 1.0, 0.1, 0.2),  # the article lost: gap 0.8
        score("html", "junky", 0.9, 1.0, 0.9),
        score("text", "junky", 0.4, 1.0, 0.6),  # more junk than article: gap 0.3
        score("html", "close", 0.9, 0.9, 0.9),
        score("text", "close", 0.9, 0.8, 0.85),  # gap 0.05
        score("html", "html-only", 1.0, 1.0, 1.0),  # no text score: left out
        accuracy.Score("trafilatura", "demo", "close", "en", None, 0, 0, 0, 0, 0, 0),
    ]
    table = accuracy.format_text_gap(scores)
    # gap (0.8 + 0.3 + 0.05) / 3 = 0.383; the two worst pages make 1.1 / 3 of it
    assert "| demo | 3 | 0.933 | 0.550 | 0.383 | no | 0.267 | 0.100 | 0.017 | 0.367 |" in table
    # the target is per corpus: the all-pages row gives no verdict
    assert "| all pages | 3 | 0.933 | 0.550 | 0.383 |  | 0.267 |" in table
    assert accuracy.format_text_gap(scores[:1]) == ""
