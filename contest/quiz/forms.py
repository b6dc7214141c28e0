"""The shape of the participant's forms."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from contest.forms import ContestForm

NOT_A_WHOLE_NUMBER = _l("Enter a whole number, 0 or more.")


class PredictionForm(ContestForm):
    """The participant's answer to the prediction question: a whole number."""

    value = IntegerField(
        _l("Your prediction"),
        validators=[
            InputRequired(NOT_A_WHOLE_NUMBER),
            NumberRange(min=0, max=10**9, message=NOT_A_WHOLE_NUMBER),
        ],
        invalid_value_message=NOT_A_WHOLE_NUMBER,
        render_kw={"inputmode": "numeric"},
    )
