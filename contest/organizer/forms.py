"""The shape of the organizers' contest forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms.validators import InputRequired, Optional

from contest.clock import local_zone

NOT_A_TIME = _l("Enter a date and time.")


def _moment(label, required: bool = True) -> DateTimeLocalField:
    validators = [InputRequired(message=NOT_A_TIME)] if required else [Optional()]
    # Typed and shown in the contest's time zone; the data are aware, stored as UTC.
    return DateTimeLocalField(
        label, validators=validators, invalid_value_message=NOT_A_TIME, tz=local_zone
    )


class WindowsForm(FlaskForm):
    """The contest's windows, in the contest's local time."""

    quiz_opens_at = _moment(_l("Quiz opens"))
    quiz_closes_at = _moment(_l("Quiz closes"))
    video_opens_at = _moment(_l("Video submissions open"), required=False)
    video_closes_at = _moment(_l("Video submissions close"), required=False)
    results_publish_at = _moment(_l("Results are published"), required=False)
