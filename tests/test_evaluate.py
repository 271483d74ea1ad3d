"""The dev-split report of boilerml.evaluate, on hand-made page results."""

from __future__ import annotations

from boilerml.evaluate import PageResult, format_report, line_report


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
