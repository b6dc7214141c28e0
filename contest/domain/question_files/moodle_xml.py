"""Moodle XML quiz files (Question bank → Export → Moodle XML format), read as a stream.

A file is `<quiz>` holding `<question type="...">` elements. `type="category"` entries set the
category of the questions after them (its last path segment is our topic); `multichoice` and
`truefalse` are read; every other type is reported as left out. Texts are HTML by default and
come back as plain text. Follows Moodle's own importer (question/format/xml/format.php):
answer and feedback formats default to the question text's format, a missing fraction is 0,
and true/false answers are matched by their text "true" / "false", else by position.
"""

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

# Only the handler base class and the error type come from the standard library: the parser
# itself is defusedxml's, which refuses DTDs, entity declarations and external references.
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from contest.domain.question_files.moodle import (
    FALSE_CHOICE,
    TRUE_CHOICE,
    category_topic,
    html_to_text,
)
from contest.domain.question_files.records import (
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
    ReadItem,
)

CHUNK_SIZE = 1 << 16

_READ_KINDS = frozenset({"category", "multichoice", "truefalse"})
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DEFUSED_DETAILS = {
    DTDForbidden: "a document type declaration (DTD) is not allowed",
    EntitiesForbidden: "entity declarations are not allowed",
    ExternalReferenceForbidden: "external references are not allowed",
}


def read_moodle_xml(stream: BinaryIO, file_name: str) -> Iterator[ReadItem]:
    """Read a Moodle XML quiz file as a stream (SAX), question by question."""
    handler = _QuizHandler(file_name)
    parser = defusedxml.sax.make_parser()
    # Moodle never writes a DTD; refusing every one also shuts out the entity tricks.
    parser.forbid_dtd = True
    parser.setContentHandler(handler)
    # feed() never hands the handler a locator (only parse() does); the reader is one.
    handler.setDocumentLocator(parser)
    started = False
    while True:
        chunk = stream.read(CHUNK_SIZE)
        problem = None
        try:
            if chunk or not started:
                # Even an empty file is fed, or close() would find nothing to complain about.
                parser.feed(chunk)
                started = True
            if not chunk:
                parser.close()
        except _WrongRoot as error:
            problem = Problem(
                Location(file_name, line=1),
                ProblemCode.WRONG_LAYOUT,
                {"expected": "<quiz>", "found": f"<{error.name}>"},
            )
        except SAXParseException as error:
            problem = handler.parse_problem(error, at_end=not chunk)
        except DefusedXmlException as error:
            detail = _DEFUSED_DETAILS.get(type(error), str(error))
            problem = Problem(
                Location(file_name, line=parser.getLineNumber()),
                ProblemCode.UNREADABLE_FILE,
                {"detail": detail},
            )
        while handler.ready:
            yield handler.ready.popleft()
        if problem is not None:
            yield problem
            return
        if not chunk:
            return


class _WrongRoot(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass
class _Text:
    format: str | None
    parts: list[str] = field(default_factory=list)

    def plain(self, default_format: str | None) -> str:
        return _plain_text("".join(self.parts), self.format or default_format)


@dataclass
class _Answer:
    fraction: str | None
    format: str | None
    text: _Text | None = None


@dataclass
class _OpenQuestion:
    kind: str | None
    line: int
    category: list[str] | None = None
    text: _Text | None = None
    feedback: _Text | None = None
    answers: list[_Answer] = field(default_factory=list)
    formats: dict[str, str | None] = field(default_factory=dict)


class _QuizHandler(ContentHandler):
    """Keeps only the question being read; finished items wait in `ready` for the reader."""

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self._file = file_name
        self._stack: list[str] = []
        self._topic: str | None = None
        self._question: _OpenQuestion | None = None
        self._capture: list[str] | None = None
        self._capture_depth = 0
        self.ready: deque[ReadItem] = deque()

    def parse_problem(self, error: SAXParseException, *, at_end: bool) -> Problem:
        """What a parse error means: a question cut off by the end of the file, or a bad file."""
        if at_end and self._question is not None:
            location = Location(self._file, line=self._question.line)
            return Problem(location, ProblemCode.TRUNCATED_QUESTION)
        return Problem(
            Location(self._file, line=error.getLineNumber()),
            ProblemCode.UNREADABLE_FILE,
            {"detail": error.getMessage()},
        )

    def startElement(self, name, attrs):
        self._stack.append(name)
        depth = len(self._stack)
        if depth == 1:
            if name != "quiz":
                raise _WrongRoot(name)
        elif depth == 2:
            if name == "question":
                line = self._locator.getLineNumber()
                self._question = _OpenQuestion(kind=attrs.get("type"), line=line)
        elif self._question is not None and self._question.kind in _READ_KINDS:
            self._start_inside_question(self._question, tuple(self._stack[2:]), attrs)

    def _start_inside_question(self, question: _OpenQuestion, path: tuple, attrs) -> None:
        if self._capture is not None:
            return
        if len(path) == 1:
            question.formats[path[0]] = attrs.get("format")
            if path == ("category",) and question.category is None:
                # The whole element: old files put the path right in <category>, new ones
                # in <category><text>; the whitespace around <text> is stripped later.
                question.category = self._start_capture()
            elif path == ("answer",):
                question.answers.append(_Answer(attrs.get("fraction"), attrs.get("format")))
        elif path == ("questiontext", "text") and question.text is None:
            question.text = _Text(question.formats.get("questiontext"))
            question.text.parts = self._start_capture()
        elif path == ("generalfeedback", "text") and question.feedback is None:
            question.feedback = _Text(question.formats.get("generalfeedback"))
            question.feedback.parts = self._start_capture()
        elif path == ("answer", "text") and question.answers and question.answers[-1].text is None:
            answer = question.answers[-1]
            answer.text = _Text(answer.format)
            answer.text.parts = self._start_capture()

    def _start_capture(self) -> list[str]:
        self._capture = []
        self._capture_depth = len(self._stack)
        return self._capture

    def characters(self, content):
        if self._capture is not None:
            self._capture.append(content)

    def endElement(self, name):
        depth = len(self._stack)
        if self._capture is not None and depth == self._capture_depth:
            self._capture = None
        self._stack.pop()
        if depth == 2 and self._question is not None:
            question, self._question = self._question, None
            self._finish(question)

    def _finish(self, question: _OpenQuestion) -> None:
        location = Location(self._file, line=question.line)
        if question.kind == "category":
            self._topic = category_topic("".join(question.category or ()))
        elif question.kind == "multichoice":
            self.ready.append(_multichoice(question, location, self._topic))
        elif question.kind == "truefalse":
            self.ready.append(_truefalse(question, location, self._topic))
        elif question.kind is None:
            self.ready.append(
                Problem(
                    location, ProblemCode.MALFORMED_QUESTION, {"detail": "question has no type"}
                )
            )
        else:
            self.ready.append(
                Problem(location, ProblemCode.UNSUPPORTED_TYPE, {"kind": question.kind})
            )


def _question_parts(question: _OpenQuestion) -> tuple[str, str | None]:
    text_format = question.text.format if question.text else None
    text = question.text.plain(None) if question.text else ""
    citation = question.feedback.plain(text_format) if question.feedback else ""
    return text, citation or None


def _fractions(question: _OpenQuestion, location: Location) -> list[float] | Problem:
    fractions = []
    for number, answer in enumerate(question.answers, 1):
        raw = (answer.fraction or "0").strip()
        if not _NUMBER.fullmatch(raw):
            detail = f"answer {number} has fraction {answer.fraction!r}, not a number"
            return Problem(location, ProblemCode.MALFORMED_QUESTION, {"detail": detail})
        fractions.append(float(raw))
    return fractions


def _multichoice(question: _OpenQuestion, location: Location, topic: str | None) -> ReadItem:
    fractions = _fractions(question, location)
    if isinstance(fractions, Problem):
        return fractions
    text, citation = _question_parts(question)
    text_format = question.text.format if question.text else None
    choices = tuple(
        RawChoice(answer.text.plain(text_format) if answer.text else "", fraction > 0)
        for answer, fraction in zip(question.answers, fractions, strict=True)
    )
    return RawQuestion(location, text, choices, topic=topic, citation=citation)


def _truefalse(question: _OpenQuestion, location: Location, topic: str | None) -> ReadItem:
    fractions = _fractions(question, location)
    if isinstance(fractions, Problem):
        return fractions
    full_marks = {"true": False, "false": False}
    for position, (answer, fraction) in enumerate(zip(question.answers, fractions, strict=True)):
        word = "".join(answer.text.parts).strip() if answer.text else ""
        if word not in full_marks:
            # Moodle's rule for old exports, whose answers were localised words: true first.
            word = "true" if position == 0 else "false"
        full_marks[word] = fraction == 100
    text, citation = _question_parts(question)
    choices = (
        RawChoice(TRUE_CHOICE, full_marks["true"]),
        RawChoice(FALSE_CHOICE, full_marks["false"]),
    )
    return RawQuestion(location, text, choices, topic=topic, citation=citation)


def _plain_text(text: str, text_format: str | None) -> str:
    """A Moodle text field as plain text: anything but plain_text may hold HTML."""
    if text_format == "plain_text":
        return text.strip()
    return html_to_text(text, collapse_spaces=text_format in (None, "html"))
