"""Measuring: rounds, profiles, memory traces and statistics of the benchmarks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
import cProfile
import gc
import os
from pathlib import Path
import tracemalloc
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.voipnow.pbx_data import ENTITY_LIMIT, extension_limit

# Where `python -m benchmarks` wants the results (a JSON file), and whether
# this is the short run of CI (`--quick`: fewer rounds, no 5,000-extension or
# 24-hour figures).
RESULTS_ENV = "VOIPNOW_BENCH_JSON"
QUICK_ENV = "VOIPNOW_BENCH_QUICK"
QUICK = os.environ.get(QUICK_ENV) == "1"
# The largest figures' size, and the most extensions an entry shows on this
# Home Assistant line (2026 adds at most 10,000 entities per entry): where
# 5,000 do not fit, their figures do not apply.
LARGE = 5000
MOST_EXTENSIONS = extension_limit(ENTITY_LIMIT)
LARGE_FITS = MOST_EXTENSIONS >= LARGE
PROFILE_ENV = "VOIPNOW_BENCH_PROFILE"
RESULTS: dict[str, Any] = {}
_OURS = "custom_components/voipnow/"


@contextmanager
def profiled(name: str) -> Iterator[None]:
    """Profile a block into `$VOIPNOW_BENCH_PROFILE/<name>.prof` when asked.

    `python -m benchmarks --profile DIR` sets it: where the time goes, with
    the figures that show how much there is.
    """
    folder = os.environ.get(PROFILE_ENV)
    if not folder:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        Path(folder).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(Path(folder) / f"{name}.prof")


# Allocations of the harness, not of Home Assistant: pytest keeps every log
# record it captures, the harness's storage keeps a decoded copy of every
# file Home Assistant writes (a delayed save may fall into any measurement),
# and tracemalloc's own bookkeeping.
_NOT_HOME_ASSISTANT = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "*/logging/__init__.py"),
    tracemalloc.Filter(False, "*/_pytest/*"),
    tracemalloc.Filter(
        False, "*/pytest_homeassistant_custom_component/common.py", all_frames=True
    ),
)
# Frames kept per allocation: enough to see the harness's storage above the
# JSON decoder; enough to find the integration's code above the standard
# library and Home Assistant's helpers it calls; many more for the profile.
_FRAMES = 3
_OURS_FRAMES = 10
_PROFILE_FRAMES = 30


class MemoryTrace:
    """What a block allocates and still holds, by `tracemalloc`.

    With `--profile`, each measurement also writes where the memory is held:
    by the innermost frame in the integration when there is one (what it
    asked for, even inside Home Assistant), else by the allocating line.
    """

    def __init__(self, name: str, *, ours_only: bool = False) -> None:
        """Name the measurement (the profile's file name).

        `ours_only` counts only the allocations with the integration's code
        on the stack (its 10 innermost frames), as `held_by_integration`.
        """
        self.name = name
        self.folder = os.environ.get(PROFILE_ENV)
        self.ours_only = ours_only

    def __enter__(self) -> MemoryTrace:
        """Start tracing from a collected heap."""
        gc.collect()
        frames = _OURS_FRAMES if self.ours_only else _FRAMES
        tracemalloc.start(_PROFILE_FRAMES if self.folder else frames)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop tracing."""
        tracemalloc.stop()

    def held(self, label: str = "") -> int:
        """Return the bytes allocated since the start and still held.

        With a label, the profile (if asked for) is written under it.
        """
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces(_NOT_HOME_ASSISTANT)
        if self.ours_only:
            # The profile's 30 frames find the integration deeper: the same
            # 10 frames are looked at either way.
            held = held_by_integration(snapshot, _OURS_FRAMES)
        else:
            held = sum(trace.size for trace in snapshot.traces)
        if self.folder and label:
            self._write_profile(snapshot, held, label)
        return held

    def _write_profile(
        self, snapshot: tracemalloc.Snapshot, held: int, label: str
    ) -> None:
        """Write the 30 places holding the most memory."""
        by_site: dict[str, int] = {}
        for trace in snapshot.traces:
            frames = list(reversed(trace.traceback))
            ours = next((f for f in frames if _OURS in f.filename), None)
            site = f"{frames[0].filename}:{frames[0].lineno}"
            if ours is not None and ours is not frames[0]:
                site = f"{ours.filename}:{ours.lineno} (allocated in {site})"
            elif ours is None:
                site = f"[not ours] {site}"
            by_site[site] = by_site.get(site, 0) + trace.size
        top = sorted(by_site.items(), key=lambda item: -item[1])[:40]
        lines = [f"{self.name} {label}: {held / 1024:.0f} KiB held"]
        lines += [f"{size / 1024:10.1f} KiB  {site}" for site, size in top]
        path = Path(self.folder or ".") / f"{self.name}{label and '_' + label}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


async def traced(
    hass: HomeAssistant, name: str, work: Callable[[], Awaitable[None]]
) -> int:
    """Return the bytes `work` allocated and still holds once Home Assistant settled."""
    with MemoryTrace(name) as trace:
        await work()
        await hass.async_block_till_done(wait_background_tasks=True)
        return trace.held("held")


def rounds(full: int, quick: int) -> int:
    """Return how many rounds to measure: fewer in the quick run."""
    return quick if QUICK else full


def median(values: list[float]) -> float:
    """Return the median of some measurements."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile (`share` between 0 and 1)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# The harness's storage: it keeps a copy of every file Home Assistant writes.
_HARNESS = "/pytest_homeassistant_custom_component/common.py"
# Only what the integration's own code allocated (any frame of the traceback).
OURS_ONLY = (tracemalloc.Filter(True, f"*/{_OURS}*", all_frames=True),)


def held_by_integration(
    snapshot: tracemalloc.Snapshot, frames: int | None = None
) -> int:
    """Return the bytes of a snapshot allocated with the integration on the stack.

    The same as `snapshot.filter_traces(OURS_ONLY)` (only the `frames`
    innermost frames looked at), less what the harness's storage holds (a
    frame in its `common.py`: what a delayed save's data function returns):
    `filter_traces` matches every frame of every trace with `fnmatch` in
    Python (a minute for the 24-hour figure's snapshots), each file name is
    classified once here.
    """
    # 1: the integration's file, 2: the harness's storage, 0: neither.
    kinds: dict[str, int] = {}
    held = 0
    # The snapshot's raw traces, (domain, size, ((file, line), ...), ...),
    # as `tracemalloc` keeps them: no Trace and Frame object per frame.
    raw = getattr(snapshot.traces, "_traces", None)
    traces = (
        ((size, stack) for _, size, stack, *_ in raw)
        if raw is not None
        else (
            (t.size, [(f.filename, f.lineno) for f in t.traceback])
            for t in snapshot.traces
        )
    )
    for size, stack in traces:
        ours = False
        # tracemalloc keeps the innermost frame first.
        for index, (filename, _) in enumerate(stack):
            if (kind := kinds.get(filename)) is None:
                kind = kinds[filename] = (
                    1 if f"/{_OURS}" in filename else 2 if _HARNESS in filename else 0
                )
            if kind == 2:
                ours = False
                break
            ours = ours or (kind == 1 and (frames is None or index < frames))
        if ours:
            held += size
    return held
