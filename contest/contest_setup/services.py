"""Creating a contest, copying a past one, and the changes of its settings pages.

Every change is written to the audit log as [before, after], and refused, with the rule
stated, when it would change something already decided (rounds played, approved results).
Services take the contest; the caller commits once, and touches the storage after the commit
when it deletes.
"""

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from contest.domain.drawing import DrawRules, rule_problems
from contest.domain.rounds import local_day_bounds
from contest.domain.text import clean_text, slug_of
from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    Attempt,
    Contest,
    ContestDocument,
    DrawQuota,
    PrizeTierRow,
    ReviewPolicy,
    RubricCriterion,
    User,
)
from contest.models.audit import record
from contest.organizer.services import WINDOW_FIELDS, check_windows
from contest.questions.messages import describe_rule_problem
from contest.questions.services import question_pool
from contest.results.workflow import current_snapshot
from contest.storage import Storage
from contest.units.services import copy_participation, enroll_active_units


class SetupRefused(Refused):
    code, status = "setup_refused", 422
    message = _l("This setting cannot be saved.")


def _log(contest: Contest, action: str, actor: User, now: datetime, before: dict, after: dict):
    """Log the settings that changed as [before, after]; nothing when nothing changed."""
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record(action, actor, contest.id, f"contest:{contest.id}", now, **changes)
    return changes


def _approved_results_refusal(contest: Contest, what) -> None:
    if current_snapshot(contest) is not None:
        raise SetupRefused(what)


# Creating and copying


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 80


def suggest_slug(name: str) -> str:
    """A free slug made from the name (diacritics folded): "hoi-thi-2026", else "...-2"."""
    base = slug_of(name, SLUG_MAX - 4) or "hoi-thi"
    taken = set(db.session.scalars(select(Contest.slug).where(Contest.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def check_slug(slug: str) -> None:
    """Refuse a slug that is not lower-case ASCII letters, digits and hyphens, or is taken."""
    if not SLUG.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise SetupRefused(
            _l(
                "The short name in the address may only use lower-case letters without "
                "accents, digits and single hyphens (for example hoi-thi-cchc-2026)."
            )
        )
    if db.session.scalar(select(Contest.id).where(Contest.slug == slug)) is not None:
        raise SetupRefused(_l("Another contest already uses the address «%(slug)s».", slug=slug))


@dataclass(frozen=True)
class NewContest:
    """What the organizer types to create a contest (or a copy): name, slug, windows."""

    name: str
    slug: str
    organizer_name: str | None
    windows: dict[str, datetime | None]


# The plausibility thresholds (contest.domain.plausibility.Thresholds), in the fair-play page's
# order.
PLAUSIBILITY_SETTINGS = (
    "floor_reading_chars_per_second",
    "floor_motor_ms",
    "flag_regular_cv_percent",
    "flag_device_accounts",
    "flag_address_rounds",
    "flag_unshown_answers",
)

# What a copy takes from the past contest. A setting is a column of `contests`; each other
# thing copied is a collection with its function. Everything else stays behind: rounds,
# best rounds, predictions, videos and their scores, judge assignments, results snapshots,
# tie decisions, milestones, the audit log, the attached documents, the prediction's true
# value, and the windows (typed anew). tests/test_contest_setup.py checks that every column
# of `contests` is listed here or in NOT_COPIED, so a new column needs a decision.
COPIED_SETTINGS = (
    "organizer_name",
    "authority_name",
    "place_name",
    "signer_name",
    "signer_title",
    "certificate_shows_amount",
    "description",
    "rules_text",
    "questions_per_round",
    "round_time_limit_seconds",
    "submission_grace_seconds",
    "max_attempts_total",
    "max_attempts_per_day",
    "max_starts_per_hour",
    "review_policy",
    "max_exposure_percent",
    "leaderboard_public",
    "unit_ranking_public",
    "max_videos_per_unit",
    "video_max_bytes",
    "video_max_duration_seconds",
    "allowed_video_forms",
    "judging_blind",
    "score_aggregation",
    "video_gallery_public",
    "weight_participation",
    "weight_accuracy",
    "weight_video",
    "unit_prize_requires_video",
    "max_individual_prizes_per_unit",
    "min_participation_percent",
    "prediction_question",
    "registration_open",
    "draws_out_of_force",
    *PLAUSIBILITY_SETTINGS,
)
# The reference date goes with the windows: a copy held later is about the law of its own day.
# The emblem is a stored file, as the documents are: a copy would share (and delete) it.
# A year's awarding decision is that year's alone.
NOT_COPIED = (
    "id",
    "slug",
    "name",
    "created_at",
    "prediction_true_value",
    "reference_date",
    "emblem_key",
    "emblem_type",
    "award_decision",
    *WINDOW_FIELDS,
)


def _copy_rubric(source: Contest, copy: Contest) -> None:
    copy.rubric = [
        RubricCriterion(
            name=c.name, max_points=c.max_points, guidance=c.guidance, position=c.position
        )
        for c in source.rubric
    ]


def _copy_prize_table(source: Contest, copy: Contest) -> None:
    copy.prize_table = [
        PrizeTierRow(
            category=t.category,
            name=t.name,
            prize_count=t.prize_count,
            amount=t.amount,
            position=t.position,
        )
        for t in source.prize_table
    ]


def _copy_draw_rules(source: Contest, copy: Contest) -> None:
    copy.draw_quotas = [
        DrawQuota(topic=q.topic, difficulty=q.difficulty, question_count=q.question_count)
        for q in source.draw_quotas
    ]


# The participating units and their headcounts are copied too, once the copy has its id
# (create_contest).
COPIED_COLLECTIONS: dict[str, Callable[[Contest, Contest], None]] = {
    "rubric": _copy_rubric,
    "prize_table": _copy_prize_table,
    "draw_quotas": _copy_draw_rules,
}


def create_contest(
    new: NewContest, actor: User, now: datetime, source: Contest | None = None
) -> Contest:
    """A new contest from the seed defaults (rubric, prize table), or a copy of `source`'s
    settings and collections (COPIED_SETTINGS, COPIED_COLLECTIONS) with new windows; logged."""
    name = clean_text(new.name)
    if not name:
        raise SetupRefused(_l("Give the contest a name."))
    check_slug(new.slug)
    check_windows(new.windows)
    values = {key: getattr(source, key) for key in COPIED_SETTINGS} if source else {}
    contest = Contest(name=name, slug=new.slug, **values, **new.windows)
    contest.organizer_name = clean_text(new.organizer_name) or None
    if source is not None:
        for copy in COPIED_COLLECTIONS.values():
            copy(source, contest)
    db.session.add(contest)
    db.session.flush()
    if source is None:
        enroll_active_units(contest)
    else:
        copy_participation(source, contest)
    details = {"name": name, "slug": contest.slug}
    if source is not None:
        copied = [*COPIED_SETTINGS, *COPIED_COLLECTIONS, "participating_units"]
        details |= {"copied_from": source.slug, "copied": copied}
    action = "contest_copied" if source else "contest_created"
    record(action, actor, contest.id, f"contest:{contest.id}", now, **details)
    db.session.flush()
    return contest


def a_year_later(moment: datetime | None) -> datetime | None:
    """The same moment a year later, to the minute as the forms take it (29 February becomes
    the 28th): a copy's suggestion."""
    if moment is None:
        return None
    moment = moment.replace(second=0, microsecond=0)
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28)


# Identity: the names printed on the pages and certificates


NAMES = ("name", "organizer_name", "authority_name")


@dataclass(frozen=True)
class Identity:
    """The contest's names, and what its certificates print besides them."""

    name: str
    organizer_name: str | None
    authority_name: str | None
    place_name: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    award_decision: str | None = None
    certificate_shows_amount: bool = False

    @classmethod
    def of(cls, contest: Contest) -> "Identity":
        return cls(**{field.name: getattr(contest, field.name) for field in fields(cls)})

    def cleaned(self) -> "Identity":
        """Every text cleaned (contest.domain.text), None when empty."""
        texts = {
            field.name: clean_text(getattr(self, field.name)) or None
            for field in fields(self)
            if field.name != "certificate_shows_amount"
        }
        return Identity(**texts, certificate_shows_amount=bool(self.certificate_shows_amount))


def change_identity(contest: Contest, identity: Identity, actor: User, now: datetime) -> None:
    """Rename the contest, its organizer and the authority above it, and set what the
    certificates print; logged. The names are refused while approved results stand (their
    certificates print them); the place, the signer, the awarding decision's number and
    whether the amount is printed may still be set then: the decision is signed once the
    results are approved, and the certificates are printed after it."""
    contest.refuse_if_archived(now)
    after = identity.cleaned()
    if not after.name:
        raise SetupRefused(_l("Give the contest a name."))
    before = Identity.of(contest)
    if any(getattr(after, key) != getattr(before, key) for key in NAMES):
        _approved_results_refusal(
            contest,
            _l(
                "The results are approved and their certificates print these names: "
                "reopen the results before changing them."
            ),
        )
    for field in fields(Identity):
        setattr(contest, field.name, getattr(after, field.name))
    _log(contest, "identity_changed", actor, now, before.__dict__, after.__dict__)
    db.session.flush()


# The rules text (Thể lệ) and the attached documents

RULES_TEXT_MAX = 50_000


def change_rules_text(contest: Contest, text: str | None, actor: User, now: datetime) -> None:
    """Set the rules text: plain text, NFC, line breaks kept, trailing spaces dropped; logged."""
    lines = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).split("\n")
    after = "\n".join(line.rstrip() for line in lines).strip() or None
    if after and len(after) > RULES_TEXT_MAX:
        raise SetupRefused(_l("At most %(max)s characters.", max=RULES_TEXT_MAX))
    before = contest.rules_text
    contest.rules_text = after
    _log(contest, "rules_text_changed", actor, now, {"rules_text": before}, {"rules_text": after})
    db.session.flush()


MAX_EMBLEM_BYTES = 200 * 1024  # an emblem shows small in the top bar: it needs no more
EMBLEM_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def emblem_type(head: bytes) -> str | None:
    """The image type of an emblem's first bytes (PNG or JPEG), None for anything else."""
    return next((kind for magic, kind in EMBLEM_TYPES.items() if head.startswith(magic)), None)


def set_emblem(
    contest: Contest, path: Path, storage: Storage, actor: User, now: datetime
) -> str | None:
    """Store the contest's emblem (a PNG or JPEG of at most 200 KB); logged. Returns the key of
    the emblem it replaces, to delete after the commit."""
    if path.stat().st_size > MAX_EMBLEM_BYTES:
        raise SetupRefused(_l("The emblem may be at most %(kb)s KB.", kb=MAX_EMBLEM_BYTES // 1024))
    with path.open("rb") as file:
        kind = emblem_type(file.read(16))
    if kind is None:
        raise SetupRefused(_l("The emblem must be a PNG or JPEG image."))
    old_key = contest.emblem_key
    key = f"emblems/{contest.id}/{secrets.token_hex(16)}.{kind.removeprefix('image/')}"
    storage.put_file(key, path, kind)
    contest.emblem_key, contest.emblem_type = key, kind
    record("emblem_changed", actor, contest.id, f"contest:{contest.id}", now)
    db.session.flush()
    return old_key


def remove_emblem(contest: Contest, actor: User, now: datetime) -> str | None:
    """Take the contest's emblem away; logged. Returns its key, to delete after the commit."""
    old_key = contest.emblem_key
    contest.emblem_key = contest.emblem_type = None
    record("emblem_removed", actor, contest.id, f"contest:{contest.id}", now)
    db.session.flush()
    return old_key


MAX_DOCUMENT_BYTES = 20 * 1024**2
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # readers accept the header anywhere in the first kilobyte


def is_pdf(head: bytes) -> bool:
    """Whether a file's first bytes are a PDF's (its header, not its name, decides)."""
    return PDF_MAGIC in head[:PDF_HEADER_WINDOW]


def add_document(
    contest: Contest,
    title: str,
    filename: str,
    path: Path,
    storage: Storage,
    actor: User,
    now: datetime,
) -> ContestDocument:
    """Attach a PDF (the contest's plan, a decision) kept in the storage; logged."""
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise SetupRefused(
            _l("A document may be at most %(mb)s MB.", mb=MAX_DOCUMENT_BYTES // 1024**2)
        )
    with path.open("rb") as file:
        head = file.read(PDF_HEADER_WINDOW)
    if not is_pdf(head):
        raise SetupRefused(_l("This file is not a PDF (whatever its name says): attach a PDF."))
    display_name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    title = clean_text(title) or display_name.removesuffix(".pdf")
    key = f"documents/{contest.id}/{secrets.token_hex(16)}.pdf"
    storage.put_file(key, path, "application/pdf")
    document = ContestDocument(
        title=title[:300],
        original_filename=display_name[:255] or "document.pdf",
        storage_key=key,
        size_bytes=size,
        uploaded_by=actor,
        uploaded_at=now,
    )
    contest.documents.append(document)
    db.session.flush()
    details = {"title": document.title, "file": document.original_filename, "size_bytes": size}
    record("document_added", actor, contest.id, f"document:{document.id}", now, **details)
    db.session.flush()
    return document


def delete_document(document: ContestDocument, actor: User, now: datetime) -> str:
    """Remove a document; logged. Returns its storage key, to delete after the commit."""
    details = {"title": document.title, "file": document.original_filename}
    target = f"document:{document.id}"
    record("document_deleted", actor, document.contest_id, target, now, **details)
    document.contest.documents.remove(document)  # delete-orphan: the row goes
    db.session.flush()
    return document.storage_key


# Round rules


@dataclass(frozen=True)
class RoundRules:
    questions_per_round: int
    round_time_limit_seconds: int
    submission_grace_seconds: int
    max_attempts_total: int | None  # None: no limit
    max_attempts_per_day: int | None
    max_starts_per_hour: int | None  # the pace limit (contest.domain.pace); None: no limit

    @classmethod
    def of(cls, contest: Contest) -> "RoundRules":
        return cls(**{f.name: getattr(contest, f.name) for f in fields(cls)})


FIXED_ONCE_PLAYED = ("questions_per_round", "round_time_limit_seconds", "submission_grace_seconds")


def rounds_started(contest: Contest) -> int:
    """How many rounds of this contest have been started."""
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.contest_id == contest.id))


def most_rounds_used(contest: Contest, now: datetime, zone: ZoneInfo) -> tuple[int, int]:
    """The most rounds one participant has started in this contest, and today (local day)."""
    start, end = local_day_bounds(now, zone)
    today = func.sum(
        case((and_(Attempt.started_at >= start, Attempt.started_at < end), 1), else_=0)
    )
    per_user = (
        select(func.count(Attempt.id).label("total"), func.coalesce(today, 0).label("today"))
        .where(Attempt.contest_id == contest.id)
        .group_by(Attempt.user_id)
        .subquery()
    )
    total, today_most = db.session.execute(
        select(func.max(per_user.c.total), func.max(per_user.c.today))
    ).one()
    return int(total or 0), int(today_most or 0)


def _refuse_changing_played_rounds(contest: Contest, before: dict, after: dict) -> None:
    """The one rule for the round's shape (the rounds page and the draw rules page): its
    questions, time and grace stay as they were once a round of this contest has started."""
    fixed = [key for key in FIXED_ONCE_PLAYED if key in after and after[key] != before[key]]
    if fixed and rounds_started(contest):
        raise SetupRefused(
            _l(
                "Rounds of this contest have been played: the number of questions, the time "
                "per round and the grace stay as they were, so that every round is comparable."
            )
        )


def _refuse_rules_the_bank_cannot_make(rules: DrawRules) -> None:
    """Refuse rules the bank's active questions cannot satisfy, with every reason (also in
    the refusal's `problems`, for a page that lists them)."""
    problems = rule_problems(rules, question_pool())
    if problems:
        described = [describe_rule_problem(problem) for problem in problems]
        raise SetupRefused(" ".join(described), problems=described)


def change_round_rules(
    contest: Contest, rules: RoundRules, actor: User, now: datetime, zone: ZoneInfo
) -> None:
    """Set the round's size, time, grace and the attempt limits; logged.

    Refused: changing the questions, the time or the grace once a round of this contest has
    been started (rounds must be comparable); a round size the draw rules or the bank cannot
    make; an attempt limit below what a participant has already used (in all, or today):
    limits may always be raised or removed, and lowered only down to that. The pace limit
    may change at any time: it only decides when the next round may start.
    """
    before = RoundRules.of(contest)
    _refuse_changing_played_rounds(contest, before.__dict__, rules.__dict__)
    if rules.questions_per_round != before.questions_per_round:
        current = contest.draw_rules()
        _refuse_rules_the_bank_cannot_make(
            replace(current, question_count=rules.questions_per_round)
        )
    used_total, used_today = most_rounds_used(contest, now, zone)
    if rules.max_attempts_total is not None and rules.max_attempts_total < used_total:
        raise SetupRefused(
            _l(
                "A participant has already started %(count)s rounds: the limit in all may "
                "not be lower.",
                count=used_total,
            )
        )
    if rules.max_attempts_per_day is not None and rules.max_attempts_per_day < used_today:
        raise SetupRefused(
            _l(
                "A participant has already started %(count)s rounds today: the daily limit "
                "may not be lower.",
                count=used_today,
            )
        )
    for key, value in rules.__dict__.items():
        setattr(contest, key, value)
    _log(contest, "round_rules_changed", actor, now, before.__dict__, rules.__dict__)
    db.session.flush()


# Draw rules: the round's size and its quotas per topic and per difficulty


def _draw_rules_logged(rules: DrawRules) -> dict:
    return {
        "questions_per_round": rules.question_count,
        "topic_quotas": dict(sorted(rules.topic_quotas.items())),
        "difficulty_quotas": dict(sorted(rules.difficulty_quotas.items())),
    }


def change_draw_rules(contest: Contest, rules: DrawRules, actor: User, now: datetime) -> None:
    """Set the questions per round and the quotas (a quota of 0 is none); logged.

    Refused: changing the questions per round once a round has started (the rounds page's
    rule); rules the bank cannot satisfy, with the reasons. Quotas may change at any time:
    like the bank itself, they change which questions are drawn, not how a round counts.
    """
    rules = replace(
        contest.draw_rules(),  # the reference date and the out-of-force setting stay
        question_count=rules.question_count,
        topic_quotas={topic: n for topic, n in rules.topic_quotas.items() if n},
        difficulty_quotas={level: n for level, n in rules.difficulty_quotas.items() if n},
    )
    before = _draw_rules_logged(contest.draw_rules())
    after = _draw_rules_logged(rules)
    _refuse_changing_played_rounds(contest, before, after)
    _refuse_rules_the_bank_cannot_make(rules)
    contest.questions_per_round = rules.question_count
    contest.draw_quotas = [
        DrawQuota(topic=topic, question_count=n) for topic, n in rules.topic_quotas.items()
    ] + [
        DrawQuota(difficulty=level, question_count=n)
        for level, n in rules.difficulty_quotas.items()
    ]
    _log(contest, "draw_rules_changed", actor, now, before, after)
    db.session.flush()


# What participants see: the answers after a round, the share of the bank, the leaderboard


@dataclass(frozen=True)
class Visibility:
    review_policy: str  # a ReviewPolicy value
    leaderboard_public: bool
    max_exposure_percent: int  # the draw-rules page warns above it (contest.domain.exposure)
    unit_ranking_public: bool = False

    @classmethod
    def of(cls, contest: Contest) -> "Visibility":
        return cls(
            contest.review_policy.value,
            contest.leaderboard_public,
            contest.max_exposure_percent,
            contest.unit_ranking_public,
        )


def change_visibility(contest: Contest, visibility: Visibility, actor: User, now: datetime):
    """Set when answers are shown, the share of the bank one participant may see before the
    draw-rules page warns, and whether the leaderboard is public; logged.

    Refused: showing the answers after each round once rounds have been played while the
    quiz is still open, since those who played would pass the keys to those still playing;
    a share outside 1-100 %.
    """
    if not 1 <= visibility.max_exposure_percent <= 100:
        raise SetupRefused(_l("The share of the bank is a percentage from 1 to 100."))
    before = Visibility.of(contest)
    policy = ReviewPolicy(visibility.review_policy)
    loosened = policy is ReviewPolicy.AFTER_SUBMIT and before.review_policy != policy.value
    if loosened and now < contest.quiz_closes_at and rounds_started(contest):
        raise SetupRefused(
            _l(
                "Rounds have been played and the quiz is still open: answers cannot start "
                "being shown after each round now, or the keys would reach those still playing."
            )
        )
    contest.review_policy = policy
    contest.leaderboard_public = visibility.leaderboard_public
    contest.unit_ranking_public = visibility.unit_ranking_public
    contest.max_exposure_percent = visibility.max_exposure_percent
    _log(contest, "visibility_changed", actor, now, before.__dict__, visibility.__dict__)
    db.session.flush()


# The legal basis: the day the questions must be in force on

EARLIEST_REFERENCE, LATEST_REFERENCE = date(1945, 9, 2), date(2100, 12, 31)


@dataclass(frozen=True)
class LegalBasisSettings:
    reference_date: date | None  # None: the day the quiz opens
    draws_out_of_force: bool

    @classmethod
    def of(cls, contest: Contest) -> "LegalBasisSettings":
        return cls(contest.reference_date, contest.draws_out_of_force)


def change_legal_basis_settings(
    contest: Contest, settings: LegalBasisSettings, actor: User, now: datetime
) -> None:
    """Set the reference date (the questions drawn must be in force on it) and whether a
    contest about history draws questions out of force all the same; logged.

    Refused: a day before 02/09/1945 or after 2100, or settings under which a bank that could
    make a round no longer can (too few questions in force for the draw rules).
    """
    day = settings.reference_date
    if day is not None and not EARLIEST_REFERENCE <= day <= LATEST_REFERENCE:
        raise SetupRefused(_l("Choose a day between 02/09/1945 and 31/12/2100."))
    before = LegalBasisSettings.of(contest)
    pool = question_pool()
    could_draw = not rule_problems(contest.draw_rules(), pool)
    contest.reference_date = day
    contest.draws_out_of_force = settings.draws_out_of_force
    problems = rule_problems(contest.draw_rules(), pool)
    if could_draw and problems:
        raise SetupRefused(" ".join(describe_rule_problem(problem) for problem in problems))
    after = {"reference_date": _iso(day), "draws_out_of_force": settings.draws_out_of_force}
    earlier = {
        "reference_date": _iso(before.reference_date),
        "draws_out_of_force": before.draws_out_of_force,
    }
    _log(contest, "legal_basis_settings_changed", actor, now, earlier, after)
    db.session.flush()


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# Fair play: the thresholds of the plausibility checks


@dataclass(frozen=True)
class FairPlay:
    floor_reading_chars_per_second: int
    floor_motor_ms: int
    flag_regular_cv_percent: int
    flag_device_accounts: int
    flag_address_rounds: int
    flag_unshown_answers: int

    @classmethod
    def of(cls, contest: Contest) -> "FairPlay":
        return cls(**{name: getattr(contest, name) for name in PLAUSIBILITY_SETTINGS})


def change_fair_play(contest: Contest, values: FairPlay, actor: User, now: datetime) -> None:
    """Set the thresholds of the plausibility checks; logged.

    They apply to rounds graded from now on: a round already graded keeps the flags it got.
    Refused once the results are approved.
    """
    _approved_results_refusal(
        contest, _l("The results are approved: reopen them before changing the thresholds.")
    )
    before = FairPlay.of(contest)
    for key, value in values.__dict__.items():
        setattr(contest, key, value)
    _log(contest, "fair_play_changed", actor, now, before.__dict__, values.__dict__)
    db.session.flush()
