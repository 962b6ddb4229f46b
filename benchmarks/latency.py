"""A push's way to its call event, against the calls listing's own round trip.

Shared by the callback's figure (`bench_callback.py`) and the notification
socket's (`bench_socket.py`): a push only wakes a listing, so the time from
the push to the `incoming_call` event on the bus holds one listing. The
baseline is that listing's own round trip: a GET of the calls listing through
Home Assistant's shared session with a token of the same App, the answer read
and decoded as JSON (the integration must decode a listing). The two are
measured in alternation, each going first every other round; the figure is
the difference of the medians, and of the p95s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import gc
import json
import time
from typing import Any

import aiohttp
from homeassistant.core import Event, HomeAssistant, callback

from custom_components.voipnow.api.const import CALLS_PAGE_SIZE

from .harness import CALLS_PATH
from .measure import median, percentile, profiled

EVENT_CALL = "voipnow_call_event"
# The longest a push may take to show on the bus before the round fails.
EVENT_TIMEOUT_S = 10


class IncomingCallEvents:
    """The `incoming_call` events on the bus, awaited one ringing call at a time.

    A call's id in a push may differ from the listing's: the event is known
    by its type.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Listen to the bus."""
        self._hass = hass
        self._waiting: list[asyncio.Future[float]] = []
        self._unsub = hass.bus.async_listen(EVENT_CALL, self._on_event)

    @callback
    def _on_event(self, event: Event[Any]) -> None:
        if event.data.get("type") != "incoming_call" or not self._waiting:
            return
        if not self._waiting[0].done():
            self._waiting[0].set_result(time.perf_counter())

    def expect(self) -> asyncio.Future[float]:
        """Return a future of the next event's `perf_counter` (set before the push)."""
        future: asyncio.Future[float] = self._hass.loop.create_future()
        self._waiting[:] = [future]
        return future

    async def arrival(self, future: asyncio.Future[float]) -> float:
        """Wait for the expected event; return when it was on the bus."""
        try:
            return await asyncio.wait_for(future, EVENT_TIMEOUT_S)
        finally:
            self._waiting.clear()

    def close(self) -> None:
        """Stop listening."""
        self._unsub()


def listing_round_trip(
    session: aiohttp.ClientSession, url: str, token: str
) -> Callable[[], Awaitable[float]]:
    """Return a measurement of the calls listing's round trip through `session`."""
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}

    async def listing() -> float:
        start = time.perf_counter()
        async with session.get(
            f"{url}{CALLS_PATH}",
            params={"count": str(CALLS_PAGE_SIZE)},
            headers=headers,
        ) as resp:
            assert resp.status == 200, resp.status
            json.loads(await resp.read())
        return time.perf_counter() - start

    return listing


async def against_listing(
    name: str,
    to_event: Callable[[], Awaitable[float]],
    listing: Callable[[], Awaitable[float]],
    *,
    warmup: int,
    rounds: int,
) -> dict[str, float]:
    """Measure a push to its event and the listing in alternation; return the figures."""
    events: list[float] = []
    listings: list[float] = []
    gc.collect()
    for _ in range(warmup):
        await to_event()
        await listing()
    with profiled(name):
        for index in range(rounds):
            if index % 2:
                events.append(await to_event())
                listings.append(await listing())
            else:
                listings.append(await listing())
                events.append(await to_event())
    event_median, listing_median = median(events), median(listings)
    event_p95, listing_p95 = percentile(events, 0.95), percentile(listings, 0.95)
    return {
        "rounds": rounds,
        "event_median_ms": event_median * 1e3,
        "event_p95_ms": event_p95 * 1e3,
        "listing_median_ms": listing_median * 1e3,
        "listing_p95_ms": listing_p95 * 1e3,
        "extra_median_ms": (event_median - listing_median) * 1e3,
        "extra_p95_ms": (event_p95 - listing_p95) * 1e3,
    }
