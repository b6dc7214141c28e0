"""JSON shapes of the API (documented in openapi.py); never an answer key before grading."""

from datetime import UTC, datetime

from contest.domain.pace import PaceAllowance
from contest.domain.rounds import Allowance
from contest.models import Attempt, Contest, ContestState, User
from contest.quiz.services import RoundSheet


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the millisecond."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def user_json(user: User | None) -> dict | None:
    if user is None or not user.is_authenticated:
        return None
    return {
        "id": user.id,
        "full_name": user.full_name,
        "username": user.username,
        "phone": user.phone,
        "unit": unit_json(user.unit),
        "roles": sorted(role.value for role in user.roles),
    }


def unit_json(unit) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.id, "code": unit.code, "name": unit.name}


def contest_json(
    contest: Contest,
    now: datetime,
    allowance: Allowance | None,
    active_attempt_id: int | None,
    pace: PaceAllowance | None = None,
) -> dict:
    return {
        "id": contest.id,
        "slug": contest.slug,
        "name": contest.name,
        "server_time": iso(now),
        "quiz": {
            "opens_at": iso(contest.quiz_opens_at),
            "closes_at": iso(contest.quiz_closes_at),
            "is_open": contest.quiz_is_open(now),
        },
        "video": {
            "opens_at": iso(contest.video_opens_at),
            "closes_at": iso(contest.video_closes_at),
        },
        "results_publish_at": iso(contest.results_publish_at),
        "questions_per_round": contest.questions_per_round,
        "round_time_limit_seconds": contest.round_time_limit_seconds,
        "submission_grace_seconds": contest.submission_grace_seconds,
        "attempts": None
        if allowance is None
        else {
            "max_total": contest.max_attempts_total,
            "max_per_day": contest.max_attempts_per_day,
            "used_total": allowance.used_total,
            "used_today": allowance.used_today,
            "left": allowance.left,
        },
        "pace": {
            "max_starts_per_hour": contest.max_starts_per_hour,
            "started_in_last_hour": None if pace is None else pace.started_in_hour,
            "left": None if pace is None else pace.left,
            "next_start_at": None if pace is None else iso(pace.next_start_at),
        },
        "active_attempt_id": active_attempt_id,
    }


def contest_summary_json(contest: Contest, state: ContestState) -> dict:
    """A contest as GET /contests lists it: who it is, its windows and where it stands."""
    return {
        "slug": contest.slug,
        "name": contest.name,
        "organizer_name": contest.organizer_name,
        "state": state.value,
        "quiz": {"opens_at": iso(contest.quiz_opens_at), "closes_at": iso(contest.quiz_closes_at)},
        "video": {
            "opens_at": iso(contest.video_opens_at),
            "closes_at": iso(contest.video_closes_at),
        },
        "results_publish_at": iso(contest.results_publish_at),
    }


def attempt_json(attempt: Attempt, now: datetime, reveal_key: bool, sheet: RoundSheet) -> dict:
    """A round: its questions and saved answers (from its sheet, read once by the service);
    its grade once graded (and the key if allowed)."""
    graded = not attempt.is_active
    body = {
        "id": attempt.id,
        "state": attempt.state.value,
        "server_time": iso(now),
        "started_at": iso(attempt.started_at),
        "deadline_at": iso(attempt.deadline_at),
        "finished_at": iso(attempt.finished_at),
        "question_count": attempt.question_count,
        "questions": [
            {
                "id": question.question_id,
                "position": question.position,
                "text": question.text,
                "choices": [{"id": cid, "text": text} for cid, text in question.choices],
            }
            for question in sheet.questions
        ],
        "answers": {str(question_id): a.choice_id for question_id, a in sheet.answers.items()},
        "result": None,
    }
    if graded:
        body["result"] = {
            "correct_count": attempt.correct_count,
            "question_count": attempt.question_count,
            "duration_ms": attempt.duration_ms,
            "submitted_automatically": attempt.submitted_automatically,
            "correct_choices": {str(qid): cid for qid, cid in sheet.answer_key().items()}
            if reveal_key
            else None,
        }
    return body


def leaderboard_line_json(line) -> dict:
    return {
        "rank": line.rank,
        "participant_id": line.participant_id,
        "full_name": line.full_name,
        "unit": line.unit_name,
        "correct_count": line.correct_count,
        "duration_ms": line.duration_ms,
        "finished_at": iso(line.finished_at),
    }
