"""The shape of the organizers' contest forms."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from contest.domain.prizes import (
    CATEGORIES,
    INDIVIDUAL,
    UNIT,
    VIDEO,
    EligibilityOptions,
    PrizeTier,
    ScoreWeights,
)
from contest.forms import NOT_A_MOMENT, ContestForm, LocalMomentField, SubForm
from contest.i18n import format_money
from contest.organizer.services import ResultsRules

NOT_A_WHOLE_NUMBER = _l("Enter a whole number.")


def _moment(label, required: bool = True, closing: bool = False) -> LocalMomentField:
    validators = [InputRequired(message=NOT_A_MOMENT)] if required else [Optional()]
    # Typed and shown in the contest's time zone; the data are aware, stored as UTC.
    return LocalMomentField(label, validators=validators, closing=closing)


class WindowsForm(ContestForm):
    """The contest's windows, in the contest's local time."""

    quiz_opens_at = _moment(_l("Quiz opens"))
    quiz_closes_at = _moment(_l("Quiz closes"), closing=True)
    video_opens_at = _moment(_l("Video submissions open"), required=False)
    video_closes_at = _moment(_l("Video submissions close"), required=False, closing=True)
    results_publish_at = _moment(_l("Results are published"), required=False)


# Whole dong, plain or in groups of three: 10000000, 10.000.000, 10 000 000, 10,000,000.
# [0-9], not \d: other scripts' digits are read after NFKC (full-width '１０') or refused.
AMOUNT = re.compile(r"[0-9]+|[0-9]{1,3}(?:([.,\s])[0-9]{3})(?:\1[0-9]{3})*")
MAX_AMOUNT = 10**12  # a trillion dong: anything larger is a typing mistake


class MoneyField(StringField):
    """An amount in VND, typed with or without thousands separators ("10.000.000 đ").

    A decimal part ("1,5") is refused rather than read as 15: dong have no cents.
    """

    def process_formdata(self, valuelist):
        self.data = None
        text = unicodedata.normalize("NFKC", valuelist[0]) if valuelist else ""
        text = text.strip().removesuffix("đ").strip()
        if not text:
            return
        digits = re.sub(r"[^0-9]", "", text)
        if not AMOUNT.fullmatch(text) or len(digits) > 13 or int(digits) > MAX_AMOUNT:
            raise ValueError(_l("Enter an amount in VND, such as 10.000.000."))
        self.data = int(digits)

    def _value(self):
        return "" if self.data is None else format_money(self.data).removesuffix(" đ")


class PrizeTierForm(SubForm):
    """One row of the prize table; a row left without a name is not a tier."""

    category = SelectField(
        _l("For"),
        choices=[
            SelectChoice(UNIT, _l("Units (collective)")),
            SelectChoice(VIDEO, _l("Videos")),
            SelectChoice(INDIVIDUAL, _l("Individuals")),
        ],
        invalid_choice_message=_l("Choose units, videos or individuals."),
    )
    name = StringField(_l("Prize"), validators=[Optional(), Length(max=120)])
    prize_count = IntegerField(
        _l("How many"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("From 1 to 1000."))],
        render_kw={"inputmode": "numeric"},
        invalid_value_message=NOT_A_WHOLE_NUMBER,
    )
    amount = MoneyField(_l("Amount each (VND)"), render_kw={"inputmode": "numeric"})
    remove = BooleanField(_l("Remove"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.name.data or self.remove.data:
            return valid
        if self.prize_count.data is None and not self.prize_count.errors:
            self.prize_count.errors.append(_l("Say how many prizes of this tier there are."))
            valid = False
        if self.amount.data is None and not self.amount.errors:
            self.amount.errors.append(_l("Enter an amount in VND, such as 10.000.000."))
            valid = False
        return valid


def _whole(label, **kwargs) -> IntegerField:
    return IntegerField(
        label,
        render_kw={"inputmode": "numeric"},
        invalid_value_message=NOT_A_WHOLE_NUMBER,
        **kwargs,
    )


class ResultsRulesForm(ContestForm):
    """How the contest ranks and rewards: weights, eligibility, prizes, the prediction."""

    weight_participation = _whole(
        _l("Participation weight (%)"), validators=[InputRequired(NOT_A_WHOLE_NUMBER)]
    )
    weight_accuracy = _whole(
        _l("Accuracy weight (%)"), validators=[InputRequired(NOT_A_WHOLE_NUMBER)]
    )
    weight_video = _whole(
        _l("Best video weight (%)"), validators=[InputRequired(NOT_A_WHOLE_NUMBER)]
    )
    unit_prize_requires_video = BooleanField(_l("A unit needs a video for a collective prize"))
    max_individual_prizes_per_unit = _whole(
        _l("At most this many individual prizes per unit (empty: no limit)"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("From 1 to 1000."))],
    )
    min_participation_percent = _whole(
        _l("Minimum participation for a collective prize (percent of the headcount; 0: none)"),
        validators=[
            InputRequired(NOT_A_WHOLE_NUMBER),
            NumberRange(min=0, max=100, message=_l("From 0 to 100.")),
        ],
    )
    prediction_question = TextAreaField(
        _l("Prediction question (empty: none)"), validators=[Optional(), Length(max=500)]
    )
    prediction_true_value = _whole(
        _l("The prediction's true value (after the quiz closes)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10**9, message=_l("Enter a whole number, 0 or more.")),
        ],
    )
    tiers = FieldList(FormField(PrizeTierForm))

    def validate_weight_video(self, field):
        weights = (self.weight_participation.data, self.weight_accuracy.data, field.data)
        if None in weights:
            return
        if any(weight < 0 for weight in weights) or sum(weights) != 100:
            raise ValidationError(_l("The three weights must be whole numbers summing to 100."))


BLANK_TIER_ROWS = 2  # rows offered for adding tiers


def rules_form_data(rules) -> dict:
    """The form's initial data from a contest's ResultsRules, with blank rows to add tiers."""
    return {
        "weight_participation": rules.weights.participation,
        "weight_accuracy": rules.weights.accuracy,
        "weight_video": rules.weights.video,
        "unit_prize_requires_video": rules.options.unit_requires_video,
        "max_individual_prizes_per_unit": rules.options.max_individual_prizes_per_unit,
        "min_participation_percent": rules.options.min_participation_percent,
        "prediction_question": rules.prediction_question,
        "prediction_true_value": rules.prediction_true_value,
        "tiers": [
            {
                "category": tier.category,
                "name": tier.name,
                "prize_count": tier.count,
                "amount": tier.amount,
            }
            for tier in sorted(
                rules.tiers, key=lambda tier: (CATEGORIES.index(tier.category), tier.position)
            )
        ]
        + [{"category": UNIT}] * BLANK_TIER_ROWS,
    }


def rules_from_form(form: ResultsRulesForm):
    """The ResultsRules a valid form describes: named, not removed rows, in their order."""
    positions: dict[str, int] = {}
    tiers = []
    for row in form.tiers:
        name = (row.form.name.data or "").strip()
        if not name or row.form.remove.data:
            continue
        category = row.form.category.data
        positions[category] = positions.get(category, 0) + 1
        tiers.append(
            PrizeTier(
                name, category, row.form.prize_count.data, row.form.amount.data, positions[category]
            )
        )
    return ResultsRules(
        weights=ScoreWeights(
            form.weight_participation.data, form.weight_accuracy.data, form.weight_video.data
        ),
        options=EligibilityOptions(
            form.unit_prize_requires_video.data,
            form.max_individual_prizes_per_unit.data,
            form.min_participation_percent.data,
        ),
        tiers=tiers,
        prediction_question=(form.prediction_question.data or "").strip() or None,
        prediction_true_value=form.prediction_true_value.data,
    )
