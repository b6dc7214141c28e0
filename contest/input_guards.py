"""What every request's input must be before a view reads it, checked once for all of them.

- JSON nested deeper than Python can parse is invalid JSON (400), not a RecursionError (500).
- No text may hold a NUL character: PostgreSQL refuses it in every text column, so a NUL in
  the path, a query parameter, a form field or a JSON string is refused with 400 before a
  query could fail on it.
- Ids in paths are read by one converter (contest.numbers.IdConverter).
"""

from flask import Flask, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

from contest.numbers import IdConverter

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ContestJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a document too deep to parse is invalid like any other bad JSON."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:  # Flask's get_json turns ValueError into a 400
            raise ValueError("JSON nested too deeply") from error


def _strings_of(value) -> list[str]:
    """Every string in a parsed JSON document, keys included; a loop, never recursion."""
    found, pending = [], [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _has_nul(texts) -> bool:
    return any("\x00" in text for text in texts)


def request_has_nul() -> bool:
    """Whether the path, the query, a form field (not a file's bytes) or JSON holds a NUL."""
    if "\x00" in request.path or _query_has_nul():
        return True
    if request.mimetype in _FORM_TYPES:
        return _has_nul(request.form.keys()) or _has_nul(request.form.values())
    if request.is_json:
        # In UTF-8 a JSON string holds a NUL only written as \u0000 (a raw one is invalid
        # JSON); a body with neither that escape nor a NUL byte (UTF-16 and UTF-32 have them)
        # needs no parse here: the view parses it once, for its own use.
        data = request.get_data(cache=True)
        if b"\\u0000" not in data and b"\x00" not in data:
            return False
        return _has_nul(_strings_of(request.get_json(silent=True)))
    return False


def _query_has_nul() -> bool:
    # A NUL reaches the decoded query only from %00 or a raw NUL byte: most queries are not
    # parsed here at all.
    raw = request.query_string
    if b"%00" not in raw and b"\x00" not in raw:
        return False
    return _has_nul(request.args.keys()) or _has_nul(request.args.values())


def refuse_nul_characters():
    """before_request: a 400 with a message for a request holding a NUL character."""
    if not request_has_nul():
        return None
    from contest.setup import api_error

    message = _("The text sent holds a NUL character (\\0), which no field may contain.")
    if request.path.startswith("/api/"):
        return api_error("invalid_text", message, 400)
    return render_template("errors/error.html", status=400, message=message), 400


def install(app: Flask) -> None:
    """Put the guards in place: before the blueprints, so their routes use the id converter."""
    app.url_map.converters["int"] = IdConverter
    app.json = ContestJSONProvider(app)
    app.before_request(refuse_nul_characters)
