"""The platform's spreadsheet layout: XLSX and CSV read row by row, XLSX written and read back.

Every test goes the way an upload goes: bytes in memory, `read_question_file`, then
`check_questions`. Locations are the organizer's: the spreadsheet row (header = row 1) or the
CSV line where the row starts.
"""

import csv
import io
import random
import unicodedata
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from contest.domain.question_files import read_question_file
from contest.domain.question_files.legacy_vietnamese import TCVN3, VNI
from contest.domain.question_files.records import (
    CheckedQuestion,
    Location,
    Problem,
    ProblemCode,
)
from contest.domain.question_files.tabular import (
    HEADERS,
    INSTRUCTIONS_SHEET,
    QUESTION_SHEET,
    write_template,
    write_xlsx,
)
from contest.domain.question_files.validation import check_questions, fingerprint
from tests.domain.entries import Entry

XLSX = "ngan-hang.xlsx"
CSV = "ngan-hang.csv"
HEADER = list(HEADERS.values())
EXPECTED_COLUMNS = "Câu hỏi, Phương án A, Phương án B, Đáp án đúng"

TOPIC = "Luật Viên chức"
TEXT = "Viên chức được tuyển dụng theo tiêu chí nào?"
CHOICES = ("Vị trí việc làm", "Ngạch công chức", "Chức vụ lãnh đạo")
CITATION = "Luật Viên chức 2010, Điều 2"


# Building files


def row(
    topic: object = TOPIC,
    text: object = TEXT,
    choices: tuple = CHOICES,
    answer: object = "A",
    difficulty: object = "Dễ",
    citation: object = CITATION,
) -> list:
    """One question in the template's column order (options padded to F)."""
    return [topic, text, *choices, *[None] * (6 - len(choices)), answer, difficulty, citation]


def xlsx(*rows: list, header: list | None = HEADER, sheet: str = QUESTION_SHEET) -> bytes:
    """A workbook whose only sheet holds the header (row 1) and the rows after it."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for values in ([header] if header is not None else []) + list(rows):
        worksheet.append(values)
    return save(workbook)


def save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text(*rows: list, header: list = HEADER, delimiter: str = ",", newline="\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows([header, *rows])
    return out.getvalue()


def csv_bytes(*rows: list, header: list = HEADER, **options) -> bytes:
    return csv_text(*rows, header=header, **options).encode()


def check(data: bytes, name: str, known=frozenset(), default_topic: str | None = None) -> list:
    items = read_question_file(io.BytesIO(data), name)
    return list(check_questions(items, known, default_topic))


def only(data: bytes, name: str, **options):
    items = check(data, name, **options)
    assert len(items) == 1, items
    return items[0]


def at_row(number: int, file: str = XLSX, sheet: str = QUESTION_SHEET) -> Location:
    return Location(file, sheet=sheet, row=number)


def at_line(number: int, file: str = CSV) -> Location:
    return Location(file, line=number)


def summary(question: CheckedQuestion) -> tuple:
    return (
        question.topic,
        question.text,
        question.choices,
        question.correct_index,
        question.difficulty,
        question.citation,
    )


# Reading XLSX


def test_reads_a_full_row_with_its_spreadsheet_row():
    data = xlsx(row(), row(text="Viên chức làm việc ở đâu?", answer="C", difficulty=None))
    assert check(data, XLSX) == [
        CheckedQuestion(
            location=at_row(2),
            topic=TOPIC,
            text=TEXT,
            choices=CHOICES,
            correct_index=0,
            difficulty="easy",
            citation=CITATION,
        ),
        CheckedQuestion(
            location=at_row(3),
            topic=TOPIC,
            text="Viên chức làm việc ở đâu?",
            choices=CHOICES,
            correct_index=2,
            difficulty=None,
            citation=CITATION,
        ),
    ]


@pytest.mark.parametrize(
    ("answer", "index"),
    [
        ("B", 1),
        ("b", 1),
        ("  B  ", 1),
        ("2", 1),
        (2, 1),
        (2.0, 1),
        ("C", 2),
        ("3", 2),
    ],
    ids=["capital", "lowercase", "spaces", "number-text", "number", "float", "C", "3"],
)
def test_reads_the_answer_as_a_letter_or_a_number(answer, index):
    assert only(xlsx(row(answer=answer)), XLSX).correct_index == index


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Dễ", "easy"),
        ("Trung bình", "medium"),
        ("Khó", "hard"),
        ("KHÓ", "hard"),
        ("trung   binh", "medium"),
        ("Nhận biết", "easy"),
        ("Thông hiểu", "medium"),
        ("Vận dụng", "hard"),
        ("easy", "easy"),
        ("Medium", "medium"),
        ("HARD", "hard"),
        (None, None),
        ("   ", None),
    ],
    ids=lambda value: repr(value),
)
def test_reads_difficulty_words_in_vietnamese_or_english(written, stored):
    assert only(xlsx(row(difficulty=written)), XLSX).difficulty == stored


def test_reads_english_headers_in_any_order_and_ignores_unknown_columns():
    header = ["No.", "Question", "Answer", "Option A", "Option B", "Notes", "Topic", "Level"]
    data = xlsx([1, TEXT, "b", "Ngạch", "Vị trí việc làm", "xem lại", TOPIC, "hard"], header=header)
    assert only(data, XLSX) == CheckedQuestion(
        location=at_row(2),
        topic=TOPIC,
        text=TEXT,
        choices=("Ngạch", "Vị trí việc làm"),
        correct_index=1,
        difficulty="hard",
        citation=None,
    )


def test_reads_headers_typed_without_diacritics_or_in_another_case():
    header = ["CHU DE", "cau hoi", "Phuong an A", "phương án b", "Đáp án:", "Do kho", "Nguon"]
    data = xlsx([TOPIC, TEXT, "Có", "Không", "A", "Dễ", CITATION], header=header)
    question = only(data, XLSX)
    assert summary(question) == (TOPIC, TEXT, ("Có", "Không"), 0, "easy", CITATION)


def test_skips_blank_rows_and_keeps_the_spreadsheet_row_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = QUESTION_SHEET
    for column, title in enumerate(HEADER, 1):
        sheet.cell(3, column, title)  # rows 1 and 2 left empty above the header
    for number, text in ((5, "Câu thứ nhất?"), (8, "Câu thứ hai?")):
        for column, value in enumerate(row(text=text), 1):
            sheet.cell(number, column, value)
    sheet.cell(6, 1, "   ")  # a row holding only spaces is blank too
    assert [item.location for item in check(save(workbook), XLSX)] == [at_row(5), at_row(8)]


def test_numbers_in_cells_come_back_as_their_text():
    data = xlsx(row(text="Luật Viên chức được thông qua năm nào?", choices=(2010, 1995, 2.5)))
    assert only(data, XLSX).choices == ("2010", "1995", "2.5")


def test_reads_the_question_sheet_even_when_it_is_not_the_first():
    workbook = Workbook()
    workbook.active.title = INSTRUCTIONS_SHEET
    workbook.active.append(["Hướng dẫn nhập câu hỏi"])
    workbook.create_sheet("Nháp").append(["không phải câu hỏi"])
    questions = workbook.create_sheet(QUESTION_SHEET)
    questions.append(HEADER)
    questions.append(row())
    assert only(save(workbook), XLSX).location == at_row(2)


def test_reads_the_first_sheet_when_none_is_named_for_questions():
    question = only(xlsx(row(), sheet="Sheet1"), XLSX)
    assert question.location == at_row(2, sheet="Sheet1")


# Reading CSV


@pytest.mark.parametrize("delimiter", [",", ";"], ids=["comma", "semicolon"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_reads_csv_with_comma_or_semicolon_bom_and_any_line_ending(delimiter, bom, newline):
    # The citation holds the other delimiter, so guessing it wrong would split that cell.
    citation = "Luật Viên chức 2010, Điều 2; Điều 3"
    text = csv_text(
        row(citation=citation),
        row(text="Viên chức làm việc ở đâu?", answer="3", difficulty="Khó", citation=None),
        delimiter=delimiter,
        newline=newline,
    )
    assert check(bom + text.encode(), CSV) == [
        CheckedQuestion(at_line(2), TOPIC, TEXT, CHOICES, 0, "easy", citation),
        CheckedQuestion(at_line(3), TOPIC, "Viên chức làm việc ở đâu?", CHOICES, 2, "hard", None),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_quoted_line_break_stays_in_the_text_and_the_row_is_located_where_it_starts(newline):
    text = csv_text(
        row(text=f"Theo Luật Viên chức:{newline}viên chức là ai?"),
        [],  # a blank line between rows is skipped
        row(text="Câu hỏi sau?"),
        newline=newline,
    )
    first, second = check(text.encode(), CSV)
    assert first.text == "Theo Luật Viên chức:\nviên chức là ai?"
    assert (first.location, second.location) == (at_line(2), at_line(5))


def test_csv_header_in_english_with_extra_columns():
    header = ["STT", "Topic", "Question", "Option A", "Option B", "Answer", "Ghi chú"]
    data = csv_bytes(["1", TOPIC, TEXT, "Có", "Không", "b", "không"], header=header)
    assert summary(only(data, CSV)) == (TOPIC, TEXT, ("Có", "Không"), 1, None, None)


# Problems with the whole file


@pytest.mark.parametrize(
    ("data", "name", "location"),
    [
        (xlsx(["STT", "Câu", "Lựa chọn 1", "Kết quả"], header=None), XLSX, at_row(1)),
        (csv_bytes([], header=["STT", "Câu", "Lựa chọn 1", "Kết quả"]), CSV, at_line(1)),
    ],
    ids=["xlsx", "csv"],
)
def test_wrong_layout_names_the_expected_and_found_headers_at_the_header_row(data, name, location):
    assert check(data, name) == [
        Problem(
            location,
            ProblemCode.WRONG_LAYOUT,
            {"expected": EXPECTED_COLUMNS, "found": "STT, Câu, Lựa chọn 1, Kết quả"},
        )
    ]


def test_wrong_layout_is_found_on_the_first_row_that_is_not_blank_and_stops_reading():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = QUESTION_SHEET
    sheet["A2"] = "DANH SÁCH CÂU HỎI THI"  # a title above the header
    sheet.append(HEADER)
    sheet.append(row())
    assert check(save(workbook), XLSX) == [
        Problem(
            at_row(2),
            ProblemCode.WRONG_LAYOUT,
            {"expected": EXPECTED_COLUMNS, "found": "DANH SÁCH CÂU HỎI THI"},
        )
    ]


def test_a_header_without_option_b_is_a_wrong_layout():
    header = ["Chủ đề", "Câu hỏi", "Phương án A", "Đáp án đúng"]
    [problem] = check(xlsx([TOPIC, TEXT, "Có", "A"], header=header), XLSX)
    assert problem.code is ProblemCode.WRONG_LAYOUT
    assert problem.location == at_row(1)
    assert problem.params["found"] == "Chủ đề, Câu hỏi, Phương án A, Đáp án đúng"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", CSV, ProblemCode.EMPTY_FILE),
        (b"\xef\xbb\xbf \r\n\t\n", CSV, ProblemCode.EMPTY_FILE),
        (csv_bytes(), CSV, ProblemCode.NO_QUESTIONS),
        (xlsx(), XLSX, ProblemCode.NO_QUESTIONS),
        (xlsx(header=None), XLSX, ProblemCode.NO_QUESTIONS),
        (xlsx(header=None, sheet=INSTRUCTIONS_SHEET), XLSX, ProblemCode.EMPTY_FILE),
    ],
    ids=[
        "csv-0-bytes",
        "csv-bom-and-spaces",
        "csv-header-only",
        "xlsx-header-only",
        "xlsx-empty-sheet",
        "xlsx-instructions-only",
    ],
)
def test_a_file_without_questions(data, name, code):
    assert check(data, name) == [Problem(Location(name), code)]


def test_a_csv_that_is_not_utf8_is_refused_at_the_line_of_the_first_bad_byte():
    data = (
        "Topic,Question,Option A,Option B,Answer\n"
        "\n"
        "Geographie,Quelle est la capitale de la République française ?,Paris,Lyon,A\n"
        "Geographie,Quel fleuve traverse Paris ?,La Seine,Le Rhône,A\n"
    ).encode("latin-1")
    assert check(data, CSV) == [Problem(at_line(3), ProblemCode.NOT_UTF8)]


# The classic legacy garbles, as the bytes show in Windows-1252: encoding them back to cp1252
# gives the bytes a TCVN3 (.VnTime) or VNI (VNI-Times) file holds.
TCVN3_LINES = (
    "Chñ ®Ò,C©u hái,Ph\xad¬ng ¸n A,Ph\xad¬ng ¸n B,§¸p ¸n ®óng",  # Chủ đề,Câu hỏi,Phương án A,...
    "LuËt Viªn chøc,C¬ quan nµo ban hµnh luËt?,ChÝnh phñ,Quèc héi,B",
    "LuËt Viªn chøc,Céng hoµ x· héi chñ nghÜa ViÖt Nam lµ g×?,Nhµ n\xadíc,Quèc héi,A",
)
VNI_LINES = (
    "Chuû ñeà,Caâu hoûi,Phöông aùn A,Phöông aùn B,Ñaùp aùn ñuùng",
    "Luaät Vieân chöùc,Cô quan naøo ban haønh luaät?,Chính phuû,Quoác hoäi,B",
    "Luaät Vieân chöùc,Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam laø gì?,Nhaø nöôùc,Quoác hoäi,A",
)
ENGLISH_HEADER = "Topic,Question,Option A,Option B,Answer"


@pytest.mark.parametrize(
    ("lines", "encoding", "line"),
    [
        (TCVN3_LINES, TCVN3, 1),
        (VNI_LINES, VNI, 1),
        ((ENGLISH_HEADER, *TCVN3_LINES[1:]), TCVN3, 2),
        ((ENGLISH_HEADER, *VNI_LINES[1:]), VNI, 2),
    ],
    ids=["tcvn3", "vni", "tcvn3-after-an-ascii-header", "vni-after-an-ascii-header"],
)
def test_a_csv_in_a_legacy_vietnamese_encoding_is_named(lines, encoding, line):
    data = "\r\n".join(lines).encode("cp1252")
    assert check(data, CSV) == [
        Problem(at_line(line), ProblemCode.LEGACY_ENCODING, {"encoding": encoding})
    ]


def not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        random.Random(2024).randbytes(2048),
        xlsx(row())[:1500],
        not_a_workbook(),
        b"",
    ],
    ids=["random-bytes", "truncated", "zip-without-workbook", "0-bytes"],
)
def test_a_corrupt_xlsx_is_unreadable(data):
    [problem] = check(data, XLSX)
    assert (problem.location, problem.code) == (Location(XLSX), ProblemCode.UNREADABLE_FILE)
    assert problem.params["detail"]


def test_a_csv_field_too_large_for_the_reader_is_unreadable_at_its_line():
    data = csv_bytes(row(), row(text="x" * 200_000))
    [first, problem] = check(data, CSV)
    assert first.location == at_line(2)
    assert (problem.location, problem.code) == (at_line(3), ProblemCode.UNREADABLE_FILE)


@pytest.mark.parametrize(
    ("name", "extension"),
    [("ngan-hang.xls", ".xls"), ("ngan-hang.docx", ".docx"), ("ngan-hang", "ngan-hang")],
    ids=["xls", "docx", "no-extension"],
)
def test_an_unknown_format_is_refused_by_its_extension(name, extension):
    assert check(xlsx(row()), name) == [
        Problem(Location(name), ProblemCode.UNKNOWN_FORMAT, {"extension": extension})
    ]


def test_the_extension_is_matched_in_any_case():
    assert only(xlsx(row()), "NGAN-HANG.XLSX").location == at_row(2, file="NGAN-HANG.XLSX")


# Writing XLSX and reading it back


def written(entries) -> bytes:
    out = io.BytesIO()
    write_xlsx(entries, out)
    return out.getvalue()


def read_back(data: bytes) -> list[tuple]:
    items = check(data, XLSX)
    assert all(isinstance(item, CheckedQuestion) for item in items), items
    return [summary(item) for item in items]


ENTRIES = [
    Entry(
        "Luật Cán bộ, công chức",
        "Công chức là ai?\nChọn đáp án đúng nhất.",
        ("Người làm việc trong đơn vị sự nghiệp", "Công dân Việt Nam được tuyển dụng, bổ nhiệm"),
        1,
        "easy",
        "Luật Cán bộ, công chức 2008, Điều 4",
    ),
    Entry(
        "Văn hoá công vụ",
        "Giờ làm việc buổi sáng bắt đầu lúc mấy giờ?",
        ("7 giờ", "7 giờ 30", "8 giờ", "8 giờ 30", "9 giờ", "Tuỳ cơ quan"),
        5,
        None,
        None,
    ),
    Entry("Văn hoá công vụ", "Đúng hay sai: công chức phải đeo thẻ?", ("Đúng", "Sai"), 0, "hard"),
    Entry("Một cửa", "Bộ phận một cửa đặt ở đâu?", ("Trụ sở", "Nhà văn hoá", "Chợ"), 0, "medium"),
]


def test_written_questions_read_back_the_same():
    data = written(ENTRIES)
    assert read_back(data) == [summary(entry) for entry in ENTRIES]
    assert [item.location for item in check(data, XLSX)] == [at_row(n) for n in range(2, 6)]


def test_a_text_that_starts_with_an_equals_sign_is_written_as_text_not_as_a_formula():
    # Found by the round trip below: openpyxl stores a string starting with "=" as a formula,
    # which has no value when the file is read back (data_only), so the cell comes back empty.
    entry = Entry("Toán", "=2+2 là phép tính gì?", ("=4", "Phép cộng"), 1)
    assert read_back(written([entry])) == [summary(entry)]


def test_write_xlsx_writes_the_template_header_and_instructions():
    workbook = load_workbook(io.BytesIO(written(ENTRIES[:1])))
    assert workbook.sheetnames == [QUESTION_SHEET, INSTRUCTIONS_SHEET]
    rows = list(workbook[QUESTION_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert list(rows[1]) == [
        "Luật Cán bộ, công chức",
        "Công chức là ai?\nChọn đáp án đúng nhất.",
        "Người làm việc trong đơn vị sự nghiệp",
        "Công dân Việt Nam được tuyển dụng, bổ nhiệm",
        None,
        None,
        None,
        None,
        "B",
        "Dễ",
        "Luật Cán bộ, công chức 2008, Điều 4",
        *[None] * 12,  # no legal basis given: its twelve columns stay empty
    ]


def test_the_template_has_the_question_header_and_instructions_and_reads_as_no_questions():
    out = io.BytesIO()
    write_template(out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert workbook.sheetnames == [QUESTION_SHEET, INSTRUCTIONS_SHEET]
    assert [cell.value for cell in workbook[QUESTION_SHEET][1]] == list(HEADERS.values())
    assert workbook[QUESTION_SHEET].max_row == 1
    instructions = [r[0] for r in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True)]
    assert len(instructions) > 1
    assert all(isinstance(line, str) and line for line in instructions)
    assert check(out.getvalue(), "mau-cau-hoi.xlsx") == [
        Problem(Location("mau-cau-hoi.xlsx"), ProblemCode.NO_QUESTIONS)
    ]


# Texts for the round trip: ASCII, "=" and Vietnamese letters that no legacy 8-bit code page
# holds (so no text can look like TCVN3/VNI garble), with whitespace tidied as validation does.
VIETNAMESE = "ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " \t.,;:?!-=+*/%()[]{}<>&'\"_#@" + VIETNAMESE + VIETNAMESE.upper()
)


def tidy(text: str) -> str:
    return " ".join(text.split())


one_line = st.text(ALPHABET, min_size=1, max_size=40).map(tidy).filter(bool)


@st.composite
def entries(draw) -> Entry:
    lines = draw(st.lists(one_line, min_size=1, max_size=3))
    choices = draw(st.lists(one_line, min_size=2, max_size=6, unique_by=str.casefold))
    return Entry(
        topic=draw(one_line),
        text="\n".join(lines),
        choices=tuple(choices),
        correct_index=draw(st.integers(0, len(choices) - 1)),
        difficulty=draw(st.sampled_from([None, "easy", "medium", "hard"])),
        citation=draw(st.none() | one_line),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(entries(), min_size=1, max_size=4, unique_by=lambda entry: fingerprint(entry.text)))
def test_any_questions_written_read_back_the_same(generated):
    assert read_back(written(generated)) == [summary(entry) for entry in generated]


def test_nfd_texts_written_come_back_nfc():
    entry = Entry(
        unicodedata.normalize("NFD", "Luật Đất đai"),
        unicodedata.normalize("NFD", "Đất đai thuộc sở hữu của ai?"),
        (unicodedata.normalize("NFD", "Toàn dân"), "Nhà nước"),
        0,
    )
    assert read_back(written([entry])) == [
        ("Luật Đất đai", "Đất đai thuộc sở hữu của ai?", ("Toàn dân", "Nhà nước"), 0, None, None)
    ]
