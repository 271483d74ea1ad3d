"""The project's own hand-labelled data (boilerml.handlabelled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from boilerml.handlabelled import (
    LabelledDataError,
    read_corrections,
    read_labelled_page,
    read_labelled_pages,
)

PAGE = (
    "# lang: zh\n"
    "# source: https://example.com/a\n"
    "# a note without a key\n"
    "navigation\t首页 | 新闻\n"
    "\n"
    "content\t近日，我国科学家  发现了新物种。\n"
    "content\t0.93\tSecond   content line\n"
    "   \n"
    "ad\t0.51\t广告\n"
    "comment\t回复：太神奇了\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_read_labelled_page(tmp_path):
    lines, labels, meta = read_labelled_page(write(tmp_path, "page.tsv", PAGE))
    assert labels == ["navigation", "content", "content", "ad", "comment"]
    assert [line.text for line in lines] == [
        "首页 | 新闻",
        "近日，我国科学家 发现了新物种。",  # whitespace collapsed
        "Second content line",  # probability column skipped
        "广告",
        "回复：太神奇了",
    ]
    assert [line.blank_before for line in lines] == [False, True, False, True, False]
    assert [line.index for line in lines] == [0, 1, 2, 3, 4]
    assert meta == {"lang": "zh", "source": "https://example.com/a"}


def test_label_is_stripped_and_crlf_accepted(tmp_path):
    lines, labels, _ = read_labelled_page(write(tmp_path, "p.tsv", " content \tText one\r\nad\tText two\r\n"))
    assert labels == ["content", "ad"]
    assert [line.text for line in lines] == ["Text one", "Text two"]


def test_empty_page(tmp_path):
    assert read_labelled_page(write(tmp_path, "p.tsv", "# lang: en\n\n")) == ([], [], {"lang": "en"})


@pytest.mark.parametrize(
    ("text", "row", "needle"),
    [
        ("content\tok\nboilerplate\tbad label\n", 2, "boilerplate"),
        ("# c\n\nContent\tcase matters\n", 3, "Content"),
        ("content\tok\nno tab on this row\n", 2, "label<TAB>text"),
        ("content\t   \n", 1, "empty text"),
        ("content\t0.9\t\u200b\n", 1, "empty text"),
    ],
)
def test_bad_rows_raise_naming_file_and_row(tmp_path, text, row, needle):
    path = write(tmp_path, "broken.tsv", text)
    with pytest.raises(LabelledDataError) as info:
        read_labelled_page(path)
    message = str(info.value)
    assert f"{path}:{row}:" in message
    assert needle in message


def test_labelled_data_error_is_a_value_error():
    assert issubclass(LabelledDataError, ValueError)


def test_page_with_utf8_bom(tmp_path):
    path = tmp_path / "bom.tsv"
    path.write_bytes("\ufeffcontent\tText\n".encode())
    _, labels, _ = read_labelled_page(path)
    assert labels == ["content"]


def test_read_labelled_pages_sorted_by_name(tmp_path):
    write(tmp_path, "pages/b.tsv", "content\tB text\n")
    write(tmp_path, "pages/a.tsv", "# lang: en\nnavigation\tA text\n")
    write(tmp_path, "pages/notes.txt", "not a page")
    pages = read_labelled_pages(tmp_path)
    assert [key for key, *_ in pages] == ["training_data/a.tsv", "training_data/b.tsv"]
    _key, lines, labels, meta = pages[0]
    assert ([line.text for line in lines], labels, meta) == (["A text"], ["navigation"], {"lang": "en"})


def test_read_labelled_pages_without_pages_folder(tmp_path):
    assert read_labelled_pages(tmp_path) == []


# --- corrections.tsv --------------------------------------------------------------------


def test_read_corrections(tmp_path):
    write(
        tmp_path,
        "corrections.tsv",
        "# dataset\tpage_id\tline_index\tlabel\n"
        "dragnet\tR123\t4\tcontent\n"
        "\n"
        "dragnet\tR123\t7\tcomment\n"
        "cleaneval-zh\t0042\t0\tad\textra column ignored\n"
        "dragnet\tR123\t4\tnavigation\n",  # a later row overrides an earlier one
    )
    corrections = read_corrections(tmp_path)
    assert corrections == {
        ("dragnet", "R123"): {4: "navigation", 7: "comment"},
        ("cleaneval-zh", "0042"): {0: "ad"},
    }
    assert type(corrections) is dict


def test_missing_corrections_file(tmp_path):
    assert read_corrections(tmp_path) == {}


@pytest.mark.parametrize(
    ("row", "needle"),
    [("dragnet\tR1\t3\tcontnet", "contnet"), ("dragnet\tR1\t3", "line_index")],
)
def test_bad_correction_rows_raise_naming_file_and_row(tmp_path, row, needle):
    path = write(tmp_path, "corrections.tsv", f"# header\ndragnet\tR0\t1\tad\n{row}\n")
    with pytest.raises(LabelledDataError) as info:
        read_corrections(tmp_path)
    assert f"{path}:3:" in str(info.value)
    assert needle in str(info.value)


def test_non_integer_line_index_raises_labelled_data_error(tmp_path):
    path = write(tmp_path, "corrections.tsv", "dragnet\tR1\tfour\tcontent\n")
    with pytest.raises(LabelledDataError, match=f"{path}:1:"):
        read_corrections(tmp_path)
