"""The shape of the contest setup forms: a new contest or a copy, and each settings group."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from contest.auth.forms import at_most, required
from contest.contest_setup.services import RULES_TEXT_MAX, SLUG_MAX
from contest.forms import ContestForm, DayField
from contest.models import ReviewPolicy
from contest.organizer.forms import NOT_A_WHOLE_NUMBER, WindowsForm

REVIEW_LABELS = {
    ReviewPolicy.NEVER: _l("Never"),
    ReviewPolicy.AFTER_CLOSE: _l("After the quiz closes"),
    ReviewPolicy.AFTER_SUBMIT: _l("After each round"),
}


class NewContestForm(WindowsForm):
    """A new contest, or a copy of a past one: its name, its address and its windows."""

    name = StringField(_l("Contest name"), validators=[required(), at_most(300)])
    slug = StringField(
        _l("Short name in the address (lower-case letters without accents, digits, hyphens)"),
        validators=[required(), at_most(SLUG_MAX)],
    )
    organizer_name = StringField(_l("Organizing body"), validators=[at_most(300)])


class IdentityForm(ContestForm):
    name = StringField(_l("Contest name"), validators=[required(), at_most(300)])
    organizer_name = StringField(_l("Organizing body"), validators=[at_most(300)])
    authority_name = StringField(
        _l("Authority above the organizing body (printed on certificates)"),
        validators=[at_most(300)],
    )
    place_name = StringField(
        _l("Place written before the date (for example Sóc Trăng)"), validators=[at_most(100)]
    )
    signer_name = StringField(_l("Name of the signer"), validators=[at_most(120)])
    signer_title = StringField(
        _l("Title of the signer (empty: Head of the committee)"), validators=[at_most(120)]
    )
    award_decision = StringField(
        _l("Number of the decision awarding the prizes (for example 125/QĐ-BTC)"),
        validators=[at_most(200)],
    )
    certificate_shows_amount = BooleanField(_l("Print the prize money on the certificates"))


class RulesTextForm(ContestForm):
    rules_text = TextAreaField(
        _l("Rules (Thể lệ)"),
        validators=[at_most(RULES_TEXT_MAX)],
        render_kw={"rows": 16},
    )


class EmblemForm(ContestForm):
    file = FileField(
        _l("Emblem (PNG or JPEG, at most 200 KB)"),
        validators=[FileRequired(_l("Choose an image file."))],
        render_kw={"accept": "image/png,image/jpeg"},
    )


class DocumentForm(ContestForm):
    title = StringField(_l("Title (empty: the file's name)"), validators=[at_most(300)])
    file = FileField(_l("PDF file"), validators=[FileRequired(_l("Choose a PDF file."))])


def _whole(label, *validators) -> IntegerField:
    return IntegerField(
        label,
        validators=list(validators),
        invalid_value_message=NOT_A_WHOLE_NUMBER,
        render_kw={"inputmode": "numeric"},
    )


class RoundRulesForm(ContestForm):
    questions_per_round = _whole(
        _l("Questions per round"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=1, max=200, message=_l("From 1 to 200.")),
    )
    round_time_limit_seconds = _whole(
        _l("Seconds per round"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=10, max=24 * 3600, message=_l("From 10 seconds to 24 hours.")),
    )
    submission_grace_seconds = _whole(
        _l("Grace after the deadline, in seconds (answers sent late by the network)"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=0, max=120, message=_l("From 0 to 120.")),
    )
    max_attempts_total = _whole(
        _l("Rounds per participant in all (empty: no limit)"),
        Optional(),
        NumberRange(min=1, max=10_000, message=_l("From 1 to 10000.")),
    )
    max_attempts_per_day = _whole(
        _l("Rounds per participant per day (empty: no limit)"),
        Optional(),
        NumberRange(min=1, max=10_000, message=_l("From 1 to 10000.")),
    )
    max_starts_per_hour = _whole(
        _l("Rounds one participant may start in an hour (empty: no limit)"),
        Optional(),
        NumberRange(min=1, max=60, message=_l("From 1 to 60.")),
    )


class VisibilityForm(ContestForm):
    review_policy = SelectField(
        _l("When participants see the correct answers of their rounds"),
        choices=[SelectChoice(policy.value, label) for policy, label in REVIEW_LABELS.items()],
        invalid_choice_message=_l("Choose one of the values offered."),
    )
    leaderboard_public = BooleanField(_l("The leaderboard is public while the quiz is open"))
    unit_ranking_public = BooleanField(_l("The unit ranking is public while the contest runs"))
    max_exposure_percent = _whole(
        _l("Warn when one participant can see more than this share of the bank (%)"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=1, max=100, message=_l("From 1 to 100.")),
    )


class LegalBasisForm(ContestForm):
    reference_date = DayField(
        _l("Reference date (empty: the day the quiz opens)"), validators=[Optional()]
    )
    draws_out_of_force = BooleanField(
        _l("Draw questions whose legal basis is out of force too (a contest about history)")
    )


class FairPlayForm(ContestForm):
    floor_reading_chars_per_second = _whole(
        _l("Fastest reading speed, in characters a second (of a question and its choices)"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=5, max=1_000, message=_l("From 5 to 1000.")),
    )
    floor_motor_ms = _whole(
        _l("Least time to click an answer, in milliseconds"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=0, max=10_000, message=_l("From 0 to 10000.")),
    )
    flag_regular_cv_percent = _whole(
        _l("Timings count as mechanical below this variation of the gaps between answers (%)"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=0, max=100, message=_l("From 0 to 100.")),
    )
    flag_device_accounts = _whole(
        _l("Accounts on one device from which its rounds are flagged"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=2, max=1_000, message=_l("From 2 to 1000.")),
    )
    flag_address_rounds = _whole(
        _l("Rounds from one address within 10 minutes that add evidence to a flagged round"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=2, max=100_000, message=_l("From 2 to 100000.")),
    )
    flag_unshown_answers = _whole(
        _l("Answers to questions never shown on the screen that flag a round (0: off)"),
        InputRequired(NOT_A_WHOLE_NUMBER),
        NumberRange(min=0, max=1_000, message=_l("From 0 to 1000.")),
    )
