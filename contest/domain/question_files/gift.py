"""Moodle GIFT question files: a streaming reader and a writer that Moodle and the reader accept.

The reader follows Moodle's own importer (question/format/gift/format.php): questions are blocks
of lines separated by blank lines, `//` lines are comments, `\\` escapes `~ = # { } : \\` and
`\\n` is a line break. Only multiple-choice and true/false questions are read; other kinds are
reported as skipped. `// difficulty: <value>` comments are this platform's extension (Moodle
ignores comments).
"""

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

from contest.domain.legal_basis import basis_citation
from contest.domain.question_files.moodle import (
    FALSE_CHOICE,
    TRUE_CHOICE,
    category_topic,
    html_to_text,
)
from contest.domain.question_files.records import (
    BankEntry,
    Location,
    Problem,
    ProblemCode,
    RawChoice,
    RawQuestion,
    ReadItem,
)

BLANK = "_____"  # where the answers stood in a "missing word" question, as Moodle shows it
FORMATS = ("html", "moodle", "plain", "markdown")

_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_SPECIAL = re.compile(r"[\\~=#{}:]")
_DIFFICULTY = re.compile(r"//\s*difficulty\s*:(.*)", re.IGNORECASE)
# Moodle's answer weight: one or two digits, an optional decimal part, any number of minus signs.
_WEIGHT = re.compile(r"%(-*)(\d{1,2}\.?\d*)%")
_CATEGORY = "$CATEGORY:"
_TRUE, _FALSE = ("T", "TRUE"), ("F", "FALSE")
# Private-use code points stand in for escaped characters while the syntax is read; a block
# that already contains some of them gets others, so no text can be mistaken for a placeholder.
_PLACEHOLDERS = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))


class _Unreadable(Exception):
    """A block that is not a question we read: becomes a Problem at the block's line."""

    def __init__(self, code: ProblemCode, **params: str) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params


def read_gift(lines: Iterable[str], file_name: str) -> Iterator[ReadItem]:
    """Read GIFT text (lines already decoded, without or with trailing newlines), streaming."""
    reader = _Reader(file_name)
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        stripped = (line.removeprefix("\ufeff") if number == 1 else line).strip()
        if stripped:
            block.append((number, stripped))
        elif block:
            yield from reader.block(block)
            block = []
    if block:
        yield from reader.block(block)


def write_gift(questions: Iterable[BankEntry], out: TextIO) -> None:
    """Write questions as GIFT that read_gift (and Moodle) read back to the same questions."""
    topic: str | None = None
    for number, question in enumerate(questions, 1):
        if number == 1 or question.topic != topic:
            topic = question.topic
            out.write(f"{_CATEGORY} $course$/top/{_category_name(topic)}\n\n")
        if question.difficulty:
            out.write(f"// difficulty: {_one_line(question.difficulty)}\n")
        out.write(f"::Q{number}:: {_escape(question.text)} {{\n")
        for index, choice in enumerate(question.choices):
            mark = "=" if index == question.correct_index else "~"
            # A wrong answer starting with %n% would be read as weighted: hide it behind [moodle].
            out.write(f"\t{mark}{_escape(choice, guard='[%')}\n")
        citation = question.citation or (basis_citation(question.basis) if question.basis else None)
        if citation:
            out.write(f"\t####{_escape(citation)}\n")
        out.write("}\n\n")


class _Reader:
    """What carries from one block to the next: the category and a difficulty said before."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.topic: str | None = None
        self.pending_difficulty: str | None = None

    def block(self, lines: list[tuple[int, str]]) -> Iterator[ReadItem]:
        content = [(number, line) for number, line in lines if not line.startswith("//")]
        difficulty = None
        for _, line in lines:
            if match := _DIFFICULTY.fullmatch(line):
                difficulty = match[1].strip() or difficulty
        # Moodle wants a category alone in its block; a question right under it is read anyway.
        while content and content[0][1].startswith(_CATEGORY):
            self.topic = category_topic(content.pop(0)[1].removeprefix(_CATEGORY))
        if not content:
            self.pending_difficulty = difficulty or self.pending_difficulty
            return
        difficulty = difficulty or self.pending_difficulty
        self.pending_difficulty = None
        location = Location(file=self.file_name, line=content[0][0])
        try:
            text, choices, citation = _question([line for _, line in content])
        except _Unreadable as unreadable:
            yield Problem(location, unreadable.code, unreadable.params)
            return
        yield RawQuestion(location, text, choices, self.topic, difficulty, citation)


class _Escapes:
    """Hides escaped characters from the syntax, as Moodle's escapedchar_pre/post do."""

    def __init__(self, lines: Sequence[str]) -> None:
        used = set(itertools.chain.from_iterable(lines))
        free = (chr(c) for c in itertools.chain(*_PLACEHOLDERS) if chr(c) not in used)
        self.hidden = {char: next(free) for char in "\\~=#{}:n"}
        self.newline = self.hidden["n"]
        self._shown = str.maketrans(
            {mark: "\n" if char == "n" else char for char, mark in self.hidden.items()}
        )

    def hide(self, line: str) -> str:
        return _ESCAPE.sub(lambda match: self.hidden[match[1]], line)

    def show(self, text: str) -> str:
        return text.translate(self._shown)

    def join(self, lines: Sequence[str]) -> str:
        """One text from the block's lines: a space between lines unless \\n ends or starts one."""
        text = ""
        for line in lines:
            hidden = self.hide(line)
            explicit_break = text.endswith(self.newline) or hidden.startswith(self.newline)
            text += hidden if not text or explicit_break else " " + hidden
        return text


def _question(lines: Sequence[str]) -> tuple[str, tuple[RawChoice, ...], str | None]:
    escapes = _Escapes(lines)
    text = escapes.join(lines).strip()
    if text.startswith("::"):
        # Like Moodle, an unclosed title loses only its opening "::".
        text = text[2:]
        title_end = text.find("::")
        if title_end >= 0:
            text = text[title_end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        raise _Unreadable(ProblemCode.UNSUPPORTED_TYPE, kind="description")
    if finish < 0:
        raise _Unreadable(ProblemCode.TRUNCATED_QUESTION)
    if start < 0:
        raise _Unreadable(ProblemCode.MALFORMED_QUESTION, detail="'}' without a matching '{'")
    if finish < start:
        raise _Unreadable(ProblemCode.MALFORMED_QUESTION, detail="'}' before '{'")
    answers, after = text[start + 1 : finish], text[finish + 1 :]
    if "{" in answers:
        raise _Unreadable(ProblemCode.MALFORMED_QUESTION, detail="'{' inside the answers")
    if "{" in after:
        raise _Unreadable(ProblemCode.MALFORMED_QUESTION, detail="more than one answer block")
    if "}" in after:
        raise _Unreadable(ProblemCode.MALFORMED_QUESTION, detail="'}' without a matching '{'")
    stem = text[:start] + (BLANK + after if after.strip() else "")
    question_text, text_format = _formatted(stem, "moodle", escapes)

    answers = answers.strip()
    citation = None
    feedback_at = answers.rfind("####")
    if feedback_at >= 0:
        citation = _formatted(answers[feedback_at + 4 :], text_format, escapes)[0] or None
        answers = answers[:feedback_at].strip()

    # The order of these tests is Moodle's: it decides what `{=a->b ~c}` or `{=T}` are.
    if not answers:
        raise _Unreadable(ProblemCode.UNSUPPORTED_TYPE, kind="essay")
    if answers.startswith("#"):
        raise _Unreadable(ProblemCode.UNSUPPORTED_TYPE, kind="numerical")
    if "~" in answers:
        return question_text, _multichoice(answers, text_format, escapes), citation
    if "=" in answers and "->" in answers:
        raise _Unreadable(ProblemCode.UNSUPPORTED_TYPE, kind="matching")
    verdict = answers.split("#", 1)[0].strip().upper()
    if verdict in _TRUE + _FALSE:
        is_true = verdict in _TRUE
        choices = (RawChoice(TRUE_CHOICE, is_true), RawChoice(FALSE_CHOICE, not is_true))
        return question_text, choices, citation
    raise _Unreadable(ProblemCode.UNSUPPORTED_TYPE, kind="short answer")


def _multichoice(answers: str, text_format: str, escapes: _Escapes) -> tuple[RawChoice, ...]:
    before, *pieces = answers.replace("=", "~=").split("~")
    if before.strip():
        # Moodle would make this text a wrong answer; it is far more likely a missing ~ or =.
        raise _Unreadable(
            ProblemCode.MALFORMED_QUESTION, detail="text before the first '=' or '~' answer"
        )
    choices = []
    for piece in pieces:
        answer = piece.strip()
        if answer.startswith("="):
            correct, answer = True, answer[1:]
        elif weight := _WEIGHT.match(answer):
            # A partly right answer is marked right, so validation reports several right answers.
            correct = not weight[1] and float(weight[2]) > 0
            answer = answer[weight.end() :]
        else:
            correct = False
        text = _formatted(answer.split("#", 1)[0], text_format, escapes)[0]
        choices.append(RawChoice(text, correct))
    return tuple(choices)


def _formatted(piece: str, default_format: str, escapes: _Escapes) -> tuple[str, str]:
    """A text with its [format] marker read (Moodle's parse_text_with_format), then unescaped."""
    piece = piece.strip()
    text_format = default_format
    if piece.startswith("["):
        end = piece.find("]")
        if end > 0 and piece[1:end] in FORMATS:
            text_format, piece = piece[1:end], piece[end + 1 :]
    text = escapes.show(piece)
    if text_format == "html":
        text = html_to_text(text)
    return text.strip(), text_format


def _escape(text: str, guard: str = "[") -> str:
    # Every line break str.splitlines knows is written as \n, so no reader splits the line.
    escaped = _SPECIAL.sub(lambda match: "\\" + match[0], "\n".join(text.splitlines()))
    escaped = escaped.replace("\n", "\\n")
    # "[" cannot be escaped: an explicit [moodle] keeps a leading "[html]" (say) as text.
    return "[moodle]" + escaped if escaped.startswith(tuple(guard)) else escaped


def _category_name(topic: str) -> str:
    # Moodle's assemble_category_path: "/" doubled, a space keeps an edge "/" off the separator.
    name = _one_line(topic).replace("/", "//")
    if name.startswith("/"):
        name = " " + name
    if name.endswith("/"):
        name += " "
    return name


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())
