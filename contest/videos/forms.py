"""The shape of a video's details, from the upload page and from the upload API."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from contest.auth.forms import at_most, required
from contest.forms import ContestForm
from contest.models import VideoForm
from contest.videos.services import VideoDetails

FORM_LABELS = {
    VideoForm.SONG: _l("Song"),
    VideoForm.MUSICAL_DRAMA: _l("Musical drama"),
    VideoForm.STAGE: _l("Stage performance"),
    VideoForm.NARRATION: _l("Narration with 2D/3D graphics"),
    VideoForm.OTHER: _l("Other"),
}


class VideoInfoForm(ContestForm):
    """What the unit says about its video: title, description, form."""

    title = StringField(_l("Title"), validators=[required(), at_most(200)])
    description = TextAreaField(_l("Description (optional)"), validators=[at_most(5000)])
    form = SelectField(
        _l("Form"),
        choices=[SelectChoice(form.value, label) for form, label in FORM_LABELS.items()],
        validators=[required()],
        invalid_choice_message=_l("Choose one of the values offered."),
    )

    def offer_forms_of(self, contest, keep: VideoForm | None = None) -> "VideoInfoForm":
        """Offer only the forms the contest accepts (and `keep`, a video's current form)."""
        allowed = {form.value for form in contest.video_forms()} | ({keep.value} if keep else set())
        self.form.choices = [choice for choice in self.form.choices if choice.value in allowed]
        return self


class VideoDetailsForm(VideoInfoForm):
    """The video's info, and the file's name and size, sent by the browser before the file."""

    filename = StringField(validators=[required(), at_most(2000)])
    size = IntegerField(
        validators=[
            InputRequired(message=_l("The file's size is missing.")),
            NumberRange(min=0, message=_l("The file's size is not a number of bytes.")),
        ],
        invalid_value_message=_l("The file's size is not a number of bytes."),
    )
    content_type = StringField(validators=[at_most(200)])

    def details(self) -> VideoDetails:
        return VideoDetails(
            title=self.title.data,
            description=self.description.data,
            form=VideoForm(self.form.data),
            filename=self.filename.data,
            size_bytes=self.size.data,
            content_type=self.content_type.data or None,
        )
