"""The shape of account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)
from wtforms.validators import Email as EmailValidator

from contest.domain.text import normalize_phone


class LoginForm(FlaskForm):
    login = StringField(_l("Phone number or username"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in"))


def _phone_number(form, field) -> None:
    if normalize_phone(field.data or "") is None:
        raise ValidationError(_l("Enter a Vietnamese phone number, e.g. 0912345678."))


class RegisterForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(min=2, max=120)])
    phone = StringField(_l("Phone number"), validators=[DataRequired(), _phone_number])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), EmailValidator()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=6, max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=6, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
