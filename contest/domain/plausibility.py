"""Whether a graded round looks like a person played it, from the timestamps the server took.

What the server knows and the client cannot forge: when it served the round (every question
reaches the client in that one response, at `started_at`), and when each answer reached it
(`first_saved_at`, `last_saved_at`). A client controls only when its requests arrive: it can be
slower than it was, never faster. What the client reports is forgeable entirely: when each
question first reached its screen (`shown_at`, the server's clock at the report's arrival; the
round page reports it as the participant scrolls). A client that reports nothing (a naive
script through the API) is caught by it; one that reports every question at once is not. So
the timing flags below are lower bounds on human time; a script that waits as long as a person
would (a replayed human timeline) gets past them, and what is left to it is a human pace (see
the README, "Fair play").

The flags, each with its contest threshold (`Thresholds`):

- TOO_FAST, the plausibility floor: a person must at least skim a question (stem and choices)
  before answering it, one question at a time, and click. The k-th answer (in the order the
  answers were first saved) cannot arrive before the reading time of the k questions answered
  so far plus k clicks: sum(characters / reading speed + motor minimum). Counted cumulatively,
  so reading ahead is allowed but reading two questions at once is not.
- REGULAR: the gaps between answers (from the start to the first, then between first saves)
  have a coefficient of variation (standard deviation / mean) below the threshold, over at
  least REGULAR_MIN_ANSWERS answers: a script's fixed sleep, where people vary with the
  questions' length and difficulty.
- SHARED_DEVICE: the round's device (a first-party cookie of the site, a random id) has played
  this contest under at least the threshold's number of accounts (this one included): one
  person playing for colleagues.
- UNSHOWN: at least the threshold's number of answers (0: the check is off) were saved for
  questions the client never reported shown, or saved before their report arrived.
- ADDRESS_BURST: at least the threshold's number of rounds started from the round's address in
  ADDRESS_WINDOW (this one included). An office of hundreds shares one address, so this is
  evidence only: it is added to a round flagged otherwise, and never flags a round alone.

A round with a timing flag (TOO_FAST, REGULAR) or UNSHOWN is under the floor: it is held out of the
ranking until an organizer accepts it. A round flagged only by its device is ranked meanwhile;
every flagged round waits in the organizers' review queue.
"""

import enum
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# The regularity flag needs this many answers: two or three gaps can be equal by chance.
REGULAR_MIN_ANSWERS = 5
# The window in which rounds started from one address are counted.
ADDRESS_WINDOW = timedelta(minutes=10)


class Flag(enum.Enum):
    TOO_FAST = "too_fast"
    REGULAR = "regular_timing"
    SHARED_DEVICE = "shared_device"
    ADDRESS_BURST = "address_burst"
    UNSHOWN = "unshown_answers"


# Timing flags, and answers to questions never shown: a round carrying one is under the
# plausibility floor and is not ranked until an organizer accepts it (never excluded by itself).
HOLDING_FLAGS = frozenset({Flag.TOO_FAST, Flag.REGULAR, Flag.UNSHOWN})
# Evidence that is never enough alone.
EVIDENCE_ONLY = frozenset({Flag.ADDRESS_BURST})


@dataclass(frozen=True)
class Thresholds:
    """A contest's thresholds (its settings; the defaults are DEFAULT_THRESHOLDS)."""

    reading_chars_per_second: int  # the floor's reading speed: faster than a fast skim
    motor_ms: int  # the floor's least time to find and click a choice
    regular_cv_percent: int  # gaps with a coefficient of variation below this are mechanical
    device_accounts: int  # accounts on one device from which its rounds are flagged
    address_rounds: int  # rounds from one address in ADDRESS_WINDOW that add evidence
    unshown_answers: int = 1  # answers to questions not shown (before their save) that flag; 0: off


# Measured against the simulation in bench/plausibility_sim.py (README, "Fair play").
DEFAULT_THRESHOLDS = Thresholds(
    reading_chars_per_second=80,
    motor_ms=300,
    regular_cv_percent=10,
    device_accounts=3,
    address_rounds=30,
    unshown_answers=1,
)


@dataclass(frozen=True)
class QuestionTiming:
    """One served question: its length, when its answer reached the server (None: none) and
    when the client reported it first shown (None: never)."""

    question_id: int
    position: int
    reading_chars: int  # characters of the stem and of every choice
    first_saved_at: datetime | None
    last_saved_at: datetime | None
    shown_at: datetime | None = None


@dataclass(frozen=True)
class RoundTimeline:
    """What the server recorded of a round, and of its device's and address's other rounds."""

    started_at: datetime
    finished_at: datetime
    questions: Sequence[QuestionTiming]
    device_accounts: int = 0  # accounts that played the contest on this device (0: no cookie)
    address_rounds: int = 0  # rounds started from this address in ADDRESS_WINDOW (0: unknown)


@dataclass(frozen=True)
class AnswerCheck:
    """One answer on the timeline: milliseconds since the round was served."""

    question_id: int
    position: int
    reading_chars: int
    floor_ms: int  # the earliest a person could have sent it (cumulative)
    first_saved_ms: int
    last_saved_ms: int
    too_fast: bool
    shown_ms: int | None = None  # when the client reported it shown (None: never)
    unshown: bool = False  # saved for a question not shown, or before its report arrived


@dataclass(frozen=True)
class Assessment:
    """The flags of a round and their evidence."""

    flags: tuple[Flag, ...]
    answers: tuple[AnswerCheck, ...]  # in the order the answers were first saved
    duration_ms: int
    floor_ms: int  # the round's floor: that of its last answer (0 without answers)
    gap_cv_percent: float | None  # None with fewer than REGULAR_MIN_ANSWERS answers
    device_accounts: int
    address_rounds: int
    unshown_answers: int = 0  # answers saved for questions not shown (or before it)

    @property
    def flagged(self) -> bool:
        """Whether the round goes to the organizers' review queue."""
        return any(flag not in EVIDENCE_ONLY for flag in self.flags)

    @property
    def held(self) -> bool:
        """Whether the round is under the floor: not ranked until an organizer accepts it."""
        return any(flag in HOLDING_FLAGS for flag in self.flags)

    def evidence(self) -> dict:
        """The assessment as JSON for the review queue (a timeline per question)."""
        return {
            "duration_ms": self.duration_ms,
            "floor_ms": self.floor_ms,
            "gap_cv_percent": self.gap_cv_percent,
            "device_accounts": self.device_accounts,
            "address_rounds": self.address_rounds,
            "unshown_answers": self.unshown_answers,
            "answers": [
                {
                    "question_id": a.question_id,
                    "position": a.position,
                    "reading_chars": a.reading_chars,
                    "floor_ms": a.floor_ms,
                    "first_saved_ms": a.first_saved_ms,
                    "last_saved_ms": a.last_saved_ms,
                    "too_fast": a.too_fast,
                    "shown_ms": a.shown_ms,
                    "unshown": a.unshown,
                }
                for a in self.answers
            ],
        }


def _ms(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def reading_floor_ms(reading_chars: int, thresholds: Thresholds) -> int:
    """The least time to skim a question of `reading_chars` characters and click a choice."""
    return -(-reading_chars * 1000 // thresholds.reading_chars_per_second) + thresholds.motor_ms


def gap_cv_percent(saved_ms: Sequence[int]) -> float | None:
    """The coefficient of variation of the gaps (start to first save, then between saves), in
    percent; None with fewer than REGULAR_MIN_ANSWERS saves. All-zero gaps give 0."""
    if len(saved_ms) < REGULAR_MIN_ANSWERS:
        return None
    gaps = [later - earlier for earlier, later in zip([0, *saved_ms], saved_ms, strict=False)]
    mean = statistics.fmean(gaps)
    if mean <= 0:
        return 0.0
    return 100 * statistics.pstdev(gaps) / mean


def assess_round(timeline: RoundTimeline, thresholds: Thresholds) -> Assessment:
    """The flags of a graded round and their evidence (see the module's docstring)."""
    answered = sorted(
        (q for q in timeline.questions if q.first_saved_at is not None),
        key=lambda q: (q.first_saved_at, q.position),
    )
    checks, floor = [], 0
    for question in answered:
        floor += reading_floor_ms(question.reading_chars, thresholds)
        first = _ms(question.first_saved_at - timeline.started_at)
        last = _ms((question.last_saved_at or question.first_saved_at) - timeline.started_at)
        shown = None if question.shown_at is None else _ms(question.shown_at - timeline.started_at)
        checks.append(
            AnswerCheck(
                question_id=question.question_id,
                position=question.position,
                reading_chars=question.reading_chars,
                floor_ms=floor,
                first_saved_ms=first,
                last_saved_ms=last,
                too_fast=first < floor,
                shown_ms=shown,
                unshown=shown is None or question.first_saved_at < question.shown_at,
            )
        )
    cv = gap_cv_percent([check.first_saved_ms for check in checks])
    flags = []
    if any(check.too_fast for check in checks):
        flags.append(Flag.TOO_FAST)
    if cv is not None and cv < thresholds.regular_cv_percent:
        flags.append(Flag.REGULAR)
    unshown = sum(check.unshown for check in checks)
    if thresholds.unshown_answers and unshown >= thresholds.unshown_answers:
        flags.append(Flag.UNSHOWN)
    if timeline.device_accounts >= thresholds.device_accounts:
        flags.append(Flag.SHARED_DEVICE)
    if flags and timeline.address_rounds >= thresholds.address_rounds:
        flags.append(Flag.ADDRESS_BURST)
    return Assessment(
        flags=tuple(flags),
        answers=tuple(checks),
        duration_ms=max(0, _ms(timeline.finished_at - timeline.started_at)),
        floor_ms=floor,
        gap_cv_percent=cv,
        device_accounts=timeline.device_accounts,
        address_rounds=timeline.address_rounds,
        unshown_answers=unshown,
    )
