"""The base of every form: what people type is cleaned once, here, before any validator sees it.

A text field (a name, a title, a criterion, a question) goes through clean_text, a text area
(a description, guidance) through clean_lines: NFC, no invisible or control characters, no
mark without a letter. Passwords are left exactly as typed.
"""

from flask_wtf import FlaskForm
from wtforms import Form as PlainForm
from wtforms import PasswordField, StringField, TextAreaField

from contest.domain.text import clean_lines, clean_text


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
