"""The contest's rankings for prizes and the allocation of its prize table (plain Python).

Three categories, each with its own ranking and tiers of the prize table:

- "unit" (collective prizes): the unit score, a weighted sum of participation, accuracy and the
  best video's score (see `score_units`); ranked by total, highest first.
- "video": the videos' aggregate judges' scores (contest.domain.judging), highest first; a unit
  wins at most one video prize, so only each unit's best video is eligible (`rank_videos`).
- "individual": contest.domain.ranking (most correct, shortest duration, then the closest
  prediction when its true value is known, then the earliest finish).

In every ranking, entries equal on the whole order share a rank (competition ranking, "1224").

Allocation (`allocate_prizes`) walks each category's ranking best first, skipping ineligible
entries (a unit that took no part, or fewer of its staff than the contest's minimum
participation, never takes a collective prize), and hands out the
category's places best tier first. Equal entries are handled as a group, and a tie at a prize
boundary is never broken silently:

- the group takes its places together when every eligible member can get a place and all of
  those places belong to one tier (two units tied for 2nd with two 2nd places left: both get
  2nd; three tied for the last two 10th places: contested);
- otherwise the tie is contested: the group would straddle two tiers (1st/2nd …), or the last
  prize and no prize, or the individual limit per unit lets only some of a unit's tied
  members win. Unless the organizers decided it, the category's allocation stops there: the
  tie is returned as a pending `BoundaryTie`, its places and every place after it stay
  unawarded (later entries' outcome depends on it), and the awards before it stand;
- a decision (`TieDecision`) puts the tied members in a strict order, with a reason that is
  recorded; they are then walked in that order like any other entries and allocation goes on.
  A decision names its tie by the tie's id, f"{category}:{rank}", and must list exactly the
  tie's members, otherwise ValueError: a stale decision is never applied to another tie.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from contest.domain.ranking import RankedParticipant, RoundResult, best_rounds

UNIT = "unit"
VIDEO = "video"
INDIVIDUAL = "individual"
CATEGORIES = (UNIT, VIDEO, INDIVIDUAL)

_VALUE_PLACES = 4  # a ratio shown as a percentage with two decimals
_POINT_PLACES = 2


def _not_int(value: object) -> bool:
    # bool is an int to Python, but True prizes or weights are a caller's mistake
    return not isinstance(value, int) or isinstance(value, bool)


# The prize table


@dataclass(frozen=True)
class PrizeTier:
    """`count` prizes of `amount` VND in a category; position 1 is the category's best tier."""

    name: str
    category: str
    count: int
    amount: int  # VND
    position: int

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown prize category {self.category!r}")
        if not self.name.strip():
            raise ValueError("a prize tier needs a name")
        if _not_int(self.count) or self.count < 1:
            raise ValueError(f"tier {self.name!r}: the count must be a positive integer")
        if _not_int(self.amount) or self.amount < 0:
            raise ValueError(f"tier {self.name!r}: the amount must be a whole number of VND")
        if _not_int(self.position):
            raise ValueError(f"tier {self.name!r}: the position must be an integer")


SEED_PRIZE_TABLE: tuple[PrizeTier, ...] = (
    PrizeTier("Giải Nhất", UNIT, 1, 10_000_000, 1),
    PrizeTier("Giải Nhì", UNIT, 2, 7_000_000, 2),
    PrizeTier("Giải Ba", UNIT, 3, 5_000_000, 3),
    PrizeTier("Giải Khuyến khích", UNIT, 4, 3_000_000, 4),
    PrizeTier("Giải video", VIDEO, 10, 500_000, 1),
    PrizeTier("Giải cá nhân", INDIVIDUAL, 10, 500_000, 1),
)


def validate_prize_table(table: Iterable[PrizeTier]) -> None:
    """Raise ValueError when two tiers of a category share a position or a name."""
    positions: set[tuple[str, int]] = set()
    names: set[tuple[str, str]] = set()
    for tier in table:
        if (tier.category, tier.position) in positions:
            raise ValueError(f"two {tier.category} tiers at position {tier.position}")
        if (tier.category, tier.name) in names:
            raise ValueError(f"two {tier.category} tiers named {tier.name!r}")
        positions.add((tier.category, tier.position))
        names.add((tier.category, tier.name))


def table_total(table: Iterable[PrizeTier]) -> int:
    """What the whole table pays in VND when every place is awarded."""
    return sum(tier.count * tier.amount for tier in table)


# The unit (collective) score


@dataclass(frozen=True)
class ScoreWeights:
    """Per-contest weights of the unit score's components: integers summing to 100."""

    participation: int = 30
    accuracy: int = 30
    video: int = 40

    def __post_init__(self) -> None:
        weights = (self.participation, self.accuracy, self.video)
        if any(_not_int(weight) or weight < 0 for weight in weights):
            raise ValueError("the weights must be whole numbers, none negative")
        if sum(weights) != 100:
            raise ValueError(f"the weights must sum to 100, not {sum(weights)}")


DEFAULT_WEIGHTS = ScoreWeights()


@dataclass(frozen=True)
class ContestUnit:
    """A competing unit as the score needs it."""

    unit_id: int
    code: str
    headcount: int  # staff number, the denominator of participation


@dataclass(frozen=True)
class VideoEntry:
    """A submitted video and its aggregate judges' score (None while nobody scored it)."""

    video_id: int
    unit_id: int
    score: Decimal | None


@dataclass(frozen=True)
class ScoreComponent:
    """One part of a unit score, as shown beside the total: value = numerator / denominator."""

    numerator: Decimal  # participants, correct answers, or the best video's score
    denominator: Decimal  # headcount, questions answered, or the rubric's maximum
    value: Decimal  # the ratio in 0..1 (participation capped at 1), to 4 decimal places
    weight: int
    points: Decimal  # exact value x weight, rounded to 0.01 half up


@dataclass(frozen=True)
class UnitScore:
    """A line of the collective ranking, with the breakdown of its total."""

    rank: int
    unit_id: int
    code: str
    total: Decimal  # 0..100: the sum of the three components' points
    participation: ScoreComponent
    accuracy: ScoreComponent
    video: ScoreComponent
    participants: int
    has_video: bool  # submitted at least one video, scored or not
    best_video_id: int | None


@dataclass(frozen=True)
class UnitTally:
    """What a unit's participants did: how many played, and their best rounds' answers."""

    unit_id: int
    participants: int
    correct: int  # correct answers of the participants' best rounds
    questions: int  # questions of those rounds


def tally_units(
    rounds: Iterable[RoundResult],
    participant_units: Mapping[int, int | None],
    *,
    questions_per_round: int | Mapping[int, int],
) -> dict[int, UnitTally]:
    """Each unit's tally from graded rounds (see score_units for who counts).

    `questions_per_round` is one number for every round, or the count by attempt id.
    """
    played: defaultdict[int, list[RoundResult]] = defaultdict(list)
    for participant_id, best in best_rounds(rounds).items():
        if participant_id not in participant_units:
            raise ValueError(f"participant {participant_id} played but has no unit entry")
        unit_id = participant_units[participant_id]
        if unit_id is not None:
            played[unit_id].append(best)
    return {
        unit_id: UnitTally(
            unit_id,
            len(bests),
            sum(result.correct_count for result in bests),
            sum(_question_count(result, questions_per_round) for result in bests),
        )
        for unit_id, bests in played.items()
    }


def score_units(
    units: Iterable[ContestUnit],
    rounds: Iterable[RoundResult],
    participant_units: Mapping[int, int | None],
    videos: Iterable[VideoEntry],
    *,
    questions_per_round: int | Mapping[int, int],
    rubric_max: Decimal,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> list[UnitScore]:
    """The collective ranking from graded rounds: every unit's score and breakdown.

    A participant is a person with at least one graded round in `rounds` whose unit
    (`participant_units`, which must list them; None = no unit) is the unit; their best round
    (contest.domain.ranking) counts. See score_tallies for the score itself.
    """
    tallies = tally_units(rounds, participant_units, questions_per_round=questions_per_round)
    return score_tallies(units, tallies, videos, rubric_max=rubric_max, weights=weights)


def score_tallies(
    units: Iterable[ContestUnit],
    tallies: Mapping[int, UnitTally],
    videos: Iterable[VideoEntry],
    *,
    rubric_max: Decimal,
    weights: ScoreWeights = DEFAULT_WEIGHTS,
) -> list[UnitScore]:
    """The collective ranking: every unit's score and breakdown, highest total first.

    Components, each a value in 0..1:
    - participation = participants / headcount, capped at 1 (headcounts go stale); 0 when the
      headcount is 0.
    - accuracy = the correct answers of the participants' best rounds over the questions of
      those rounds; pooling answers rather than averaging people weights everyone by what they
      answered. 0 when nobody played.
    - video = the unit's best scored video / `rubric_max`; 0 with no scored video.
    points = value x weight, rounded to 0.01 half up from the exact value; the total is the sum
    of the points, so the breakdown shown beside a total always adds up to it.
    Ranked by total, highest first; equal totals share a rank, listed by unit code.
    """
    if rubric_max <= 0:
        raise ValueError("the rubric maximum must be positive")
    unit_list = list(units)
    by_id = {unit.unit_id: unit for unit in unit_list}
    if len(by_id) != len(unit_list):
        raise ValueError("a unit is listed twice")
    for unit in unit_list:
        if _not_int(unit.headcount) or unit.headcount < 0:
            raise ValueError(f"unit {unit.code}: the headcount must be a whole number >= 0")
    for unit_id, tally in tallies.items():
        if unit_id not in by_id:
            raise ValueError(f"a participant belongs to unknown unit {unit_id}")
        if not 0 <= tally.correct <= tally.questions:
            raise ValueError(f"unit {unit_id}: {tally.correct} correct of {tally.questions}")

    best_video: dict[int, VideoEntry] = {}
    submitted: set[int] = set()
    for video in videos:
        if video.unit_id not in by_id:
            raise ValueError(f"video {video.video_id} belongs to unknown unit {video.unit_id}")
        submitted.add(video.unit_id)
        if video.score is None:
            continue
        if not 0 <= video.score <= rubric_max:
            raise ValueError(f"video {video.video_id}: score {video.score} outside 0..{rubric_max}")
        current = best_video.get(video.unit_id)
        if current is None or (-video.score, video.video_id) < (-current.score, current.video_id):
            best_video[video.unit_id] = video

    unranked = []
    for unit in unit_list:
        tally = tallies.get(unit.unit_id) or UnitTally(unit.unit_id, 0, 0, 0)
        video = best_video.get(unit.unit_id)
        participation = _component(
            tally.participants, unit.headcount, weights.participation, cap=True
        )
        accuracy = _component(tally.correct, tally.questions, weights.accuracy)
        video_part = _component(video.score if video else Decimal(0), rubric_max, weights.video)
        unranked.append(
            UnitScore(
                rank=0,
                unit_id=unit.unit_id,
                code=unit.code,
                total=participation.points + accuracy.points + video_part.points,
                participation=participation,
                accuracy=accuracy,
                video=video_part,
                participants=tally.participants,
                has_video=unit.unit_id in submitted,
                best_video_id=video.video_id if video else None,
            )
        )
    unranked.sort(key=lambda s: (-s.total, s.code, s.unit_id))
    ranks = _competition_ranks([s.total for s in unranked])
    return [replace(score, rank=rank) for score, rank in zip(unranked, ranks, strict=True)]


def _question_count(result: RoundResult, questions_per_round: int | Mapping[int, int]) -> int:
    if isinstance(questions_per_round, int):
        count = questions_per_round
    elif result.attempt_id in questions_per_round:
        count = questions_per_round[result.attempt_id]
    else:
        raise ValueError(f"no question count for attempt {result.attempt_id}")
    if count < 1 or not 0 <= result.correct_count <= count:
        raise ValueError(
            f"attempt {result.attempt_id}: {result.correct_count} correct of {count} questions"
        )
    return count


def _component(
    numerator: int | Decimal, denominator: int | Decimal, weight: int, cap: bool = False
) -> ScoreComponent:
    exact = Fraction(numerator) / Fraction(denominator) if denominator else Fraction(0)
    if cap:
        exact = min(exact, Fraction(1))
    return ScoreComponent(
        numerator=Decimal(numerator),
        denominator=Decimal(denominator),
        value=_half_up(exact, _VALUE_PLACES),
        weight=weight,
        points=_half_up(exact * weight, _POINT_PLACES),
    )


# The video ranking


@dataclass(frozen=True)
class RankedVideo:
    """A line of the video ranking; `eligible` is False for all but each unit's best video."""

    rank: int
    video_id: int
    unit_id: int
    score: Decimal
    eligible: bool


def rank_videos(videos: Iterable[VideoEntry]) -> list[RankedVideo]:
    """The video ranking: scored videos by score, highest first; unscored ones are left out.

    Equal scores share a rank and are listed by video id. A unit wins at most one video prize,
    so only its first video in this order is eligible; the others stay listed. Of a unit's
    videos with the same best score the smallest id stands for the unit: the prize is the
    unit's either way, and no other unit's chance depends on which.
    """
    video_list = list(videos)
    if len({video.video_id for video in video_list}) != len(video_list):
        raise ValueError("a video is listed twice")
    scored = sorted(
        (video for video in video_list if video.score is not None),
        key=lambda video: (-video.score, video.video_id),
    )
    ranks = _competition_ranks([video.score for video in scored])
    seen_units: set[int] = set()
    lines = []
    for video, rank in zip(scored, ranks, strict=True):
        lines.append(
            RankedVideo(
                rank, video.video_id, video.unit_id, video.score, video.unit_id not in seen_units
            )
        )
        seen_units.add(video.unit_id)
    return lines


# Allocation


@dataclass(frozen=True)
class EligibilityOptions:
    """Per-contest conditions on who may take a prize."""

    unit_requires_video: bool = False  # a unit needs a submitted video for a collective prize
    max_individual_prizes_per_unit: int | None = None  # K; None = no limit
    # A unit whose participation (participants / headcount, uncapped) is below this percentage
    # takes no collective prize: one person of 160 taking part is not the unit taking part.
    min_participation_percent: int = 0

    def __post_init__(self) -> None:
        limit = self.max_individual_prizes_per_unit
        if limit is not None and (_not_int(limit) or limit < 1):
            raise ValueError("the individual prizes per unit must be a positive integer or None")
        minimum = self.min_participation_percent
        if _not_int(minimum) or not 0 <= minimum <= 100:
            raise ValueError("the minimum participation must be a whole percentage 0..100")


def _unit_is_eligible(unit: UnitScore, options: EligibilityOptions) -> bool:
    """A collective prize goes to a unit that took part (a participant or a video), and to one
    with a video when the contest requires it: a unit that did nothing scores 0 and would
    otherwise tie with every other such unit for the last prizes. With a minimum participation
    the unit also needs participants / headcount >= that percentage, compared exactly (a unit
    with no headcount has no rate, so it cannot reach a minimum above 0)."""
    if options.min_participation_percent and not _reaches(unit.participation, options):
        return False
    if options.unit_requires_video:
        return unit.has_video
    return unit.participants > 0 or unit.has_video


def _reaches(participation: ScoreComponent, options: EligibilityOptions) -> bool:
    """Whether participants / headcount, exactly, is at least the minimum percentage."""
    if not participation.denominator:
        return False
    rate = Fraction(participation.numerator) / Fraction(participation.denominator)
    return rate * 100 >= options.min_participation_percent


@dataclass(frozen=True)
class TieDecision:
    """The organizers' order of a tie's members (best first) and why; recorded with the result."""

    order: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class BoundaryTie:
    """A contested tie left for the organizers; its category's allocation stopped here.

    `places` of the contested places could go to these entries (fewer than `entry_ids` when
    some must get nothing), in the tiers `tier_names`, best first. `remaining_places` counts
    every place of the category still unawarded: these and all after them.
    """

    tie_id: str  # f"{category}:{rank}": the key of a TieDecision
    category: str
    rank: int
    entry_ids: tuple[int, ...]  # the tied entries still eligible, in listing order
    places: int
    tier_names: tuple[str, ...]
    remaining_places: int
    unit_limited: bool  # the individual limit per unit is (part of) why it is contested


@dataclass(frozen=True)
class Award:
    """A prize given to an entry: a unit id, a video id or a participant id by category."""

    category: str
    tier_name: str
    amount: int  # VND
    entry_id: int
    rank: int
    decided_by_tie: bool  # its place came from an organizers' decision
    unit_id: int | None = None  # the unit the prize counts for, when known
    tie_id: str | None = None  # the decided tie, when decided_by_tie


@dataclass(frozen=True)
class PrizeList:
    """The awards, in category then place order, and what is still waiting for a decision."""

    awards: tuple[Award, ...]
    pending_ties: tuple[BoundaryTie, ...]  # at most one per category
    total_amount: int
    total_by_category: Mapping[str, int]
    applied_decisions: Mapping[str, TieDecision] = field(default_factory=dict)
    unused_decision_ids: tuple[str, ...] = ()  # ties not met (not reached, or no longer tied)

    @property
    def complete(self) -> bool:
        """Whether every tie at a boundary is settled, so the list can be published."""
        return not self.pending_ties


@dataclass(frozen=True)
class _Entry:
    entry_id: int
    rank: int
    eligible: bool
    unit_id: int | None


def allocate_prizes(
    table: Sequence[PrizeTier],
    *,
    units: Sequence[UnitScore] = (),
    videos: Sequence[RankedVideo] = (),
    individuals: Sequence[RankedParticipant] = (),
    participant_units: Mapping[int, int | None] | None = None,
    options: EligibilityOptions | None = None,
    decisions: Mapping[str, TieDecision] | None = None,
) -> PrizeList:
    """The prize list of the three rankings under the table, options and decisions.

    The rules (module docstring) in order, per category:
    1. Entries are taken by rank; equal ranks form a group. Ineligible entries are skipped:
       units that took no part (no participant, no video), units without a video when
       `unit_requires_video`, units below `min_participation_percent`, each unit's non-best
       videos, and participants of a unit that already holds K individual prizes.
    2. A group whose remaining members all fit in the current tier takes those places.
    3. Otherwise the group is a tie with id f"{category}:{rank}"; a decision for that id must
       list exactly its members (else ValueError) and the members are walked in its order, one
       place each, still skipping anyone whose unit reached K; without a decision the tie is
       pending and the category stops.
    4. The category ends when its places are all awarded or its ranking is exhausted.
    `participant_units` must list every ranked participant when K is set (None = no unit,
    no limit); otherwise it only fills Award.unit_id.
    """
    tiers = list(table)
    validate_prize_table(tiers)
    options = options or EligibilityOptions()
    decisions = dict(decisions or {})
    for tie_id, decision in decisions.items():
        if len(set(decision.order)) != len(decision.order):
            raise ValueError(f"decision {tie_id}: an entry is listed twice")
        if not decision.reason.strip():
            raise ValueError(f"decision {tie_id}: the reason is required")

    limit = options.max_individual_prizes_per_unit
    units_of_people = participant_units or {}
    people = []
    for line in individuals:
        participant_id = line.result.participant_id
        if limit is not None and participant_id not in units_of_people:
            raise ValueError(f"participant {participant_id} has no unit entry (needed for K)")
        people.append(_Entry(participant_id, line.rank, True, units_of_people.get(participant_id)))
    rankings = {
        UNIT: [_Entry(s.unit_id, s.rank, _unit_is_eligible(s, options), s.unit_id) for s in units],
        VIDEO: [_Entry(v.video_id, v.rank, v.eligible, v.unit_id) for v in videos],
        INDIVIDUAL: people,
    }

    awards: list[Award] = []
    pending: list[BoundaryTie] = []
    used: set[str] = set()
    for category in CATEGORIES:
        category_tiers = sorted((t for t in tiers if t.category == category), key=_position)
        entries = sorted(rankings[category], key=lambda entry: entry.rank)  # stable: listing
        if len({entry.entry_id for entry in entries}) != len(entries):
            raise ValueError(f"an entry is ranked twice in the {category} ranking")
        category_awards, tie = _allocate_category(
            category,
            entries,
            [tier for tier in category_tiers for _ in range(tier.count)],
            limit if category == INDIVIDUAL else None,
            decisions,
            used,
        )
        awards.extend(category_awards)
        if tie is not None:
            pending.append(tie)

    by_category = dict.fromkeys(CATEGORIES, 0)
    for award in awards:
        by_category[award.category] += award.amount
    return PrizeList(
        awards=tuple(awards),
        pending_ties=tuple(pending),
        total_amount=sum(by_category.values()),
        total_by_category=by_category,
        applied_decisions={tie_id: decisions[tie_id] for tie_id in sorted(used)},
        unused_decision_ids=tuple(sorted(set(decisions) - used)),
    )


def _allocate_category(
    category: str,
    entries: Sequence[_Entry],
    places: Sequence[PrizeTier],
    limit: int | None,
    decisions: Mapping[str, TieDecision],
    used: set[str],
) -> tuple[list[Award], BoundaryTie | None]:
    """The awards of one category and the tie that stopped it, if any (rules: allocate_prizes)."""
    awards: list[Award] = []
    won: Counter = Counter()  # individual prizes held per unit, for the limit K

    def allowance(unit_id: int | None) -> float:
        """How many more prizes the unit may take."""
        if limit is None or unit_id is None:
            return math.inf
        return limit - won[unit_id]

    def award(entry: _Entry, tie_id: str | None) -> None:
        tier = places[len(awards)]
        awards.append(
            Award(
                category=category,
                tier_name=tier.name,
                amount=tier.amount,
                entry_id=entry.entry_id,
                rank=entry.rank,
                decided_by_tie=tie_id is not None,
                unit_id=entry.unit_id,
                tie_id=tie_id,
            )
        )
        if entry.unit_id is not None:
            won[entry.unit_id] += 1

    for group in _groups(entries):
        left = len(places) - len(awards)
        if left == 0:
            break
        members = [entry for entry in group if entry.eligible and allowance(entry.unit_id) > 0]
        if not members:
            continue
        per_unit = Counter(entry.unit_id for entry in members)
        unit_limited = any(count > allowance(unit) for unit, count in per_unit.items())
        first = len(awards)
        in_one_tier = len(members) <= left and places[first] == places[first + len(members) - 1]
        if in_one_tier and not unit_limited:
            for entry in members:
                award(entry, None)
            continue
        tie_id = f"{category}:{group[0].rank}"
        decision = decisions.get(tie_id)
        if decision is None:
            winners = sum(min(count, allowance(unit)) for unit, count in per_unit.items())
            contested = places[first : first + int(min(left, winners))]
            return awards, BoundaryTie(
                tie_id=tie_id,
                category=category,
                rank=group[0].rank,
                entry_ids=tuple(entry.entry_id for entry in members),
                places=len(contested),
                tier_names=tuple(dict.fromkeys(tier.name for tier in contested)),
                remaining_places=left,
                unit_limited=unit_limited,
            )
        by_id = {entry.entry_id: entry for entry in members}
        if set(decision.order) != set(by_id):
            raise ValueError(
                f"decision {tie_id} lists {sorted(decision.order)}, "
                f"but the tied entries are {sorted(by_id)}"
            )
        used.add(tie_id)
        for entry_id in decision.order:
            if len(awards) == len(places):
                break
            if allowance(by_id[entry_id].unit_id) > 0:
                award(by_id[entry_id], tie_id)
    return awards, None


def _groups(entries: Sequence[_Entry]) -> list[list[_Entry]]:
    """Consecutive entries of equal rank."""
    groups: list[list[_Entry]] = []
    for entry in entries:
        if groups and groups[-1][0].rank == entry.rank:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


# The PAR Index bonus


@dataclass(frozen=True)
class ParBonus:
    """A unit earning PAR Index bonus points, and the awards that earn them."""

    unit_id: int
    awards: tuple[Award, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The awards as "category: tier" lines, e.g. "unit: Giải Nhất"."""
        return tuple(f"{award.category}: {award.tier_name}" for award in self.awards)


def par_bonus_units(
    awards: Iterable[Award], participant_units: Mapping[int, int | None] | None = None
) -> list[ParBonus]:
    """Units with a collective prize or a member holding an individual prize, by unit id.

    Collective prizes are the unit tiers and the video sub-prizes (the seed plan lists both
    under "Tập thể"). An individual prize counts for the participant's unit in
    `participant_units` (None or absent: Award.unit_id, else no unit). Only final once the
    prize list has no pending tie.
    """
    participant_units = participant_units or {}
    by_unit: defaultdict[int, list[Award]] = defaultdict(list)
    for award in awards:
        if award.category == UNIT:
            unit_id: int | None = award.entry_id
        elif award.category == INDIVIDUAL:
            unit_id = participant_units.get(award.entry_id)
            unit_id = award.unit_id if unit_id is None else unit_id
        else:
            unit_id = award.unit_id
        if unit_id is not None:
            by_unit[unit_id].append(award)
    return [ParBonus(unit_id, tuple(by_unit[unit_id])) for unit_id in sorted(by_unit)]


# Helpers


def _competition_ranks(keys: Sequence) -> list[int]:
    """Ranks "1224" of already ordered keys: equal neighbours share the first one's rank."""
    ranks: list[int] = []
    for index, key in enumerate(keys):
        ranks.append(ranks[-1] if index and key == keys[index - 1] else index + 1)
    return ranks


def _half_up(value: Fraction, places: int) -> Decimal:
    """A non-negative value rounded to `places` decimals, half up."""
    return Decimal(math.floor(value * 10**places + Fraction(1, 2))).scaleb(-places)


def _position(tier: PrizeTier) -> int:
    return tier.position
