"""Callback to call event: how long a dial-in callback takes to reach the bus.

A dial-in callback is POSTed to Home Assistant's webhook (through its real
HTTP server), and the time runs until the `incoming_call` event of that call
is on the bus (`voipnow_call_event`). If the integration confirms a callback
with a calls listing before the event fires, that listing is part of the
time: so the baseline is the listing's own round trip, a GET of the calls
listing through Home Assistant's shared session with a token of the same
App, the answer read and decoded as JSON (the integration must decode a
listing). The figure is the difference of the medians, and of the p95s. The
two are measured in alternation, each going first every other round. The
benchmark does not depend on how the integration gets there: it measures
from the POST to the event, whether the event fires at once or after a
listing.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .harness import (
    CALLS_PATH,
    MakeSimulator,
    Record,
    async_add_entry,
    async_fetch_token,
    async_serve_http,
    extension_numbers,
    held_callback,
)
from .measure import median, percentile, profiled, rounds

WARMUP = rounds(10, 5)
ROUNDS = rounds(200, 60)
EVENT_CALL = "voipnow_call_event"
# The longest a callback may take to show on the bus before the round fails.
EVENT_TIMEOUT_S = 10


async def bench_callback_event(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    bench: Record,
) -> None:
    """Callback POST to the call event on the bus, against the listing's round trip."""
    sim = await make_simulator(1)
    (extension,) = extension_numbers(1)
    client = await async_serve_http(hass, hass_client_no_auth)
    await async_add_entry(hass, sim.url, push=True)
    sim.block_callbacks()
    session = async_get_clientsession(hass)
    token = await async_fetch_token(session, sim.url)
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    # The call event awaited: one call rings at a time (its id in a callback
    # may differ from the listing's, so the event is known by its type).
    waiting: list[asyncio.Future[float]] = []

    @callback
    def _on_event(event: Event[Any]) -> None:
        if event.data.get("type") != "incoming_call" or not waiting:
            return
        if not waiting[0].done():
            waiting[0].set_result(time.perf_counter())

    unsub = hass.bus.async_listen(EVENT_CALL, _on_event)

    async def to_event() -> float:
        """Ring, POST the dial-in callback, wait for its call event."""
        call_id = await sim.incoming_call(extension, "5551234")
        path, form = held_callback(sim, "dial_in")
        future: asyncio.Future[float] = hass.loop.create_future()
        waiting.append(future)
        start = time.perf_counter()
        resp = await client.post(path, data=form)
        assert resp.status == 200, resp.status
        await resp.read()
        fired = await asyncio.wait_for(future, EVENT_TIMEOUT_S)
        waiting.clear()
        await hass.async_block_till_done(wait_background_tasks=True)
        await sim.hangup_call(call_id)
        path, form = held_callback(sim, "hangup")
        await (await client.post(path, data=form)).read()
        await hass.async_block_till_done(wait_background_tasks=True)
        return fired - start

    async def listing() -> float:
        """The calls listing's round trip through the same session."""
        start = time.perf_counter()
        async with session.get(
            f"{sim.url}{CALLS_PATH}", params={"count": "500"}, headers=headers
        ) as resp:
            assert resp.status == 200, resp.status
            json.loads(await resp.read())
        return time.perf_counter() - start

    events: list[float] = []
    listings: list[float] = []
    gc.collect()
    for _ in range(WARMUP):
        await to_event()
        await listing()
    with profiled("callback_event"):
        for index in range(ROUNDS):
            if index % 2:
                events.append(await to_event())
                listings.append(await listing())
            else:
                listings.append(await listing())
                events.append(await to_event())
    unsub()
    event_median, listing_median = median(events), median(listings)
    event_p95, listing_p95 = percentile(events, 0.95), percentile(listings, 0.95)
    bench(
        "callback_event",
        rounds=ROUNDS,
        event_median_ms=event_median * 1e3,
        event_p95_ms=event_p95 * 1e3,
        listing_median_ms=listing_median * 1e3,
        listing_p95_ms=listing_p95 * 1e3,
        extra_median_ms=(event_median - listing_median) * 1e3,
        extra_p95_ms=(event_p95 - listing_p95) * 1e3,
    )
