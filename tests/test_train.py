"""A training run on tiny synthetic data, end to end through the CLI."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from boilerml import classify, load_model
from boilerml.cli import EXIT_OK, EXIT_USAGE, main
from boilerml.lines import LABELS
from boilerml.model import Model

ARTICLE = [
    "The river council met on Tuesday to discuss the new footbridge over the weir.",
    "Members agreed that the old crossing had become unsafe after the spring floods.",
    "Construction is expected to start in June and to last about four months in all.",
]
COMMENTS = ["I walk across that bridge every day and it really does shake in the wind."]


def _page(i: int, comment_gold: bool = True) -> tuple[str, bytes, dict]:
    paragraphs = "".join(f"<p>{p} Item {i}.</p>" for p in ARTICLE)
    html = (
        "<html><body><nav><a href=/>Home</a> <a href=/news>News</a></nav>"
        f"<div class=ad-slot>Advertisement</div><article><h1>Footbridge plan {i}</h1>{paragraphs}"
        f"</article><div class=comments><p>{COMMENTS[0]}</p></div>"
        "<footer>Copyright 2026 River News. All rights reserved.</footer></body></html>"
    )
    record = {
        "id": f"p{i}",
        "dataset": "tiny",
        "lang": "en",
        "split": "train",
        "encoding_hint": "utf-8",
        "content": "\n".join([f"Footbridge plan {i}"] + [f"{p} Item {i}." for p in ARTICLE]),
        "comments": COMMENTS[0] if comment_gold else None,
    }
    return f"p{i}", html.encode(), record


def _write_corpus(folder, pages=12, comment_gold=True):
    with tarfile.open(folder / "tiny.tar.gz", "w:gz") as tar:
        for i in range(pages):
            stem, html, record = _page(i, comment_gold)
            for name, data in (
                (f"tiny/{stem}.html", html),
                (f"tiny/{stem}.json", json.dumps(record).encode()),
            ):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def test_train_writes_a_model_that_loads_and_classifies(tmp_path):
    from boilerml.model import SMALL
    from boilerml.train import WINDOWS_PER_PAGE

    _write_corpus(tmp_path)
    output = tmp_path / "model.npz"
    argv = ["train", "--datasets", str(tmp_path), "--output", str(output), "--jobs", "1", "--cv-pages", "6"]
    assert main(argv) == EXIT_OK
    card = json.loads((tmp_path / "model.card.json").read_text("utf-8"))
    assert card["labels"] == list(LABELS)
    assert card["training_sources"]["tiny"] == 12
    assert set(card["cv"]) == {"html", "text", SMALL}  # small-input passes by default, as shipped
    assert card["cv"]["text"]["pages"] == 6  # the second pass cross-validated on 6 pages
    assert "pages" not in card["cv"][SMALL]  # whole pages say little of small inputs
    assert card["short_windows"]["windows"] == 12 * WINDOWS_PER_PAGE
    assert set(card["cv"]["text"]["second pass"]) >= set(card["cv"]["text"]["first pass (all pages)"])
    model = load_model(output)
    _, html, _ = _page(99)
    labels = {line.text: line.label for line in classify(html, model=model)}
    assert labels["Home News"] == "navigation"
    assert labels[f"{ARTICLE[0]} Item 99."] == "content"
    assert labels[COMMENTS[0]] == "comment"


def test_training_is_reproducible(tmp_path):
    _write_corpus(tmp_path, pages=6)
    for name in ("a", "b"):
        argv = [
            "train",
            "--datasets",
            str(tmp_path),
            "--output",
            str(tmp_path / f"{name}.npz"),
            "--jobs",
            "1",
            "--cv-pages",
            "0",
        ]
        assert main(argv) == EXIT_OK
    card_a = json.loads((tmp_path / "a.card.json").read_text("utf-8"))
    card_b = json.loads((tmp_path / "b.card.json").read_text("utf-8"))
    assert card_a["training_data_sha256"] == card_b["training_data_sha256"]
    features = load_model(tmp_path / "a.npz"), load_model(tmp_path / "b.npz")
    _, html, _ = _page(7)
    assert [x.probabilities for x in classify(html, model=features[0])] == [
        x.probabilities for x in classify(html, model=features[1])
    ]


def test_a_model_trained_without_some_class_loads(tmp_path):
    _write_corpus(tmp_path, pages=8, comment_gold=False)  # no page has a comment label
    output = tmp_path / "model.npz"
    argv = ["train", "--datasets", str(tmp_path), "--output", str(output), "--jobs", "1", "--cv-pages", "0"]
    assert main(argv) == EXIT_OK
    model = load_model(output)
    assert "comment" not in model.estimators["html"]["second"].classes_.tolist()
    lines = classify(_page(99)[1], model=model)
    assert {line.label for line in lines} <= set(LABELS) - {"comment"}
    assert all(line.probabilities["comment"] == 0.0 for line in lines)


def test_boosting_size_is_an_option_and_is_recorded(tmp_path):
    _write_corpus(tmp_path, pages=6)
    output = tmp_path / "small.npz"
    argv = ["train", "--datasets", str(tmp_path), "--output", str(output), "--jobs", "1", "--cv-pages", "0"]
    assert main([*argv, "--iterations", "7", "--learning-rate", "0.5"]) == EXIT_OK
    card = json.loads((tmp_path / "small.card.json").read_text("utf-8"))
    assert card["boosting"] == {"iterations": 7, "learning_rate": 0.5, "max_leaf_nodes": 48}
    model = load_model(output)
    for passes in model.estimators.values():
        for ensemble in passes.values():
            assert len(ensemble.tree_starts) - 1 == 7 * ensemble.trees_per_iteration


def test_seed_is_an_option_and_is_recorded(tmp_path):
    import numpy as np

    from boilerml.train import SEED, PageRows, stack_rows

    _write_corpus(tmp_path, pages=9)
    for name, seed in (("a", []), ("b", ["--seed", "7"])):
        argv = ["train", "--datasets", str(tmp_path), "--output", str(tmp_path / f"{name}.npz")]
        assert main([*argv, "--jobs", "1", "--cv-pages", "0", *seed]) == EXIT_OK
    card_a = json.loads((tmp_path / "a.card.json").read_text("utf-8"))
    card_b = json.loads((tmp_path / "b.card.json").read_text("utf-8"))
    assert (card_a["seed"], card_b["seed"]) == (SEED, 7)
    hashes = [{**card["training_data_sha256"]} for card in (card_a, card_b)]
    assert hashes[0].pop("small") != hashes[1].pop("small")  # the seed draws the short windows
    assert hashes[0] == hashes[1]  # and not the pages' rows
    # The seed picks which lines of a long page are fitted (and the out-of-fold split).
    page = PageRows("p", np.arange(1000, dtype=np.float32)[:, None], np.array(["content"] * 1000), 1.0)
    picked = {seed: stack_rows([page], 10, seed)[0][:, 0].tolist() for seed in (SEED, 7)}
    assert picked[SEED] != picked[7]
    assert picked[SEED] == stack_rows([page], 10, SEED)[0][:, 0].tolist()


def test_reader_comments_are_unlabelled_only_where_the_corpus_has_no_comment_gold():
    from boilerml.segment import html_to_lines
    from boilerml.train import UNLABELLED, unlabel_threads

    lines = html_to_lines(
        "<p>The article.</p><div id='comments'><h3>2 comments</h3><p>Nice.</p><p>Agreed.</p></div>"
        "<ul class='menu'><li>Home</li><li>About</li><li>Contact</li></ul>"
    )
    labels = ["content", "navigation", "navigation", "content", "navigation", "navigation", "navigation"]
    assert [line.text for line in lines][:4] == ["The article.", "2 comments", "Nice.", "Agreed."]
    # navigation inside the thread is unlabelled; content there, and lines outside it, keep theirs
    expected = ["content", UNLABELLED, UNLABELLED, "content", "navigation", "navigation", "navigation"]
    assert unlabel_threads(lines, labels) == expected
    # a hand correction is kept
    assert unlabel_threads(lines, labels, protected={2})[2] == "navigation"
    # a link-heavy line of the area is a widget ("Most commented" headlines): it keeps its label
    linked = html_to_lines(
        "<p>The article.</p><div id='comments'><p><a href='/x'>Most read story</a></p></div>"
    )
    assert unlabel_threads(linked, ["content", "navigation"]) == ["content", "navigation"]


def test_a_comment_class_on_most_of_the_page_unlabels_nothing():
    from boilerml.segment import html_to_lines
    from boilerml.train import unlabel_threads

    lines = html_to_lines("<body class='comments-open'><p>One.</p><p>Two.</p><p>Three.</p></body>")
    labels = ["navigation", "content", "navigation"]
    assert unlabel_threads(lines, labels) == labels


def test_thread_lines_are_furniture_when_they_repeat_on_another_page_and_comments_otherwise():
    import numpy as np

    from boilerml.train import UNLABELLED, PageRows, relabel_thread_lines, text_key

    def page(key, texts, labels):
        keys = np.array([text_key(t) for t in texts], dtype=np.uint64)
        features = np.zeros((len(texts), 1))
        html = PageRows(key, features, np.array(labels, dtype="<U10"), 1.0, keys)
        return html, PageRows(key, features, np.array(labels, dtype="<U10"), 1.0, keys)

    # the rules line sits on both pages; each page's posted comment is its own
    a = page("x/1", ["Rules: be civil.", "Great piece!", "Body"], [UNLABELLED, UNLABELLED, "content"])
    b = page("x/2", ["Rules: be civil.", "I disagree."], ["navigation", UNLABELLED])
    html_rows, text_rows = [a[0], b[0]], [a[1], b[1]]
    assert relabel_thread_lines(html_rows, text_rows) == (1, 2)
    for rows in (html_rows, text_rows):
        assert rows[0].labels.tolist() == ["navigation", "comment", "content"]
        assert rows[1].labels.tolist() == ["navigation", "comment"]


def test_text_key_is_stable_across_processes():
    import os
    import subprocess
    import sys

    from boilerml.train import text_key

    # training workers are separate processes, each with its own seed for Python's hash()
    code = "from boilerml.train import text_key; print(text_key('Reply'))"
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    other = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert int(other.stdout) == text_key("Reply") != text_key("reply")


def test_a_cached_first_pass_gives_the_same_model_and_is_keyed_by_the_seed(tmp_path, caplog):
    import logging

    import numpy as np

    _write_corpus(tmp_path, pages=6)
    cache = tmp_path / "cache"
    base = ["train", "--datasets", str(tmp_path), "--jobs", "1", "--cv-pages", "0", "--windows", "0"]
    for name, extra in (("plain", []), ("stored", ["--first-pass-cache", str(cache)])):
        assert main([*base, "--output", str(tmp_path / f"{name}.npz"), *extra]) == EXIT_OK
    stored = sorted(cache.glob("first-pass-*.npz"))
    assert len(stored) == 8  # per mode: three folds and the fit on all pages
    # A training interrupted after some fits keeps them: the missing one is fitted again.
    next(path for path in stored if path.name.endswith("-fold1.npz")).unlink()
    caplog.set_level(logging.INFO, logger="boilerml.train")
    cached = ["--first-pass-cache", str(cache)]
    assert main([*base, "--output", str(tmp_path / "reused.npz"), *cached]) == EXIT_OK
    assert sorted(cache.glob("first-pass-*.npz")) == stored
    assert sum("first pass: read" in message for message in caplog.messages) == 7
    assert main([*base, "--output", str(tmp_path / "seed7.npz"), *cached, "--seed", "7"]) == EXIT_OK
    assert len(list(cache.glob("first-pass-*.npz"))) == 16
    models = {name: load_model(tmp_path / f"{name}.npz") for name in ("plain", "stored", "reused")}
    for mode, passes in models["plain"].estimators.items():
        for name, ensemble in passes.items():
            for other in ("stored", "reused"):
                theirs = models[other].estimators[mode][name].to_arrays()
                for key, array in ensemble.to_arrays().items():
                    assert np.array_equal(array, theirs[key]), (other, mode, name, key)
    cards = {name: json.loads((tmp_path / f"{name}.card.json").read_text("utf-8")) for name in models}
    assert cards["reused"]["cv"] == cards["plain"]["cv"]


def test_the_first_pass_cache_key_changes_with_what_the_first_pass_depends_on():
    import numpy as np

    from boilerml.train import Boosting, PageRows, _first_pass_key

    def rows(weight=1.0, label="content", site=None):
        return [PageRows("p", np.ones((3, 2), dtype=np.float32), np.array([label] * 3), weight, site=site)]

    key = _first_pass_key(rows(), 3, Boosting(), 1)
    assert key == _first_pass_key(rows(), 3, Boosting(), 1)
    assert key != _first_pass_key(rows(weight=2.0), 3, Boosting(), 1)
    assert key != _first_pass_key(rows(label="navigation"), 3, Boosting(), 1)
    assert key != _first_pass_key(rows(), 2, Boosting(), 1)
    assert key != _first_pass_key(rows(), 3, Boosting(iterations=7), 1)
    assert key != _first_pass_key(rows(), 3, Boosting(), 2)
    assert key != _first_pass_key(rows(), 3, Boosting(), 1, by_site=True)
    by_site = _first_pass_key(rows(site="a.org"), 3, Boosting(), 1, by_site=True)
    assert by_site != _first_pass_key(rows(site="b.org"), 3, Boosting(), 1, by_site=True)
    # a page-grouped split does not depend on the sites
    assert key == _first_pass_key(rows(site="a.org"), 3, Boosting(), 1)


def _site_rows(pages_per_site: int, sites: int, seed: int = 0):
    """Pages whose one feature and label are the site's own (drawn at random): a model knows
    a page's label only if it saw another page of its site."""
    import numpy as np

    from boilerml.train import PageRows

    rng = np.random.default_rng(seed)
    rows = []
    for site in range(sites):
        value, label = rng.random(), LABELS[rng.integers(2)]
        for page in range(pages_per_site):
            features = np.full((30, 1), value, dtype=np.float32)
            rows.append(
                PageRows(f"s{site}/p{page}", features, np.array([label] * 30), 1.0, site=f"site{site}")
            )
    return rows


def test_out_of_fold_first_pass_never_saw_the_page_s_site():
    import numpy as np

    from boilerml.train import Boosting, out_of_fold_probabilities

    rows = _site_rows(pages_per_site=4, sites=6)
    small = Boosting(iterations=10)

    def accuracy(by_site):
        probabilities = out_of_fold_probabilities(rows, 3, small, seed=1, by_site=by_site)
        return np.mean([LABELS[p.argmax(axis=1)[0]] == r.labels[0] for r, p in zip(rows, probabilities)])

    # split by page, a page's site mate teaches its label; split by site, nothing does
    assert accuracy(by_site=False) > 0.95
    assert accuracy(by_site=True) < 0.7


def test_page_folds_by_site_never_put_a_site_on_both_sides():
    from boilerml.train import page_folds

    rows = _site_rows(pages_per_site=3, sites=7)
    folds = list(page_folds(rows, 3, seed=1, by_site=True))
    assert len(folds) == 3
    for train_pages, test_pages in folds:
        assert not {rows[i].group for i in train_pages} & {rows[i].group for i in test_pages}
    # every page is tested exactly once
    assert sorted(i for _, test in folds for i in test) == list(range(len(rows)))
    # by page, some site lands on both sides; with fewer sites than folds, by page too
    by_page = list(page_folds(rows, 3, seed=1))
    assert any({rows[i].group for i in tr} & {rows[i].group for i in te} for tr, te in by_page)
    two_sites = _site_rows(pages_per_site=3, sites=2)
    assert len(list(page_folds(two_sites, 3, seed=1, by_site=True))) == 3


def test_markdown_passes_are_fitted_saved_and_used_for_text_read_as_markdown(tmp_path, monkeypatch):
    _write_corpus(tmp_path, pages=8)
    output = tmp_path / "model.npz"
    argv = ["train", "--datasets", str(tmp_path), "--output", str(output), "--jobs", "1", "--cv-pages", "0"]
    assert main([*argv, "--markdown-passes", "--windows", "0"]) == EXIT_OK
    card = json.loads((tmp_path / "model.card.json").read_text("utf-8"))
    assert card["feature_names"]["markdown"] == card["feature_names"]["text"]
    assert card["training_lines"]["markdown"] > card["training_lines"]["text"]
    model = load_model(output)
    assert set(model.estimators) == {"html", "text", "markdown"}
    used = []
    predict = Model.predict_proba

    def spy(self, features, mode, *args, **kwargs):
        used.append(mode)
        return predict(self, features, mode, *args, **kwargs)

    monkeypatch.setattr(Model, "predict_proba", spy)
    menu = "* [Home](/)\n* [News](/news)\n* [Sport](/sport)\n\n"
    markdown = menu + "# Footbridge plan 3\n\n" + "\n\n".join(ARTICLE)
    _, html, _ = _page(3)
    explained = classify(markdown, model=model, explain=True)
    assert all(line.explanation is not None for line in explained)
    classify(markdown, model=model, markdown=False)  # read as written: text mode's passes
    classify("\n".join(ARTICLE), model=model)
    classify(html, model=model)
    assert used == ["markdown", "text", "text", "html"]
    # A model without Markdown passes (as the shipped one) reads Markdown with text mode's.
    assert main([*argv, "--windows", "0"]) == EXIT_OK
    used.clear()
    classify(markdown, model=load_model(output))
    assert used == ["text"]


def test_markdown_passes_without_markdownify_is_a_usage_error(tmp_path, monkeypatch, capsys):
    import importlib.util

    find_spec = importlib.util.find_spec

    def without_markdownify(name, *args):
        return None if name == "markdownify" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_markdownify)
    _write_corpus(tmp_path, pages=2)
    argv = ["train", "--datasets", str(tmp_path), "--output", str(tmp_path / "m.npz"), "--markdown-passes"]
    assert main(argv) == EXIT_USAGE
    assert "pip install 'boilerml[train]'" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_fit_passes_gives_both_passes_and_the_out_of_fold_probabilities():
    import numpy as np

    from boilerml.features import CONTEXT_PROBABILITY_NAMES
    from boilerml.train import Boosting, fit_passes

    rows = _site_rows(pages_per_site=4, sites=6)
    passes, probabilities = fit_passes(rows, Boosting(iterations=5), seed=3)
    assert set(passes) == {"first", "second"}
    assert [p.shape for p in probabilities] == [(30, len(LABELS))] * len(rows)
    assert np.allclose(np.concatenate(probabilities).sum(axis=1), 1.0)
    # the second pass reads the features plus the context of the first pass's verdicts
    assert passes["second"].n_features == 1 + len(CONTEXT_PROBABILITY_NAMES)
    again, _ = fit_passes(rows, Boosting(iterations=5), seed=3)
    for name in ("first", "second"):
        first_arrays, second_arrays = passes[name].to_arrays(), again[name].to_arrays()
        assert all(np.array_equal(first_arrays[key], second_arrays[key]) for key in first_arrays)


def test_window_spans_are_seeded_inside_the_page_and_odd_ones_start_just_before_content():
    from boilerml.train import MAX_LEAD_LINES, MAX_WINDOW_LINES, window_spans

    anchors = [40, 41, 42]
    spans = window_spans(100, "tiny/p1", 40, seed=7, anchors=anchors)
    assert spans == window_spans(100, "tiny/p1", 40, seed=7, anchors=anchors)
    assert spans != window_spans(100, "tiny/p2", 40, seed=7, anchors=anchors)
    for j, (start, length) in enumerate(spans):
        assert 1 <= length <= MAX_WINDOW_LINES and start >= 0 and start + length <= 100
        if j % 2:  # drawn around a content line: it is in the window, at most MAX_LEAD_LINES in
            assert any(start <= a <= start + min(MAX_LEAD_LINES, length - 1) for a in anchors)
    assert {length for _, length in spans} != {spans[0][1]}  # lengths vary
    assert all(length <= 3 for _, length in window_spans(3, "tiny/p1", 10))
    assert window_spans(0, "tiny/p1", 4) == []


def test_windows_become_rows_with_their_page_s_labels_read_after_relabelling():
    import numpy as np

    from boilerml.train import WINDOW_WEIGHT, PageRows, window_rows

    labels = np.array(["navigation", "?", "content", "content"], dtype="<U10")
    windows = ((1, np.ones((2, 3))), (3, np.zeros((1, 3))))
    page = PageRows("tiny/p1", np.zeros((4, 3)), labels, 2.0, site="tiny.example", windows=windows)
    labels[1] = "comment"  # as relabel_thread_lines does, in place
    rows = window_rows([page])
    assert [r.page_key for r in rows] == ["tiny/p1#window0", "tiny/p1#window1"]
    assert [r.labels.tolist() for r in rows] == [["comment", "content"], ["content"]]
    assert [r.weight for r in rows] == [2.0 * WINDOW_WEIGHT] * 2
    assert [r.site for r in rows] == ["tiny.example"] * 2
    assert rows[0].features.shape == (2, 3)


def test_page_rows_read_each_window_as_an_input_of_its_own(tmp_path):
    import math

    from boilerml.corpora import read_corpora
    from boilerml.features import feature_names
    from boilerml.train import page_rows

    _write_corpus(tmp_path, pages=1)
    page = next(iter(read_corpora(tmp_path, "train")))
    html_rows, text_rows = page_rows(page, windows=4)
    assert not html_rows.windows and len(text_rows.windows) == 4
    page_lines = feature_names("text").index("log_page_lines")
    assert text_rows.features[0, page_lines] == pytest.approx(math.log1p(len(text_rows.labels)))
    for start, features in text_rows.windows:
        assert start >= 0 and start + len(features) <= len(text_rows.labels)
        assert features.shape[1] == text_rows.features.shape[1]
        assert features[:, page_lines] == pytest.approx(math.log1p(len(features)))
    assert page_rows(page)[1].windows == ()


def test_windows_fit_small_input_passes_that_read_small_text_inputs(tmp_path, monkeypatch):
    from boilerml.model import SMALL, SMALL_INPUT_LINES

    _write_corpus(tmp_path, pages=6)
    cards, models = {}, {}
    for windows in ("0", "4"):
        output = tmp_path / f"model-{windows}.npz"
        argv = ["train", "--datasets", str(tmp_path), "--output", str(output), "--jobs", "1"]
        assert main([*argv, "--cv-pages", "0", "--windows", windows]) == EXIT_OK
        cards[windows] = json.loads(output.with_suffix(".card.json").read_text("utf-8"))
        models[windows] = load_model(output)
    assert "short_windows" not in cards["0"] and SMALL not in models["0"].estimators
    assert cards["4"]["short_windows"]["windows"] == 6 * 4 and SMALL in models["4"].estimators
    hashes = {windows: card["training_data_sha256"] for windows, card in cards.items()}
    assert {k: hashes["4"][k] for k in ("html", "text")} == hashes["0"]  # those passes fit no windows
    assert hashes["4"][SMALL] != hashes["4"]["text"]

    chosen = []
    predict = Model.predict_proba

    def spy(self, features, mode, *args):
        chosen.append(mode)
        return predict(self, features, mode, *args)

    monkeypatch.setattr(Model, "predict_proba", spy)
    snippet = "\n".join(f"{ARTICLE[i % 3]} Line {i}." for i in range(SMALL_INPUT_LINES))
    longer = snippet + "\nOne line more than a small input has."
    said = [
        {line.passes for line in classify(text, input_format="text", model=models[windows])}
        for text in (snippet, longer)
        for windows in ("4", "0")
    ]
    assert chosen == [SMALL, "text", "text", "text"]
    assert said == [{passes} for passes in chosen]  # each line names the passes that labelled it
