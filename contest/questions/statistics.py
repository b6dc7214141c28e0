"""Per-question statistics from graded rounds (the rules live in domain/item_analysis.py).

Whatever the size of the bank and the number of rounds, the page takes a fixed number of
statements: the rounds are summed per question in SQL (two grouped queries), the choices and
topics of the questions served come in one more, the participants who saw each question in two;
filtering, sorting and paging then work on one small report per question, and only the page's
questions are loaded with their text and choices.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from contest.domain.item_analysis import (
    ANY_FLAG,
    FLAGS,
    ItemReport,
    ItemSums,
    analyse_item,
    suspicious_first,
)
from contest.extensions import db
from contest.models import GRADED_STATES, Answer, Attempt, Choice, Question, ServedQuestion

PER_PAGE = 25


@dataclass(frozen=True)
class QuestionStatistics:
    report: ItemReport
    topic: str
    seen_by: int  # participants served it in at least one of their rounds (any state)
    players: int  # participants who started at least one round
    question: Question | None = None  # loaded for the rows of the page shown

    @property
    def seen_share(self) -> float | None:
        """The share of participants who have seen the question (None: no one played)."""
        return self.seen_by / self.players if self.players else None


# The sorts a reviewer may ask for: the value sorted on (None: the suspicious order) and
# whether it runs from the largest by default. Anything else in ?sort= is the default.
SORTS: dict[str, tuple[Callable[[QuestionStatistics], float | None] | None, bool]] = {
    "suspicious": (None, True),
    "served": (lambda row: row.report.served, True),
    "answered": (lambda row: row.report.answered, True),
    "facility": (lambda row: row.report.facility, False),
    "discrimination": (lambda row: row.report.discrimination, False),
    "seen": (lambda row: row.seen_share, True),
}
DEFAULT_SORT = "suspicious"
ORDERS = {"asc": False, "desc": True}


@dataclass(frozen=True)
class StatisticsQuery:
    """What the organizer asked to see: a topic, a flag (or any), a sort and its direction."""

    topic: str | None = None
    flag: str | None = None  # None: every question; ANY_FLAG: flagged ones; else one of FLAGS
    sort: str = DEFAULT_SORT
    descending: bool = True

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "StatisticsQuery":
        """The query of a query string; a flag, sort or order it does not know is the default."""
        flag = args.get("flag") or None
        sort = args.get("sort", DEFAULT_SORT)
        sort = sort if sort in SORTS else DEFAULT_SORT
        return cls(
            topic=args.get("topic") or None,
            flag=flag if flag in (ANY_FLAG, *FLAGS) else None,
            sort=sort,
            descending=ORDERS.get(args.get("order", ""), SORTS[sort][1]),
        )

    @property
    def order(self) -> str:
        return "desc" if self.descending else "asc"

    def args(self) -> dict[str, str]:
        """The query string that asks for this query again (what links keep)."""
        values = {"topic": self.topic, "flag": self.flag, "sort": self.sort, "order": self.order}
        return {key: value for key, value in values.items() if value}

    def matches(self, row: QuestionStatistics) -> bool:
        return (self.topic is None or row.topic == self.topic) and (
            self.flag is None or row.report.has_flag(self.flag)
        )

    def ordered(self, rows: list[QuestionStatistics]) -> list[QuestionStatistics]:
        """The rows in the asked order; rows without the value (undefined) last either way,
        ties by question id."""
        value = SORTS[self.sort][0]
        if value is None:
            by_report = {row.report.question_id: row for row in rows}
            order = [by_report[r.question_id] for r in suspicious_first(row.report for row in rows)]
            return order if self.descending else order[::-1]
        known = sorted(
            (row for row in rows if value(row) is not None), key=lambda r: r.report.question_id
        )
        unknown = [row for row in rows if value(row) is None]
        known.sort(key=value, reverse=self.descending)  # stable: ties stay by id
        return known + sorted(unknown, key=lambda r: r.report.question_id)


@dataclass(frozen=True)
class StatisticsPage:
    """One page of the statistics, with what the filters offer."""

    rows: list[QuestionStatistics]
    page: int
    per_page: int
    total: int  # questions matching the query
    analysed: int  # questions served in a graded round
    players: int
    topics: list[tuple[str, int]] = field(default_factory=list)  # topic, questions analysed
    flag_counts: Mapping[str, int] = field(default_factory=dict)  # in the topic asked for

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.per_page + 1


def seen_counts(contest_id: int | None) -> tuple[int, dict[int, int]]:
    """How many participants started a round, and how many were served each question: two
    grouped counts over the rounds' index, whatever the number of rounds."""
    scope = [Attempt.contest_id == contest_id] if contest_id is not None else []
    players = db.session.scalar(select(func.count(func.distinct(Attempt.user_id))).where(*scope))
    seen = db.session.execute(
        select(ServedQuestion.question_id, func.count(func.distinct(Attempt.user_id)))
        .join(Attempt, Attempt.id == ServedQuestion.attempt_id)
        .where(*scope)
        .group_by(ServedQuestion.question_id)
    )
    return int(players or 0), {question_id: int(count) for question_id, count in seen}


def item_reports(contest_id: int | None = None) -> tuple[list[ItemReport], dict[int, str]]:
    """The report of every question served in a graded round (of one contest, or all), and
    each one's topic: three statements whatever the number of questions and rounds."""
    graded = [Attempt.state.in_(GRADED_STATES)]
    if contest_id is not None:
        graded.append(Attempt.contest_id == contest_id)
    # Only answers saved by the deadline count, as in grading.
    counted_answer = and_(
        Answer.attempt_id == ServedQuestion.attempt_id,
        Answer.question_id == ServedQuestion.question_id,
        Answer.saved_at <= Attempt.deadline_at,
    )
    right = case((Choice.is_correct.is_(True), 1), else_=0)
    per_round = (
        select(
            ServedQuestion.question_id.label("question_id"),
            right.label("x"),
            (Attempt.correct_count - right).label("rest"),
        )
        .join(Attempt, Attempt.id == ServedQuestion.attempt_id)
        .outerjoin(Answer, counted_answer)
        .outerjoin(Choice, Choice.id == Answer.choice_id)
        .where(*graded)
        .subquery()
    )
    sums = {
        row.question_id: ItemSums(
            int(row.served), int(row.correct), int(row.rest), int(row.rest_sq), int(row.x_rest)
        )
        for row in db.session.execute(
            select(
                per_round.c.question_id,
                func.count().label("served"),
                func.sum(per_round.c.x).label("correct"),
                func.sum(per_round.c.rest).label("rest"),
                func.sum(per_round.c.rest * per_round.c.rest).label("rest_sq"),
                func.sum(per_round.c.x * per_round.c.rest).label("x_rest"),
            ).group_by(per_round.c.question_id)
        )
    }
    picks: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, choice_id, count in db.session.execute(
        select(Answer.question_id, Answer.choice_id, func.count())
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(*graded, Answer.saved_at <= Attempt.deadline_at)
        .group_by(Answer.question_id, Answer.choice_id)
    ):
        picks[question_id][choice_id] = count
    served_ids = (
        select(ServedQuestion.question_id)
        .join(Attempt, Attempt.id == ServedQuestion.attempt_id)
        .where(*graded)
    )
    choices: dict[int, list[int]] = defaultdict(list)
    keys: dict[int, int] = {}
    topics: dict[int, str] = {}
    for question_id, choice_id, is_correct, topic in db.session.execute(
        select(Choice.question_id, Choice.id, Choice.is_correct, Question.topic)
        .join(Question, Question.id == Choice.question_id)
        .where(Choice.question_id.in_(served_ids))
    ):
        choices[question_id].append(choice_id)
        topics[question_id] = topic
        if is_correct:
            keys[question_id] = choice_id
    reports = [
        analyse_item(
            question_id, item, picks[question_id], keys.get(question_id, 0), choices[question_id]
        )
        for question_id, item in sums.items()
    ]
    return reports, topics


def statistics_page(
    contest_id: int, query: StatisticsQuery, page: int, per_page: int = PER_PAGE
) -> StatisticsPage:
    """The page `page` of the contest's question statistics matching `query`, in its order
    (a page past the last is empty)."""
    reports, topics = item_reports(contest_id)
    players, seen_by = seen_counts(contest_id)
    rows = [
        QuestionStatistics(
            report, topics[report.question_id], seen_by.get(report.question_id, 0), players
        )
        for report in reports
    ]
    in_topic = [row for row in rows if query.topic is None or row.topic == query.topic]
    flag_counts = Counter(flag for row in in_topic for flag in row.report.flags)
    flag_counts[ANY_FLAG] = sum(1 for row in in_topic if row.report.flags)
    matching = query.ordered([row for row in in_topic if query.matches(row)])
    shown = matching[(page - 1) * per_page : page * per_page]
    questions = {
        question.id: question
        for question in db.session.scalars(
            select(Question)
            .where(Question.id.in_([row.report.question_id for row in shown]))
            .options(selectinload(Question.choices))
        )
    }
    return StatisticsPage(
        rows=[
            QuestionStatistics(
                row.report, row.topic, row.seen_by, row.players, questions[row.report.question_id]
            )
            for row in shown
        ],
        page=page,
        per_page=per_page,
        total=len(matching),
        analysed=len(rows),
        players=players,
        topics=sorted(Counter(row.topic for row in rows).items()),
        flag_counts=dict(flag_counts),
    )
