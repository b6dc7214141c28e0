"""The shape of the bank's forms; the content rules are those of validation.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from contest.auth.forms import REQUIRED, at_most, required
from contest.domain.legal_basis import DOCUMENT_KINDS, NUMBER, DocumentRef, parse_document
from contest.domain.question_files.tabular import OPTION_LETTERS
from contest.domain.question_files.validation import (
    MAX_CHOICE_LENGTH,
    MAX_CITATION_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TOPIC_LENGTH,
)
from contest.forms import NOT_A_DAY, ContestForm, DayField
from contest.questions.messages import DIFFICULTY_LABELS
from contest.questions.services import QuestionDraft

NOT_A_NUMBER = _l("Enter a whole number.")
NOT_ON_THE_LIST = _l("Choose one of the values offered.")
DIFFICULTY_CHOICES = [
    SelectChoice("", _l("Not set")),
    *(SelectChoice(level, label) for level, label in DIFFICULTY_LABELS.items()),
]


class ImportForm(ContestForm):
    file = FileField(
        _l("Question file"), validators=[FileRequired(message=_l("Choose a file to upload."))]
    )
    default_topic = StringField(
        _l("Topic for questions that have none (optional)"),
        validators=[Optional(), at_most(MAX_TOPIC_LENGTH)],
    )


NEW_TOPIC = "__new__"  # the picker's "Chủ đề mới" choice: a new topic only on purpose


class TopicPickerForm(ContestForm):
    """A topic chosen among the bank's topics, or a new one typed after choosing "New topic"."""

    topic = SelectField(_l("Topic"), choices=[], validate_choice=False)
    new_topic = StringField(_l("Name of the new topic"), validators=[at_most(MAX_TOPIC_LENGTH)])

    def offer_topics(self, topics: list[str], current: str | None = None) -> None:
        """Offer the bank's `topics` (and `current`, a question's own, even if the bank has no
        other question on it); with no topic yet, "New topic" is chosen."""
        offered = sorted({*topics, *([current] if current else [])}, key=str.casefold)
        self.known_topics = offered
        self.topic.choices = [
            SelectChoice("", _l("— Choose a topic —")),
            *(SelectChoice(topic, topic) for topic in offered),
            SelectChoice(NEW_TOPIC, _l("New topic…")),
        ]
        if self.topic.data in (None, "") and not offered:
            self.topic.data = NEW_TOPIC

    def validate_topic(self, field) -> None:
        if field.data == NEW_TOPIC:
            return
        if not field.data:
            raise ValidationError(_l("Choose a topic, or «New topic» to add one."))
        if field.data not in self.known_topics:
            raise ValidationError(NOT_ON_THE_LIST)

    def validate_new_topic(self, field) -> None:
        if self.topic.data == NEW_TOPIC and not (field.data or "").strip():
            raise ValidationError(_l("Type the new topic's name."))

    def chosen_topic(self) -> str:
        """The topic chosen; a "new" one spelled like a known topic is that topic."""
        if self.topic.data != NEW_TOPIC:
            return self.topic.data or ""
        typed = (self.new_topic.data or "").strip()
        same = {topic.casefold(): topic for topic in self.known_topics}
        return same.get(typed.casefold(), typed)


class ImportTopicForm(TopicPickerForm):
    """The topic given, in an import's preview, to the file's questions that have none."""


class QuestionForm(TopicPickerForm):
    text = TextAreaField(_l("Question"), validators=[required(), at_most(MAX_TEXT_LENGTH)])
    choice_a = StringField(_l("Choice A"), validators=[at_most(MAX_CHOICE_LENGTH)])
    choice_b = StringField(_l("Choice B"), validators=[at_most(MAX_CHOICE_LENGTH)])
    choice_c = StringField(_l("Choice C"), validators=[at_most(MAX_CHOICE_LENGTH)])
    choice_d = StringField(_l("Choice D"), validators=[at_most(MAX_CHOICE_LENGTH)])
    choice_e = StringField(_l("Choice E"), validators=[at_most(MAX_CHOICE_LENGTH)])
    choice_f = StringField(_l("Choice F"), validators=[at_most(MAX_CHOICE_LENGTH)])
    correct = RadioField(
        _l("Correct answer"),
        choices=[SelectChoice(letter, letter) for letter in OPTION_LETTERS],
        validators=[required()],
        invalid_choice_message=NOT_ON_THE_LIST,
    )
    difficulty = SelectField(
        _l("Difficulty"), choices=DIFFICULTY_CHOICES, invalid_choice_message=NOT_ON_THE_LIST
    )
    citation = TextAreaField(
        _l("Citation (document, article, clause)"), validators=[at_most(MAX_CITATION_LENGTH)]
    )

    def choice_fields(self) -> list:
        return [getattr(self, f"choice_{letter.lower()}") for letter in OPTION_LETTERS]

    def lettered_choices(self) -> list[tuple[str, object]]:
        """(letter, field) for each choice, for the template."""
        return list(zip(OPTION_LETTERS, self.choice_fields(), strict=True))

    def fill_from(self, question) -> None:
        """Show a stored question in the form."""
        self.topic.data = question.topic
        self.text.data = question.text
        for field, text in zip(self.choice_fields(), question.choice_texts, strict=False):
            field.data = text
        self.correct.data = OPTION_LETTERS[question.correct_index]
        self.difficulty.data = question.difficulty or ""
        self.citation.data = question.citation or ""

    def draft(self) -> QuestionDraft:
        """The question typed; choices up to the last filled one (a gap is reported)."""
        choices = [field.data or "" for field in self.choice_fields()]
        while choices and not choices[-1].strip():
            choices.pop()
        return QuestionDraft(
            topic=self.chosen_topic(),
            text=self.text.data or "",
            choices=tuple(choices),
            correct_index=OPTION_LETTERS.index(self.correct.data),
            difficulty=self.difficulty.data or None,
            citation=self.citation.data or None,
        )


def quota_field(label: str):
    return IntegerField(
        label,
        default=0,
        invalid_value_message=NOT_A_NUMBER,
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100.")),
        ],
    )


def draw_rules_form(topics: list[str], **values) -> ContestForm:
    """A form with the round size and one quota field per topic and per difficulty."""

    class DrawRulesForm(ContestForm):
        questions_per_round = IntegerField(
            _l("Questions per round"),
            invalid_value_message=NOT_A_NUMBER,
            # InputRequired, not DataRequired: the latter would drop the "not a number" error.
            validators=[
                InputRequired(message=REQUIRED),
                NumberRange(min=1, max=100, message=_l("Enter a number from 1 to 100.")),
            ],
        )

    for n, topic in enumerate(topics):
        setattr(DrawRulesForm, f"topic_{n}", quota_field(topic))
    for level, label in DIFFICULTY_LABELS.items():
        setattr(DrawRulesForm, f"difficulty_{level}", quota_field(label))
    return DrawRulesForm(**values)


class LegalDocumentForm(ContestForm):
    """A legal document to add to the list (the new law that supersedes an old one, say)."""

    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice(kind, kind) for kind in reversed(DOCUMENT_KINDS)],
        invalid_choice_message=NOT_ON_THE_LIST,
    )
    number = StringField(
        _l("Number (e.g. 58/2010/QH12)"),
        validators=[
            Optional(),
            at_most(60),
            Regexp(f"^{NUMBER}$", message=_l("Write the number as on the document: 58/2010/QH12.")),
        ],
    )
    name = StringField(_l("Name (e.g. Viên chức)"), validators=[Optional(), at_most(300)])
    issued_on = DayField(_l("Issued on"), validators=[Optional()])
    in_force_from = DayField(_l("In force from"), validators=[Optional()])
    in_force_until = DayField(_l("No longer in force from"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.name.data or "").strip() and not (self.number.data or "").strip():
            self.name.errors = [*self.name.errors, _l("Give the document's number or its name.")]
            return False
        return valid

    def ref(self) -> DocumentRef:
        """The document as typed: its year from its number, else from its date."""
        number = (self.number.data or "").strip() or None
        ref = parse_document(f"{self.kind.data} {number}") if number else None
        year = ref.year if ref else (self.issued_on.data.year if self.issued_on.data else None)
        name = " ".join((self.name.data or "").split()) or None
        return DocumentRef(self.kind.data, number, self.issued_on.data, name, year)


class SupersedeForm(ContestForm):
    """Which document supersedes this one, and from which day."""

    successor = SelectField(_l("Superseded by"), coerce=int, invalid_choice_message=NOT_ON_THE_LIST)
    on = DayField(
        _l("From (its first day out of force)"), validators=[InputRequired(message=NOT_A_DAY)]
    )

    @classmethod
    def for_document(cls, document, choices: list[tuple[int, str]]) -> "SupersedeForm":
        form = cls(prefix=f"supersede-{document.id}")
        form.successor.choices = [
            SelectChoice(value, label) for value, label in choices if value != document.id
        ]
        return form
