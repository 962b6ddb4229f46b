"""Polling: CPU per poll as extensions grow, state writes, requests per cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
import gc
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from voipnow_simulator import VoipNowSimulator

from .harness import (
    CALLS_PATH,
    PRESENCE_PATH,
    MakeSimulator,
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
from .measure import LARGE, LARGE_FITS, QUICK, median, profiled, rounds

# Each size's poll cost per extension is compared with the next smaller's;
# 5,000 extensions in the full run only, where an entry can show them.
SIZES = (100, 1000) if QUICK or not LARGE_FITS else (100, 1000, LARGE)
# The polling interval without push.
SCAN_INTERVAL_S = 10
# The polling interval of the entries whose poll timer the benchmark runs:
# long, so that Home Assistant's own clock does not poll them meanwhile.
IDLE_INTERVAL_S = 240
POLL_INTERVAL = timedelta(seconds=IDLE_INTERVAL_S)
CYCLES = rounds(12, 6)


async def _ring_half(sim: VoipNowSimulator, extensions: list[str]) -> list[str]:
    """Put every other extension in an answered call from outside."""
    calls = []
    for index, number in enumerate(extensions[::2]):
        call_id = await sim.incoming_call(number, f"555{index:05d}")
        await sim.answer_call(call_id)
        calls.append(call_id)
    return calls


async def _hang_up(sim: VoipNowSimulator, calls: list[str]) -> None:
    """Hang up these calls."""
    for call_id in calls:
        await sim.hangup_call(call_id)


def _count_writes(hass: HomeAssistant) -> list[str]:
    """Collect the entity ids of every state written from now on."""
    written: list[str] = []

    @callback
    def _record(event: Event[Any]) -> None:
        written.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, _record)
    return written


@dataclass
class _Pbx:
    """One PBX size set up in Home Assistant, next to the others."""

    size: int
    threaded: ThreadedSimulator
    entry: MockConfigEntry
    extensions: list[str]
    calls: list[str]
    steady: list[float] = field(default_factory=list)
    changing: list[float] = field(default_factory=list)
    polls: int = 0


async def _set_up(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, size: int
) -> _Pbx:
    """Start a PBX of `size` extensions, half in a call, and its entry.

    Each size has its own extension numbers, so that the entries of two
    sizes live side by side; its poll timer is run by the benchmark only.
    """
    first = 10_000 + sum(SIZES[: SIZES.index(size)])
    threaded = await make_threaded_simulator(size, first)
    extensions = extension_numbers(size, first)
    # Set up before the calls ring: the first listing is short (setup is not
    # measured, and must not time out on a busy machine).
    entry = await async_add_entry(
        hass, threaded.url, name=f"size {size}", scan_interval=IDLE_INTERVAL_S
    )
    calls = await threaded.run(partial(_ring_half, threaded.sim, extensions))
    return _Pbx(size, threaded, entry, extensions, calls)


async def _poll(hass: HomeAssistant, pbx: _Pbx) -> float:
    """CPU of Home Assistant's thread for one timer-driven poll of one entry."""
    start = time.thread_time()
    ran = await async_run_refresh(hass, pbx.entry, POLL_INTERVAL)
    spent = time.thread_time() - start
    # The calls' poll, and the call queues' refresh on the same interval.
    assert ran >= 1, f"no poll timer of the {pbx.size} entry"
    pbx.polls += 1
    return spent


async def _forget_records(sim: VoipNowSimulator) -> None:
    """Drop the call records the PBX wrote (Home Assistant has read them)."""
    sim.pbx.cdr.clear()


async def _round(hass: HomeAssistant, pbx: _Pbx) -> None:
    """One steady poll, then half the extensions hang up and get new calls."""
    sim = pbx.threaded.sim
    # Unmeasured: timers due meanwhile (delayed saves, keep-alive, the read
    # of the records of the calls the last round ended).
    await async_poll(hass)
    # A round ends thousands of calls in seconds, a read covers the last ten
    # minutes: the records of earlier rounds would pile up in each read.
    await pbx.threaded.run(partial(_forget_records, sim))
    pbx.steady.append(await _poll(hass, pbx) / pbx.size)
    await pbx.threaded.run(partial(_hang_up, sim, pbx.calls))
    hung_up = await _poll(hass, pbx)
    pbx.calls = await pbx.threaded.run(partial(_ring_half, sim, pbx.extensions))
    pbx.changing.append((hung_up + await _poll(hass, pbx)) / 2 / pbx.size)


async def _writes(hass: HomeAssistant, pbx: _Pbx) -> tuple[int, int]:
    """States written by a poll after one call is put on hold, then by the next."""
    sim, number = pbx.threaded.sim, pbx.extensions[0]
    sensor = entity_id("sensor", number, "call_state")
    assert available(hass, sensor)
    assert hass.states.get(sensor).state == "on_call"
    first = pbx.calls[0]
    # As in a round: the timers due meanwhile first (the registries' delayed
    # saves after the smaller entry's removal), not during the polls.
    await async_poll(hass)
    await pbx.threaded.run(lambda: sim.hold_call(first, number))
    written = _count_writes(hass)
    await _poll(hass, pbx)
    one_change = len(written)
    assert hass.states.get(sensor).state == "on_hold"
    written.clear()
    await _poll(hass, pbx)
    return one_change, len(written)


async def _calls_requests(pbx: _Pbx) -> int:
    """Count the calls listings the PBX received (on its own loop)."""

    async def count() -> int:
        return len(pbx.threaded.sim.api_requests("GET", CALLS_PATH))

    return await pbx.threaded.run(count)


async def _step(hass: HomeAssistant, small: _Pbx, large: _Pbx) -> dict[str, Any]:
    """Interleave the rounds of two sizes; each size's median per extension."""
    count = rounds(20 if large.size < LARGE else 12, 6)
    for pbx in (small, large):
        pbx.steady.clear()
        pbx.changing.clear()
    gc.collect()
    with profiled(f"poll_{small.size}_{large.size}"):
        for index in range(count):
            # Each size goes first as often as the other.
            for pbx in (small, large) if index % 2 else (large, small):
                await _round(hass, pbx)
    step: dict[str, Any] = {"small": small.size, "large": large.size, "rounds": count}
    for kind in ("steady", "changing"):
        small_polls, large_polls = getattr(small, kind), getattr(large, kind)
        step[f"small_{kind}_us"] = median(small_polls) * 1e6
        step[f"large_{kind}_us"] = median(large_polls) * 1e6
        # Each round's larger poll over its smaller one, then the median: the
        # machine's speed drifts over seconds, which a ratio of two medians
        # would take for growth (as for the CDR refresh).
        step[f"{kind}_ratio"] = median(
            [big / little for little, big in zip(small_polls, large_polls, strict=True)]
        )
    return step


async def _size_row(hass: HomeAssistant, pbx: _Pbx) -> dict[str, float]:
    """The figures of one size, from its last step; its state writes."""
    steady, changing = median(pbx.steady), median(pbx.changing)
    before, polls = await _calls_requests(pbx), pbx.polls
    one_change, no_change = await _writes(hass, pbx)
    return {
        "extensions": pbx.size,
        "calls": len(pbx.calls),
        "steady_ms": steady * pbx.size * 1e3,
        "changing_ms": changing * pbx.size * 1e3,
        "steady_us_per_extension": steady * 1e6,
        "changing_us_per_extension": changing * 1e6,
        "writes_one_change": one_change,
        "writes_no_change": no_change,
        "calls_requests_per_poll": (await _calls_requests(pbx) - before)
        / (pbx.polls - polls),
    }


# The 5,000-extension step of the full run outlives the 15 minutes a
# benchmark gets: each round rings and hangs up 2,500 calls.
@pytest.mark.timeout(3600)
async def bench_poll_cost(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, bench: Record
) -> None:
    """CPU of one poll per extension, each size against the next smaller one.

    Two sizes at a time are set up side by side and polled in alternation.
    """
    sizes: dict[str, dict[str, float]] = {}
    steps = []
    small = await _set_up(hass, make_threaded_simulator, SIZES[0])
    # Warm up: the first polls also save the registries and the like.
    for _ in range(2):
        await _round(hass, small)
    for size in SIZES[1:]:
        large = await _set_up(hass, make_threaded_simulator, size)
        for _ in range(2):
            await _round(hass, large)
        steps.append(await _step(hass, small, large))
        sizes[str(small.size)] = sizes.get(str(small.size)) or await _size_row(
            hass, small
        )
        assert await hass.config_entries.async_remove(small.entry.entry_id)
        await hass.async_block_till_done()
        small = large
    sizes[str(small.size)] = await _size_row(hass, small)
    bench("poll_cost", sizes=sizes, steps=steps)


async def bench_requests_per_poll(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    freezer: FrozenDateTimeFactory,
    bench: Record,
) -> None:
    """Requests the PBX gets per poll cycle, with 10 and with 100 extensions."""
    results: dict[str, dict[str, float]] = {}
    for size in (10, 100):
        sim = await make_simulator(size)
        extensions = extension_numbers(size)
        await _ring_half(sim, extensions)
        entry = await async_add_entry(hass, sim.url)
        sim.clear_requests()
        for _ in range(CYCLES):
            freezer.tick(SCAN_INTERVAL_S)
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
        assert available(hass, entity_id("sensor", extensions[0], "call_state"))
        results[str(size)] = {
            "cycles": CYCLES,
            "calls_requests": len(sim.api_requests("GET", CALLS_PATH)),
            "presence_requests": len(sim.api_requests("GET", PRESENCE_PATH)),
            "token_requests": len(sim.token_requests),
            "all_requests": len(sim.requests),
        }
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    bench("requests_per_poll", sizes=results)
