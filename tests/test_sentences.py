"""Lines too long for the model, read in pieces cut at sentence ends (boilerml.sentences)."""

from __future__ import annotations

import json

import boilerml
from boilerml.lines import LabelledLine, Line
from boilerml.reassemble import to_json, to_markdown, to_text
from boilerml.segment import text_to_lines
from boilerml.sentences import (
    MAX_LINE_WIDTH,
    MIN_PIECE_WIDTH,
    _sentence_ends,
    line_pieces,
    lines_to_cut,
    set_together_again,
)

#: 48 characters of prose, a sentence.
SENTENCE = "The ferry will run again from Monday, they said."
#: A line of prose twice as wide as a line may be before it is cut.
PROSE = " ".join([SENTENCE] * (2 * MAX_LINE_WIDTH // len(SENTENCE)))
#: As wide, but a run of headlines: no sentence ends.
HEADLINES = " ".join(["Ferry returns to the mill towns"] * (2 * MAX_LINE_WIDTH // 32))
#: 15 characters (30 cells: all wide, the commas and full stop too) of Chinese prose, a sentence.
ZH_SENTENCE = "渡轮将于周一恢复运行，官员说。"


def ends_at(line: str) -> list[str]:
    """The text up to each sentence end."""
    return [line[:end] for end, _ in _sentence_ends(line)]


def test_a_sentence_ends_at_a_mark_before_a_capital_but_not_at_an_initial_or_before_a_small_letter():
    line = 'He met J. Smith. Then U.S. troops came, etc. and left! "Why?" she asked. (See it.) 他来了。她走了'
    assert ends_at(line) == [
        "He met J. Smith.",
        "He met J. Smith. Then U.S. troops came, etc. and left!",
        'He met J. Smith. Then U.S. troops came, etc. and left! "Why?" she asked.',
        'He met J. Smith. Then U.S. troops came, etc. and left! "Why?" she asked. (See it.) 他来了。',
    ]


def test_pieces_are_as_wide_as_a_long_paragraph_and_hold_the_whole_line():
    pieces = line_pieces(PROSE)
    assert len(pieces) > 1
    assert " ".join(pieces) == PROSE
    assert all(piece.endswith(".") and len(piece) >= MIN_PIECE_WIDTH for piece in pieces)
    assert all(len(piece) < MIN_PIECE_WIDTH + len(SENTENCE) for piece in pieces[:-1])


def test_a_narrow_rest_stays_with_the_last_piece():
    line = " ".join([SENTENCE] * 12)  # 587 characters: a cut after 11 would leave the last 48 alone
    assert line_pieces(line) == [line]
    line = " ".join([SENTENCE] * 22)  # cut after 11 sentences, 538 characters left
    assert [len(piece) for piece in line_pieces(line)] == [538, 538]


def test_chinese_pieces_are_counted_in_cells_and_cut_without_spaces():
    line = ZH_SENTENCE * 60  # 900 characters, 1,800 cells
    pieces = line_pieces(line)
    assert "".join(pieces) == line
    # 17 sentences make 510 cells; the last 135 characters (270 cells) join the third piece
    assert [len(piece) for piece in pieces] == [255, 255, 390]
    assert all(piece.endswith("。") for piece in pieces)


def test_a_line_without_sentence_ends_stays_whole():
    assert line_pieces(HEADLINES) == [HEADLINES]


def test_only_long_prose_that_makes_up_most_of_the_text_is_cut():
    assert lines_to_cut(["Home", "News", PROSE, "Contact"]) == {2}
    assert lines_to_cut([PROSE[: MAX_LINE_WIDTH - 10]]) == set()  # not wider than the limit
    assert lines_to_cut(["Home", HEADLINES]) == set()  # not prose
    names = " ".join(["Adam J. Smith Eve K. Jones"] * 120)  # initials end no sentence
    assert lines_to_cut([names]) == set()
    assert lines_to_cut([PROSE, HEADLINES, HEADLINES]) == set()  # a third of the text
    assert lines_to_cut([ZH_SENTENCE * 60]) == {0}  # 900 characters, 1,800 cells
    assert lines_to_cut([SENTENCE[:16] * 60]) == set()  # 960 characters of Latin


def test_text_to_lines_reads_long_prose_in_pieces_only_when_unwrapping():
    text = f"Home\nNews\n\n{PROSE}\nContact"
    lines = text_to_lines(text)
    assert [line.text for line in lines[:2]] == ["Home", "News"]
    assert " ".join(line.text for line in lines[2:-1]) == PROSE
    assert [line.blank_before for line in lines[2:4]] == [True, False]
    assert [line.continues for line in lines] == [False, False, False] + [True] * (len(lines) - 4) + [False]
    assert [line.index for line in lines] == list(range(len(lines)))
    as_written = text_to_lines(text, unwrap_wrapped=False)
    assert [line.text for line in as_written] == ["Home", "News", PROSE, "Contact"]


#: An article of ten sentences (1,413 characters) of this test's own.
ARTICLE = (
    "The river ferry between the two old mill towns will run again from Monday, the county council said "
    "on Thursday. Its last crossing was eleven months ago, when a winter flood tore the landing stage from "
    "its piles and left the boat stranded on a gravel bank. Engineers spent the summer driving new piles "
    "into the clay and rebuilding the ramp, which now sits half a metre higher than before. The council's "
    "transport officer told residents at a packed meeting in the library that the higher ramp should keep "
    "the service running through all but the worst floods. Commuters who have spent most of the year on a "
    "forty-minute detour by road welcomed the news, though several asked why the repairs had taken so long. "
    "The officer said that the contractor had waited for the water to fall before work could begin, and "
    "that a shortage of steel had delayed the piles by six weeks. Fares will stay at their old level until "
    "the spring, when the council will review them together with the bus fares of the district. The "
    "ferry's skipper, who has worked the crossing for nineteen years, said he had missed the regulars more "
    "than the river itself. He plans to mark the first morning with free coffee for the passengers of the "
    "seven o'clock boat. A small exhibition of photographs of the flood and the repairs will open in the "
    "library next week, and the council hopes to publish a short history of the crossing by the end of the "
    "year."
)


def test_the_shipped_model_keeps_an_article_run_into_one_line_between_a_menu_and_a_footer():
    """As trafilatura writes a table cell, or a scraper a whole article: read whole, the line was
    dropped (lines this wide were few in training, and mostly navigation)."""
    menu = ["Home", "News", "Local", "Weather", "Sport", "Business", "Entertainment", "Programs"]
    footer = ["Video Related Stories User Tools", "Print this story", "Email this story"]
    article = f"{ARTICLE} {ARTICLE}"  # 2,827 characters
    assert boilerml.clean("\n".join([*menu, article, *footer]), input_format="text") == article


def test_pieces_are_set_together_again_as_the_line_was():
    assert set_together_again(line_pieces(PROSE)) == PROSE
    chinese = ZH_SENTENCE * 60
    assert set_together_again(line_pieces(chinese)) == chinese
    assert set_together_again(["一句。", "The next."]) == "一句。 The next."  # a space comes


def _labelled(texts: list[str], labels: list[str], continues: list[bool]) -> list[LabelledLine]:
    return [
        LabelledLine(text, label, {label: 1.0}, Line(text, i, continues=cont))
        for i, (text, label, cont) in enumerate(zip(texts, labels, continues, strict=True))
    ]


def test_the_output_sets_kept_pieces_of_one_line_together_and_no_others():
    texts = ["Home", "First piece.", "Second piece.", "Third piece.", "Next paragraph.", "Its piece."]
    continues = [False, False, True, True, False, True]
    everything = _labelled(texts, ["content"] * 6, continues)
    assert to_text(everything).splitlines() == [
        "Home",
        "First piece. Second piece. Third piece.",
        "Next paragraph. Its piece.",
    ]
    middle_dropped = _labelled(
        texts, ["navigation", "content", "navigation", "content", "content", "content"], continues
    )
    assert to_text(middle_dropped).splitlines() == [
        "First piece.",
        "Third piece.",
        "Next paragraph. Its piece.",
    ]
    assert to_markdown(everything).split("\n\n")[1] == "First piece. Second piece. Third piece."
    records = json.loads(to_json(everything))["lines"]
    assert [record.get("continues", False) for record in records] == continues
