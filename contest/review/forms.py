"""The shape of a decision on a flagged round."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

from contest.auth.forms import at_most, required
from contest.forms import ContestForm
from contest.review.services import ACCEPT, EXCLUDE_PARTICIPANT, EXCLUDE_ROUND, REASON_MAX

DECISION_LABELS = {
    ACCEPT: _l("Accept the round: it is ranked"),
    EXCLUDE_ROUND: _l("Exclude this round from the ranking and the prizes"),
    EXCLUDE_PARTICIPANT: _l("Exclude the participant from this contest's ranking"),
}


class DecisionForm(ContestForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(value, label) for value, label in DECISION_LABELS.items()],
        validate_choice=True,
        invalid_choice_message=_l("Choose one of the decisions offered."),
    )
    reason = TextAreaField(
        _l("Reason (the participant sees it when a round is excluded)"),
        validators=[required(), at_most(REASON_MAX)],
        render_kw={"rows": 2},
    )
