"""The XLSX exports open ready to work in a Vietnamese Excel, read back cell by cell: a bold,
frozen, filterable header; sensible widths; dates as date cells; amounts as numbers shown in
đồng; the individual ranking with what organizers need to reach and pay a winner."""

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook

from contest.extensions import db
from contest.models import Role
from contest.results import workflow
from tests.helpers import ApiClient, in_contest, make_user
from tests.test_standings import NOW, contest_with_results  # noqa: F401 (a fixture)


def workbook_of(client, contest):
    response = client.get(in_contest(contest, "/results/exports/all.xlsx"))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))  # not read-only: styles and views too


def test_every_sheet_has_a_bold_frozen_filterable_header_and_widths(
    client,
    contest_with_results,  # noqa: F811
):
    contest, units, people = contest_with_results
    ApiClient(client).login(make_user(Role.ORGANIZER))
    workbook = workbook_of(client, contest)
    for sheet in workbook.worksheets:
        header = next(sheet.iter_rows(max_row=1))
        assert all(cell.font.b for cell in header), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}{sheet.max_row}"
        for cell in header:
            width = sheet.column_dimensions[cell.column_letter].width
            assert len(str(cell.value)) < width <= 45, (sheet.title, cell.value, width)
    assert workbook["Cá nhân"].column_dimensions["B"].width >= 28  # a full name fits
    assert workbook["Giải thưởng"].column_dimensions["D"].width >= 40  # a unit's long name too


def test_amounts_are_numbers_in_dong_and_dates_are_date_cells(
    client,
    contest_with_results,  # noqa: F811
):
    contest, units, people = contest_with_results
    ApiClient(client).login(make_user(Role.ORGANIZER))
    workbook = workbook_of(client, contest)
    prizes = workbook["Giải thưởng"]
    first, total = prizes["E2"], prizes[f"E{prizes.max_row}"]
    assert (first.value, first.data_type) == (10_000_000, "n")
    assert first.number_format == '#,##0 "đ"'
    assert (total.value, total.number_format) == (61_000_000, '#,##0 "đ"')

    individuals = workbook["Cá nhân"]
    finished = individuals["I2"]
    assert finished.is_date
    assert finished.number_format == "dd/mm/yyyy hh:mm"
    # The round finished a day before NOW (UTC): its cell holds Hà Nội's wall-clock time.
    assert finished.value == (NOW - timedelta(days=1) + timedelta(hours=7)).replace(tzinfo=None)
    seconds = individuals["H2"]
    assert (seconds.value, seconds.number_format) == (60.0, "0.000")
    exported = workbook["Thông tin"]["B3"]
    assert exported.is_date
    assert isinstance(exported.value, datetime)
    units_sheet = workbook["Đơn vị"]
    assert units_sheet["E2"].number_format == "0.00"  # participation (%)
    assert units_sheet["E2"].data_type == "n"


def test_the_individual_ranking_carries_unit_code_phone_and_position(
    client,
    contest_with_results,  # noqa: F811
    frozen_clock,
):
    contest, units, people = contest_with_results
    people[0].position = "Chuyên viên Phòng Cải cách hành chính"
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)
    rows = list(workbook_of(client, contest)["Cá nhân"].values)
    assert rows[0] == (
        "Hạng",
        "Họ và tên",
        "Mã đơn vị",
        "Đơn vị",
        "Số điện thoại",
        "Chức vụ",
        "Số câu đúng",
        "Số giây",
        "Hoàn thành lúc",
    )
    assert rows[1][:6] == (
        1,
        people[0].full_name,
        units[0].code,
        units[0].name,
        people[0].phone,
        "Chuyên viên Phòng Cải cách hành chính",
    )
    assert rows[2][5] is None  # no position given: an empty cell

    # The approved ranking (frozen, names only) gets the same columns.
    frozen_clock.now = NOW + timedelta(hours=1)
    workflow.approve_results(contest, organizer, None, frozen_clock.now)
    db.session.commit()
    approved = list(workbook_of(client, contest)["Cá nhân"].values)
    assert approved[1][:6] == rows[1][:6]
    assert len(approved) == len(rows)
