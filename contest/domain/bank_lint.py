"""The bank check: what gives a key away, what repeats, what confuses. Plain data in, a report
out; the bank is clean when the report has no finding.

The checks and their thresholds (lengths are characters of the NFC text):

- **Longest key** (LONGEST_KEY_SHARE): the key is the longest choice (strictly longer than
  every other) in at most 30 % of the questions, over the bank and within every topic with at
  least MIN_TOPIC_SIZE questions. By chance a four-choice bank sits at 25 %.
- **Long key** (LONG_KEY_RATIO): a key at least 1.5 × the mean length of its distractors.
- **Give-away pattern**: every distractor (two or more) begins with the same word the key does
  not begin with ("Chỉ …" on all three), or every distractor holds an absolute word ("chỉ",
  "duy nhất", "tất cả", "luôn luôn", "không bao giờ", "bất kỳ") the key lacks.
- **Negative stems** (NEGATIVE_STEM_SHARE): stems asking for the exception ("KHÔNG", "không
  phải", "không đúng", "ngoại trừ", "sai") are at most 5 % of the bank.
- **Near duplicates** (NEAR_DUPLICATE): two stems whose word sets overlap by 80 % or more
  (Jaccard on folded words), reported as a pair.
- **A stem that answers another**: a key of five words or more found whole in another
  question's stem, reported as a pair.
- **Choices too similar** (SIMILAR_CHOICES): two choices of one question alike at 90 % or more
  (difflib ratio on folded text) that differ by more than a number, or that are the same words
  in another order.
"""

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations

LONGEST_KEY_SHARE = 0.30
MIN_TOPIC_SIZE = 10
LONG_KEY_RATIO = 1.5
NEGATIVE_STEM_SHARE = 0.05
NEAR_DUPLICATE = 0.8
ANSWERING_KEY_WORDS = 5
SIMILAR_CHOICES = 0.9

ABSOLUTE_WORDS = ("chi", "duy nhat", "tat ca", "luon luon", "khong bao gio", "bat ky")
_NEGATIVE_UPPER = re.compile(r"\b(?:KHÔNG|NGOẠI TRỪ|SAI)\b")
_NEGATIVE_PHRASES = re.compile(
    r"\b(?:khong phai|khong dung|khong thuoc|khong nam trong|khong duoc quy dinh|ngoai tru)\b"
)
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class LintQuestion:
    """A question as the check sees it; `ref` names it in the report (a file and number, an id)."""

    ref: str
    topic: str
    text: str
    choices: tuple[str, ...]
    correct_index: int
    difficulty: str | None = None
    has_source_note: bool = False


@dataclass(frozen=True)
class Finding:
    """One thing to fix: `code` is stable, `refs` the questions concerned, `detail` the values."""

    code: str  # longest_key_share, long_key, giveaway_pattern, negative_stems,
    # near_duplicate, answers_another, similar_choices
    refs: tuple[str, ...]
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TopicFigures:
    topic: str
    questions: int
    by_difficulty: dict
    longest_key: int

    @property
    def longest_key_share(self) -> float:
        return self.longest_key / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class LintReport:
    questions: int
    topics: tuple[TopicFigures, ...]
    longest_key: int
    negative_stems: int
    with_source_note: int
    findings: tuple[Finding, ...]

    @property
    def is_clean(self) -> bool:
        return not self.findings

    @property
    def longest_key_share(self) -> float:
        return self.longest_key / self.questions if self.questions else 0.0

    @property
    def source_note_share(self) -> float:
        return self.with_source_note / self.questions if self.questions else 0.0

    def counts(self) -> dict[str, int]:
        """How many findings of each code."""
        counts: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            counts[finding.code] += 1
        return dict(counts)


def lint(questions: Iterable[LintQuestion]) -> LintReport:
    """Check a bank; the findings come in the order of the checks above, each in bank order."""
    bank = list(questions)
    findings: list[Finding] = []
    by_topic: dict[str, list[LintQuestion]] = defaultdict(list)
    for question in bank:
        by_topic[question.topic].append(question)
    longest = [q for q in bank if key_is_longest(q)]
    if bank and len(longest) / len(bank) > LONGEST_KEY_SHARE:
        findings.append(_share_finding(None, len(longest), len(bank)))
    topics = []
    for topic, members in by_topic.items():
        count = sum(key_is_longest(q) for q in members)
        difficulties: dict = defaultdict(int)
        for question in members:
            difficulties[question.difficulty or ""] += 1
        topics.append(TopicFigures(topic, len(members), dict(difficulties), count))
        if len(members) >= MIN_TOPIC_SIZE and count / len(members) > LONGEST_KEY_SHARE:
            findings.append(_share_finding(topic, count, len(members)))
    for question in bank:
        ratio = key_length_ratio(question)
        if ratio is not None and ratio >= LONG_KEY_RATIO:
            findings.append(Finding("long_key", (question.ref,), {"ratio": round(ratio, 2)}))
    for question in bank:
        pattern = giveaway_pattern(question)
        if pattern is not None:
            findings.append(Finding("giveaway_pattern", (question.ref,), {"pattern": pattern}))
    negative = [q for q in bank if is_negative_stem(q.text)]
    if bank and len(negative) / len(bank) > NEGATIVE_STEM_SHARE:
        findings.append(
            Finding(
                "negative_stems",
                tuple(q.ref for q in negative),
                {"count": len(negative), "most": int(NEGATIVE_STEM_SHARE * len(bank))},
            )
        )
    findings.extend(_pairs(bank))
    for question in bank:
        pair = similar_choices(question.choices)
        if pair is not None:
            letters = "".join("ABCDEF"[n] for n in pair)
            findings.append(Finding("similar_choices", (question.ref,), {"choices": letters}))
    return LintReport(
        questions=len(bank),
        topics=tuple(sorted(topics, key=lambda figures: figures.topic)),
        longest_key=len(longest),
        negative_stems=len(negative),
        with_source_note=sum(q.has_source_note for q in bank),
        findings=tuple(findings),
    )


def _share_finding(topic: str | None, count: int, total: int) -> Finding:
    detail = {"share": round(count / total, 3), "limit": LONGEST_KEY_SHARE, "count": count}
    if topic is not None:
        detail["topic"] = topic
    return Finding("longest_key_share", (), detail)


def key_is_longest(question: LintQuestion) -> bool:
    """Whether the key is strictly longer than every other choice."""
    lengths = [len(choice) for choice in question.choices]
    key = lengths[question.correct_index]
    others = lengths[: question.correct_index] + lengths[question.correct_index + 1 :]
    return bool(others) and key > max(others)


def key_length_ratio(question: LintQuestion) -> float | None:
    """The key's length over the mean distractor length (None without distractors)."""
    distractors = [c for n, c in enumerate(question.choices) if n != question.correct_index]
    if not distractors:
        return None
    mean = sum(len(choice) for choice in distractors) / len(distractors)
    return len(question.choices[question.correct_index]) / mean if mean else None


def giveaway_pattern(question: LintQuestion) -> str | None:
    """The pattern every distractor shares and the key lacks, or None."""
    key = plain(question.choices[question.correct_index])
    distractors = [
        plain(choice) for n, choice in enumerate(question.choices) if n != question.correct_index
    ]
    if len(distractors) < 2:
        return None
    first_words = {_first_word(choice) for choice in distractors}
    if len(first_words) == 1:
        (word,) = first_words
        if word and word != _first_word(key):
            return f"{word} …"
    for word in ABSOLUTE_WORDS:
        if all(_has_words(choice, word) for choice in distractors) and not _has_words(key, word):
            return word
    return None


def is_negative_stem(text: str) -> bool:
    """Whether a stem asks for the exception (the wrong one, the one not included)."""
    return bool(_NEGATIVE_UPPER.search(text) or _NEGATIVE_PHRASES.search(plain(text)))


def _pairs(bank: Sequence[LintQuestion]) -> list[Finding]:
    """Near duplicates and stems that answer another, found through indexes so that a bank of
    100,000 questions is not compared pair by pair."""
    words = [_WORD.findall(plain(q.text)) for q in bank]
    keys = [_WORD.findall(plain(q.choices[q.correct_index])) for q in bank]
    found = [
        Finding("near_duplicate", (bank[i].ref, bank[j].ref), {"similarity": similarity})
        for i, j, similarity in _near_duplicates([set(w) for w in words])
    ]
    # A key of n >= 5 words inside a stem shares its first five words with one of the stem's
    # five-word runs: look those up, then check the whole key.
    runs: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for j, stem in enumerate(words):
        for start in range(len(stem) - ANSWERING_KEY_WORDS + 1):
            runs[tuple(stem[start : start + ANSWERING_KEY_WORDS])].add(j)
    stems = [f" {' '.join(stem)} " for stem in words]
    for i, key in enumerate(keys):
        if len(key) < ANSWERING_KEY_WORDS:
            continue
        phrase = f" {' '.join(key)} "
        for j in sorted(runs.get(tuple(key[:ANSWERING_KEY_WORDS]), ())):
            if j != i and phrase in stems[j]:
                found.append(Finding("answers_another", (bank[j].ref, bank[i].ref), {}))
    return found


def _near_duplicates(sets: Sequence[set[str]]) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of word sets with a Jaccard similarity of NEAR_DUPLICATE or more.

    Prefix filtering: with each set's words in one global order (rarest first), two sets that
    similar must share a word among the first |x| - ceil(t·|x|) + 1 of each; only pairs that do
    are compared.
    """
    frequency: dict[str, int] = defaultdict(int)
    for words in sets:
        for word in words:
            frequency[word] += 1
    index: dict[str, list[int]] = defaultdict(list)
    candidates: set[tuple[int, int]] = set()
    for j, words in enumerate(sets):
        ordered = sorted(words, key=lambda word: (frequency[word], word))
        prefix = len(ordered) - math.ceil(NEAR_DUPLICATE * len(ordered)) + 1
        for word in ordered[:prefix]:
            candidates.update((i, j) for i in index[word])
            index[word].append(j)
    pairs = []
    for i, j in sorted(candidates):
        union = sets[i] | sets[j]
        similarity = len(sets[i] & sets[j]) / len(union) if union else 0.0
        if similarity >= NEAR_DUPLICATE:
            pairs.append((i, j, round(similarity, 2)))
    return pairs


def similar_choices(choices: Sequence[str]) -> tuple[int, int] | None:
    """The first two choices that are too alike, by position, or None."""
    folded = [" ".join(_WORD.findall(plain(choice))) for choice in choices]
    for i, j in combinations(range(len(choices)), 2):
        a, b = folded[i], folded[j]
        if sorted(a.split()) == sorted(b.split()):
            return i, j
        matcher = SequenceMatcher(None, a, b, autojunk=False)
        # The cheap upper bounds first: most pairs of choices are far apart.
        if (
            matcher.real_quick_ratio() >= SIMILAR_CHOICES
            and matcher.quick_ratio() >= SIMILAR_CHOICES
            and matcher.ratio() >= SIMILAR_CHOICES
        ):
            differing = _differing_text(a, b)
            if not _DIGITS.search(differing):
                return i, j
    return None


def _differing_text(a: str, b: str) -> str:
    matcher = SequenceMatcher(None, a, b)
    return "".join(
        a[i1:i2] + b[j1:j2] for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def plain(text: str) -> str:
    """Lower case without diacritics (đ as d), for comparing words."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _first_word(text: str) -> str:
    found = _WORD.search(text)
    return found[0] if found else ""


def _has_words(text: str, words: str) -> bool:
    return re.search(rf"\b{re.escape(words)}\b", text) is not None
