"""The platform's spreadsheet layout, read from XLSX or CSV and written as XLSX.

One question per row under a header row: topic, question, options A to F, the correct
letter, difficulty, citation and the legal basis (document type, number, date and name, the
version followed, article, clause and point, the days in force, the document that supersedes
it, and where the text was read); the basis columns may be left out or empty. Headers are
matched loosely (Vietnamese or English, with or without diacritics) so that a sheet typed by
hand is still understood.
"""

import csv
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from contest.domain.cells import xlsx_row
from contest.domain.legal_basis import BASIS_FIELDS, DATE_FIELDS, basis_fields
from contest.domain.question_files.encoding import encoding_problem, text_stream
from contest.domain.question_files.records import (
    BankEntry,
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
    ReadItem,
)
from contest.domain.question_files.validation import CHOICE_LETTERS, MAX_CHOICES

QUESTION_SHEET = "Câu hỏi"
INSTRUCTIONS_SHEET = "Hướng dẫn"
OPTION_LETTERS = CHOICE_LETTERS[:MAX_CHOICES]
DIFFICULTY_WORDS = {"easy": "Dễ", "medium": "Trung bình", "hard": "Khó"}

HEADERS = {
    "topic": "Chủ đề",
    "text": "Câu hỏi",
    **{letter: f"Phương án {letter}" for letter in OPTION_LETTERS},
    "answer": "Đáp án đúng",
    "difficulty": "Mức độ",
    "citation": "Căn cứ",
    "type": "Loại văn bản",
    "number": "Số hiệu văn bản",
    "date": "Ngày ban hành",
    "name": "Tên văn bản",
    "version": "Phiên bản áp dụng",
    "article": "Điều",
    "clause": "Khoản",
    "point": "Điểm",
    "in_force_from": "Hiệu lực từ ngày",
    "in_force_until": "Hết hiệu lực từ ngày",
    "superseded_by": "Được thay thế bởi",
    "source": "Nguồn đã đối chiếu",
}
REQUIRED_COLUMNS = ("text", "A", "B", "answer")

# Folded header text (no diacritics, lower case) to column; the written headers come first.
_ALIASES = {
    "topic": ("chu de", "topic", "category", "chuyen de"),
    "text": ("cau hoi", "question", "noi dung", "noi dung cau hoi", "text"),
    "answer": ("dap an dung", "dap an", "answer", "correct", "correct answer"),
    "difficulty": ("muc do", "do kho", "difficulty", "level"),
    "citation": ("can cu", "trich dan", "citation", "nguon", "source"),
    "type": ("loai van ban", "document type"),
    "number": ("so hieu van ban", "so hieu", "document number"),
    "date": ("ngay ban hanh", "document date"),
    "name": ("ten van ban", "document name"),
    "version": ("phien ban ap dung", "phien ban", "version"),
    "article": ("dieu", "article"),
    "clause": ("khoan", "clause"),
    "point": ("diem", "point"),
    "in_force_from": ("hieu luc tu ngay", "hieu luc tu", "in force from"),
    "in_force_until": ("het hieu luc tu ngay", "het hieu luc", "in force until"),
    "superseded_by": ("duoc thay the boi", "thay the boi", "superseded by"),
    "source": ("nguon da doi chieu", "ghi chu nguon", "source note"),
    **{
        letter: (f"phuong an {letter}", f"lua chon {letter}", f"option {letter}", letter)
        for letter in OPTION_LETTERS
    },
}
_COLUMN_OF_HEADER = {alias.lower(): column for column, names in _ALIASES.items() for alias in names}


def folded_header(value: object) -> str:
    decomposed = unicodedata.normalize("NFD", str(value or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().replace(":", " ").split())


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(header: Sequence[object]) -> dict[str, int]:
    """Which column holds what, from the header row (first match wins)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _COLUMN_OF_HEADER.get(folded_header(cell))
        if column is not None:
            found.setdefault(column, index)
    return found


def _layout_problem(location: Location, header: Sequence[object]) -> Problem | None:
    columns = _columns(header)
    if all(column in columns for column in REQUIRED_COLUMNS):
        return None
    return Problem(
        location,
        ProblemCode.WRONG_LAYOUT,
        {
            "expected": ", ".join(HEADERS[column] for column in REQUIRED_COLUMNS),
            "found": ", ".join(cell_text(cell) for cell in header if cell_text(cell)) or "—",
        },
    )


def _question(location: Location, row: Sequence[object], columns: dict[str, int]) -> ReadItem:
    def raw(column: str) -> object:
        index = columns.get(column)
        return row[index] if index is not None and index < len(row) else None

    def cell(column: str) -> str:
        return cell_text(raw(column)).strip()

    options = [cell(letter) for letter in OPTION_LETTERS]
    while options and not options[-1]:
        options.pop()
    answer = cell("answer")
    correct = _answer_letters(answer)
    if any(letter not in OPTION_LETTERS[: len(options)] for letter in correct):
        return Problem(location, ProblemCode.ANSWER_NOT_A_CHOICE, {"answer": answer})
    return RawQuestion(
        location=location,
        text=cell("text"),
        choices=tuple(
            RawChoice(text, OPTION_LETTERS[n] in correct) for n, text in enumerate(options)
        ),
        topic=cell("topic") or None,
        difficulty=cell("difficulty") or None,
        citation=cell("citation") or None,
        # Dates stay as the cell holds them (a spreadsheet date, or text): legal_basis reads both.
        basis={
            field: raw(field) if field in DATE_FIELDS else cell(field)
            for field in BASIS_FIELDS
            if cell(field)
        }
        or None,
        source_note=cell("source") or None,
    )


def _answer_letters(answer: str) -> set[str]:
    """'B', 'b', '2', 'A, C', '1; 3' or 'AC' to letters; anything else is kept to be reported."""
    letters: set[str] = set()
    for token in answer.replace(",", " ").replace(";", " ").upper().split():
        if token.isdigit():
            number = int(token)
            in_range = 1 <= number <= len(OPTION_LETTERS)
            letters.add(OPTION_LETTERS[number - 1] if in_range else token)
        elif token.isalpha() and token.isascii():
            letters.update(token)
        else:
            letters.add(token)
    return letters


def _is_blank(row: Sequence[object]) -> bool:
    return not any(cell_text(value).strip() for value in row)


def read_xlsx(stream: BinaryIO, file_name: str) -> Iterator[ReadItem]:
    """Read the question sheet row by row (openpyxl's read-only mode streams the rows)."""
    yield from _read_rows(xlsx_rows(stream, file_name, QUESTION_SHEET))


def read_csv(stream: BinaryIO, file_name: str) -> Iterator[ReadItem]:
    """Read a CSV file in the same layout; comma or semicolon, found from the header line."""
    yield from _read_rows(csv_rows(stream, file_name))


def table_rows(
    stream: BinaryIO, file_name: str, sheet_name: str
) -> Iterator[tuple[Location, Sequence[object]] | Problem]:
    """The non-blank rows of an XLSX workbook's sheet `sheet_name` (or its first sheet but
    the instructions) or of a CSV file (UTF-8, checked first), each with its place; or the
    problem that stops the reading. Other tabular imports (units) read their files here."""
    if file_name.lower().endswith(".xlsx"):
        yield from xlsx_rows(stream, file_name, sheet_name)
        return
    problem = encoding_problem(stream, file_name)
    if problem is not None:
        yield problem
        return
    yield from csv_rows(stream, file_name)


def xlsx_rows(
    stream: BinaryIO, file_name: str, sheet_name: str
) -> Iterator[tuple[Location, Sequence[object]] | Problem]:
    """The non-blank rows of the sheet `sheet_name`, else the first sheet but the
    instructions, with their places (openpyxl's read-only mode streams the rows)."""
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        yield Problem(Location(file_name), ProblemCode.UNREADABLE_FILE, {"detail": str(error)})
        return
    try:
        sheets = [sheet for sheet in workbook.worksheets if sheet.title != INSTRUCTIONS_SHEET]
        named = [sheet for sheet in sheets if sheet.title == sheet_name]
        sheet = (named or sheets or [None])[0]
        if sheet is None:
            yield Problem(Location(file_name), ProblemCode.EMPTY_FILE)
            return
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if not _is_blank(row):
                yield Location(file_name, sheet=sheet.title, row=number), row
    finally:
        workbook.close()


def csv_rows(
    stream: BinaryIO, file_name: str
) -> Iterator[tuple[Location, Sequence[object]] | Problem]:
    """The non-blank rows of a CSV file with their lines; comma or semicolon, found from the
    header line. The caller has checked the encoding (encoding_problem)."""
    text = text_stream(stream)
    try:
        header_line = text.readline()
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        next_line = 1
        try:
            for row in reader:
                line, next_line = next_line, reader.line_num + 1
                if not _is_blank(row):
                    yield Location(file_name, line=line), row
        except csv.Error as error:
            yield Problem(
                Location(file_name, line=reader.line_num),
                ProblemCode.UNREADABLE_FILE,
                {"detail": str(error)},
            )
    finally:
        text.detach()


def _read_rows(
    rows: Iterable[tuple[Location, Sequence[object]] | Problem],
) -> Iterator[ReadItem]:
    columns: dict[str, int] | None = None
    for item in rows:
        if isinstance(item, Problem):
            yield item
            return
        location, row = item
        if columns is None:
            problem = _layout_problem(location, row)
            if problem is not None:
                yield problem
                return
            columns = _columns(row)
            continue
        yield _question(location, row, columns)


def write_xlsx(questions: Iterable[BankEntry], stream: BinaryIO) -> None:
    """Write questions in the template's layout, streaming rows (openpyxl write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(QUESTION_SHEET)
    sheet.append(xlsx_row(sheet, HEADERS.values()))
    for question in questions:
        options = list(question.choices) + [None] * (MAX_CHOICES - len(question.choices))
        values = [
            question.topic,
            question.text,
            *options,
            OPTION_LETTERS[question.correct_index],
            DIFFICULTY_WORDS.get(question.difficulty or ""),
            question.citation,
            *_basis_cells(question),
        ]
        sheet.append(xlsx_row(sheet, values))
    _add_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET))
    workbook.save(stream)


def _basis_cells(question: BankEntry) -> list[object]:
    """The basis columns of a row, dates written dd/mm/yyyy as organizers type them."""
    fields = basis_fields(question.basis)
    cells = [fields.get(field) for field in BASIS_FIELDS]
    cells = [f"{value:%d/%m/%Y}" if isinstance(value, date) else value for value in cells]
    return [*cells, question.source_note]


def write_template(stream: BinaryIO) -> None:
    """The empty template organizers download: header row, answer lists, instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = QUESTION_SHEET
    sheet.append(list(HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = (28, 60, 30, 30, 30, 30, 30, 30, 14, 14, 40)
    widths += (14, 18, 14, 30, 24, 8, 8, 8, 14, 14, 24, 36)  # the legal basis
    for number, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    answers = DataValidation(type="list", formula1=f'"{",".join(OPTION_LETTERS)}"')
    difficulties = DataValidation(type="list", formula1=f'"{",".join(DIFFICULTY_WORDS.values())}"')
    for validation, column in ((answers, "I"), (difficulties, "J")):
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}5000")
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    _add_instructions(instructions)
    instructions.column_dimensions["A"].width = 110
    for row in instructions.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(stream)


INSTRUCTIONS = (
    "HƯỚNG DẪN NHẬP CÂU HỎI",
    f"Nhập mỗi câu hỏi trên một dòng của trang «{QUESTION_SHEET}», giữ nguyên dòng tiêu đề.",
    "Chủ đề: tên chủ đề của câu hỏi (có thể để trống nếu chọn chủ đề chung khi nhập).",
    "Câu hỏi: nội dung câu hỏi, tối đa 2.000 ký tự; được xuống dòng (Alt+Enter).",
    "Phương án A đến F: từ 2 đến 6 phương án, điền liên tiếp từ A, không để trống ở giữa,"
    " không trùng nhau, mỗi phương án tối đa 500 ký tự.",
    "Đáp án đúng: một chữ cái (A, B, C, D, E hoặc F) ứng với phương án đúng duy nhất.",
    "Mức độ: Dễ, Trung bình hoặc Khó (có thể để trống).",
    "Căn cứ: văn bản, điều, khoản làm căn cứ cho đáp án (nên điền).",
    "Căn cứ pháp lý (có thể để trống: khi đó đọc từ cột Căn cứ): Loại văn bản (Luật, Nghị định,"
    " Quyết định, Chỉ thị, Thông tư...), Số hiệu văn bản (ví dụ 58/2010/QH12), Ngày ban hành,"
    " Tên văn bản, Phiên bản áp dụng (bản sửa đổi hoặc văn bản hợp nhất), Điều, Khoản, Điểm.",
    "Hiệu lực từ ngày, Hết hiệu lực từ ngày (ngày đầu tiên văn bản không còn áp dụng): dạng"
    " dd/mm/yyyy. Được thay thế bởi: văn bản thay thế, ví dụ «Nghị định 118/2025/NĐ-CP».",
    "Nguồn đã đối chiếu: nơi đã đọc văn bản (văn bản chính thức, Bộ pháp điển).",
    "Tệp phải dùng font Unicode (không dùng .VnTime hay VNI-Times).",
    "Câu hỏi trùng nội dung với câu đã có trong ngân hàng (không phân biệt hoa thường,"
    " khoảng trắng) sẽ bị báo lỗi.",
    "Ví dụ: Chủ đề «Luật Viên chức», Câu hỏi «Viên chức là công dân Việt Nam được tuyển dụng"
    " theo vị trí việc làm, làm việc tại đâu?», Phương án A «Cơ quan hành chính nhà nước»,"
    " Phương án B «Đơn vị sự nghiệp công lập», Đáp án đúng «B», Mức độ «Dễ»,"
    " Căn cứ «Luật Viên chức 2010, Điều 2».",
)


def _add_instructions(sheet) -> None:
    for line in INSTRUCTIONS:
        sheet.append([line])
