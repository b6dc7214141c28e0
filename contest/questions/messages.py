"""What question-file problems and draw-rule problems say to organizers (Vietnamese first)."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from contest.domain.bank_lint import Finding, LintReport
from contest.domain.drawing import RuleProblem
from contest.domain.question_files.records import Location, Problem, ProblemCode

PROBLEM_MESSAGES = {
    ProblemCode.EMPTY_FILE: _l("The file is empty."),
    ProblemCode.UNKNOWN_FORMAT: _l(
        "Files ending in %(extension)s cannot be read. Use XLSX, CSV, GIFT, Aiken (.txt) or "
        "Moodle XML; an old .xls workbook must be saved again as .xlsx."
    ),
    ProblemCode.NOT_UTF8: _l(
        "The file is not in UTF-8 (Unicode) text. Save it again with the UTF-8 encoding."
    ),
    ProblemCode.LEGACY_ENCODING: _l(
        "The file is written in the old %(encoding)s encoding, not Unicode. Convert it to "
        "Unicode (UTF-8), for example with Unikey's converter, and upload it again."
    ),
    ProblemCode.UNREADABLE_FILE: _l("The file is damaged or not of its kind: %(detail)s"),
    ProblemCode.WRONG_LAYOUT: _l(
        "The header row does not match the template: it needs the columns %(expected)s; "
        "found %(found)s."
    ),
    ProblemCode.NO_QUESTIONS: _l("The file holds no question."),
    ProblemCode.NO_TEXT: _l("The question has no text."),
    ProblemCode.TEXT_TOO_LONG: _l("The question is longer than %(limit)s characters."),
    ProblemCode.NO_TOPIC: _l("The question has no topic; fill in its topic or choose one."),
    ProblemCode.TOPIC_TOO_LONG: _l("The topic is longer than %(limit)s characters."),
    ProblemCode.TOO_FEW_CHOICES: _l(
        "The question has %(count)s choice(s); it needs at least %(minimum)s."
    ),
    ProblemCode.TOO_MANY_CHOICES: _l(
        "The question has %(count)s choices; at most %(maximum)s are allowed."
    ),
    ProblemCode.EMPTY_CHOICE: _l("Choice %(choice)s is empty."),
    ProblemCode.DUPLICATE_CHOICE: _l("Choice %(choice)s repeats choice %(first)s."),
    ProblemCode.CHOICE_TOO_LONG: _l("Choice %(choice)s is longer than %(limit)s characters."),
    ProblemCode.NO_CORRECT_ANSWER: _l("No choice is marked as the correct answer."),
    ProblemCode.SEVERAL_CORRECT_ANSWERS: _l(
        "%(count)s choices are marked correct; a question has exactly one correct answer."
    ),
    ProblemCode.ANSWER_NOT_A_CHOICE: _l(
        "The correct answer «%(answer)s» does not name one of the question's choices."
    ),
    ProblemCode.UNKNOWN_DIFFICULTY: _l(
        "Unknown difficulty «%(value)s»: use Easy, Medium or Hard (Dễ, Trung bình, Khó)."
    ),
    ProblemCode.CITATION_TOO_LONG: _l("The citation is longer than %(limit)s characters."),
    ProblemCode.LEGACY_TEXT: _l(
        "The text was typed in the old %(encoding)s encoding (a .VnTime or VNI font) and shows "
        "garbled; convert it to Unicode."
    ),
    ProblemCode.DUPLICATE_IN_FILE: _l("The same question already appears at %(first)s."),
    ProblemCode.DUPLICATE_IN_BANK: _l("The bank already holds this question."),
    ProblemCode.TRUNCATED_QUESTION: _l(
        "The question is cut off: the file ends before the question does."
    ),
    ProblemCode.MALFORMED_QUESTION: _l("The question cannot be read (%(detail)s)."),
    ProblemCode.BAD_BASIS: _l(
        "The legal basis cannot be read: «%(value)s» in the field %(field)s (a document type "
        "such as Luật or Nghị định, a number such as 58/2010/QH12, days as dd/mm/yyyy)."
    ),
    ProblemCode.UNSUPPORTED_TYPE: _l(
        "Skipped: %(kind)s questions are not played on this platform (only single-answer "
        "multiple choice and true/false)."
    ),
}

RULE_MESSAGES = {
    "too_few_questions": _l(
        "A round needs %(needed)s questions; the bank has %(available)s active ones."
    ),
    "topic_quotas_too_large": _l(
        "The topic quotas add up to %(quotas)s questions, more than the %(round)s of a round."
    ),
    "difficulty_quotas_too_large": _l(
        "The difficulty quotas add up to %(quotas)s questions, more than the %(round)s of a round."
    ),
    "topic_short": _l(
        "The topic «%(topic)s» must give %(needed)s questions; the bank has %(available)s active."
    ),
    "difficulty_short": _l(
        "The difficulty «%(difficulty)s» must give %(needed)s questions; the bank has "
        "%(available)s active."
    ),
    "other_topics_short": _l(
        "Topics without a quota must fill %(needed)s questions; they hold only %(available)s."
    ),
    "other_difficulties_short": _l(
        "Difficulties without a quota must fill %(needed)s questions; they hold only %(available)s."
    ),
    "quotas_clash": _l(
        "The topic and difficulty quotas cannot be met together with the questions the bank "
        "holds (too few questions with the topic and the difficulty asked at once)."
    ),
}

LINT_MESSAGES = {
    "longest_key_share": _l(
        "The key is the longest choice in %(share)s of the questions%(where)s; at most "
        "%(limit)s is allowed."
    ),
    "long_key": _l("The key is %(ratio)s times as long as the mean wrong choice (limit 1.5)."),
    "giveaway_pattern": _l(
        "Every wrong choice shares «%(pattern)s» and the key does not: it gives the key away."
    ),
    "negative_stems": _l(
        "%(count)s stems ask for the exception (KHÔNG, ngoại trừ...); at most %(most)s."
    ),
    "near_duplicate": _l("The two questions are nearly the same (%(similarity)s alike)."),
    "answers_another": _l("The first question's stem holds the second one's answer."),
    "similar_choices": _l("Choices %(choices)s are too alike."),
}
OUT_OF_FORCE_REASONS = {
    "not_yet": _l("Its basis comes into force only on %(day)s."),
    "ended": _l("Its basis is no longer in force since %(day)s."),
}

DIFFICULTY_LABELS = {"easy": _l("Easy"), "medium": _l("Medium"), "hard": _l("Hard")}


def describe_location(location: Location) -> str:
    """Where a problem is, in the organizer's language."""
    if location.sheet is not None and location.row is not None:
        return gettext(
            "%(file)s, sheet «%(sheet)s», row %(row)s",
            file=location.file,
            sheet=location.sheet,
            row=location.row,
        )
    if location.line is not None:
        return gettext("%(file)s, line %(line)s", file=location.file, line=location.line)
    if location.entry is not None:
        return gettext("%(file)s, question %(entry)s", file=location.file, entry=location.entry)
    return location.file


def describe_problem(problem: Problem) -> str:
    """The problem's message with its values filled in."""
    params = {
        key: describe_location(value) if isinstance(value, Location) else value
        for key, value in problem.params.items()
    }
    return str(PROBLEM_MESSAGES[problem.code]) % params


def describe_rule_problem(problem: RuleProblem) -> str:
    """Why the draw rules cannot be met, with the numbers."""
    params = dict(problem.params)
    if "difficulty" in params:
        label = DIFFICULTY_LABELS.get(params["difficulty"], params["difficulty"])
        params["difficulty"] = str(label)
    return str(RULE_MESSAGES[problem.code]) % params


def describe_finding(finding: Finding) -> str:
    """What a finding of the bank check says, with its values written the Vietnamese way."""
    params = dict(finding.detail)
    for key in ("share", "limit", "similarity"):
        if key in params:
            params[key] = f"{params[key]:.1%}".replace(".", ",")
    if "ratio" in params:
        params["ratio"] = f"{params['ratio']:.2f}".replace(".", ",")
    topic = params.get("topic")
    params["where"] = gettext(" of the topic «%(topic)s»", topic=topic) if topic else ""
    return str(LINT_MESSAGES[finding.code]) % params


def describe_out_of_force(reason: str, window) -> str:
    """Why a question is not drawn on the reference date (contest.domain.legal_basis.Window)."""
    day = window.start if reason == "not_yet" else window.end
    return str(OUT_OF_FORCE_REASONS[reason]) % {"day": f"{day:%d/%m/%Y}"}


def lint_summary(report: LintReport) -> str:
    """The bank check's figures in one paragraph."""
    counts = ", ".join(f"{code} {n}" for code, n in sorted(report.counts().items()))
    verdict = gettext("clean") if report.is_clean else gettext("not clean")
    return gettext(
        "%(questions)s questions; the key is the longest choice in %(share)s; %(negative)s "
        "negative stems; %(notes)s with a source note. Findings: %(counts)s. The bank is "
        "%(verdict)s.",
        questions=report.questions,
        share=f"{report.longest_key_share:.1%}".replace(".", ","),
        negative=report.negative_stems,
        notes=f"{report.source_note_share:.1%}".replace(".", ","),
        counts=counts or "0",
        verdict=verdict,
    )
