"""Reading Aiken files: options, ANSWER lines, their mistakes and where they are."""

import pytest

from contest.domain.question_files.aiken import read_aiken
from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
)

FILE = "cau-hoi.txt"


def read(text: str) -> list:
    return list(read_aiken(text.split("\n"), FILE))


def at(line: int) -> Location:
    return Location(FILE, line=line)


def malformed(line: int, detail: str) -> Problem:
    return Problem(at(line), ProblemCode.MALFORMED_QUESTION, {"detail": detail})


AIKEN = """Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam là thành phố nào?
A. Hà Nội
B. Thành phố Hồ Chí Minh
C. Huế
D. Đà Nẵng
ANSWER: A

Luật Cán bộ, công chức được Quốc hội thông qua năm nào?
A) 2006
B) 2008
C) 2010
ANSWER: B
Cơ quan nào có quyền lập hiến, lập pháp?
A. Chính phủ
B) Quốc hội
ANSWER: B"""


def test_reads_questions_in_both_option_styles_with_or_without_blank_lines():
    assert read(AIKEN) == [
        RawQuestion(
            location=at(1),
            text="Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam là thành phố nào?",
            choices=(
                RawChoice("Hà Nội", True),
                RawChoice("Thành phố Hồ Chí Minh", False),
                RawChoice("Huế", False),
                RawChoice("Đà Nẵng", False),
            ),
        ),
        RawQuestion(
            location=at(8),
            text="Luật Cán bộ, công chức được Quốc hội thông qua năm nào?",
            choices=(RawChoice("2006", False), RawChoice("2008", True), RawChoice("2010", False)),
        ),
        RawQuestion(
            location=at(13),
            text="Cơ quan nào có quyền lập hiến, lập pháp?",
            choices=(RawChoice("Chính phủ", False), RawChoice("Quốc hội", True)),
        ),
    ]


def test_questions_have_no_topic_difficulty_or_citation():
    question = read(AIKEN)[0]
    assert (question.topic, question.difficulty, question.citation) == (None, None, None)


def test_spaces_around_lines_and_after_the_answer_letter_are_tolerated():
    text = "  Câu hỏi có thụt lề?  \n\tA.  Một  \n  B.\tHai\nANSWER:B   \n"
    [question] = read(text)
    assert question.text == "Câu hỏi có thụt lề?"
    assert question.choices == (RawChoice("Một", False), RawChoice("Hai", True))


def test_a_byte_order_mark_on_the_first_line_is_not_part_of_the_text():
    [question] = read("\ufeffCâu đầu?\nA. Có\nB. Không\nANSWER: A")
    assert question.text == "Câu đầu?"


def test_an_answer_letter_with_no_option_is_reported_at_the_question_line():
    text = (
        "Câu một?\nA. Có\nB. Không\nC. Chưa rõ\nD. Tùy\nANSWER: E\n\n"
        "Câu hai?\nA. X\nB. Y\nANSWER: A"
    )
    problem, question = read(text)
    assert problem == Problem(at(1), ProblemCode.ANSWER_NOT_A_CHOICE, {"answer": "E"})
    assert question.location == at(8)


def test_the_answer_letter_counts_options_from_a_like_moodle():
    [problem] = read("Câu?\nA. Có\nB. Không\nANSWER: b")
    assert problem == Problem(at(1), ProblemCode.ANSWER_NOT_A_CHOICE, {"answer": "b"})


def test_an_answer_line_without_a_letter_is_malformed():
    [problem] = read("Câu?\nA. Có\nB. Không\nANSWER:   ")
    assert problem == malformed(1, "the ANSWER line names no option")


def test_a_missing_answer_line_at_the_end_of_the_file_is_a_truncated_question():
    text = "Câu một?\nA. Có\nB. Không\nANSWER: A\n\nCâu hai?\nA. Có\nB. Không\n"
    question, problem = read(text)
    assert question.text == "Câu một?"
    assert problem == Problem(at(6), ProblemCode.TRUNCATED_QUESTION)


def test_a_question_text_alone_at_the_end_of_the_file_is_truncated():
    assert read("Câu cuối cùng?") == [Problem(at(1), ProblemCode.TRUNCATED_QUESTION)]


def test_a_missing_answer_line_before_the_next_question_is_malformed():
    text = "Câu một?\nA. Có\nB. Không\n\nCâu hai?\nA. Có\nB. Không\nANSWER: B"
    problem, question = read(text)
    assert problem == malformed(1, "no ANSWER line")
    assert question.text == "Câu hai?"
    assert question.location == at(5)
    assert question.choices == (RawChoice("Có", False), RawChoice("Không", True))


def test_a_question_with_no_options_is_malformed():
    assert read("Câu không có phương án?\nANSWER: A") == [malformed(1, "no options")]


def test_a_question_with_no_options_cut_short_by_the_next_one_is_malformed():
    problem, question = read("Câu lẻ?\n\nCâu hai?\nA. Có\nB. Không\nANSWER: A")
    assert problem == malformed(1, "no options")
    assert question.location == at(3)


def test_a_single_option_is_read_for_validation_to_judge():
    [question] = read("Câu?\nA. Duy nhất\nANSWER: A")
    assert question.choices == (RawChoice("Duy nhất", True),)


def test_a_question_text_wrapped_over_two_lines_is_one_malformed_question():
    text = (
        "Theo Luật Tổ chức chính quyền địa phương,\n"
        "Hội đồng nhân dân xã họp mấy lần một năm?\n"
        "A. Một\nB. Hai\nANSWER: B\n\n"
        "Câu sau?\nA. Có\nB. Không\nANSWER: A"
    )
    problem, question = read(text)
    assert problem == malformed(1, "question text spans several lines; Aiken needs it on one line")
    assert question.location == at(7)


@pytest.mark.parametrize("line", ["Answer: B", "answer: B", "ANSWER : B", "Đáp án: B", "ĐÁP ÁN: B"])
def test_answer_is_matched_in_capitals_only_as_moodle_does(line):
    problem, question = read(f"Câu?\nA. Có\nB. Không\n{line}\nCâu sau?\nA. X\nB. Y\nANSWER: A")
    assert problem == malformed(1, "the answer line must be written 'ANSWER: X', in capitals")
    assert question.location == at(5)


def test_an_option_needs_a_space_after_its_letter():
    text = "C.Mác sinh năm nào?\nA. 1818\nB. 1820\nANSWER: A"
    [question] = read(text)
    assert question.text == "C.Mác sinh năm nào?"
    assert len(question.choices) == 2


def test_an_empty_option_is_read_for_validation_to_judge():
    [question] = read("Câu?\nA. Có\nB.\nANSWER: A")
    assert question.choices == (RawChoice("Có", True), RawChoice("", False))


def test_lines_shorter_than_two_characters_are_skipped_as_moodle_does():
    [question] = read("Câu?\nA. Có\n-\nB. Không\nANSWER: B")
    assert question.choices == (RawChoice("Có", False), RawChoice("Không", True))


def test_lines_outside_any_question_are_reported_once_for_each_run():
    text = (
        "A. Mồ côi\nB. Mồ côi\n\n"
        "Câu?\nA. Có\nB. Không\nANSWER: A\nC. Thừa\nANSWER: C\n\n"
        "Câu hai?\nA. Có\nB. Không\nANSWER: B"
    )
    stray, first, extra, second = read(text)
    assert stray == malformed(1, "option line outside a question")
    assert first.location == at(4)
    assert extra == malformed(8, "option line outside a question")
    assert second.location == at(11)


def test_questions_come_out_before_the_rest_of_the_file_is_read():
    consumed = []

    def lines():
        for number in range(1000):
            for line in (f"Câu {number}?", "A. Có", "B. Không", "ANSWER: A", ""):
                consumed.append(line)
                yield line

    items = read_aiken(lines(), FILE)
    first = next(items)
    assert first.text == "Câu 0?"
    assert len(consumed) == 4
    assert len(list(items)) == 999
