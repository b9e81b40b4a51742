"""Side-by-side timing: the contenders run in interleaved rounds and each figure is a median."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

ROUNDS = 7


def interleaved(contenders: dict[str, Callable[[], float]], rounds: int = ROUNDS) -> dict[str, float]:
    """Run each contender once per round, in turn; each returns its own figure; the median of each."""
    figures: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            figures[name].append(run())
    return {name: statistics.median(values) for name, values in figures.items()}


def per_call(call: Callable[[], object], count: int) -> Callable[[], float]:
    """A contender whose figure is the mean time of one call, over `count` calls."""

    def run() -> float:
        started = time.perf_counter()
        for _ in range(count):
            call()
        return (time.perf_counter() - started) / count

    return run
