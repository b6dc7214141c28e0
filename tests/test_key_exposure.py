"""The answer key never leaves the server before the contest's review policy allows it.

Every API response that carries a round is checked under each policy: the start (scoped and
deprecated), the round fetched while it runs, an answer saved, the submission, the round
fetched after it, a round graded when its time ran out (fetched, or submitted late), and a
round fetched after the close. So is the result page: while the key is hidden it shows the
score and the time only, since the questions with one's answers beside a score tell which
answers were right (every one of them at full marks).
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.extensions import db
from contest.models import Attempt, Contest, Question, ReviewPolicy
from tests.helpers import in_contest, make_contest, make_questions, make_unit, make_user

POLICIES = list(ReviewPolicy)


@pytest.fixture(params=POLICIES, ids=[policy.value for policy in POLICIES])
def contest(request, db_session, frozen_clock):
    make_questions(30)
    return make_contest(frozen_clock.now, review_policy=request.param, max_starts_per_hour=None)


@pytest.fixture
def playing(api, contest):
    api.login(make_user(unit=make_unit()))
    return api


def key_of(attempt_id: int) -> dict[str, int]:
    attempt = db.session.get(Attempt, attempt_id)
    return {str(sq.question_id): sq.question.correct_choice.id for sq in attempt.served}


def keys_of(value, path: str = "") -> set[str]:
    """Every key of a JSON value, nested ones as dotted paths."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(f"{path}{key}")
            found |= keys_of(inner, f"{path}{key}.")
    elif isinstance(value, list):
        for inner in value:
            found |= keys_of(inner, path + "[].")
    return found


# A round's shape when no key is shown: nothing per question but the question, its shuffled
# choices and the participant's own saved answers; the score and the time once graded.
ROUND_FIELDS = {
    "id",
    "state",
    "server_time",
    "started_at",
    "deadline_at",
    "finished_at",
    "question_count",
    "questions",
    "questions.[].id",
    "questions.[].position",
    "questions.[].text",
    "questions.[].choices",
    "questions.[].choices.[].id",
    "questions.[].choices.[].text",
    "answers",
    "result",
}
RESULT_FIELDS = {
    "result.correct_count",
    "result.question_count",
    "result.duration_ms",
    "result.submitted_automatically",
    "result.correct_choices",
}


def assert_no_key(body: dict, saved: dict[str, int]) -> None:
    """The round carries nothing from which its key follows."""
    answer_fields = {f"answers.{question_id}" for question_id in body["answers"]}
    assert keys_of(body) - answer_fields <= ROUND_FIELDS | RESULT_FIELDS
    assert body["answers"] == saved  # the participant's own choices, nothing added
    if body["result"] is not None:
        assert body["result"]["correct_choices"] is None


def assert_key(body: dict, attempt_id: int) -> None:
    assert body["result"]["correct_choices"] == key_of(attempt_id)


def play_some(api, body: dict) -> dict[str, int]:
    """Save one right and one wrong answer; the choices saved, as the API lists them."""
    key = key_of(body["id"])
    right, wrong = body["questions"][0], body["questions"][1]
    wrong_choice = next(c["id"] for c in wrong["choices"] if c["id"] != key[str(wrong["id"])])
    saved = {str(right["id"]): key[str(right["id"])], str(wrong["id"]): wrong_choice}
    for question_id, choice_id in saved.items():
        response = api.put(
            f"/attempts/{body['id']}/answers/{question_id}", json={"choice_id": choice_id}
        )
        assert response.status_code == 200
        assert set(response.get_json()) == {"question_id", "choice_id", "saved_at"}
    return saved


def shows_key_after_submit(contest) -> bool:
    return contest.review_policy is ReviewPolicy.AFTER_SUBMIT


@pytest.mark.parametrize("route", ["scoped", "deprecated"])
def test_a_started_and_running_round_carries_no_key(playing, contest, route):
    path = in_contest(contest, "/attempts") if route == "scoped" else "/attempts"
    started = playing.post(path)
    assert started.status_code == 201
    body = started.get_json()
    assert_no_key(body, {})
    saved = play_some(playing, body)
    assert_no_key(playing.get(f"/attempts/{body['id']}").get_json(), saved)
    again = playing.post(path)  # a second start names the running round, nothing more
    assert again.status_code == 409
    assert set(again.get_json()) == {"error", "message", "attempt_id"}
    for contest_path in (in_contest(contest), "/contest"):
        assert "correct_choices" not in keys_of(playing.get(contest_path).get_json())


def test_a_submitted_round_shows_the_key_only_under_after_submit(playing, contest):
    body = playing.post(in_contest(contest, "/attempts")).get_json()
    saved = play_some(playing, body)
    submitted = playing.post(f"/attempts/{body['id']}/submit").get_json()
    fetched = playing.get(f"/attempts/{body['id']}").get_json()
    for graded in (submitted, fetched):
        assert graded["result"]["correct_count"] == 1
        if shows_key_after_submit(contest):
            assert_key(graded, body["id"])
        else:
            assert_no_key(graded, saved)


@pytest.mark.parametrize("how", ["fetched", "submitted late"])
def test_a_round_graded_when_its_time_ran_out_follows_the_policy(
    playing, contest, frozen_clock, how
):
    body = playing.post(in_contest(contest, "/attempts")).get_json()
    saved = play_some(playing, body)
    frozen_clock.advance(seconds=contest.round_time_limit_seconds + 60)
    if how == "fetched":
        expired = playing.get(f"/attempts/{body['id']}").get_json()
    else:
        expired = playing.post(f"/attempts/{body['id']}/submit").get_json()
    assert expired["state"] == "expired"
    if shows_key_after_submit(contest):
        assert_key(expired, body["id"])
    else:
        assert_no_key(expired, saved)


def test_after_the_close_the_key_is_shown_unless_the_policy_is_never(
    playing, contest, frozen_clock
):
    body = playing.post(in_contest(contest, "/attempts")).get_json()
    saved = play_some(playing, body)
    playing.post(f"/attempts/{body['id']}/submit")
    frozen_clock.now = contest.quiz_closes_at - timedelta(microseconds=1)
    before_close = playing.get(f"/attempts/{body['id']}").get_json()
    frozen_clock.now = contest.quiz_closes_at
    after_close = playing.get(f"/attempts/{body['id']}").get_json()
    if contest.review_policy is ReviewPolicy.NEVER:
        assert_no_key(after_close, saved)
    else:
        assert_key(after_close, body["id"])
    if not shows_key_after_submit(contest):
        assert_no_key(before_close, saved)


def test_the_result_page_shows_the_score_and_time_only_while_the_key_is_hidden(
    client, playing, contest, frozen_clock
):
    body = playing.post(in_contest(contest, "/attempts")).get_json()
    play_some(playing, body)
    playing.post(f"/attempts/{body['id']}/submit")
    attempt = db.session.get(Attempt, body["id"])
    question_texts = [sq.question.text for sq in attempt.served]
    choice_texts = [c.text for sq in attempt.served for c in sq.question.choices]
    page_path = in_contest(contest, f"/quiz/attempts/{body['id']}")

    def page() -> str:
        html = client.get(page_path).get_data(as_text=True)
        assert 'data-testid="score"' in html
        assert "Đúng 1/10 câu" in html
        return html

    during = page()
    frozen_clock.now = contest.quiz_closes_at
    after_close = page()
    for html, key_visible in (
        (during, shows_key_after_submit(contest)),
        (after_close, contest.review_policy is not ReviewPolicy.NEVER),
    ):
        if key_visible:
            assert "Đáp án đúng" in html or "đáp án đúng" in html
            assert all(text in html for text in question_texts)
        else:
            assert 'data-testid="key-hidden"' in html
            assert not any(text in html for text in question_texts + choice_texts)
            assert "câu trả lời của bạn" not in html.lower()
    if contest.review_policy is ReviewPolicy.AFTER_CLOSE:
        assert "sau khi phần thi trắc nghiệm kết thúc" in during
    if contest.review_policy is ReviewPolicy.NEVER:
        assert "không hiển thị câu hỏi và đáp án" in during


def test_a_new_contest_hides_the_key_until_the_close(db_session, frozen_clock):
    contest = Contest(
        slug="moi", name="Mới", quiz_opens_at=frozen_clock.now, quiz_closes_at=frozen_clock.now
    )
    db_session.add(contest)
    db_session.flush()
    assert contest.review_policy is ReviewPolicy.AFTER_CLOSE


def correct_is_lowest_id(question) -> bool:
    lowest = min(question.choices, key=lambda choice: choice.id)
    return lowest.is_correct


def test_choice_ids_do_not_tell_the_key_of_a_bank_whose_keys_are_all_a(db_session, frozen_clock):
    """The API shows choice ids: were they given in the file's order, a bank whose key is
    always the first choice (common in hand-made banks) would give its key away."""
    from contest.domain.question_files.records import CheckedQuestion, Location
    from contest.questions.services import QuestionDraft, add_question, insert_questions

    imported = [
        CheckedQuestion(
            location=Location("a.xlsx", row=n),
            topic="Chủ đề A",
            text=f"Câu hỏi A{n}?",
            choices=("Đúng", "Sai 1", "Sai 2", "Sai 3"),
            correct_index=0,
            difficulty=None,
            citation=None,
        )
        for n in range(30)
    ]
    insert_questions(imported, frozen_clock.now)
    for n in range(30):
        draft = QuestionDraft("Chủ đề B", f"Câu hỏi B{n}?", ("Đúng", "Sai 1", "Sai 2"), 0)
        add_question(draft, frozen_clock.now)
    db.session.expire_all()
    for topic in ("Chủ đề A", "Chủ đề B"):
        questions = db.session.scalars(select(Question).where(Question.topic == topic)).all()
        assert len(questions) == 30
        assert all(q.choices[0].is_correct for q in questions)  # the order shown stays
        # Each question's key has the lowest id by chance only (1/4 or 1/3): never all 30.
        assert not all(correct_is_lowest_id(q) for q in questions)
