"""Build schedules: which builds run together, in which order, after which start delay.

A schedule is a list of rounds; a round lists jobs in start order, each a function name, a copy number
(several copies of a function may run in one round) and a start jitter in milliseconds. A seeded
``random.Random`` gives the same schedule for the same seed; hypothesis can generate schedules too
(:func:`schedules`). A schedule has a one-line text form, so a failure can be replayed exactly::

    api+0,refresh+13,api#1+4;refresh+0,api+7

(rounds separated by ``;``, jobs by ``,``; ``#n`` is the copy, ``+ms`` the jitter).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_JOB = re.compile(r"^(?P<function>[^#+,;]+?)(?:#(?P<copy>\d+))?\+(?P<jitter>\d+)$")


@dataclass(frozen=True)
class Job:
    function: str
    copy: int
    jitter_ms: int

    def encode(self) -> str:
        copy = f"#{self.copy}" if self.copy else ""
        return f"{self.function}{copy}+{self.jitter_ms}"


@dataclass(frozen=True)
class Schedule:
    rounds: tuple[tuple[Job, ...], ...]
    seed: int | None = None
    """The seed the schedule was drawn from (``None`` for a parsed or generated one)."""

    def encode(self) -> str:
        return ";".join(",".join(job.encode() for job in jobs) for jobs in self.rounds)

    def round_text(self, index: int) -> str:
        return ",".join(job.encode() for job in self.rounds[index])

    @property
    def builds(self) -> int:
        return sum(len(jobs) for jobs in self.rounds)


def copies_per_round(functions: int, parallel: int) -> int:
    """Copies of each function in a round, so that at least ``parallel`` builds can run at once."""
    return max(1, math.ceil(parallel / max(1, functions)))


def random_schedule(functions: Sequence[str], rounds: int, parallel: int, seed: int,
                    max_jitter_ms: int = 50) -> Schedule:
    """``rounds`` rounds, each building every function (enough copies to fill ``parallel`` slots)."""
    rng = random.Random(seed)
    copies = copies_per_round(len(functions), parallel)
    drawn: list[tuple[Job, ...]] = []
    for _ in range(rounds):
        jobs = [(name, copy) for name in functions for copy in range(copies)]
        rng.shuffle(jobs)
        drawn.append(tuple(Job(name, copy, rng.randint(0, max_jitter_ms)) for name, copy in jobs))
    return Schedule(tuple(drawn), seed)


def parse_schedule(text: str, functions: Sequence[str] | None = None) -> Schedule:
    """The schedule of :meth:`Schedule.encode`; ``ValueError`` names the bad job or unknown function."""
    rounds: list[tuple[Job, ...]] = []
    for round_text in text.strip().split(";"):
        jobs: list[Job] = []
        for item in filter(None, (part.strip() for part in round_text.split(","))):
            match = _JOB.match(item)
            if match is None:
                raise ValueError(f"cannot read schedule job {item!r}: write function+jitter_ms or function#copy+ms")
            if functions is not None and match["function"] not in functions:
                raise ValueError(f"schedule names unknown function {match['function']!r}; "
                                 f"known: {', '.join(functions)}")
            jobs.append(Job(match["function"], int(match["copy"] or 0), int(match["jitter"])))
        if jobs:
            rounds.append(tuple(jobs))
    if not rounds:
        raise ValueError("the schedule is empty")
    return Schedule(tuple(rounds))


def schedules(functions: Sequence[str], rounds: int, parallel: int, max_jitter_ms: int = 50) -> Any:
    """A hypothesis strategy of schedules: every function in every round, any order, any jitter."""
    from hypothesis import strategies as st

    copies = copies_per_round(len(functions), parallel)
    slots = [(name, copy) for name in functions for copy in range(copies)]

    def one_round(order: list[tuple[str, int]], jitters: list[int]) -> tuple[Job, ...]:
        return tuple(Job(name, copy, jitter) for (name, copy), jitter in zip(order, jitters, strict=True))

    jitter = st.integers(min_value=0, max_value=max_jitter_ms)
    round_strategy = st.builds(one_round, st.permutations(slots),
                               st.lists(jitter, min_size=len(slots), max_size=len(slots)))
    return st.lists(round_strategy, min_size=rounds, max_size=rounds).map(lambda drawn: Schedule(tuple(drawn)))
