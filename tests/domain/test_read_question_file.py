"""read_question_file: the reader picked by the file name, and the checks every text file gets."""

import io
from pathlib import Path

import pytest

from contest.domain.question_files import file_format, read_question_file
from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
)

TEXT = "Thủ đô của Việt Nam là thành phố nào?"
CHOICES = (RawChoice("Hà Nội", True), RawChoice("Huế", False), RawChoice("Đà Nẵng", False))

AIKEN = f"""{TEXT}
A. Hà Nội
B. Huế
C. Đà Nẵng
ANSWER: A
"""

GIFT = f"""// Câu hỏi địa lý
$CATEGORY: $course$/top/Địa lý

// difficulty: Dễ
::C1:: {TEXT} {{
  =Hà Nội
  ~Huế
  ~Đà Nẵng
}}
"""

MOODLE_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Địa lý</text></category>
  </question>
  <question type="multichoice">
    <questiontext format="html"><text><![CDATA[<p>{TEXT}</p>]]></text></questiontext>
    <answer fraction="100"><text>Hà Nội</text></answer>
    <answer fraction="0"><text>Huế</text></answer>
    <answer fraction="0"><text>Đà Nẵng</text></answer>
  </question>
</quiz>
"""

BANK_TOML = f"""topic = "Địa lý"

[[questions]]
text = "{TEXT}"
choices = ["Hà Nội", "Huế", "Đà Nẵng"]
answer = 1
difficulty = "easy"
citation = "Hiến pháp 2013, Điều 13"
"""


def read(data: bytes | str, name: str) -> list:
    if isinstance(data, str):
        data = data.encode()
    return list(read_question_file(io.BytesIO(data), name))


def question(location: Location, **fields) -> RawQuestion:
    return RawQuestion(location, TEXT, CHOICES, **fields)


# Which reader


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("cau-hoi.xlsx", "xlsx"),
        ("CAU-HOI.XLSX", "xlsx"),
        ("cau-hoi.csv", "csv"),
        ("cau-hoi.gift", "gift"),
        ("cau-hoi.txt", "gift or aiken"),
        ("cau-hoi.xml", "moodle xml"),
        ("chu-de.toml", "bank toml"),
        ("cau-hoi.xls", None),
        ("cau-hoi.docx", None),
        ("cau-hoi", None),
        ("cau-hoi.xlsx.exe", None),
    ],
)
def test_file_format_follows_the_extension(name, kind):
    assert file_format(name) == kind


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cau-hoi.txt", AIKEN, [question(Location("cau-hoi.txt", line=1))]),
        (
            "cau-hoi.txt",
            GIFT,
            [question(Location("cau-hoi.txt", line=5), topic="Địa lý", difficulty="Dễ")],
        ),
        (
            "cau-hoi.gift",
            GIFT,
            [question(Location("cau-hoi.gift", line=5), topic="Địa lý", difficulty="Dễ")],
        ),
        ("cau-hoi.xml", MOODLE_XML, [question(Location("cau-hoi.xml", line=6), topic="Địa lý")]),
        (
            "dia-ly.toml",
            BANK_TOML,
            [
                question(
                    Location("dia-ly.toml", entry=1),
                    topic="Địa lý",
                    difficulty="easy",
                    citation="Hiến pháp 2013, Điều 13",
                )
            ],
        ),
    ],
    ids=["txt-aiken", "txt-gift", "gift", "moodle-xml", "bank-toml"],
)
def test_the_reader_is_chosen_by_the_file_name(name, content, expected):
    assert read(content, name) == expected


def test_an_aiken_file_with_a_bom_and_crlf_is_still_aiken():
    data = b"\xef\xbb\xbf" + AIKEN.replace("\n", "\r\n").encode()
    assert read(data, "cau-hoi.txt") == [question(Location("cau-hoi.txt", line=1))]


def test_a_txt_file_is_gift_when_a_brace_comes_before_any_answer_line():
    data = f"{TEXT} {{=Hà Nội ~Huế ~Đà Nẵng}}\n\n{AIKEN}"
    items = read(data, "cau-hoi.txt")
    assert items[0] == question(Location("cau-hoi.txt", line=1))
    assert all(isinstance(item, Problem) for item in items[1:])  # Aiken is no GIFT


@pytest.mark.parametrize(
    "content",
    [
        AIKEN.replace("\n", "\n    ").rstrip(),  # options and ANSWER line indented
        AIKEN.replace("ANSWER: A", "ANSWER: A."),
    ],
    ids=["indented-lines", "answer-with-a-full-stop"],
)
def test_a_txt_file_the_aiken_reader_accepts_is_read_as_aiken(content):
    # The Aiken reader trims lines and reads the first letter after "ANSWER:" (as Moodle
    # does); the sniffing in read_question_file must recognise the same files.
    assert read(content, "cau-hoi.txt") == [question(Location("cau-hoi.txt", line=1))]


def test_a_shipped_bank_file_is_read_question_by_question():
    bank = sorted((Path(__file__).parents[2] / "question_bank").glob("*.toml"))[0]
    items = read(bank.read_bytes(), bank.name)
    assert items
    assert all(isinstance(item, RawQuestion) for item in items)
    assert [item.location.entry for item in items] == list(range(1, len(items) + 1))


# Problems with the whole file


@pytest.mark.parametrize(
    ("name", "extension"),
    [("cau-hoi.doc", ".doc"), ("cau-hoi.pdf", ".pdf"), ("README", "README")],
)
def test_an_unknown_extension_is_refused(name, extension):
    assert read(AIKEN, name) == [
        Problem(Location(name), ProblemCode.UNKNOWN_FORMAT, {"extension": extension})
    ]


TEXT_FILES = ["cau-hoi.txt", "cau-hoi.gift", "cau-hoi.csv", "cau-hoi.xml", "chu-de.toml"]


@pytest.mark.parametrize("name", TEXT_FILES)
@pytest.mark.parametrize(
    "content",
    [b"", b"   \n\t\r\n  \n", b"\xef\xbb\xbf\n\n"],
    ids=["0-bytes", "whitespace", "bom-and-blank-lines"],
)
def test_an_empty_text_file(name, content):
    assert read(content, name) == [Problem(Location(name), ProblemCode.EMPTY_FILE)]


@pytest.mark.parametrize("name", TEXT_FILES)
def test_a_bad_byte_on_line_3_is_not_utf8_at_line_3(name):
    # "ò" written as its Latin-1 byte in an otherwise UTF-8 file.
    data = "Dòng một\nDòng hai\n".encode() + b"D\xf2ng ba\n" + "Dòng bốn\n".encode()
    assert read(data, name) == [Problem(Location(name, line=3), ProblemCode.NOT_UTF8)]


def test_a_bad_byte_after_the_first_64_kib_is_found_at_its_line():
    lines = [f"Dòng thứ {n}: nội dung hợp lệ".encode() for n in range(1, 5001)]
    data = b"\n".join([*lines, b"caf\xe9 au lait", b"Dong cuoi"])
    assert len(data) > 1 << 16
    assert read(data, "cau-hoi.gift") == [
        Problem(Location("cau-hoi.gift", line=5001), ProblemCode.NOT_UTF8)
    ]


def test_a_character_cut_off_at_the_end_is_not_utf8_at_the_last_line():
    data = "Câu một\nCâu hai\nCâu ba ".encode() + "ả".encode()[:2]
    assert read(data, "cau-hoi.txt") == [
        Problem(Location("cau-hoi.txt", line=3), ProblemCode.NOT_UTF8)
    ]


def test_a_file_read_without_any_question_has_no_questions():
    assert read("// chỉ có chú thích\n", "cau-hoi.gift") == [
        Problem(Location("cau-hoi.gift"), ProblemCode.NO_QUESTIONS)
    ]


def test_a_file_of_other_question_kinds_only_lists_them_and_has_no_questions():
    items = read("Viết cảm nghĩ của bạn {}\n\nNăm thành lập? {#1945}\n", "cau-hoi.gift")
    assert items == [
        Problem(Location("cau-hoi.gift", line=1), ProblemCode.UNSUPPORTED_TYPE, {"kind": "essay"}),
        Problem(
            Location("cau-hoi.gift", line=3), ProblemCode.UNSUPPORTED_TYPE, {"kind": "numerical"}
        ),
        Problem(Location("cau-hoi.gift"), ProblemCode.NO_QUESTIONS),
    ]


def test_a_file_whose_only_question_has_a_problem_is_not_also_without_questions():
    items = read(f"{TEXT}\nA. Hà Nội\nB. Huế\nANSWER: D\n", "cau-hoi.txt")
    assert items == [
        Problem(Location("cau-hoi.txt", line=1), ProblemCode.ANSWER_NOT_A_CHOICE, {"answer": "D"})
    ]


def test_the_readers_do_not_judge_content():
    # A single option and no right answer are validation's to report, not the reader's.
    items = read(f"{TEXT} {{\n~Hà Nội\n}}\n", "cau-hoi.gift")
    assert items == [
        RawQuestion(Location("cau-hoi.gift", line=1), TEXT, (RawChoice("Hà Nội", False),))
    ]
