"""The dev-split report of boilerml.evaluate, on hand-made page results."""

from __future__ import annotations

from boilerml.corpora import Page
from boilerml.evaluate import PageResult, evaluate_page, format_report, line_report, why_errors_report
from boilerml.model import default_model


def _result(dataset, mode, truth, predicted, comment_gold):
    return PageResult(dataset, "p", "en", mode, 1.0, (1.0, 1.0), truth, predicted, None, comment_gold)


def test_comments_are_also_scored_on_the_corpora_that_annotate_them():
    results = [
        # annotates comments: one of two comment lines found
        _result(
            "dragnet", "html", ["content", "comment", "comment"], ["content", "comment", "content"], True
        ),
        # no comment gold: a reader comment there is labelled navigation, and predicted comment
        _result("cleaneval", "html", ["content", "navigation"], ["content", "comment"], False),
    ]
    everywhere = line_report(results, "html")["scores"]["comment"]
    assert (everywhere["precision"], everywhere["recall"]) == (0.5, 0.5)
    report = format_report(results)
    assert (
        "Comment lines on the 1 pages whose corpus annotates comments: precision 1.000, recall 0.500"
        in report
    )


def test_line_report_keeps_the_modes_apart():
    results = [
        _result("dragnet", "html", ["content"], ["content"], True),
        _result("dragnet", "text", ["content"], ["navigation"], True),
    ]
    assert line_report(results, "html")["scores"]["content"]["f1"] == 1.0
    assert line_report(results, "text")["scores"]["content"]["f1"] == 0.0


def test_the_report_says_what_weighed_most_for_the_wrong_labels():
    results = [
        _result("dragnet", "html", ["content", "content", "navigation"], ["navigation"] * 3, True),
        _result("dragnet", "text", ["content"], ["navigation"], True),
    ]
    results[0].error_reasons = [
        ("content", "navigation", "share of the text in links"),
        ("content", "navigation", "share of the text in links"),
    ]
    assert why_errors_report(results, "text") == []  # none recorded
    report = format_report(results)
    assert "- content labelled navigation (2 lines): share of the text in links 100%" in report


def test_error_reasons_are_recorded_for_each_wrong_label(news_html):
    gold = "Work began on Monday to rebuild the stretch of sea wall that collapsed during the January storms"
    page = Page("examples", "news", "en", "dev", news_html, "utf-8", gold, None, {})
    for result in evaluate_page(page, default_model(), explain_errors=True):
        wrong = [(t, p) for t, p in zip(result.truth, result.predicted, strict=True) if t != p]
        assert wrong  # the other paragraphs are content to the model, navigation to this gold
        assert [(t, p) for t, p, _ in result.error_reasons] == wrong
        assert all(says for _, _, says in result.error_reasons)
    assert all(not r.error_reasons for r in evaluate_page(page, default_model()))
