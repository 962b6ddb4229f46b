"""Verdicts: which targets a run missed, and which of those fail it.

A figure renders its rows and returns its checks from the results one run
recorded. A check compares a measured value with its limit. The full run
(`scripts/bench`) fails on any miss. The quick run (CI, few rounds on a busy
machine) fails on a count that is missed, on a figure that could not be
measured, and on a ratio beyond its limit times `NOISE_MARGIN`; a ratio
missed within the margin is reported, and the full run decides on it.

Nothing here imports Home Assistant or the benchmarks' fixtures: the suite
tests this logic on its own (`tests/test_bench_verdicts.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# How far beyond its target a ratio of the quick run may land before the run
# fails: its medians come from few rounds, on a shared machine.
NOISE_MARGIN = 1.25

type Row = tuple[str, str, str, str, str, str]
type Results = dict[str, Any]


@dataclass(frozen=True)
class Check:
    """One target: a measured value and the most it may be.

    `exact`: a count (requests, states written, tokens), the same on any
    machine: no margin in any run.
    """

    name: str
    value: float
    limit: float
    exact: bool = False

    @classmethod
    def count(cls, name: str, ok: bool) -> Check:
        """A count that is right or wrong."""
        return cls(name, 0 if ok else 1, 0, exact=True)

    @property
    def met(self) -> bool:
        """Whether the value is within the target."""
        return self.value <= self.limit

    def fails(self, quick: bool) -> bool:
        """Whether a miss of this target fails the run."""
        if self.exact or not quick:
            return not self.met
        return self.value > self.limit * NOISE_MARGIN


def mark(ok: bool | None) -> str:
    """Show whether a target is met."""
    if ok is None:
        return ""
    return "met" if ok else "**missed**"


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One figure of the report: its rows and the targets it checks."""

    # The results it needs (recorded by `bench(name, ...)`).
    needs: tuple[str, ...]
    rows: Callable[[Results], list[Row]]
    checks: Callable[[Results], list[Check]] = field(default=lambda results: [])
    # Named in the report when the results are missing.
    title: str = ""
    # Measured by the full run only (too long for CI's quick run).
    full_only: bool = False
    # The extensions one entry must show for it (None: a few).
    extensions: int | None = None


@dataclass
class Verdict:
    """What one run measured against its targets."""

    rows: list[Row] = field(default_factory=list)
    # Every target missed, and those of them that fail this run.
    missed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def evaluate(
    figures: tuple[Figure, ...],
    results: Results,
    *,
    quick: bool,
    most_extensions: int | None = None,
) -> Verdict:
    """Render every figure's rows and judge its targets.

    `most_extensions`: how many extensions one entry can show on this Home
    Assistant line (None: no limit); a figure needing more does not apply.
    """
    verdict = Verdict()
    for figure in figures:
        name = figure.title or ", ".join(figure.needs)
        absent = [need for need in figure.needs if need not in results]
        if absent and quick and figure.full_only:
            verdict.rows.append((name, "full run only", "", "", "", ""))
            continue
        if (
            absent
            and figure.extensions is not None
            and most_extensions is not None
            and most_extensions < figure.extensions
        ):
            reason = f"not applicable: an entry shows {most_extensions:,} extensions"
            verdict.rows.append((name, reason, "", "", "", ""))
            continue
        if absent:
            verdict.rows.append((name, "not measured", "", "", "", mark(False)))
            miss = f"{name} (not measured: {', '.join(absent)})"
            verdict.missed.append(miss)
            verdict.failed.append(miss)
            continue
        verdict.rows += figure.rows(results)
        for check in figure.checks(results):
            if check.met:
                continue
            verdict.missed.append(check.name)
            if check.fails(quick):
                verdict.failed.append(check.name)
    return verdict
