"""The legal basis: the citation parser on the bank's own citations, the basis fields files
give, and the window a basis is in force."""

import tomllib
from datetime import date
from pathlib import Path

import pytest

from contest.domain.legal_basis import (
    BasisFieldError,
    DocumentRef,
    LegalBasis,
    Window,
    basis_citation,
    basis_fields,
    basis_from_fields,
    parse_citation,
)

BANK = Path(__file__).resolve().parents[2] / "question_bank"


@pytest.mark.parametrize(
    ("citation", "document", "version", "locator"),
    [
        (
            "Luật Cán bộ, công chức số 22/2008/QH12, khoản 1 Điều 4",
            DocumentRef("Luật", "22/2008/QH12", None, "Cán bộ, công chức", 2008),
            None,
            ("4", "1", None),
        ),
        (
            "Luật Cán bộ, công chức 2008 (sửa đổi, bổ sung năm 2019), điểm a khoản 1 Điều 36 "
            "(Điều kiện đăng ký dự tuyển công chức)",
            DocumentRef("Luật", None, None, "Cán bộ, công chức", 2008),
            "sửa đổi, bổ sung năm 2019",
            ("36", "1", "a"),
        ),
        (
            # The article named inside the note is the amending law's, not the one cited.
            "Luật Cán bộ, công chức 2008, khoản 2 Điều 4 (được sửa đổi bởi khoản 1 Điều 1 Luật "
            "số 52/2019/QH14)",
            DocumentRef("Luật", None, None, "Cán bộ, công chức", 2008),
            "sửa đổi, bổ sung bởi Luật số 52/2019/QH14",
            ("4", "2", None),
        ),
        (
            "Luật Cán bộ, công chức 2008 (Văn bản hợp nhất 25/VBHN-VPQH ngày 16/12/2019), Điều 2 "
            "(Hoạt động công vụ của cán bộ, công chức)",
            DocumentRef("Luật", None, None, "Cán bộ, công chức", 2008),
            "Văn bản hợp nhất 25/VBHN-VPQH ngày 16/12/2019",
            ("2", None, None),
        ),
        (
            "Nghị định 43/2011/NĐ-CP ngày 13/6/2011, điểm c và điểm d khoản 4 Điều 3 (dịch vụ "
            "công trực tuyến mức độ 3, mức độ 4)",
            DocumentRef("Nghị định", "43/2011/NĐ-CP", date(2011, 6, 13), None, 2011),
            None,
            ("3", "4", "c, d"),
        ),
        (
            "Chỉ thị 10/CT-TTg ngày 22/4/2019, mục 1 (tiếp nhận, xử lý phản ánh, kiến nghị)",
            DocumentRef("Chỉ thị", "10/CT-TTg", date(2019, 4, 22), None, 2019),
            None,
            (None, None, None),
        ),
        (
            "Nghị quyết 30c/NQ-CP ngày 08/11/2011 của Chính phủ, Điều 1",
            DocumentRef("Nghị quyết", "30c/NQ-CP", date(2011, 11, 8), None, 2011),
            None,
            ("1", None, None),
        ),
        (
            "Chỉ thị 23/CT-TTg năm 2021 của Thủ tướng Chính phủ về việc đẩy mạnh thực hiện",
            DocumentRef("Chỉ thị", "23/CT-TTg", None, None, 2021),
            None,
            (None, None, None),
        ),
        (
            # A report first, then the decision: the decision is the basis.
            "Bộ Nội vụ, Báo cáo Chỉ số cải cách hành chính (PAR INDEX) thường niên; Quyết định "
            "876/QĐ-BNV ngày 10/11/2022 phê duyệt Đề án",
            DocumentRef("Quyết định", "876/QĐ-BNV", date(2022, 11, 10), None, 2022),
            None,
            (None, None, None),
        ),
    ],
)
def test_reads_the_banks_citations(citation, document, version, locator):
    basis = parse_citation(citation)
    assert basis.document == document
    assert basis.version == version
    assert (basis.article, basis.clause, basis.point) == locator


@pytest.mark.parametrize(
    "citation",
    [
        "Báo cáo Chỉ số PAPI thường niên (CECODES, VFF-CRT, RTA và UNDP), phần giới thiệu",
        "papi.org.vn, mục Hỏi đáp “PAPI là gì?” - Mục tiêu của PAPI (hai cơ chế bổ trợ lẫn nhau)",
        "Bộ Nội vụ, Đề án Xác định Chỉ số cải cách hành chính (trong khuôn khổ Nghị quyết "
        "30c/NQ-CP)",
        "",
        None,
    ],
)
def test_a_citation_naming_no_legal_document_has_no_basis(citation):
    assert parse_citation(citation) is None


def test_every_citation_of_the_bank_is_read_or_left_for_review():
    """Today's bank: every citation that begins with a legal document is read, and names the
    document its basis table gives; the others are reports and web pages about the indices
    (PAPI, PCI), left for a person to review."""
    read, left, total = 0, [], 0
    for path in sorted(BANK.glob("*.toml")):
        for question in tomllib.loads(path.read_text(encoding="utf-8"))["questions"]:
            total += 1
            basis = parse_citation(question["citation"])
            if basis is None:
                left.append(question["citation"])
            else:
                read += 1
                assert basis.document.number or (basis.document.name and basis.document.year)
                written = question.get("basis", {}).get("number")
                assert written in (None, basis.document.number), question["citation"]
    assert total >= 300
    assert read + len(left) == total
    assert left
    assert all(any(name in c for name in ("PAPI", "PCI", "SIPAS", "Chỉ số")) for c in left)


def test_the_two_ways_of_naming_a_law_are_one_document():
    by_year = parse_citation("Luật Viên chức 2010, khoản 2 Điều 27").document
    by_number = parse_citation("Luật Viên chức số 58/2010/QH12, Điều 2").document
    other = parse_citation("Luật Cán bộ, công chức 2008, Điều 15").document
    assert by_year.is_same_as(by_number)
    assert by_number.is_same_as(by_year)
    assert not by_year.is_same_as(other)


def test_the_fields_of_a_file_override_the_citation_and_keep_what_they_leave_out():
    basis = basis_from_fields(
        {"in_force_until": "01/07/2026", "article": "11", "point": "", "source": None},
        "Nghị định 42/2022/NĐ-CP ngày 24/6/2022, điểm b khoản 1 Điều 11",
    )
    assert basis == LegalBasis(
        DocumentRef("Nghị định", "42/2022/NĐ-CP", date(2022, 6, 24), None, 2022),
        article="11",
        clause="1",
        point="b",
        in_force_until=date(2026, 7, 1),
    )


def test_another_document_in_the_fields_does_not_keep_the_citations_article():
    basis = basis_from_fields(
        {"type": "nghị định", "number": "118/2025/NĐ-CP"},
        "Nghị định 61/2018/NĐ-CP, khoản 1 Điều 4",
    )
    assert basis.document == DocumentRef("Nghị định", "118/2025/NĐ-CP", None, None, 2025)
    assert basis.article is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "Công văn", "number": "1/2020/CV"}, "type"),
        ({"type": "Luật", "number": "năm mươi tám"}, "number"),
        ({"type": "Luật", "number": "58/2010/QH12", "date": "31/02/2010"}, "date"),
        ({"in_force_from": "sometime"}, "in_force_from"),
        ({"article": "4"}, "type"),  # an article of no document
        ({"type": "Luật", "name": "Viên chức", "superseded_by": "the new one"}, "superseded_by"),
        ({"type": "Luật", "name": "Viên chức", "article": "1" * 21}, "article"),
    ],
)
def test_a_field_that_cannot_be_read_is_named(fields, field):
    with pytest.raises(BasisFieldError) as error:
        basis_from_fields(fields, None)
    assert error.value.field == field


def test_fields_written_read_back_the_same():
    basis = LegalBasis(
        DocumentRef("Luật", "58/2010/QH12", date(2010, 11, 15), "Viên chức", 2010),
        version="sửa đổi, bổ sung năm 2019",
        article="25",
        clause="1",
        point="a",
        in_force_from=date(2012, 1, 1),
        in_force_until=date(2025, 7, 1),
        superseded_by=DocumentRef("Luật", "99/2099/QH99", None, None, 2099),
    )
    assert basis_from_fields(basis_fields(basis), None) == basis
    assert basis_citation(basis) == (
        "Luật Viên chức số 58/2010/QH12 ngày 15/11/2010 (sửa đổi, bổ sung năm 2019), "
        "điểm a khoản 1 Điều 25"
    )


def test_a_window_starts_on_its_first_day_and_ends_before_its_last():
    window = Window(date(2020, 7, 1), date(2025, 7, 1))
    assert not window.contains(date(2020, 6, 30))
    assert window.contains(date(2020, 7, 1))
    assert window.contains(date(2025, 6, 30))
    assert not window.contains(date(2025, 7, 1))
    assert window.why_not(date(2019, 1, 1)) == "not_yet"
    assert window.why_not(date(2025, 7, 1)) == "ended"
    assert Window().contains(date(1990, 1, 1))


def test_a_question_window_lies_within_its_documents():
    document = Window(date(2010, 1, 1), date(2025, 7, 1))
    assert Window(date(2020, 7, 1)).within(document) == Window(date(2020, 7, 1), date(2025, 7, 1))
    assert Window(None, date(2030, 1, 1)).within(document) == document


def test_a_number_without_its_year_names_one_document_per_year():
    directive_2019 = DocumentRef("Chỉ thị", "10/CT-TTg", date(2019, 4, 22), None, 2019)
    directive_2021 = DocumentRef("Chỉ thị", "10/CT-TTg", None, None, 2021)
    undated = DocumentRef("Chỉ thị", "10/CT-TTg")
    assert not directive_2019.is_same_as(directive_2021)
    assert directive_2019.is_same_as(undated)


def test_the_bank_holds_at_least_300_questions_in_force_on_2026_12_01():
    """The current bank: a question kept only as history (its window ended) does not count."""
    day, in_force, ended = date(2026, 12, 1), 0, 0
    for path in sorted(BANK.glob("*.toml")):
        for question in tomllib.loads(path.read_text(encoding="utf-8"))["questions"]:
            basis = question.get("basis", {})
            assert basis.get("source"), question["text"]
            window = Window(basis.get("in_force_from"), basis.get("in_force_until"))
            if window.contains(day):
                in_force += 1
            else:
                ended += 1
                assert window.why_not(day) == "ended", question["text"]
    assert in_force >= 300
    assert ended < in_force
