"""Checking questions: one test per problem, each with its exact place in the file.

Each wrong question is the second question of a file (row 3 of the sheet, line 3 of the CSV),
after a valid one, so that the location shows the right row was blamed.
"""

import csv
import io
import unicodedata

import pytest
from openpyxl import Workbook

from contest.domain.question_files import read_question_file
from contest.domain.question_files.legacy_vietnamese import TCVN3, VNI
from contest.domain.question_files.records import (
    CheckedQuestion,
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
)
from contest.domain.question_files.tabular import HEADERS, QUESTION_SHEET
from contest.domain.question_files.validation import (
    MAX_CHOICE_LENGTH,
    MAX_CHOICES,
    MAX_CITATION_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TOPIC_LENGTH,
    MIN_CHOICES,
    check_questions,
    difficulty_value,
    fingerprint,
    normalise_question_text,
)

XLSX = "cau-hoi.xlsx"
CSV = "cau-hoi.csv"
HEADER = list(HEADERS.values())

TOPIC = "Hiến pháp"
TEXT = "Cơ quan nào có quyền lập hiến, lập pháp?"
CHOICES = ("Chính phủ", "Quốc hội", "Chủ tịch nước", "Toà án nhân dân tối cao")

TCVN3_QUESTION = "Céng hoµ x· héi chñ nghÜa ViÖt Nam lµ g×?"  # "Cộng hoà xã hội ... là gì?"
VNI_QUESTION = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam laø gì?"


# Building files


def row(
    topic: object = TOPIC,
    text: object = TEXT,
    choices: tuple = CHOICES,
    answer: object = "B",
    difficulty: object = "Trung bình",
    citation: object = "Hiến pháp 2013, Điều 69",
) -> list:
    """One question in the template's column order (options padded to F)."""
    return [topic, text, *choices, *[None] * (6 - len(choices)), answer, difficulty, citation]


def xlsx_file(*rows: list) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = QUESTION_SHEET
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(*rows: list) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode()


FORMATS = {
    "xlsx": (XLSX, xlsx_file, lambda n: Location(XLSX, sheet=QUESTION_SHEET, row=n)),
    "csv": (CSV, csv_file, lambda n: Location(CSV, line=n)),
}


@pytest.fixture(params=list(FORMATS), ids=list(FORMATS))
def fmt(request):
    """A spreadsheet format: (file name, how to build the file, the location of row/line n)."""
    return FORMATS[request.param]


def check(data: bytes, name: str, known=frozenset(), default_topic: str | None = None) -> list:
    items = read_question_file(io.BytesIO(data), name)
    return list(check_questions(items, known, default_topic))


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def raw(text: str = TEXT, choices=CHOICES, correct: int = 1, **fields) -> RawQuestion:
    return RawQuestion(
        location=Location("cau-hoi.gift", line=7),
        text=text,
        choices=tuple(RawChoice(choice, n == correct) for n, choice in enumerate(choices)),
        topic=fields.pop("topic", TOPIC),
        **fields,
    )


# One problem per question


P = ProblemCode
PROBLEMS = [
    ("no-correct-answer", {"answer": ""}, [(P.NO_CORRECT_ANSWER, {})]),
    ("several-correct-answers", {"answer": "A, C"}, [(P.SEVERAL_CORRECT_ANSWERS, {"count": 2})]),
    ("several-answers-run-together", {"answer": "BD"}, [(P.SEVERAL_CORRECT_ANSWERS, {"count": 2})]),
    (
        "one-choice",
        {"choices": ("Quốc hội",), "answer": "A"},
        [(P.TOO_FEW_CHOICES, {"count": 1, "minimum": 2})],
    ),
    (
        "no-choice",
        {"choices": (), "answer": ""},
        [(P.TOO_FEW_CHOICES, {"count": 0, "minimum": 2})],
    ),
    (
        "empty-choice-in-the-middle",
        {"choices": ("Chính phủ", "", "Quốc hội"), "answer": "C"},
        [(P.EMPTY_CHOICE, {"choice": "B"})],
    ),
    (
        "blank-choice-in-the-middle",
        {"choices": ("Chính phủ", "Quốc hội", "   ", "Chủ tịch nước"), "answer": "A"},
        [(P.EMPTY_CHOICE, {"choice": "C"})],
    ),
    (
        "duplicate-choice",
        {"choices": ("Chính phủ", "Quốc hội", "  quốc   HỘI "), "answer": "B"},
        [(P.DUPLICATE_CHOICE, {"choice": "C", "first": "B"})],
    ),
    ("answer-past-the-options", {"answer": "E"}, [(P.ANSWER_NOT_A_CHOICE, {"answer": "E"})]),
    ("answer-beyond-f", {"answer": "G"}, [(P.ANSWER_NOT_A_CHOICE, {"answer": "G"})]),
    ("answer-number-too-big", {"answer": "7"}, [(P.ANSWER_NOT_A_CHOICE, {"answer": "7"})]),
    ("answer-zero", {"answer": "0"}, [(P.ANSWER_NOT_A_CHOICE, {"answer": "0"})]),
    ("answer-words", {"answer": "Đáp án B"}, [(P.ANSWER_NOT_A_CHOICE, {"answer": "Đáp án B"})]),
    ("no-text", {"text": ""}, [(P.NO_TEXT, {})]),
    ("text-too-long", {"text": "a" * 2001}, [(P.TEXT_TOO_LONG, {"limit": 2000})]),
    ("legacy-tcvn3-text", {"text": TCVN3_QUESTION}, [(P.LEGACY_TEXT, {"encoding": TCVN3})]),
    ("legacy-vni-text", {"text": VNI_QUESTION}, [(P.LEGACY_TEXT, {"encoding": VNI})]),
    ("topic-too-long", {"topic": "t" * 121}, [(P.TOPIC_TOO_LONG, {"limit": 120})]),
    (
        "choice-too-long",
        {"choices": ("Chính phủ", "q" * 501), "answer": "A"},
        [(P.CHOICE_TOO_LONG, {"choice": "B", "limit": 500})],
    ),
    (
        "unknown-difficulty",
        {"difficulty": "Rất khó"},
        [(P.UNKNOWN_DIFFICULTY, {"value": "Rất khó"})],
    ),
    ("citation-too-long", {"citation": "c" * 501}, [(P.CITATION_TOO_LONG, {"limit": 500})]),
    ("no-topic", {"topic": ""}, [(P.NO_TOPIC, {})]),
    (
        "everything-at-once",
        {
            "text": "",
            "topic": None,
            "choices": ("Chính phủ", "", "chính  PHỦ"),
            "answer": "A, C",
            "difficulty": "???",
        },
        [
            (P.NO_TEXT, {}),
            (P.NO_TOPIC, {}),
            (P.EMPTY_CHOICE, {"choice": "B"}),
            (P.DUPLICATE_CHOICE, {"choice": "C", "first": "A"}),
            (P.SEVERAL_CORRECT_ANSWERS, {"count": 2}),
            (P.UNKNOWN_DIFFICULTY, {"value": "???"}),
        ],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [(changes, expected) for _, changes, expected in PROBLEMS],
    ids=[case_id for case_id, _, _ in PROBLEMS],
)
def test_a_wrong_question_is_reported_at_its_row(fmt, changes, expected):
    name, build, location = fmt
    valid = row(text="Ai là người đứng đầu Chính phủ?", answer="A")
    first, *problems = check(build(valid, row(**changes)), name)
    assert isinstance(first, CheckedQuestion)
    assert first.location == location(2)
    assert problems == [Problem(location(3), code, params) for code, params in expected]


def test_an_answer_naming_an_empty_trailing_option_is_not_a_choice(fmt):
    # Options C to F are blank, so the question has two options and "C" names none.
    name, build, location = fmt
    data = build(row(choices=("Chính phủ", "Quốc hội"), answer="C"))
    assert check(data, name) == [
        Problem(location(2), ProblemCode.ANSWER_NOT_A_CHOICE, {"answer": "C"})
    ]


def test_the_limits_themselves_are_allowed(fmt):
    name, build, _ = fmt
    data = build(
        row(
            topic="t" * MAX_TOPIC_LENGTH,
            text="a" * MAX_TEXT_LENGTH,
            choices=("b" * MAX_CHOICE_LENGTH, "Quốc hội"),
            answer="A",
            citation="c" * MAX_CITATION_LENGTH,
        )
    )
    [question] = check(data, name)
    assert isinstance(question, CheckedQuestion)
    assert (len(question.topic), len(question.text), len(question.choices[0])) == (120, 2000, 500)


def test_limits_are_the_documented_ones():
    limits = (MIN_CHOICES, MAX_CHOICES, MAX_TEXT_LENGTH, MAX_CHOICE_LENGTH)
    assert limits == (2, 6, 2000, 500)
    assert (MAX_TOPIC_LENGTH, MAX_CITATION_LENGTH) == (120, 500)


# More than six choices: the sheet has only columns A to F, so other formats show it.


def test_seven_choices_are_too_many():
    question = raw(choices=[f"Phương án {n}" for n in range(1, 8)])
    assert list(check_questions([question])) == [
        Problem(question.location, ProblemCode.TOO_MANY_CHOICES, {"count": 7, "maximum": 6})
    ]


def test_seven_choices_in_a_gift_file_are_too_many_at_the_question_line():
    gift = (
        "$CATEGORY: $course$/top/Hiến pháp\n"
        "\n"
        "::C1:: Hiến pháp hiện hành được thông qua năm nào? {\n"
        "=2013 ~1992 ~1980 ~1959 ~1946 ~2001 ~2015\n"
        "}\n"
    )
    assert check(gift.encode(), "cau-hoi.gift") == [
        Problem(
            Location("cau-hoi.gift", line=3),
            ProblemCode.TOO_MANY_CHOICES,
            {"count": 7, "maximum": 6},
        )
    ]


# Duplicates


def test_a_question_repeated_in_the_file_names_the_first_copy(fmt):
    name, build, location = fmt
    # The same text in NFD, another case and other spacing: still the same question.
    copy = nfd("  CƠ QUAN nào có   quyền lập hiến,  LẬP PHÁP? ")
    assert nfd(TEXT) != TEXT  # the copy really is in another normal form
    items = check(build(row(), row(text="Câu khác?"), row(text=copy), row(text=TEXT)), name)
    assert [type(item) for item in items[:2]] == [CheckedQuestion, CheckedQuestion]
    assert items[2:] == [
        Problem(location(4), ProblemCode.DUPLICATE_IN_FILE, {"first": location(2)}),
        Problem(location(5), ProblemCode.DUPLICATE_IN_FILE, {"first": location(2)}),
    ]


def test_a_question_already_in_the_bank_is_reported(fmt):
    name, build, location = fmt
    known = {fingerprint("Cơ quan nào có quyền lập hiến, lập pháp?")}
    items = check(build(row(text="Ai ban hành luật?"), row(text=nfd(TEXT.upper()))), name, known)
    assert isinstance(items[0], CheckedQuestion)
    assert items[1:] == [Problem(location(3), ProblemCode.DUPLICATE_IN_BANK)]


def test_a_bank_question_repeated_in_the_file_is_a_duplicate_in_the_file_the_second_time(fmt):
    name, build, location = fmt
    items = check(build(row(), row()), name, {fingerprint(TEXT)})
    assert items == [
        Problem(location(2), ProblemCode.DUPLICATE_IN_BANK),
        Problem(location(3), ProblemCode.DUPLICATE_IN_FILE, {"first": location(2)}),
    ]


def test_a_duplicate_is_reported_along_with_the_other_problems_of_the_copy(fmt):
    name, build, location = fmt
    items = check(build(row(), row(answer="")), name)
    assert items[1:] == [
        Problem(location(3), ProblemCode.NO_CORRECT_ANSWER),
        Problem(location(3), ProblemCode.DUPLICATE_IN_FILE, {"first": location(2)}),
    ]


# Topics


def test_no_topic_and_no_default_topic(fmt):
    name, build, location = fmt
    assert check(build(row(topic=None)), name) == [Problem(location(2), ProblemCode.NO_TOPIC)]


def test_the_default_topic_fills_a_missing_topic_only(fmt):
    name, build, _ = fmt
    data = build(row(topic=None), row(topic="Luật Viên chức", text="Câu khác?"))
    items = check(data, name, default_topic="  Chủ đề   chung ")
    assert [item.topic for item in items] == ["Chủ đề chung", "Luật Viên chức"]


def test_a_blank_default_topic_is_no_topic(fmt):
    name, build, location = fmt
    assert check(build(row(topic=None)), name, default_topic="   ") == [
        Problem(location(2), ProblemCode.NO_TOPIC)
    ]


# What is stored


def test_everything_is_stored_nfc(fmt):
    name, build, _ = fmt
    data = build(
        row(
            topic=nfd("Luật Đất đai"),
            text=nfd("Đất đai thuộc sở hữu của ai?"),
            choices=(nfd("Toàn dân"), nfd("Nhà nước")),
            answer="A",
            difficulty=nfd("Dễ"),
            citation=nfd("Luật Đất đai 2013, Điều 4"),
        )
    )
    [question] = check(data, name)
    assert question == CheckedQuestion(
        location=question.location,
        topic="Luật Đất đai",
        text="Đất đai thuộc sở hữu của ai?",
        choices=("Toàn dân", "Nhà nước"),
        correct_index=0,
        difficulty="easy",
        citation="Luật Đất đai 2013, Điều 4",
    )
    for stored in (question.topic, question.text, *question.choices, question.citation):
        assert unicodedata.is_normalized("NFC", stored)


def test_spaces_are_tidied_and_line_breaks_kept_in_the_text_only(fmt):
    name, build, _ = fmt
    data = build(
        row(
            topic="  Hiến   pháp ",
            text="  Theo Hiến pháp 2013:  \n\n   cơ quan   nào lập hiến?\t",
            choices=("  Chính\tphủ ", "Quốc\nhội"),
        )
    )
    [question] = check(data, name)
    assert question.topic == "Hiến pháp"
    assert question.text == "Theo Hiến pháp 2013:\ncơ quan nào lập hiến?"
    assert question.choices == ("Chính phủ", "Quốc hội")


# Control characters cannot be written into XLSX (openpyxl refuses them): CSV carries them.
@pytest.mark.parametrize(
    "written",
    ["Cơ quan\x07 nào lập hiến?", "Cơ quan nào\x1b lập hiến?\x7f", "Cơ\x9f quan nào lập hiến?"],
    ids=["bell", "escape-and-delete", "c1-control"],
)
def test_control_characters_are_removed(written):
    data = csv_file(row(text=written, choices=("Chính\x01 phủ", "\x02Quốc hội"), answer="A"))
    [question] = check(data, CSV)
    assert question.text == "Cơ quan nào lập hiến?"
    assert question.choices == ("Chính phủ", "Quốc hội")


def test_a_control_character_between_spaces_leaves_a_single_space():
    data = csv_file(row(text="Cơ quan \x07 nào lập hiến?", choices=("Chính phủ", "Quốc \x02 hội")))
    [question] = check(data, CSV)
    assert question.text == "Cơ quan nào lập hiến?"
    assert question.choices == ("Chính phủ", "Quốc hội")


def test_a_control_character_between_spaces_does_not_hide_a_duplicate():
    data = csv_file(row(text="Cơ quan nào lập hiến?"), row(text="Cơ quan \x07 nào lập hiến?"))
    assert check(data, CSV)[1:] == [
        Problem(
            Location(CSV, line=3), ProblemCode.DUPLICATE_IN_FILE, {"first": Location(CSV, line=2)}
        )
    ]


def test_markup_is_kept_as_plain_text_for_the_web_layer_to_escape(fmt):
    name, build, _ = fmt
    text = "<script>alert(1)</script> Ai ban hành <b>Hiến pháp</b>?"
    data = build(row(text=text, choices=('<img src=x onerror="alert(2)">', "Quốc hội & Chính phủ")))
    [question] = check(data, name)
    assert question.text == text
    assert question.choices == ('<img src=x onerror="alert(2)">', "Quốc hội & Chính phủ")


# Problems found by the readers pass through


def test_problems_from_the_reader_pass_through_unchanged():
    problem = Problem(Location("x.csv", line=4), ProblemCode.MALFORMED_QUESTION, {"detail": "?"})
    question = raw()
    items = list(check_questions([problem, question]))
    assert items[0] is problem
    assert isinstance(items[1], CheckedQuestion)


def test_a_checked_question_keeps_the_location_and_finds_the_correct_index():
    question = raw(correct=3, difficulty="Khó", citation="  Hiến pháp 2013 ")
    assert list(check_questions([question])) == [
        CheckedQuestion(
            location=question.location,
            topic=TOPIC,
            text=TEXT,
            choices=CHOICES,
            correct_index=3,
            difficulty="hard",
            citation="Hiến pháp 2013",
        )
    ]


# The helpers


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (TEXT, TEXT.upper()),
        (TEXT, nfd(TEXT)),
        (TEXT, "  Cơ quan nào  có quyền\nlập hiến,\tlập pháp? "),
    ],
    ids=["case", "nfd", "spaces-and-line-breaks"],
)
def test_texts_that_fold_alike_have_the_same_fingerprint(first, second):
    assert fingerprint(first) == fingerprint(second)


def test_different_texts_have_different_fingerprints():
    assert fingerprint("Cơ quan nào lập hiến?") != fingerprint("Cơ quan nào lập pháp?")
    assert fingerprint("Hà Nội") != fingerprint("Ha Noi")  # diacritics matter


def test_normalise_question_text_keeps_only_line_breaks_as_format():
    text = nfd("  Câu   hỏi:\r\n\r\n\t dòng  hai \n   \n")
    assert normalise_question_text(text) == "Câu hỏi:\ndòng hai"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("Dễ", "easy"),
        (nfd("Trung bình"), "medium"),
        ("KHÓ", "hard"),
        ("de", "easy"),
        ("kho", "hard"),
        ("Rất khó", ""),
    ],
    ids=["none", "empty", "spaces", "de", "nfd", "capitals", "no-diacritics", "kho", "unknown"],
)
def test_difficulty_value(written, stored):
    assert difficulty_value(written) == stored
