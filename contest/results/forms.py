"""The shape of the organizers' results forms."""

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from contest.numbers import MAX_ID, id_number, whole_number

POSITION_PREFIX = "position-"


class InvalidOrder(ValueError):
    """The positions typed for a tie's members are missing or repeated."""


def tie_order(form: MultiDict) -> list[int]:
    """The tied entries' ids in the order of the position numbers typed beside them."""
    positions: dict[int, int | None] = {}
    for key in form:
        entry = id_number(key.removeprefix(POSITION_PREFIX))
        if key.startswith(POSITION_PREFIX) and entry is not None:
            positions[entry] = whole_number(form.get(key), 0, MAX_ID)
    if not positions or None in positions.values():
        raise InvalidOrder(_l("Give every tied entry a position number."))
    if len(set(positions.values())) != len(positions):
        raise InvalidOrder(_l("Give each tied entry a different position."))
    return sorted(positions, key=lambda entry: positions[entry])
