"""Importing accounts from a CSV file: every problem with its line, all or nothing."""

import pytest
from sqlalchemy import select

from contest.auth.services import describe_problem, import_accounts
from contest.domain.accounts_file import read_accounts_file
from contest.models import Role, User
from tests.helpers import make_unit, make_user

HEADER = "full_name,phone,unit_code,position,email,username,roles,password\n"


def problems_of(text: str, encoding: str = "utf-8") -> list[tuple[int, str | None, str]]:
    return [(p.line, p.column, p.code) for p in read_accounts_file(text.encode(encoding)).problems]


def test_a_clean_file_with_bom_and_semicolons_reads_every_row():
    text = (
        "\ufefffull_name;phone;unit_code;roles\n"
        "Nguyễn Văn An;0912 345 678;snv;\n"
        "\n"
        "Trần Thị Bé;+84 987 654 321;STP;judge|participant\n"
    )
    accounts = read_accounts_file(text.encode("utf-8"))
    assert accounts.problems == ()
    first, second = accounts.rows
    assert (first.phone, first.unit_code, first.roles) == ("0912345678", "SNV", ("participant",))
    assert (second.line, second.phone, second.roles) == (4, "0987654321", ("judge", "participant"))


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        ("A,0912345678,SNV,,,,,", "full_name", "bad_full_name"),
        ("Nguyễn An,12345,SNV,,,,,", "phone", "bad_phone"),
        ("Nguyễn An,,SNV,,,,,", "phone", "no_login"),  # neither a phone nor a username
        ("Nguyễn An,12345,SNV,,,an,,", "phone", "bad_phone"),  # a phone given must be good
        ("Nguyễn An,0912345678,,,,,,", "unit_code", "missing_unit"),
        ("Nguyễn An,0912345678,SNV,,not-an-email,,,", "email", "bad_email"),
        ("Nguyễn An,0912345678,SNV,,,tên có dấu,,", "username", "bad_username"),
        ("Nguyễn An,0912345678,SNV,,,,boss,", "roles", "unknown_role"),
        ("Nguyễn An,0912345678,SNV,,,,,123", "password", "short_password"),
    ],
)
def test_each_row_problem_names_its_line_and_column(row, column, code):
    assert problems_of(HEADER + "Lê Văn Bình,0987000111,SNV,,,,,\n" + row + "\n") == [
        (3, column, code)
    ]


def test_a_username_is_the_login_of_a_row_without_a_phone():
    accounts = read_accounts_file((HEADER + "Giám Khảo Một,,SNV,,,gk1,judge,\n").encode())
    assert accounts.problems == ()
    (row,) = accounts.rows
    assert (row.phone, row.username, row.roles) == (None, "gk1", ("judge",))
    without_column = read_accounts_file("full_name;unit_code;username\nAn Bình;SNV;an\n".encode())
    assert without_column.problems == ()
    assert without_column.rows[0].phone is None


def test_duplicates_within_the_file_are_problems_on_the_later_line():
    text = HEADER + "Lê Văn Bình,0987000111,SNV,,,binh,,\nLê Văn Bình,+84987000111,SNV,,,binh,,\n"
    assert problems_of(text) == [
        (3, "phone", "duplicate_phone"),
        (3, "username", "duplicate_username"),
    ]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        ("Họ tên,phone\n".encode(), "missing_column"),
        ("full_name,unit_code\nAn Bình,SNV\n".encode(), "no_login_column"),
        (HEADER.encode(), "no_rows"),
        ((HEADER + "Nguyen Van Ánh,0912345678,SNV,,,,,\n").encode("latin-1"), "not_utf8"),
    ],
)
def test_files_that_cannot_be_read(content, code):
    assert code in {p.code for p in read_accounts_file(content).problems}


def test_import_creates_all_accounts_with_roles_and_generated_passwords(db_session):
    unit = make_unit(code="SNV")
    text = (
        HEADER
        + "Nguyễn Văn An,0912345678,snv,Chuyên viên,an@example.vn,an.nv,,\n"
        + "Trần Thị Bé,0987654321,SNV,,,,unit_admin participant,mat-khau-1\n"
    )
    result = import_accounts(read_accounts_file(text.encode()))
    assert result.problems == ()
    an, be = (db_session.scalar(select(User).where(User.phone == a.phone)) for a in result.created)
    assert an.unit_id == be.unit_id == unit.id
    assert an.roles == {Role.PARTICIPANT}
    assert be.roles == {Role.UNIT_ADMIN, Role.PARTICIPANT}
    assert an.username == "an.nv"
    generated = result.created[0].generated_password
    assert generated
    assert an.check_password(generated)
    assert result.created[1].generated_password is None
    assert be.check_password("mat-khau-1")


def test_import_is_all_or_nothing_against_the_database(db_session, app):
    make_unit(code="SNV")
    existing = make_user()
    text = (
        HEADER
        + "Nguyễn Văn An,0912345678,SNV,,,,,\n"
        + f"Trần Thị Bé,{existing.phone},SNV,,,,,\n"
        + "Lê Văn Cường,0977000111,NOPE,,,,,\n"
        + "Võ Thị Dung,0977,NOPE2,,,,,\n"
    )
    before = len(db_session.scalars(select(User)).all())
    result = import_accounts(read_accounts_file(text.encode()))
    assert result.created == ()
    assert [(p.line, p.code) for p in result.problems] == [
        (3, "phone_taken"),
        (4, "unknown_unit"),
        (5, "bad_phone"),
        (5, "unknown_unit"),  # reported with the row's other problem, not on the next try
    ]
    assert len(db_session.scalars(select(User)).all()) == before
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert (
            describe_problem(result.problems[1])
            == "dòng 4, cột unit_code: Không có đơn vị nào có mã này. (NOPE)"
        )


def test_cli_import_exit_codes_and_private_credentials(app, db_session, tmp_path):
    make_unit(code="SNV")
    db_session.commit()  # the command rolls back a refused file; the unit must outlive that
    good = tmp_path / "don-vi.csv"
    good.write_text(HEADER + "Nguyễn Văn An,0912345678,SNV,,,,,\n", encoding="utf-8")
    bad = tmp_path / "loi.csv"
    bad.write_text(HEADER + "Nguyễn Văn An,0912,SNV,,,,,\n", encoding="utf-8")
    credentials = tmp_path / "out" / "credentials.csv"
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["accounts", "import", str(bad)])
    assert refused.exit_code == 1
    assert "loi.csv, dòng 2, cột phone" in refused.output

    dry = runner.invoke(args=["accounts", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0
    assert "1 accounts can be imported" in dry.output

    done = runner.invoke(args=["accounts", "import", str(good), "--credentials", str(credentials)])
    assert done.exit_code == 0, done.output
    assert credentials.stat().st_mode & 0o777 == 0o600
    lines = credentials.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line,full_name,phone,username,password"
    assert lines[1].startswith("2,Nguyễn Văn An,0912345678,,")
