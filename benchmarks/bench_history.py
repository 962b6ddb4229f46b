"""Call history: CPU per CDR refresh as extensions grow, with 5000 records."""

from __future__ import annotations

from datetime import UTC, datetime
import gc
import time

from homeassistant.core import HomeAssistant
from homeassistant.util.async_ import get_scheduled_timer_handles

from voipnow_simulator import VoipNowSimulator

from .conftest import (
    MakeThreadedSimulator,
    Record,
    ThreadedSimulator,
    add_size_ratios,
    async_add_entry,
    async_poll,
    available,
    entity_id,
    extension_numbers,
    median,
    profiled,
    rounds,
)

SIZES = (100, 1000)
# Records in the window each refresh reads (it reads the last 10 minutes
# again, for records written late: all of them, every time).
RECORDS = 5000
# The call history's interval: the CDR is read every 5 minutes.
HISTORY_INTERVAL_S = 300
# The last read of the CDR was at most this long ago when the next is run.
LAST_READ_WITHIN_S = 60
CDR_PATH = "/uapi/cdr"


def _seed(sim: VoipNowSimulator, extensions: list[str], started: datetime) -> None:
    """Write RECORDS call records, spread over the extensions, into the CDR.

    Record `i` is the extension `i % size`'s; by its turn on that extension
    it is an incoming call nobody answered, an answered one, or an outgoing
    one. Each has its own remote number (calls from one number within two
    minutes count as one).
    """
    size = len(extensions)
    for index in range(RECORDS):
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
    for index in range(RECORDS):
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


async def async_history_refresh(hass: HomeAssistant) -> int:
    """Run the timer of the next read of the CDR now; wait for what it starts.

    The call history reads every 5 minutes, and the last read was less than
    a minute ago: its timer is the one due in the last minute before then.
    Nothing else runs (the calls' polling, every 10 s; aiohttp's keep-alive
    timers, 15 and 60 s). Returns how many timers ran.
    """
    now = hass.loop.time()
    due = [
        handle
        for handle in get_scheduled_timer_handles(hass.loop)
        if not handle.cancelled()
        and now + HISTORY_INTERVAL_S - LAST_READ_WITHIN_S
        < handle.when()
        <= now + HISTORY_INTERVAL_S + 1
    ]
    for handle in due:
        handle._run()  # as the harness fires timers
        handle.cancel()
    await hass.async_block_till_done(wait_background_tasks=True)
    return len(due)


async def _measure_size(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, size: int
) -> dict[str, float]:
    """Measure the CDR refreshes of one PBX size; remove its entry afterwards."""
    threaded = await make_threaded_simulator(size)
    extensions = extension_numbers(size)
    entry = await async_add_entry(hass, threaded.url)
    # Missed calls count from the entry's setup on: the records come after.
    await _seed_threaded(threaded, extensions, datetime.now(UTC))
    expected = _expected_missed(extensions)

    # CDR requests (pages) of each refresh.
    pages: list[int] = []

    async def refresh() -> float:
        """CPU of Home Assistant's thread for one timer-driven CDR refresh."""
        # Unmeasured: the poll due meanwhile and the history's delayed save
        # (the calls' next poll is then 10 s away).
        await async_poll(hass)
        before = await _cdr_requests(threaded)
        start = time.thread_time()
        ran = await async_history_refresh(hass)
        spent = time.thread_time() - start
        assert ran == 1, f"{ran} timers due by the next CDR read, not one"
        pages.append(await _cdr_requests(threaded) - before)
        return spent

    gc.collect()
    # The first refresh finds every record new and writes the states.
    first = await refresh()
    for number in extensions:
        assert _missed_calls(hass, number) == str(expected[number]), number
    # Warm up, then the steady refreshes: the same records read again.
    for _ in range(2):
        await refresh()
    count = rounds(10 if size < 1000 else 6, 4 if size < 1000 else 3)
    with profiled(f"cdr_refresh_{size}"):
        steady = [await refresh() for _ in range(count)]
    # Every refresh read the whole window (as many pages as the first), and
    # the records read again still count once.
    assert pages[0] > 0, "the CDR was not read"
    assert set(pages) == {pages[0]}, pages
    last = extensions[-1]
    assert _missed_calls(hass, last) == str(expected[last])
    assert available(hass, entity_id("sensor", last, "last_call"))
    if size != max(SIZES):
        # The next size's entities take the same entity ids.
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    return {
        "extensions": size,
        "records": RECORDS,
        "missed": sum(expected.values()),
        "pages": pages[0],
        "rounds": len(steady),
        "first_ms": first * 1e3,
        "steady_ms": median(steady) * 1e3,
        "first_us_per_extension": first / size * 1e6,
        "steady_us_per_extension": median(steady) / size * 1e6,
    }


async def bench_cdr_refresh_cost(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, bench: Record
) -> None:
    """CPU of one CDR refresh on Home Assistant's thread (HTTP, parse, count)."""
    results = {
        str(size): await _measure_size(hass, make_threaded_simulator, size)
        for size in SIZES
    }
    add_size_ratios(results, "steady", "first")
    bench("cdr_refresh_cost", sizes=results)
