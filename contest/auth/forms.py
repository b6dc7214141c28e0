"""The shape of account forms; every message is ours, in the user's language.

WTForms ships no Vietnamese catalog, so its built-in messages ("This field is required.")
would reach Vietnamese users in English: each validator here names its own.
"""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from contest.domain.text import normalize_phone
from contest.extensions import db
from contest.forms import ContestForm
from contest.models import Unit, UnitGroup
from contest.numbers import id_number

REQUIRED = _l("Please fill in this field.")
NOTHING_VISIBLE = _l(
    "Only invisible characters or marks without a letter were typed: write it in letters."
)
PASSWORDS_DIFFER = _l("The passwords differ.")
MIN_PASSWORD = 6


class Required(DataRequired):
    """Filled in, with something visible once cleaned (contest.forms)."""

    def __call__(self, form, field) -> None:
        typed = "".join(text for text in field.raw_data or () if isinstance(text, str))
        if typed.strip() and isinstance(field.data, str) and not field.data.strip():
            field.errors[:] = []
            raise StopValidation(NOTHING_VISIBLE)
        super().__call__(form, field)


def required() -> DataRequired:
    return Required(message=REQUIRED)


def at_most(length: int) -> Length:
    return Length(max=length, message=_l("At most %(max)s characters.", max=length))


def password_rules() -> list:
    return [
        required(),
        Length(
            min=MIN_PASSWORD,
            max=200,
            message=_l("The password needs %(min)s to 200 characters.", min=MIN_PASSWORD),
        ),
    ]


def _phone_number(form, field) -> None:
    if normalize_phone(field.data or "") is None:
        raise ValidationError(_l("Enter a Vietnamese phone number, e.g. 0912345678."))


def _unit_id(value) -> int:
    """The posted unit id; anything else becomes 0, which no unit has."""
    return id_number(str(value)) or 0


class LoginForm(ContestForm):
    login = StringField(_l("Phone number or username"), validators=[required(), at_most(60)])
    password = PasswordField(_l("Password"), validators=[required(), at_most(200)])
    remember = BooleanField(_l("Keep me logged in"))


class RegisterForm(ContestForm):
    full_name = StringField(
        _l("Full name"),
        validators=[
            required(),
            Length(min=2, max=120, message=_l("The full name needs 2 to 120 characters.")),
        ],
    )
    phone = StringField(_l("Phone number"), validators=[required(), _phone_number])
    # Starts on the empty choice ("— Choose your unit —"): a participant who skips the field
    # gets an error, never the first unit of the list (see unit_choices).
    unit_id = SelectField(_l("Unit"), coerce=_unit_id, validate_choice=False)
    position = StringField(_l("Position"), validators=[Optional(), at_most(120)])
    email = EmailField(
        _l("Email (optional)"),
        validators=[
            Optional(),
            Email(message=_l("Enter an email address such as ten@example.vn.")),
        ],
    )
    password = PasswordField(_l("Password"), validators=password_rules())
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[required(), EqualTo("password", message=PASSWORDS_DIFFER)],
    )

    def validate_unit_id(self, field) -> None:
        offered = {choice.value for choice in self.unit_id.choices or () if choice.value}
        unit = db.session.get(Unit, field.data) if field.data else None
        if unit is None or not unit.takes_members or str(field.data) not in offered:
            raise ValidationError(_l("Choose your unit from the list."))


def unit_choices(offered: list[tuple[UnitGroup, list[Unit]]]) -> list[SelectChoice]:
    """The empty choice first, then each group's units in an <optgroup> of its own."""
    choices = [SelectChoice(value="", label=str(_l("— Choose your unit —")))]
    for group, units in offered:
        choices.extend(
            SelectChoice(value=str(unit.id), label=unit.name, optgroup=group.name) for unit in units
        )
    return choices


class ForgotPasswordForm(ContestForm):
    login = StringField(
        _l("Phone number, username or email"), validators=[required(), at_most(254)]
    )


class ResetPasswordForm(ContestForm):
    new_password = PasswordField(_l("New password"), validators=password_rules())
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), EqualTo("new_password", message=PASSWORDS_DIFFER)],
    )


class ChangePasswordForm(ContestForm):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(_l("New password"), validators=password_rules())
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), EqualTo("new_password", message=PASSWORDS_DIFFER)],
    )
