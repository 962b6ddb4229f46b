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

import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .harness import (
    MakeSimulator,
    Record,
    async_add_entry,
    async_fetch_token,
    async_serve_http,
    extension_numbers,
    held_callback,
)
from .latency import IncomingCallEvents, against_listing, listing_round_trip
from .measure import rounds

WARMUP = rounds(10, 5)
ROUNDS = rounds(200, 60)


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
    events = IncomingCallEvents(hass)

    async def to_event() -> float:
        """Ring, POST the dial-in callback, wait for its call event."""
        call_id = await sim.incoming_call(extension, "5551234")
        path, form = held_callback(sim, "dial_in")
        future = events.expect()
        start = time.perf_counter()
        resp = await client.post(path, data=form)
        assert resp.status == 200, resp.status
        await resp.read()
        fired = await events.arrival(future)
        await hass.async_block_till_done(wait_background_tasks=True)
        await sim.hangup_call(call_id)
        path, form = held_callback(sim, "hangup")
        await (await client.post(path, data=form)).read()
        await hass.async_block_till_done(wait_background_tasks=True)
        return fired - start

    figures = await against_listing(
        "callback_event",
        to_event,
        listing_round_trip(session, sim.url, token),
        warmup=WARMUP,
        rounds=ROUNDS,
    )
    events.close()
    bench("callback_event", **figures)
