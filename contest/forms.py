"""The base of every form: what people type is cleaned once, here, before any validator sees it.

A text field (a name, a title, a criterion, a question) goes through clean_text, a text area
(a description, guidance) through clean_lines: NFC, no invisible or control characters, no
mark without a letter. Passwords are left exactly as typed.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, PasswordField, StringField, TextAreaField
from wtforms import Form as PlainForm

from contest.clock import local_zone
from contest.domain.moments import (
    DAY_FORMAT,
    MOMENT_FORMAT,
    day_text,
    moment_text,
    parse_day,
    parse_moment,
)
from contest.domain.text import clean_lines, clean_text
from contest.i18n import format_points

NOT_A_MOMENT = _l("Enter the date and time as dd/mm/yyyy HH:MM, such as 15/10/2021 24:00.")
NOT_A_DAY = _l("Enter the date as dd/mm/yyyy, such as 15/10/2021.")


def _only_text(clean):
    def clean_if_text(value):
        return clean(value) if isinstance(value, str) else value

    return clean_if_text


_CLEAN_LINE, _CLEAN_LINES = _only_text(clean_text), _only_text(clean_lines)


class CleanTextMeta:
    """Form meta that puts the text cleaning first among each text field's filters."""

    def bind_field(self, form, unbound_field, options):
        field_class = unbound_field.field_class
        if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
            clean = _CLEAN_LINES if issubclass(field_class, TextAreaField) else _CLEAN_LINE
            filters = (clean, *unbound_field.kwargs.get("filters", ()))
            options = {**options, "filters": filters}
        return super().bind_field(form, unbound_field, options)


class ContestForm(FlaskForm):
    """A page's form (CSRF-protected), its texts cleaned."""

    class Meta(CleanTextMeta):
        pass


class SubForm(PlainForm):
    """A row inside a form (FormField), its texts cleaned."""

    class Meta(CleanTextMeta):
        pass


class ActionForm(ContestForm):
    """Only the CSRF token, for a button that acts (import, reset...): the button says what."""


class TypedTextField(StringField):
    """A value typed in one fixed format whatever the browser's locale (a date input shows the
    browser's own order): the placeholder shows the format, `parse` reads the text (a
    ValueError refuses it with `invalid_message`) and `show` writes the data back."""

    placeholder = ""
    invalid_message = ""
    data_type: type = object

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"placeholder": self.placeholder, "autocomplete": "off", "spellcheck": "false"}
        render_kw |= kwargs.pop("render_kw", None) or {}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def parse(self, text: str):
        raise NotImplementedError

    def show(self, data) -> str:
        raise NotImplementedError

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0] if valuelist else ""
        if not text or not text.strip():
            self.raw_data = [""]  # blank is empty: InputRequired refuses it, Optional skips it
            return
        try:
            self.data = self.parse(text)
        except ValueError:
            self.raw_data = [text]
            raise ValueError(self.invalid_message) from None

    def _value(self):
        if self.raw_data and self.errors:
            return self.raw_data[0]
        return self.show(self.data) if isinstance(self.data, self.data_type) else ""


class LocalMomentField(TypedTextField):
    """A date and time typed as dd/mm/yyyy HH:MM in the contest's zone; the data are aware UTC.

    "24:00" ends the day. A closing field shows a close at local midnight as "15/10/2021 24:00",
    the way the organizer's plan writes it.
    """

    placeholder = MOMENT_FORMAT
    invalid_message = NOT_A_MOMENT
    data_type = datetime

    def __init__(self, label=None, validators=None, closing: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.closing = closing

    def parse(self, text: str) -> datetime:
        return parse_moment(text).replace(tzinfo=local_zone())

    def show(self, data: datetime) -> str:
        return moment_text(data.astimezone(local_zone()).replace(tzinfo=None), closing=self.closing)


class DayField(TypedTextField):
    """A day typed as dd/mm/yyyy; the data are a date."""

    placeholder = DAY_FORMAT
    invalid_message = NOT_A_DAY
    data_type = date

    def parse(self, text: str) -> date:
        return parse_day(text)

    def show(self, data: date) -> str:
        return day_text(data)


# One decimal separator, comma or point, and no thousands separators: "40", "40,5", "0.25".
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+")


class DecimalCommaField(DecimalField):
    """A number with decimals as Vietnamese write it ("40,5"; "40.5" read too), shown by the
    app's one number format, format_points ("40", "40,5", "0,25"), never "40.00"."""

    def process_formdata(self, valuelist):
        self.data = None
        text = unicodedata.normalize("NFKC", valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        refused = self.invalid_value_message or self.gettext("Not a valid decimal value.")
        if not _DECIMAL.fullmatch(text):
            raise ValueError(refused)
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(refused) from None
        if self.places is not None and -number.as_tuple().exponent > self.places:
            raise ValueError(_l("At most %(places)s decimals.", places=self.places))
        self.data = number

    def _value(self):
        if self.raw_data and self.errors:
            return self.raw_data[0]
        if self.data is None:
            return ""
        places = Decimal(10) ** -self.places if self.places is not None else None
        return format_points(self.data.quantize(places) if places else self.data)
