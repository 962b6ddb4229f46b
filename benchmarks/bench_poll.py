"""Polling: CPU per poll as extensions grow, state writes, requests per cycle."""

from __future__ import annotations

import copy
import gc
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.voipnow.const import DEFAULT_SCAN_INTERVAL
from voipnow_simulator import VoipNowSimulator

from .conftest import MakeSimulator, Record, async_add_entry, extension_numbers, median

SIZES = (10, 100, 1000)
CALLS_PATH = "/uapi/phoneCalls/@me/@self"
PRESENCE_PATH = "/uapi/extensions/@me/@self/presence"
CYCLES = 12


async def _busy_pbx(sim: VoipNowSimulator, extensions: list[str]) -> None:
    """Put every other extension in an answered call from outside."""
    for index, number in enumerate(extensions[::2]):
        call_id = await sim.incoming_call(number, f"555{index:05d}")
        await sim.answer_call(call_id)


def _renamed(calls: list[Any], generation: int) -> list[Any]:
    """Return the same calls under new ids."""
    renamed = copy.deepcopy(calls)
    for call in renamed:
        call["id"] = f"{call['id']}g{generation}"
    return renamed


def _count_writes(hass: HomeAssistant) -> list[str]:
    """Collect the entity ids of every state written from now on."""
    written: list[str] = []

    @callback
    def _record(event: Event[Any]) -> None:
        written.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, _record)
    return written


async def _measure_size(
    hass: HomeAssistant, make_simulator: MakeSimulator, size: int
) -> dict[str, float]:
    """Measure polls of one PBX size; remove its entry afterwards."""
    sim = await make_simulator(size)
    extensions = extension_numbers(size)
    await _busy_pbx(sim, extensions)
    entry = await async_add_entry(hass, sim)
    coordinator = entry.runtime_data
    client = coordinator.client
    # The PBX's answers, fetched once: each poll below parses them anew.
    presence = await client._async_collection(PRESENCE_PATH.removeprefix("/uapi/"))
    busy = [sim.call_json(call) for call in sim.calls.values()]
    answers: dict[str, list[Any]] = {"calls": busy}

    async def prefetched(path: str, params: Any = None) -> list[Any]:
        return copy.copy(
            answers["calls"] if path.startswith("phoneCalls") else presence
        )

    async def poll(calls: list[Any]) -> float:
        answers["calls"] = calls
        start = time.process_time()
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        return time.process_time() - start

    rounds = 30 if size < 1000 else 10
    # Calls that come back after hanging up are new calls, with new ids (the
    # tracker remembers ended ids and would not announce them again).
    later = [_renamed(busy, index) for index in range(rounds)]
    steady: list[float] = []
    changing: list[float] = []
    with patch.object(client, "_async_collection", prefetched):
        gc.collect()
        for _ in range(3):
            await poll(busy)
        for again in later:
            steady.append(await poll(busy))
            # Half the extensions hang up, then get new calls.
            changing.append(await poll([]) + await poll(again))
            busy = again
        assert coordinator.last_update_success
        # One call put on hold: one state is written, the others are not.
        one_changed = copy.deepcopy(busy)
        for view in one_changed[0]["phoneCallView"]:
            view["onHold"] = view["extension"] in extensions
        written = _count_writes(hass)
        await poll(one_changed)
        one_change_writes = len(written)
        written.clear()
        await poll(one_changed)
        no_change_writes = len(written)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    return {
        "extensions": size,
        "calls": len(busy),
        "steady_ms": median(steady) * 1e3,
        "changing_ms": median(changing) / 2 * 1e3,
        "steady_us_per_extension": median(steady) / size * 1e6,
        "changing_us_per_extension": median(changing) / 2 / size * 1e6,
        "writes_one_change": one_change_writes,
        "writes_no_change": no_change_writes,
    }


async def bench_poll_cost(
    hass: HomeAssistant, make_simulator: MakeSimulator, bench: Record
) -> None:
    """CPU of one poll (parse, derive states, update entities) without HTTP."""
    results = {
        str(size): await _measure_size(hass, make_simulator, size) for size in SIZES
    }
    base = results[str(SIZES[0])]
    for row in results.values():
        row["steady_ratio"] = (
            row["steady_us_per_extension"] / base["steady_us_per_extension"]
        )
        row["changing_ratio"] = (
            row["changing_us_per_extension"] / base["changing_us_per_extension"]
        )
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
        await _busy_pbx(sim, extension_numbers(size))
        entry = await async_add_entry(hass, sim)
        sim.clear_requests()
        for _ in range(CYCLES):
            freezer.tick(DEFAULT_SCAN_INTERVAL)
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.runtime_data.last_update_success
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
