"""Whole numbers from outside (paths, query strings, JSON bodies), read in one way everywhere.

Only ASCII digits count: `str.isdigit` and `int()` accept '²', '١' or '1_000'. A number past
what a database column holds is refused here, before a query could overflow (PostgreSQL's
`integer` ends at 2^31 - 1, SQLite's at 2^63 - 1).
"""

from werkzeug.routing import IntegerConverter, ValidationError

# Every id column is a 4-byte integer on PostgreSQL.
MAX_ID = 2**31 - 1
# More digits than this is never a number anyone meant (and int() refuses past 4,300 digits).
_MAX_DIGITS = 19


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """The number `text` writes in ASCII digits, if it lies in low..high; None otherwise."""
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def id_number(text: str | None) -> int | None:
    """The id `text` writes (a form's hidden field, a checkbox's value), or None."""
    return whole_number(text, 1, MAX_ID)


def json_whole_number(value: object, low: int, high: int) -> int | None:
    """A JSON value that is a whole number in low..high (true and false are not numbers)."""
    if type(value) is not int or not low <= value <= high:
        return None
    return value


def json_id(value: object) -> int | None:
    """A JSON value that can be an id: a whole number in 1..MAX_ID."""
    return json_whole_number(value, 1, MAX_ID)


class IdConverter(IntegerConverter):
    """The app's `<int:...>`: ASCII digits, 1 to MAX_ID unless the rule says otherwise; else 404."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > _MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)
