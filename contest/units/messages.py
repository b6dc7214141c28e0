"""What a units file's problems say to organizers (Vietnamese first)."""

from flask_babel import lazy_gettext as _l

from contest.domain.question_files.records import Location, ProblemCode
from contest.domain.units_file import RowProblem
from contest.questions.messages import PROBLEM_MESSAGES, describe_location

MESSAGES = {
    "unknown_format": _l(
        "Files ending in %(extension)s cannot be read. Use the XLSX template or a CSV file; an "
        "old .xls workbook must be saved again as .xlsx."
    ),
    "no_units": _l("The file holds no unit."),
    "bad_group_code": _l(
        "The group code «%(value)s» is not a code: 1 to 32 letters without diacritics, digits, "
        "'.', '_' or '-'."
    ),
    "group_name_too_long": _l("The group's name is longer than %(limit)s characters."),
    "group_named_twice": _l(
        "The group %(group)s is named «%(name)s» at %(first)s; give it one name."
    ),
    "bad_code": _l(
        "The unit code «%(value)s» is not a code: 1 to 32 letters without diacritics, digits, "
        "'.', '_' or '-'."
    ),
    "duplicate_code": _l("The same unit code already appears at %(first)s."),
    "no_name": _l("The unit has no name."),
    "name_too_long": _l("The unit's name is longer than %(limit)s characters."),
    "bad_headcount": _l("The headcount «%(value)s» is not a whole number from 0 to 1,000,000."),
    "unknown_group": _l("No group has the code %(group)s: give the new group's name."),
    "merged_unit": _l("The unit %(code)s was merged into «%(name)s»: it is no longer imported."),
}


def describe(problem: RowProblem) -> str:
    """The problem's message, its values filled in, in the organizer's language."""
    params = {
        key: describe_location(value) if isinstance(value, Location) else value
        for key, value in problem.params.items()
    }
    message = MESSAGES.get(problem.code)
    if message is None:  # a problem of the file itself, worded as for question files
        message = PROBLEM_MESSAGES[ProblemCode(problem.code)]
    return str(message) % params
