"""Polling: CPU per poll as extensions grow, state writes, requests per cycle."""

from __future__ import annotations

from functools import partial
import gc
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from voipnow_simulator import VoipNowSimulator

from .conftest import (
    CALLS_PATH,
    PRESENCE_PATH,
    MakeSimulator,
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

SIZES = (10, 100, 1000)
# The polling interval without push.
SCAN_INTERVAL_S = 10
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


async def _measure_size(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, size: int
) -> dict[str, float]:
    """Measure the polls of one PBX size; remove its entry afterwards."""
    threaded: ThreadedSimulator = await make_threaded_simulator(size)
    sim = threaded.sim
    extensions = extension_numbers(size)
    calls = await threaded.run(partial(_ring_half, sim, extensions))
    entry = await async_add_entry(hass, threaded.url)

    async def poll() -> float:
        """CPU of Home Assistant's thread for one timer-driven poll."""
        start = time.thread_time()
        await async_poll(hass)
        return time.thread_time() - start

    count = rounds(30 if size < 1000 else 10, 8 if size < 1000 else 2)
    steady: list[float] = []
    changing: list[float] = []
    gc.collect()
    # Warm up: the first polls also save the registries and the like.
    for _ in range(3):
        await poll()
    with profiled(f"poll_{size}"):
        for _ in range(count):
            steady.append(await poll())
            # Half the extensions hang up, then get new calls (new ids).
            await threaded.run(partial(_hang_up, sim, calls))
            hung_up = await poll()
            calls = await threaded.run(partial(_ring_half, sim, extensions))
            changing.append(hung_up + await poll())
    sensor = entity_id("sensor", extensions[0], "call_state")
    assert available(hass, sensor)
    assert hass.states.get(sensor).state == "on_call"
    # One call put on hold: one state is written, the others are not.
    first = calls[0]
    await threaded.run(lambda: sim.hold_call(first, extensions[0]))
    written = _count_writes(hass)
    await poll()
    one_change_writes = len(written)
    assert hass.states.get(sensor).state == "on_hold"
    written.clear()
    await poll()
    no_change_writes = len(written)
    if size != max(SIZES):
        # The next size's entities take the same entity ids.
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    return {
        "extensions": size,
        "calls": len(calls),
        "steady_ms": median(steady) * 1e3,
        "changing_ms": median(changing) / 2 * 1e3,
        "steady_us_per_extension": median(steady) / size * 1e6,
        "changing_us_per_extension": median(changing) / 2 / size * 1e6,
        "writes_one_change": one_change_writes,
        "writes_no_change": no_change_writes,
    }


async def bench_poll_cost(
    hass: HomeAssistant, make_threaded_simulator: MakeThreadedSimulator, bench: Record
) -> None:
    """CPU of one poll on Home Assistant's thread (HTTP, parse, states, entities)."""
    results = {
        str(size): await _measure_size(hass, make_threaded_simulator, size)
        for size in SIZES
    }
    add_size_ratios(results, "steady", "changing")
    bench("poll_cost", sizes=results)


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
