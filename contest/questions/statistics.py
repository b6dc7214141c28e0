"""Per-question statistics from graded rounds (the rules live in domain/item_analysis.py)."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from contest.domain.item_analysis import ItemReport, ItemSums, analyse_item, suspicious_first
from contest.extensions import db
from contest.models import GRADED_STATES, Answer, Attempt, Choice, Question, ServedQuestion


@dataclass(frozen=True)
class QuestionStatistics:
    question: Question
    report: ItemReport
    seen_by: int  # participants served it in at least one of their rounds (any state)
    players: int  # participants who started at least one round

    @property
    def seen_share(self) -> float | None:
        """The share of participants who have seen the question (None: no one played)."""
        return self.seen_by / self.players if self.players else None


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


def question_statistics(
    contest_id: int | None = None, limit: int = 500
) -> list[QuestionStatistics]:
    """Every question served in a graded round (of one contest, or all), suspicious first."""
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
    questions = {
        question.id: question
        for question in db.session.scalars(
            select(Question)
            .where(Question.id.in_(list(sums)))
            .options(selectinload(Question.choices))
        )
    }
    reports = [
        analyse_item(
            question_id, item, picks[question_id], questions[question_id].correct_choice.id
        )
        for question_id, item in sums.items()
    ]
    players, seen_by = seen_counts(contest_id)
    return [
        QuestionStatistics(
            questions[report.question_id], report, seen_by.get(report.question_id, 0), players
        )
        for report in suspicious_first(reports)[:limit]
    ]
