"""The shape of the people pages' input; the accounts' rules are the import's (services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from contest.auth.forms import at_most, required
from contest.forms import ContestForm
from contest.models import Role

ROLE_LABELS = {
    Role.PARTICIPANT: _l("Participant"),
    Role.UNIT_ADMIN: _l("Unit admin"),
    Role.JUDGE: _l("Judge"),
    Role.ORGANIZER: _l("Organizer"),
}


def _unit_id(value) -> int | None:
    """The posted unit id; empty is no unit, anything else not a number is 0 (no unit has it)."""
    if value in (None, "", "None"):
        return None
    return int(value) if str(value).isdigit() else 0


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _roles_field() -> RolesField:
    return RolesField(
        _l("Roles"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validate_choice=False,
    )


class _AccountFields(ContestForm):
    full_name = StringField(_l("Full name"), validators=[required(), at_most(120)])
    position = StringField(_l("Position"), validators=[Optional(), at_most(120)])
    email = StringField(_l("Email (optional)"), validators=[Optional(), at_most(254)])
    unit_id = SelectField(_l("Unit"), coerce=_unit_id, validate_choice=False)
    roles = _roles_field()

    def chosen_roles(self) -> set[Role]:
        return {Role(value) for value in self.roles.data or () if value in Role._value2member_map_}


class CreateAccountForm(_AccountFields):
    phone = StringField(_l("Phone number"), validators=[Optional(), at_most(30)])
    username = StringField(_l("Username (optional)"), validators=[Optional(), at_most(40)])
    password = PasswordField(
        _l("Password (empty: one is generated, to be changed at the first login)"),
        validators=[Optional(), at_most(200)],
    )


class EditAccountForm(_AccountFields):
    pass


class ImportAccountsForm(ContestForm):
    file = FileField(
        _l("Accounts file (XLSX or CSV)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )
