"""The shape of the unit pages' forms; the rules (codes, headcounts) are the services'."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from contest.auth.forms import at_most, required
from contest.domain.units_file import CODE_LENGTH, MAX_HEADCOUNT, NAME_LENGTH, parse_headcount
from contest.forms import ContestForm

NOT_A_HEADCOUNT = _l("Enter a whole number from 0 to %(max)s.", max=MAX_HEADCOUNT)


def _headcount(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(message=NOT_A_HEADCOUNT),
            NumberRange(min=0, max=MAX_HEADCOUNT, message=NOT_A_HEADCOUNT),
        ],
    )


class GroupForm(ContestForm):
    code = StringField(_l("Code"), validators=[required(), at_most(CODE_LENGTH)])
    name = StringField(_l("Name"), validators=[required(), at_most(NAME_LENGTH)])


class UnitForm(ContestForm):
    code = StringField(_l("Code"), validators=[required(), at_most(CODE_LENGTH)])
    name = StringField(_l("Name"), validators=[required(), at_most(NAME_LENGTH)])
    group_id = SelectField(_l("Group"), coerce=int, validate_choice=False)
    headcount = _headcount(_l("Headcount (staff number)"))


class MergeForm(ContestForm):
    target_id = SelectField(_l("Merge into"), coerce=int, validate_choice=False)
    headcount = _headcount(_l("Headcount of the merged unit"))
    confirm = BooleanField(
        _l("I understand: the people, rounds and videos move, and this unit is deactivated."),
        validators=[DataRequired(message=_l("Tick the box to confirm the merge."))],
    )


class ImportForm(ContestForm):
    file = FileField(
        _l("Units file (XLSX or CSV)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )


def participation_from_form(form: dict, unit_ids: list[int]) -> tuple[dict[int, int], list[int]]:
    """The ticked units with their headcounts (`take-<id>`, `headcount-<id>`), and the ids of
    ticked units whose headcount is not a whole number from 0 to 1,000,000."""
    chosen, bad = {}, []
    for unit_id in unit_ids:
        if not form.get(f"take-{unit_id}"):
            continue
        headcount = parse_headcount(form.get(f"headcount-{unit_id}", ""))
        if headcount is None:
            bad.append(unit_id)
        else:
            chosen[unit_id] = headcount
    return chosen, bad
