"""The registration form's unit filter on a phone: typing without diacritics narrows the list."""

import pytest
from sqlalchemy import delete, select

from contest.extensions import db
from contest.models import Contest, ParticipatingUnit, Unit, UnitGroup
from tests.browser.steps import shot


@pytest.fixture
def justice_department(live_app):
    """A unit with a Vietnamese name in a group of its own, taking part in every contest (the
    registration offers the units of the open contests), removed afterwards."""
    with live_app.app_context():
        group = UnitGroup(code="LOC", name="Sở, ban, ngành (lọc)", position=99)
        unit = Unit(code="LOC-STP", name="Sở Tư pháp", group=group, position=1)
        db.session.add(unit)
        db.session.flush()
        for contest in db.session.scalars(select(Contest)):
            db.session.add(ParticipatingUnit(contest_id=contest.id, unit_id=unit.id, headcount=9))
        db.session.commit()
    yield
    with live_app.app_context():
        db.session.execute(delete(ParticipatingUnit).where(ParticipatingUnit.unit_id == unit.id))
        db.session.delete(db.session.get(Unit, unit.id))
        db.session.delete(db.session.get(UnitGroup, group.id))
        db.session.commit()


def test_typing_part_of_a_unit_name_filters_the_grouped_list(page, justice_department):
    page.goto("/auth/register")
    select = page.locator("#unit_id")
    assert select.input_value() == ""  # the empty choice, never the first unit
    everything = select.locator("option").count()
    assert everything > 2

    page.fill("#unit_id-filter", "tu phap")  # typed without diacritics
    assert select.locator("option").count() == 2  # the empty choice and the one unit
    assert select.locator("option:checked").inner_text() == "Sở Tư pháp"
    assert select.locator("optgroup").count() == 1
    shot(page, "register-unit-filter")

    page.fill("#unit_id-filter", "khong co don vi nao")
    assert select.locator("option").count() == 1
    assert select.input_value() == ""
    assert page.get_by_role("status").filter(has_text="Không có đơn vị phù hợp").count() == 1

    page.fill("#unit_id-filter", "")
    assert select.locator("option").count() == everything
