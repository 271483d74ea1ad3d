"""The hand-written thread pages of benchmarks/threads/ and their script."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import REPO

SCRIPT = REPO / "benchmarks" / "threads.py"


@pytest.fixture(scope="module")
def threads():
    spec = importlib.util.spec_from_file_location("threads_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_thread_page_marks_its_article_and_at_least_three_comments(threads):
    pages = sorted(threads.THREADS.glob("*.html"))
    assert len(pages) >= 4
    for path in pages:
        raw = path.read_bytes()
        assert len(threads.gold_blocks(raw, "comment")) >= 3, path.name
        assert len(threads.gold_blocks(raw, "content")) >= 3, path.name


def test_gold_blocks_are_whitespace_collapsed_texts_of_marked_elements(threads):
    raw = b'<html><body><p data-gold="comment">a\n  <b>b</b></p><p>c</p></body></html>'
    assert threads.gold_blocks(raw, "comment") == ["a b"]
    assert threads.gold_blocks(raw, "content") == []


#: Article blocks the shipped model is known to drop, per (page, mode). dl-thread's dump is a
#: whole page in 13 lines, so text mode reads it with the small-input passes (exp97, session
#: 61), which label its last article paragraph a comment (P(content) 0.44; text mode's page
#: passes kept it at 0.97). In exp97's gate the 46 small held-out pages fell 0.794 -> 0.759,
#: all of it on two error pages; the other 44 rose 0.789 -> 0.794 (exp97.md).
KNOWN_ARTICLE_LOSSES = {("dl-thread.html", "text"): 1}


def test_the_shipped_model_keeps_every_article_block_of_the_thread_pages(threads):
    # golden: the article must survive whatever the thread below it is called
    for path in sorted(threads.THREADS.glob("*.html")):
        for mode, (_, _, kept, content) in threads.page_scores(path.read_bytes(), None).items():
            expected = content - KNOWN_ARTICLE_LOSSES.get((path.name, mode), 0)
            assert kept == expected, f"{path.name}, {mode} mode: {kept} of {content} article blocks kept"


#: Comment bodies of the four thread pages the shipped model finds (of 14), per mode, when it
#: was shipped (exp22's model; the model before it found 3 and 4). A retrain that finds fewer
#: fails here: lower these only on purpose, saying why in the commit.
SHIPPED_COMMENT_BODIES_FOUND = {"html": 8, "text": 11}


def test_the_shipped_model_finds_the_thread_pages_comments(threads):
    found = {"html": 0, "text": 0}
    for path in sorted(threads.THREADS.glob("*.html")):
        for mode, (said, _, _, _) in threads.page_scores(path.read_bytes(), None).items():
            found[mode] += said
    for mode, floor in SHIPPED_COMMENT_BODIES_FOUND.items():
        assert found[mode] >= floor, f"{mode} mode: {found[mode]} comment bodies found, {floor} when shipped"
