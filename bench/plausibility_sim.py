"""Simulation of the plausibility flags: honest participants against scripted ones.

Run from the repository root (a few seconds; fixed seed, the same figures on every run):

    .venv/bin/python -m bench.plausibility_sim [--rounds 20000] [--seed 13]

Every simulated round draws 10 questions from the real bank (question_bank/*.toml: their
lengths, stem and choices, 123 to 790 characters, median 352) and is assessed by
contest.domain.plausibility with the default thresholds, exactly as grading does.

The honest participant (a model, not a measurement: its parameters and sources below):

- a personal reading speed, log-normal with a median of 20 characters a second and
  sigma 0.35 (about 240 words a minute, Brysbaert 2019's mean for silent reading of
  non-fiction; a Vietnamese word is about 5 characters with its space); 1 in 100 read at
  more than 45 characters a second, 1 in 1,000 at more than 59;
- each question read at that speed times 0.85-1.15, or, with probability 0.3 (a question
  seen in an earlier round), only 40 % of it: enough to recognise it;
- a decision time, log-normal, median 1.5 s, sigma 0.6 (recognition answers included);
- a click: 0.25 s plus a log-normal with median 0.35 s, sigma 0.4;
- the network: 20-300 ms between the click and the server's receipt;
- questions answered in their order, 1 in 10 skipped then answered at the end.

The scripted participants, whose requests the server receives just as it would a browser's:

- instant: every answer saved at once (10-80 ms apart: the requests' own latency);
- random delays: a sleep drawn uniformly from [0.5 s, 3 s] between answers (the delays swept
  further in the report, to show where this stops being caught);
- fixed delay: a constant sleep of 7 s (plus 0-50 ms of network jitter) between answers;
- replayed human timeline: the gaps of an honest participant's round, replayed on another
  round's questions.
"""

import argparse
import math
import random
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from contest.domain.plausibility import (
    DEFAULT_THRESHOLDS,
    QuestionTiming,
    RoundTimeline,
    Thresholds,
    assess_round,
)

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2021, 9, 15, 1, 0, tzinfo=UTC)
QUESTIONS_PER_ROUND = 10


def bank_lengths() -> list[int]:
    """The reading length (stem and choices, in characters) of every question of the bank."""
    lengths = []
    for path in sorted((ROOT / "question_bank").glob("*.toml")):
        for question in tomllib.loads(path.read_text(encoding="utf-8"))["questions"]:
            lengths.append(len(question["text"]) + sum(len(c) for c in question["choices"]))
    return lengths


@dataclass(frozen=True)
class Played:
    """A simulated round: its questions' lengths and when each answer reached the server (ms
    after the round was served), in the questions' order."""

    lengths: list[int]
    saved_ms: list[float]

    def timeline(self) -> RoundTimeline:
        questions = [
            QuestionTiming(
                question_id=n,
                position=n + 1,
                reading_chars=length,
                first_saved_at=START + timedelta(milliseconds=at),
                last_saved_at=START + timedelta(milliseconds=at),
                # Reported shown at the start: every population here reports (the timing flags
                # are what is measured; a script that reports nothing is flagged by that alone).
                shown_at=START,
            )
            for n, (length, at) in enumerate(zip(self.lengths, self.saved_ms, strict=True))
        ]
        finished = START + timedelta(milliseconds=max(self.saved_ms) + 300)
        return RoundTimeline(START, finished, questions)


def honest(rng: random.Random, lengths: list[int]) -> Played:
    """A person's round (the model in the module's docstring)."""
    speed = 20 * math.exp(rng.gauss(0, 0.35))
    order = list(range(len(lengths)))
    skipped = [n for n in order if rng.random() < 0.1]
    order = [n for n in order if n not in skipped] + skipped
    clock, saved = 0.0, [0.0] * len(lengths)
    for n in order:
        share = 0.4 if rng.random() < 0.3 else rng.uniform(0.85, 1.15)
        clock += 1000 * lengths[n] * share / speed
        clock += 1000 * 1.5 * math.exp(rng.gauss(0, 0.6))
        clock += 250 + 350 * math.exp(rng.gauss(0, 0.4))
        saved[n] = clock + rng.uniform(20, 300)
    return Played(lengths, saved)


def with_gaps(lengths: list[int], gaps: list[float]) -> Played:
    return Played(lengths, [sum(gaps[: n + 1]) for n in range(len(gaps))])


def instant(rng: random.Random, lengths: list[int]) -> Played:
    return with_gaps(lengths, [rng.uniform(10, 80) for _ in lengths])


def random_delays(low: float, high: float) -> Callable[[random.Random, list[int]], Played]:
    def play(rng: random.Random, lengths: list[int]) -> Played:
        return with_gaps(lengths, [1000 * rng.uniform(low, high) for _ in lengths])

    return play


def fixed_delay(rng: random.Random, lengths: list[int]) -> Played:
    return with_gaps(lengths, [7000 + rng.uniform(0, 50) for _ in lengths])


def replayed(rng: random.Random, lengths: list[int], bank: list[int]) -> Played:
    """An honest round's gaps (on other questions) replayed on this round's questions."""
    recorded = honest(rng, rng.sample(bank, len(lengths)))
    moments = sorted(recorded.saved_ms)
    return with_gaps(lengths, [b - a for a, b in zip([0.0, *moments], moments, strict=False)])


@dataclass(frozen=True)
class Share:
    name: str
    rounds: int
    flagged: int
    held: int

    @property
    def flagged_percent(self) -> float:
        return 100 * self.flagged / self.rounds

    @property
    def held_percent(self) -> float:
        return 100 * self.held / self.rounds


def measure(name, play, rounds: int, seed: int, bank: list[int], thresholds: Thresholds) -> Share:
    """Play `rounds` rounds with `play` and count those flagged and those held."""
    rng = random.Random(f"{seed}:{name}")
    flagged = held = 0
    for _ in range(rounds):
        played = play(rng, rng.sample(bank, QUESTIONS_PER_ROUND))
        assessment = assess_round(played.timeline(), thresholds)
        flagged += assessment.flagged
        held += assessment.held
    return Share(name, rounds, flagged, held)


def simulate(rounds: int, seed: int, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[Share]:
    """The shares of flagged rounds of each population."""
    bank = bank_lengths()
    populations = [
        ("honest", honest),
        ("instant", instant),
        ("random delays 0.5-3 s", random_delays(0.5, 3)),
        ("random delays 0.5-5 s", random_delays(0.5, 5)),
        ("random delays 1-8 s", random_delays(1, 8)),
        ("random delays 2-12 s", random_delays(2, 12)),
        ("fixed delay 7 s", fixed_delay),
        ("replayed human timeline", lambda rng, lengths: replayed(rng, lengths, bank)),
    ]
    return [measure(name, play, rounds, seed, bank, thresholds) for name, play in populations]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000, help="rounds per population")
    parser.add_argument("--seed", type=int, default=13)
    arguments = parser.parse_args()
    print(f"Thresholds: {DEFAULT_THRESHOLDS}")
    print(f"{'population':<28}{'rounds':>8}{'flagged':>10}{'held':>9}")
    for share in simulate(arguments.rounds, arguments.seed):
        print(
            f"{share.name:<28}{share.rounds:>8}"
            f"{share.flagged_percent:>9.2f}%{share.held_percent:>8.2f}%"
        )


if __name__ == "__main__":
    main()
