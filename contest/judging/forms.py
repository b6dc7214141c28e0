"""The shape of the judging forms: the rubric, the contest's video settings, reopening."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from contest.auth.forms import at_most, required
from contest.domain.judging import Aggregation
from contest.forms import ContestForm, DecimalCommaField, SubForm
from contest.videos.forms import FORM_LABELS

NOT_A_NUMBER = _l("Enter a number.")
AGGREGATION_LABELS = {
    Aggregation.MEAN: _l("Mean of the judges' totals"),
    Aggregation.TRIMMED_MEAN: _l("Trimmed mean (highest and lowest dropped from 5 judges)"),
    Aggregation.ZSCORE: _l("Per-judge normalisation (z-score)"),
}


class CriterionForm(SubForm):
    criterion_id = HiddenField()
    # Not `name`: a FormField entry's own `name` attribute would hide it.
    criterion_name = StringField(_l("Criterion"), validators=[Optional(), at_most(120)])
    max_points = DecimalCommaField(
        _l("Maximum points"),
        validators=[
            Optional(),
            NumberRange(min=0.01, max=1000, message=_l("Between 0,01 and 1000 points.")),
        ],
        invalid_value_message=NOT_A_NUMBER,
    )
    guidance = TextAreaField(_l("Guidance for judges"), validators=[at_most(2000)])


class RubricForm(ContestForm):
    criteria = FieldList(FormField(CriterionForm), max_entries=20)


class VideoSettingsForm(ContestForm):
    max_videos_per_unit = IntegerField(
        _l("Videos per unit, at most"),
        validators=[
            InputRequired(message=_l("Please fill in this field.")),
            NumberRange(min=1, max=20, message=_l("Between 1 and 20.")),
        ],
        invalid_value_message=_l("Enter a whole number."),
    )
    video_max_megabytes = IntegerField(
        _l("Largest file, in MB"),
        validators=[
            InputRequired(message=_l("Please fill in this field.")),
            NumberRange(min=1, max=20_000, message=_l("Between 1 and 20000 MB.")),
        ],
        invalid_value_message=_l("Enter a whole number."),
    )
    video_max_minutes = DecimalCommaField(
        _l("Longest video, in minutes (empty: no limit)"),
        places=1,
        validators=[Optional(), NumberRange(min=0.1, max=600, message=_l("Between 0,1 and 600."))],
        invalid_value_message=NOT_A_NUMBER,
    )
    allowed_video_forms = SelectMultipleField(
        _l("Forms a video may take"),
        choices=[SelectChoice(form.value, label) for form, label in FORM_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Accept at least one form."))],
        invalid_choice_message=_l("Choose one of the values offered."),
    )
    judging_blind = BooleanField(_l("Hide unit names from judges"))
    score_aggregation = SelectField(
        _l("A video's score"),
        choices=[SelectChoice(method.value, label) for method, label in AGGREGATION_LABELS.items()],
        validators=[required()],
        invalid_choice_message=_l("Choose one of the values offered."),
    )
    video_gallery_public = BooleanField(
        _l("Public gallery of the videos once results are published")
    )


class ReopenForm(ContestForm):
    reason = StringField(_l("Reason"), validators=[required(), at_most(500)])
