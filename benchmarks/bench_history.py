"""Call history: CPU per CDR record as extensions and their records grow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gc
import time

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from voipnow_simulator import VoipNowSimulator

from .harness import (
    MakeThreadedSimulator,
    Record,
    ThreadedSimulator,
    async_add_entry,
    async_poll,
    async_run_refresh,
    available,
    entity_id,
    extension_numbers,
)
from .measure import median, profiled, rounds

SIZES = (100, 1000)
# Records per extension in the window each refresh reads (it reads the last
# 10 minutes again, for records written late: all of them, every time). At
# 1,000 extensions that is 5,000 records: as many as one read reaches (the
# PBX refuses a start index over 5,000; more would be read in narrower
# windows, a different path).
PER_EXTENSION = 5
# The call history's interval: the CDR is read every 5 minutes.
HISTORY_INTERVAL = timedelta(minutes=5)
# The calls' polling interval: long, so that it does not run meanwhile.
IDLE_INTERVAL_S = 240
CDR_PATH = "/uapi/cdr"


def _seed(sim: VoipNowSimulator, extensions: list[str], started: datetime) -> None:
    """Write PER_EXTENSION call records per extension into the CDR.

    Record `i` is the extension `i % size`'s; by its turn on that extension
    it is an incoming call nobody answered, an answered one, or an outgoing
    one. Each has its own remote number (calls from one number within two
    minutes count as one).
    """
    size = len(extensions)
    for index in range(size * PER_EXTENSION):
        turn = index // size
        missed = turn % 2 == 0
        outgoing = turn % 4 == 3
        sim.add_cdr_record(
            extensions[index % size],
            f"555{index:05d}",
            name=f"Caller {index}",
            direction="outgoing" if outgoing else "incoming",
            started=started,
            answered=None if missed else started,
        )


def _expected_missed(extensions: list[str]) -> dict[str, int]:
    """Return each extension's missed calls among the seeded records."""
    size = len(extensions)
    counts = dict.fromkeys(extensions, 0)
    for index in range(size * PER_EXTENSION):
        if (index // size) % 2 == 0:
            counts[extensions[index % size]] += 1
    return counts


def _missed_calls(hass: HomeAssistant, extension: str) -> str | None:
    """Return the state of an extension's missed-calls sensor (None: none)."""
    state = hass.states.get(entity_id("sensor", extension, "missed_calls"))
    return state.state if state else None


async def _seed_threaded(
    threaded: ThreadedSimulator, extensions: list[str], started: datetime
) -> None:
    """Seed the records on the simulator's own loop."""

    async def seed() -> None:
        _seed(threaded.sim, extensions, started)

    await threaded.run(seed)


async def _cdr_requests(threaded: ThreadedSimulator) -> int:
    """Count the CDR requests the simulator received (on its own loop)."""

    async def count() -> int:
        return len(threaded.sim.api_requests("GET", CDR_PATH))

    return await threaded.run(count)


@dataclass
class _Pbx:
    """One PBX size set up in Home Assistant, next to the other."""

    size: int
    threaded: ThreadedSimulator
    entry: MockConfigEntry
    extensions: list[str]
    expected: dict[str, int]
    pages: list[int] = field(default_factory=list)
    steady: list[float] = field(default_factory=list)
    first: float = 0.0


async def _set_up(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, size: int
) -> _Pbx:
    """Start a PBX of `size` extensions and its entry; seed its records."""
    first = 10_000 + sum(SIZES[: SIZES.index(size)])
    threaded = await make_threaded_simulator(size, first)
    extensions = extension_numbers(size, first)
    entry = await async_add_entry(
        hass, threaded.url, name=f"size {size}", scan_interval=IDLE_INTERVAL_S
    )
    # Missed calls count from the entry's setup on: the records come after.
    await _seed_threaded(threaded, extensions, datetime.now(UTC))
    return _Pbx(size, threaded, entry, extensions, _expected_missed(extensions))


async def _refresh(hass: HomeAssistant, pbx: _Pbx) -> float:
    """CPU of Home Assistant's thread for one timer-driven CDR refresh."""
    # Unmeasured: what is due meanwhile (the history's delayed save).
    await async_poll(hass)
    before = await _cdr_requests(pbx.threaded)
    start = time.thread_time()
    ran = await async_run_refresh(hass, pbx.entry, HISTORY_INTERVAL)
    spent = time.thread_time() - start
    assert ran == 1, f"{ran} history timers of the {pbx.size} entry, not one"
    pbx.pages.append(await _cdr_requests(pbx.threaded) - before)
    return spent / (pbx.size * PER_EXTENSION)


def _check(hass: HomeAssistant, pbx: _Pbx) -> None:
    """Every refresh read the whole window; the records still count once."""
    assert pbx.pages[0] > 0, "the CDR was not read"
    assert set(pbx.pages) == {pbx.pages[0]}, pbx.pages
    for number in pbx.extensions:
        assert _missed_calls(hass, number) == str(pbx.expected[number]), number
    assert available(hass, entity_id("sensor", pbx.extensions[-1], "last_call"))


def _row(pbx: _Pbx) -> dict[str, float]:
    records = pbx.size * PER_EXTENSION
    return {
        "extensions": pbx.size,
        "records": records,
        "missed": sum(pbx.expected.values()),
        "pages": pbx.pages[0],
        "rounds": len(pbx.steady),
        "first_ms": pbx.first * records * 1e3,
        "steady_ms": median(pbx.steady) * records * 1e3,
        "first_us_per_record": pbx.first * 1e6,
        "steady_us_per_record": median(pbx.steady) * 1e6,
    }


async def bench_cdr_refresh_cost(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, bench: Record
) -> None:
    """CPU of one CDR refresh per record, 1,000 extensions against 100.

    The records grow with the extensions; both sizes are set up side by side
    and refreshed in alternation.
    """
    small = await _set_up(hass, make_threaded_simulator, SIZES[0])
    large = await _set_up(hass, make_threaded_simulator, SIZES[1])
    gc.collect()
    # The first refresh finds every record new and writes the states.
    for pbx in (small, large):
        pbx.first = await _refresh(hass, pbx)
    # Warm up, then the steady refreshes: the same records read again.
    for _ in range(2):
        for pbx in (small, large):
            await _refresh(hass, pbx)
    count = rounds(40, 10)
    with profiled("cdr_refresh"):
        for index in range(count):
            for pbx in (small, large) if index % 2 else (large, small):
                pbx.steady.append(await _refresh(hass, pbx))
    for pbx in (small, large):
        _check(hass, pbx)
    step = {
        "small": small.size,
        "large": large.size,
        "rounds": count,
        "small_steady_us": median(small.steady) * 1e6,
        "large_steady_us": median(large.steady) * 1e6,
        # Each round's larger refresh over its smaller one, then the median:
        # the machine's speed drifts over seconds (refreshes of either size
        # cost up to twice as much for a few rounds), which a ratio of two
        # medians would take for growth.
        "steady_ratio": median(
            [
                big / little
                for little, big in zip(small.steady, large.steady, strict=True)
            ]
        ),
    }
    bench(
        "cdr_refresh_cost",
        sizes={str(pbx.size): _row(pbx) for pbx in (small, large)},
        steps=[step],
    )
