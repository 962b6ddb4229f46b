"""Outage flood: callbacks keep coming while the PBX cannot be listed.

While the PBX's API fails, every callback still reaches the webhook, and
nothing confirms or ends the calls it announces. The integration keeps at
most 50 calls (and waiting events) per extension, so the memory it holds
and the work per callback must stop growing; once the PBX is back, at most
50 events per extension come out of the backlog.

Memory: what the integration allocated during the flood and still holds
(`tracemalloc`; an allocation counts when the integration's code is among
its 10 innermost frames), at 3,000 callbacks (every bound reached),
half-way and at the end; each the least of five measurements 100 callbacks
apart. Home Assistant's own objects are left out: it keeps the request
objects of a few recent callbacks alive, through the context of the tasks
and timers they started (cancelled timers stay in the event loop's heap for
a while), and how many at a given moment is chance, worth up to 60 KiB,
half the integration's own. What the integration parsed from those
requests is still counted.

Work per callback: the CPU time of Home Assistant's thread while a callback
is posted and answered (`time.thread_time`; the poster shares the thread),
over the same for a POST to a webhook that does nothing, sent after every
fifth call: the ratio of the last 1,000 callbacks to the first 1,000 then
does not move with the machine's load. All of it runs under `tracemalloc`.
"""

from __future__ import annotations

from array import array
import time
from typing import Any

import aiohttp
from homeassistant.components import webhook
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from .harness import (
    MakeSimulator,
    Record,
    async_add_entry,
    async_poll,
    async_serve_http,
    available,
    base_url,
    entity_id,
    extension_numbers,
    register_bare_webhook,
)
from .measure import MemoryTrace, median, rounds

EXTENSIONS = 3
CALLS = rounds(10_000, 4_000)
CALLBACKS = 2 * CALLS
# Callbacks after which the memory held is measured: the least of SAMPLES
# measurements, the last one there and the others SPACING callbacks apart.
# By then every bound is reached: 50 calls per extension, and the 1,024
# ended calls remembered (a call is two callbacks).
EARLY = 3_000
CHECKPOINTS = {"early": EARLY, "middle": CALLS, "late": CALLBACKS}
SAMPLES = 5
SPACING = 100
WINDOW = 1_000
# A POST to a do-nothing webhook after every REFERENCE_EVERY calls.
REFERENCE_EVERY = 5
CAP = 50
# Calls before the measurements start (their callbacks are not counted).
WARMUP = 100
EVENT_CALL = "voipnow_call_event"
BARE_WEBHOOK_ID = "bare-webhook-for-the-flood"


async def bench_outage_flood(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    bench: Record,
) -> None:
    """20,000 callbacks while the PBX is down: memory, work per callback, backlog."""
    sim = await make_simulator(EXTENSIONS)
    extensions = extension_numbers(EXTENSIONS)
    client = await async_serve_http(hass, hass_client_no_auth)
    await async_add_entry(hass, sim.url, push=True)

    bare_url = base_url(client) + register_bare_webhook(hass, BARE_WEBHOOK_ID)

    # One dial-in and one hangup callback of each extension, as the PBX
    # sends them; the flood repeats them under new call ids.
    sim.block_callbacks()
    for extension in extensions:
        await sim.hangup_call(await sim.incoming_call(extension, "5551234"))
    templates: dict[str, dict[str, tuple[str, dict[str, str]]]] = {}
    for sent in sim.callbacks_dropped:
        query = URL(sent.url).query
        templates.setdefault(query["ha_extension"], {})[query["ha_event"]] = (
            sent.url,
            sent.params,
        )
    assert all(
        {"dial_in", "hangup"} <= set(templates[extension]) for extension in extensions
    ), templates
    await hass.async_block_till_done(wait_background_tasks=True)

    await sim.go_offline()
    session = aiohttp.ClientSession()
    # Filled in place: lists of floats would be memory the flood measures.
    times = array("d", bytes(8 * (CALLBACKS + 2 * WARMUP)))
    cpus = array("d", bytes(8 * (CALLBACKS + 2 * WARMUP)))
    references = array("d", bytes(8 * (CALLS // REFERENCE_EVERY)))
    count = 0

    async def send(url: str, data: dict[str, str]) -> tuple[float, float]:
        """POST a form; return the wall-clock and CPU time it took."""
        start, cpu = time.perf_counter(), time.thread_time()
        async with session.post(url, data=data) as resp:
            await resp.read()
            assert resp.status == 200, resp.status
        return time.perf_counter() - start, time.thread_time() - cpu

    async def post(number: int, marker: str) -> None:
        nonlocal count
        extension = extensions[number % EXTENSIONS]
        url, form = templates[extension][marker]
        times[count], cpus[count] = await send(
            url, {**form, "CallID": f"{number:020x}"}
        )
        count += 1

    async def settle() -> None:
        """Let Home Assistant finish, with no connection left open.

        An open keep-alive connection holds the server's buffers of the last
        request: whether it is open at a measurement is chance.
        """
        nonlocal session
        await session.close()
        session = aiohttp.ClientSession()
        await hass.async_block_till_done(wait_background_tasks=True)

    held: dict[str, list[int]] = {name: [] for name in CHECKPOINTS}
    measure_at = {
        at - SPACING * index: name
        for name, at in CHECKPOINTS.items()
        for index in range(SAMPLES)
    }
    form = templates[extensions[0]]["hangup"][1]
    try:
        # The first callback's listing fails: the entities become unavailable.
        # A few calls more set up what is set up once (timers, caches), not
        # per callback.
        for number in range(WARMUP):
            await post(CALLS + number, "dial_in")
            await post(CALLS + number, "hangup")
        await settle()
        sensors = [entity_id("sensor", e, "call_state") for e in extensions]
        assert not any(available(hass, sensor) for sensor in sensors)
        count = 0
        # No cProfile here with --profile: its own allocations would be
        # counted; the memory profile says where the memory goes.
        with MemoryTrace("outage_flood", ours_only=True) as trace:
            for number in range(CALLS):
                await post(number, "dial_in")
                await post(number, "hangup")
                if number % REFERENCE_EVERY == REFERENCE_EVERY - 1:
                    _, cpu = await send(bare_url, form)
                    references[number // REFERENCE_EVERY] = cpu
                if (name := measure_at.get(count)) is not None:
                    await settle()
                    label = name if count == CHECKPOINTS[name] else ""
                    held[name].append(trace.held(label))
    finally:
        await session.close()
        webhook.async_unregister(hass, BARE_WEBHOOK_ID)
    memory = {name: min(values) for name, values in held.items()}

    # The PBX is back: the next poll ends every call still kept.
    fired: dict[str, int] = dict.fromkeys(extensions, 0)
    bus: dict[str, int] = dict.fromkeys(extensions, 0)
    events = {entity_id("event", e, "call"): e for e in extensions}

    @callback
    def _on_bus(event: Event[Any]) -> None:
        bus[event.data["extension"]] += 1

    @callback
    def _on_state(event: Event[Any]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if old is not None and old.state != "unavailable" and new is not None:
            fired[events[event.data["entity_id"]]] += 1

    unsub_bus = hass.bus.async_listen(EVENT_CALL, _on_bus)
    unsub_state = async_track_state_change_event(hass, list(events), _on_state)
    await sim.go_online()
    await async_poll(hass)
    # On a machine so busy that the poll timed out, the next one (twice).
    for _ in range(2):
        if all(available(hass, sensor) for sensor in sensors):
            break
        await async_poll(hass)
    unsub_bus()
    unsub_state()
    assert all(available(hass, sensor) for sensor in sensors)

    assert count == CALLBACKS
    first, last = slice(0, WINDOW), slice(CALLBACKS - WINDOW, CALLBACKS)
    # The references sent during each window (one per REFERENCE_EVERY calls).
    share = WINDOW // 2 // REFERENCE_EVERY
    first_reference = median(list(references[:share]))
    last_reference = median(list(references[-share:]))
    first_cpu, last_cpu = median(list(cpus[first])), median(list(cpus[last]))
    bench(
        "outage_flood",
        extensions=EXTENSIONS,
        callbacks=count,
        early_callbacks=EARLY,
        early_bytes=memory["early"],
        middle_callbacks=CALLS,
        middle_bytes=memory["middle"],
        late_bytes=memory["late"],
        memory_ratio=memory["late"] / memory["early"],
        first_median_us=median(list(times[first])) * 1e6,
        last_median_us=median(list(times[last])) * 1e6,
        first_cpu_us=first_cpu * 1e6,
        last_cpu_us=last_cpu * 1e6,
        first_reference_us=first_reference * 1e6,
        last_reference_us=last_reference * 1e6,
        time_ratio=(last_cpu / last_reference) / (first_cpu / first_reference),
        raw_time_ratio=last_cpu / first_cpu,
        cap=CAP,
        bus_events_after=bus,
        entity_events_after=fired,
        max_events_after=max(*bus.values(), *fired.values()),
    )
