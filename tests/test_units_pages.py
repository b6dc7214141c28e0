"""The unit pages: who may reach them, the import (errors, preview, all or nothing), the
template, a merge through its form, and a contest's participating units form."""

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import AuditEntry, ParticipatingUnit, Role, Unit, UnitGroup, User
from tests.helpers import ApiClient, form_token, make_contest, make_unit, make_user

PAGES = [
    "/organizer/units/",
    "/organizer/units/new",
    "/organizer/units/{unit}",
    "/organizer/units/groups/new",
    "/organizer/units/groups/{group}",
    "/organizer/units/import",
    "/organizer/units/template.xlsx",
    "/contests/{slug}/organizer/settings/participants",
]
POSTS = [
    "/organizer/units/new",
    "/organizer/units/{unit}",
    "/organizer/units/{unit}/active",
    "/organizer/units/{unit}/merge",
    "/organizer/units/groups/new",
    "/contests/{slug}/organizer/settings/participants",
]


@pytest.fixture
def world(db_session):
    contest = make_contest()
    unit, other = make_unit("SNV", headcount=40), make_unit("STP", headcount=30)
    people = {
        "organizer": make_user(Role.ORGANIZER),
        "unit_admin": make_user(Role.UNIT_ADMIN, unit=unit),
        "other_unit_admin": make_user(Role.UNIT_ADMIN, unit=other),
        "judge": make_user(Role.JUDGE),
        "participant": make_user(unit=unit),
    }
    db.session.commit()
    ids = {"unit": unit.id, "group": unit.group_id, "slug": contest.slug}
    return {"contest": contest, "unit": unit, "other": other, "people": people, "ids": ids}


def log_in(client, user) -> None:
    ApiClient(client).login(user)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organizer", 200),
        ("unit_admin", 403),
        ("other_unit_admin", 403),
        ("judge", 403),
        ("participant", 403),
        ("anonymous", 302),
    ],
)
def test_only_organizers_reach_the_unit_pages(client, world, page, who, status):
    path = page.format(**world["ids"])
    if who != "anonymous":
        log_in(client, world["people"][who])
    response = client.get(path)
    assert response.status_code == status
    if who == "anonymous":
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("page", POSTS)
@pytest.mark.parametrize("who", ["unit_admin", "judge", "participant", "anonymous"])
def test_nobody_else_changes_units(client, world, page, who):
    if who != "anonymous":
        log_in(client, world["people"][who])
    token = form_token(client, "/")
    data = {"csrf_token": token, "code": "X", "name": "X", "headcount": "1", "active": "0"}
    response = client.post(page.format(**world["ids"]), data=data)
    assert response.status_code == (302 if who == "anonymous" else 403)
    db.session.expire_all()
    assert world["unit"].active
    assert world["unit"].code == "SNV"


def test_the_list_shows_units_by_group_with_their_people(client, world):
    log_in(client, world["people"]["organizer"])
    html = client.get("/organizer/units/").get_data(as_text=True)
    assert world["unit"].group.name in html
    assert re.search(r">SNV</a></td>\s*<td>Đơn vị \d+</td>\s*<td>40</td>\s*<td>2</td>", html)


def test_a_unit_is_added_and_changed_on_its_pages(client, world):
    log_in(client, world["people"]["organizer"])
    group = world["unit"].group_id
    data = {"code": "sct", "name": "Sở Công Thương", "group_id": group, "headcount": "55"}
    token = form_token(client, "/organizer/units/new")
    response = client.post("/organizer/units/new", data=data | {"csrf_token": token})
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "SCT"))
    assert (unit.name, unit.headcount, unit.active) == ("Sở Công Thương", 55, True)
    # A code already used is refused with the reason, in Vietnamese.
    path = f"/organizer/units/{unit.id}"
    data = data | {"code": "STP", "csrf_token": form_token(client, path)}
    html = client.post(path, data=data, follow_redirects=True).get_data(as_text=True)
    assert "đã là mã của đơn vị" in html
    db.session.expire_all()
    assert unit.code == "SCT"


def test_a_merge_through_its_form(client, world):
    log_in(client, world["people"]["organizer"])
    unit, other = world["unit"], world["other"]
    path = f"/organizer/units/{unit.id}"
    html = client.get(path).get_data(as_text=True)
    assert "Sáp nhập vào đơn vị khác" in html
    token = form_token(client, path)
    unconfirmed = {"csrf_token": token, "target_id": other.id, "headcount": "70"}
    assert client.post(f"{path}/merge", data=unconfirmed).status_code == 422
    response = client.post(f"{path}/merge", data=unconfirmed | {"confirm": "y"})
    assert response.headers["Location"].endswith(f"/organizer/units/{other.id}")
    db.session.expire_all()
    assert (unit.active, unit.merged_into_id, other.headcount) == (False, other.id, 70)
    assert world["people"]["participant"].unit_id == other.id
    html = client.get(path).get_data(as_text=True)
    assert "Sáp nhập đơn vị" in html  # the unit's history
    assert "Sáp nhập vào đơn vị khác" not in html  # a merged unit merges no more


def test_the_participating_units_form(client, world):
    contest, unit, other = world["contest"], world["unit"], world["other"]
    log_in(client, world["people"]["organizer"])
    path = f"/contests/{contest.slug}/organizer/settings/participants"
    token = form_token(client, path)
    bad = {"csrf_token": token, f"take-{unit.id}": "1", f"headcount-{unit.id}": "nhiều"}
    html = client.post(path, data=bad).get_data(as_text=True)
    assert "Nhập biên chế" in html
    good = {"csrf_token": token, f"take-{unit.id}": "1", f"headcount-{unit.id}": "1.200"}
    good[f"headcount-{other.id}"] = "30"  # not ticked: leaves the contest
    saved = client.post(path, data=good)
    assert saved.headers["Location"].endswith(path)
    rows = db.session.execute(
        select(ParticipatingUnit.unit_id, ParticipatingUnit.headcount).where(
            ParticipatingUnit.contest_id == contest.id
        )
    ).all()
    assert [tuple(row) for row in rows] == [(unit.id, 1200)]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.contest_id == contest.id))
    assert entry.action == "participation_changed"


def test_the_participating_units_live_under_their_contest(client, world):
    contest = world["contest"]
    log_in(client, world["people"]["organizer"])
    path = f"/contests/{contest.slug}/organizer/settings/participants"
    assert client.get(f"/organizer/units/contest/{contest.id}/participants").status_code == 404
    for linking in (
        f"/contests/{contest.slug}/organizer/",
        f"/contests/{contest.slug}/organizer/settings/",
    ):
        assert f'href="{path}"' in client.get(linking).get_data(as_text=True), linking


# The import


def xlsx(rows, header=("Mã nhóm", "Tên nhóm", "Mã đơn vị", "Tên đơn vị", "Biên chế")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đơn vị"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str):
    token = form_token(client, "/organizer/units/import")
    data = {"csrf_token": token, "file": (io.BytesIO(content), name)}
    return client.post("/organizer/units/import", data=data, content_type="multipart/form-data")


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Unit.id))),
        db.session.scalar(select(func.count(UnitGroup.id))),
    )


def test_a_file_with_problems_is_previewed_line_by_line_and_imports_nothing(client, world):
    log_in(client, world["people"]["organizer"])
    before = counts()
    rows = [
        ("SO", "Sở, ban, ngành", "SNV", "Sở Nội vụ", 45),  # fine: an update
        ("SO", "Sở, ban, ngành", "snv", "Sở Nội vụ (lặp)", 45),  # the same code again
        ("MOI", None, "SXD", "Sở Xây dựng", 20),  # a new group without a name
        ("SO", "Sở, ban, ngành", "S KHCN", "Sở Khoa học", 20),  # a code with a space
        ("SO", "Sở, ban, ngành", "SYT", "", "nhiều"),  # no name, no headcount
    ]
    response = upload(client, xlsx(rows), "đơn vị.xlsx")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="problem-count">5<' in html
    assert "trang «Đơn vị», dòng 3" in html
    assert "Mã đơn vị này đã có tại đơn vị.xlsx, trang «Đơn vị», dòng 2" in html
    assert "Chưa có nhóm mã MOI" in html
    assert "Mã đơn vị «S KHCN» không hợp lệ" in html
    assert "Đơn vị chưa có tên" in html
    assert "Biên chế «nhiều» không phải số nguyên" in html
    assert "Nhập " not in re.sub(r"<nav.*?</nav>", "", html, flags=re.S).split("<form")[-1]
    # Posting anyway changes nothing.
    token = form_token(client, response.headers["Location"])
    refused = client.post(response.headers["Location"], data={"csrf_token": token})
    assert refused.status_code == 302
    db.session.expire_all()
    assert counts() == before
    assert world["unit"].name != "Sở Nội vụ"


def test_a_clean_file_is_previewed_then_imported_whole(client, world):
    log_in(client, world["people"]["organizer"])
    group = world["unit"].group.code
    rows = [
        (group, "Sở, ban, ngành tỉnh", "SNV", "Sở Nội vụ", 45),  # renames the group, updates
        ("HUYEN", "UBND cấp huyện", "UBND-BT", "UBND huyện Ba Tơ", "1.200"),  # new group, unit
        ("HUYEN", None, "UBND-MD", "UBND huyện Minh Long", 300),
    ]
    response = upload(client, xlsx(rows), "don-vi.xlsx")
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="problem-count">0<' in preview
    assert "Nhập 3 đơn vị" in preview
    assert "Sở, ban, ngành tỉnh" in preview
    token = form_token(client, response.headers["Location"])
    done = client.post(response.headers["Location"], data={"csrf_token": token})
    assert done.headers["Location"].endswith("/organizer/units/")
    db.session.expire_all()
    unit = world["unit"]
    assert (unit.name, unit.headcount, unit.group.name) == ("Sở Nội vụ", 45, "Sở, ban, ngành tỉnh")
    new = db.session.scalar(select(Unit).where(Unit.code == "UBND-BT"))
    assert (new.headcount, new.group.code, new.group.name) == (1200, "HUYEN", "UBND cấp huyện")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "units_imported"))
    assert entry.details["units_created"] == ["UBND-BT", "UBND-MD"]
    assert entry.details["units_updated"] == ["SNV"]


def test_a_csv_file_and_a_wrong_file(client, world):
    log_in(client, world["people"]["organizer"])
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(["Mã nhóm", "Tên nhóm", "Mã đơn vị", "Tên đơn vị", "Biên chế"])
    writer.writerow(["SO", "Sở", "SGTVT", "Sở Giao thông vận tải", "60"])
    response = upload(client, text.getvalue().encode("utf-8-sig"), "don-vi.csv")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="problem-count">0<' in html
    # A header row that is not the template's is named with what was found.
    response = upload(client, "Họ tên,Số điện thoại\nAn,0912\n".encode(), "nguoi.csv")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Họ tên, Số điện thoại" in html
    assert "Mã nhóm, Mã đơn vị, Tên đơn vị, Biên chế" in html
    # A legacy-encoded file is named as such; an .xls is refused at the upload.
    response = upload(client, "Mã đơn vị".encode("cp1258", "replace") + b"\xe0\n", "cu.csv")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "UTF-8" in html
    html = upload(client, b"x", "cu.xls").get_data(as_text=True)
    assert "Hãy dùng tệp mẫu XLSX hoặc tệp CSV." in html


def test_the_template_reads_back_as_a_clean_file(client, world):
    log_in(client, world["people"]["organizer"])
    response = client.get("/organizer/units/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Đơn vị", "Hướng dẫn"]
    header = [cell.value for cell in workbook["Đơn vị"][1]]
    assert header == ["Mã nhóm", "Tên nhóm", "Mã đơn vị", "Tên đơn vị", "Biên chế"]
    html = client.get(upload(client, response.data, "mau.xlsx").headers["Location"])
    assert 'id="problem-count">0<' in html.get_data(as_text=True)


def test_a_merged_unit_cannot_be_imported_nor_join(client, world):
    from contest import clock
    from contest.units.services import merge_units

    unit, other = world["unit"], world["other"]
    merge_units(unit, other, 70, world["people"]["organizer"], clock.utc_now())
    db.session.commit()
    log_in(client, world["people"]["organizer"])
    rows = [(unit.group.code, None, "SNV", "Sở Nội vụ", 45)]
    html = client.get(upload(client, xlsx(rows), "x.xlsx").headers["Location"])
    assert "đã sáp nhập vào" in html.get_data(as_text=True)
    assert db.session.get(User, world["people"]["participant"].id).unit_id == other.id
