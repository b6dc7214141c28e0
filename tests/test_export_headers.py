"""Formula injection: every row of every export goes through one escaping, header rows too."""

import csv
import io
from types import SimpleNamespace

from openpyxl import load_workbook

from contest.cli import write_credentials
from contest.extensions import db
from contest.models import Role
from tests.helpers import ApiClient, in_contest, make_user
from tests.test_results_exports_and_pages import judged  # noqa: F401 (a fixture)

FORMULA = '=HYPERLINK("http://example.com/x","Xem")'


def test_a_criterion_named_like_a_formula_stays_text_in_the_header_rows(client, judged):  # noqa: F811
    contest = judged["contest"]
    contest.rubric[0].name = FORMULA
    contest.name = "+1+1 Hội thi"
    db.session.commit()
    ApiClient(client).login(make_user(Role.ORGANIZER))
    response = client.get(in_contest(contest, "/results/exports/videos.xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    header = next(workbook["Video"].iter_rows(max_row=1))
    named = [cell for cell in header if FORMULA in str(cell.value)]
    assert named, [cell.value for cell in header]
    assert all(cell.data_type == "s" for cell in named)  # 'f' would be a formula
    assert all(cell.data_type != "f" for row in workbook["Video"].iter_rows() for cell in row)
    about = next(workbook["Thông tin"].iter_rows(max_row=1))
    assert about[1].value == "+1+1 Hội thi"
    assert about[1].data_type == "s"

    text = client.get(in_contest(contest, "/results/exports/videos.csv")).data.decode("utf-8-sig")
    header_row = next(csv.reader(io.StringIO(text), delimiter=";"))
    quoted = [value for value in header_row if FORMULA in value]
    assert quoted
    assert all(value.startswith("'=") for value in quoted)


def test_the_credentials_file_quotes_a_formula_name_but_not_a_password(tmp_path):
    target = tmp_path / "credentials.csv"
    account = SimpleNamespace(
        line=2, full_name=FORMULA, phone="0912345678", username=None, generated_password="-x=y"
    )
    write_credentials(target, [account])
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[1] == ["2", "'" + FORMULA, "0912345678", "", "-x=y"]
