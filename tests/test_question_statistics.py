"""The contest's question statistics page: paging, the topic and flag filters, the sorts, the
minimum of answers before a flag, each choice's share as a bar, and bad parameters."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from contest.domain.item_analysis import FLAGS, MIN_ANSWERS_TO_FLAG
from contest.extensions import db
from contest.models import Answer, Attempt, AttemptState, Question, Role, ServedQuestion
from contest.questions.statistics import SORTS, StatisticsQuery, statistics_page
from contest.questions.views import FLAG_LABELS, SORT_LABELS
from tests.helpers import ApiClient, in_contest, make_contest, make_questions, make_unit, make_user


@pytest.fixture
def contest(db_session, frozen_clock):
    return make_contest(frozen_clock.now)


@pytest.fixture
def organizer_client(client, contest):
    ApiClient(client).login(make_user(Role.ORGANIZER))
    return client


def graded_round(contest, user, answers: list[tuple[Question, int | None]]) -> Attempt:
    """A submitted round serving the questions, each answered with its choice at that index
    (None: left blank); its score counts the right ones."""
    now = contest.quiz_opens_at + timedelta(hours=1)
    right = sum(
        1 for question, index in answers if index is not None and question.choices[index].is_correct
    )
    attempt = Attempt(
        contest_id=contest.id,
        user_id=user.id,
        state=AttemptState.SUBMITTED,
        started_at=now,
        deadline_at=now + timedelta(minutes=10),
        submitted_at=now,
        finished_at=now,
        question_count=len(answers),
        correct_count=right,
        duration_ms=60_000,
        served=[
            ServedQuestion(
                question_id=question.id,
                position=n,
                choice_order=",".join(str(c.id) for c in question.choices),
            )
            for n, (question, _index) in enumerate(answers, 1)
        ],
    )
    db.session.add(attempt)
    db.session.flush()
    for question, index in answers:
        if index is not None:
            db.session.add(
                Answer(
                    attempt_id=attempt.id,
                    question_id=question.id,
                    choice_id=question.choices[index].id,
                    saved_at=now,
                )
            )
    db.session.flush()
    return attempt


@pytest.fixture
def played(contest):
    """Thirty participants, one round each (participant i is the i-th weakest):
    - easy (topic A): everybody right, nobody picks a wrong choice: too easy, unused choices;
    - wrong_key (topic A): 24 pick B, the 6 strongest the key: the key looks wrong;
    - fair (topic B): the 15 strongest right, the others spread over B, C, D: no flag;
    - few (topic B): only the 10 weakest saw it, all picked B: below the minimum, no flag."""
    easy, wrong_key = make_questions(2, topic="Chủ đề A")
    fair, few = make_questions(2, topic="Chủ đề B")
    unit = make_unit()
    for i in range(30):
        answers = [
            (easy, 0),
            (wrong_key, 0 if i >= 24 else 1),
            (fair, 0 if i >= 15 else 1 + i % 3),
        ]
        if i < 10:
            answers.append((few, 1))
        graded_round(contest, make_user(unit=unit), answers)
    return contest, {"easy": easy, "wrong_key": wrong_key, "fair": fair, "few": few}


def get_page(client, contest, **args):
    response = client.get(in_contest(contest, "/organizer/questions/statistics"), query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def shown(page: str, questions: dict[str, Question]) -> list[str]:
    """The names of the questions the page lists, in its order."""
    names = {str(question.id): name for name, question in questions.items()}
    return [names[found] for found in re.findall(r'data-question-id="(\d+)"', page)]


def item_of(page: str, question: Question) -> str:
    """The page's item of one question, up to the next item (or the end of the list)."""
    start = page.index(f'data-question-id="{question.id}"')
    following = page.find("data-question-id=", start + 1)
    return page[start : following if following != -1 else page.index("</section>", start)]


def test_every_flag_and_sort_has_a_label():
    assert set(FLAG_LABELS) == set(FLAGS)
    assert set(SORT_LABELS) == set(SORTS)


def test_the_page_says_the_minimum_and_lists_suspicious_questions_first(organizer_client, played):
    contest, questions = played
    page = get_page(organizer_client, contest)
    assert MIN_ANSWERS_TO_FLAG == 30
    assert "Chỉ gắn cờ khi có từ 30 lượt trả lời." in page
    assert shown(page, questions) == ["wrong_key", "easy", "few", "fair"]
    assert "4 trong 4 câu hỏi đã dùng trong các lượt thi đã chấm" in page
    assert f'class="bank-item suspicious" data-question-id="{questions["wrong_key"].id}"' in page
    # Too easy and an unused choice ask for review; they do not say the key is wrong.
    assert f'class="bank-item" data-question-id="{questions["easy"].id}"' in page


def test_each_choice_shows_its_share_as_a_bar_with_its_number(organizer_client, played):
    contest, questions = played
    page = get_page(organizer_client, contest)
    wrong_key = item_of(page, questions["wrong_key"])
    bars = re.findall(
        r'<meter class="share-bar" min="0" max="1" value="([\d.]+)" aria-hidden="true"></meter>'
        r" <strong>(\d+)</strong> \((\d+%)\)",
        wrong_key,
    )
    # A (the key) 6 of 30, B 24, C and D nobody.
    assert bars == [
        ("0.2000", "6", "20%"),
        ("0.8000", "24", "80%"),
        ("0.0000", "0", "0%"),
        ("0.0000", "0", "0%"),
    ]
    # The content security policy forbids inline styles: the bar's width is the meter's value.
    assert "style=" not in page


def test_flags_and_the_note_below_the_minimum(organizer_client, played):
    contest, questions = played
    page = get_page(organizer_client, contest)
    badges = {
        name: re.findall(r'<p class="badge closed">([^<]+)</p>', item_of(page, question))
        for name, question in questions.items()
    }
    assert badges == {
        "wrong_key": [
            "Rất ít người trả lời đúng",
            "Phương án sai được chọn nhiều hơn đáp án",
            "Có phương án sai không ai chọn",
        ],
        "easy": ["Hầu như ai cũng trả lời đúng", "Có phương án sai không ai chọn"],
        "fair": [],
        "few": [],  # everybody wrong, but only ten answers
    }
    assert "Chưa xét gắn cờ: mới có 10 trong 30 lượt trả lời cần có." in item_of(
        page, questions["few"]
    )
    assert 'data-testid="below-minimum"' not in item_of(page, questions["fair"])


def test_a_question_is_flagged_at_its_thirtieth_answer(organizer_client, contest):
    (question,) = make_questions(1)
    unit = make_unit()
    for _ in range(29):
        graded_round(contest, make_user(unit=unit), [(question, 1)])
    graded_round(contest, make_user(unit=unit), [(question, None)])  # blank: not an answer
    page = get_page(organizer_client, contest)
    assert "Rất ít người trả lời đúng</p>" not in page
    assert "mới có 29 trong 30 lượt trả lời" in page
    assert "Đã dùng 30 lần · 29 lượt trả lời" in page
    graded_round(contest, make_user(unit=unit), [(question, 1)])
    page = get_page(organizer_client, contest)
    assert '<p class="badge closed">Rất ít người trả lời đúng</p>' in page
    assert 'data-testid="below-minimum"' not in page


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("any", ["wrong_key", "easy"]),
        ("low_facility", ["wrong_key"]),
        ("distractor_beats_key", ["wrong_key"]),
        ("too_easy", ["easy"]),
        ("unused_distractor", ["wrong_key", "easy"]),
        ("negative_discrimination", []),
        ("", ["wrong_key", "easy", "few", "fair"]),
    ],
)
def test_the_flag_filter(organizer_client, played, flag, expected):
    contest, questions = played
    page = get_page(organizer_client, contest, flag=flag)
    assert shown(page, questions) == expected
    if flag:
        assert f'<option value="{flag}" selected>' in page
    if not expected:
        assert "Không có câu hỏi phù hợp." in page


def test_the_flag_filter_counts_each_flag(organizer_client, played):
    contest, _questions = played
    page = get_page(organizer_client, contest)
    assert '<option value="any">Chỉ câu hỏi bị gắn cờ (2)</option>' in page
    assert '<option value="unused_distractor">Có phương án sai không ai chọn (2)</option>' in page
    assert '<option value="too_easy">Hầu như ai cũng trả lời đúng (1)</option>' in page
    in_a = get_page(organizer_client, contest, topic="Chủ đề B")
    assert '<option value="any">Chỉ câu hỏi bị gắn cờ (0)</option>' in in_a


def test_the_topic_filter_with_the_flag_filter(organizer_client, played):
    contest, questions = played
    page = get_page(organizer_client, contest, topic="Chủ đề B")
    assert shown(page, questions) == ["few", "fair"]
    assert '<option value="Chủ đề B" selected>Chủ đề B (2)</option>' in page
    assert '<option value="Chủ đề A">Chủ đề A (2)</option>' in page
    assert shown(
        get_page(organizer_client, contest, topic="Chủ đề A", flag="too_easy"), questions
    ) == ["easy"]
    nowhere = get_page(organizer_client, contest, topic="Không có chủ đề này")
    assert shown(nowhere, questions) == []
    assert "Không có câu hỏi phù hợp." in nowhere


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("facility", "asc", ["few", "wrong_key", "fair", "easy"]),
        ("facility", "desc", ["easy", "fair", "wrong_key", "few"]),
        ("facility", None, ["few", "wrong_key", "fair", "easy"]),  # hardest first by default
        ("served", None, ["easy", "wrong_key", "fair", "few"]),  # ties by question id
        ("served", "asc", ["few", "easy", "wrong_key", "fair"]),
        ("answered", "asc", ["few", "easy", "wrong_key", "fair"]),
        ("seen", "desc", ["easy", "wrong_key", "fair", "few"]),
        ("seen", "asc", ["few", "easy", "wrong_key", "fair"]),
        ("suspicious", "asc", ["fair", "few", "easy", "wrong_key"]),
    ],
)
def test_the_sorts(organizer_client, played, sort, order, expected):
    contest, questions = played
    args = {"sort": sort} | ({"order": order} if order else {})
    page = get_page(organizer_client, contest, **args)
    assert shown(page, questions) == expected
    assert f'<option value="{sort}" selected>' in page


@pytest.fixture
def spread(contest):
    """Twenty participants (participant i the i-th weakest) answer five filler questions as
    their strength says, and three more: `good` (the ten strongest right), `upside_down` (the
    ten weakest right), `everybody` (all right: no discrimination)."""
    fillers = make_questions(5, topic="Chủ đề C")
    good, upside_down, everybody = make_questions(3, topic="Chủ đề D")
    unit = make_unit()
    for i in range(20):
        answers = [(filler, 0 if i >= 4 * k else 1) for k, filler in enumerate(fillers)]
        answers += [(good, 0 if i >= 10 else 1), (upside_down, 0 if i < 10 else 1)]
        answers.append((everybody, 0))
        graded_round(contest, make_user(unit=unit), answers)
    return contest, {"good": good, "upside_down": upside_down, "everybody": everybody} | {
        f"filler{k}": filler for k, filler in enumerate(fillers)
    }


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_the_discrimination_sort_puts_the_undefined_last_either_way(
    organizer_client, spread, order
):
    contest, questions = spread
    page = get_page(organizer_client, contest, sort="discrimination", order=order)
    names = shown(page, questions)
    values = re.findall(r"độ phân biệt (\S+) ·", page)
    assert len(values) == len(names) == 8
    # filler0 (everybody right) and `everybody`: undefined, last, by question id.
    assert names[-2:] == ["filler0", "everybody"]
    assert values[-2:] == ["—", "—"]
    known = [float(value.replace(",", ".")) for value in values[:-2]]
    assert known == sorted(known, reverse=order == "desc")
    assert len(set(known)) > 3
    assert names[0 if order == "asc" else 5] == "upside_down"
    assert values[names.index("upside_down")].startswith("-0,")  # a decimal comma


def test_the_share_of_participants_who_saw_a_question(organizer_client, played):
    contest, questions = played
    page = get_page(organizer_client, contest)
    assert "đã được 10/30 thí sinh xem (33%)" in item_of(page, questions["few"])
    assert "đã được 30/30 thí sinh xem (100%)" in item_of(page, questions["easy"])


@pytest.fixture
def large(contest):
    """Sixty questions (forty of topic A) served once each in graded rounds, none answered."""
    questions = make_questions(40, topic="Chủ đề A") + make_questions(20, topic="Chủ đề B")
    unit = make_unit()
    for start in range(0, 60, 10):
        graded_round(
            contest, make_user(unit=unit), [(q, None) for q in questions[start : start + 10]]
        )
    return contest, {f"q{n}": question for n, question in enumerate(questions)}


def link_args(page: str, rel: str) -> dict[str, str]:
    (href,) = re.findall(rf'<a rel="{rel}" href="([^"]+)"', page)
    return {
        key: values[0]
        for key, values in parse_qs(urlsplit(href.replace("&amp;", "&")).query).items()
    }


def test_paging_keeps_the_filters_and_the_sort_in_its_links(organizer_client, large):
    contest, questions = large
    first = get_page(organizer_client, contest, sort="served", order="asc", flag="")
    assert shown(first, questions) == [f"q{n}" for n in range(25)]
    assert "Trang 1/3" in first
    assert 'rel="prev"' not in first
    assert link_args(first, "next") == {"page": "2", "sort": "served", "order": "asc"}
    third = get_page(organizer_client, contest, sort="served", order="asc", page="3")
    assert shown(third, questions) == [f"q{n}" for n in range(50, 60)]
    assert '<ol class="bank" start="51">' in third
    assert link_args(third, "prev") == {"page": "2", "sort": "served", "order": "asc"}
    assert 'rel="next"' not in third
    in_b = get_page(organizer_client, contest, topic="Chủ đề B", page="1")
    assert shown(in_b, questions) == [f"q{n}" for n in range(40, 60)]
    assert "Trang 1/1" in in_b
    a_second = get_page(organizer_client, contest, topic="Chủ đề A", sort="facility", page="2")
    assert shown(a_second, questions) == [f"q{n}" for n in range(25, 40)]
    assert link_args(a_second, "prev") == {
        "page": "1",
        "topic": "Chủ đề A",
        "sort": "facility",
        "order": "asc",
    }


def test_a_page_past_the_last_is_empty_and_links_back(organizer_client, large):
    contest, questions = large
    page = get_page(organizer_client, contest, page="7")
    assert shown(page, questions) == []
    assert "Không có câu hỏi phù hợp." in page
    assert link_args(page, "prev") == {"page": "3", "sort": "suspicious", "order": "desc"}


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ({"page": "abc"}, 200),
        ({"page": "-2"}, 200),
        ({"page": "0"}, 200),
        ({"page": "1.5"}, 200),
        ({"page": "99999999999999999999"}, 404),
        ({"page": "²"}, 404),
        ({"sort": "facility; DROP TABLE questions --"}, 200),
        ({"sort": "__class__"}, 200),
        ({"order": "sideways"}, 200),
        ({"flag": "<script>alert(1)</script>"}, 200),
        ({"topic": "<script>alert(1)</script>"}, 200),
        ({"topic": "a\x00b"}, 400),
        ({"sort": "x\x00"}, 400),
    ],
)
def test_bad_parameters_get_the_first_page_a_default_or_a_clear_refusal(
    organizer_client, played, args, status
):
    contest, questions = played
    response = organizer_client.get(
        in_contest(contest, "/organizer/questions/statistics"), query_string=args
    )
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    if status == 200 and "topic" not in args:
        assert shown(page, questions) == ["wrong_key", "easy", "few", "fair"]
        if "sort" in args:
            assert '<option value="suspicious" selected>' in page


def test_the_query_of_a_query_string():
    assert StatisticsQuery.from_args({}) == StatisticsQuery(None, None, "suspicious", True)
    assert StatisticsQuery.from_args(
        {"topic": "A", "flag": "too_easy", "sort": "facility"}
    ) == StatisticsQuery("A", "too_easy", "facility", False)
    assert StatisticsQuery.from_args({"flag": "nope", "sort": "nope", "order": "up"}) == (
        StatisticsQuery()
    )
    assert StatisticsQuery.from_args({"sort": "facility", "order": "desc"}).args() == {
        "sort": "facility",
        "order": "desc",
    }


def count_statements(contest_id: int) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        statistics_page(contest_id, StatisticsQuery(), 1)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_statements_do_not_grow_with_the_questions_or_the_rounds(contest):
    unit = make_unit()
    questions = make_questions(4)
    for _ in range(3):
        graded_round(contest, make_user(unit=unit), [(q, 0) for q in questions])
    few = count_statements(contest.id)
    more = make_questions(80)
    for n in range(40):
        graded_round(contest, make_user(unit=unit), [(q, n % 4) for q in more[n % 8 :: 8]])
    assert count_statements(contest.id) == few
    assert few <= 8
