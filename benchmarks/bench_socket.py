"""Push over VoipNow's notification socket (#22): latency, and a flood of odd messages.

- Notification to call event: a call rings on the PBX without a word (the
  simulator's socket is silent for it); then the PBX sends the documented
  notification of that ring, and the time runs until the `incoming_call`
  event of the call is on the bus. A message only wakes a listing: the
  baseline is that listing's own round trip, measured in alternation
  (`latency.py`, shared with the callback's figure). The simulator runs on
  Home Assistant's loop (its work is in both timings).
- Flood: 1,000 messages of random shape on the open socket (documented ones
  about real and invented calls, unknown events, JSON of other shapes, text
  that is not JSON, binary frames, huge ones, and a last one over the
  integration's size cap, which drops the connection: it reconnects). Counted:
  the calls listings they cost, against the listing gate's bound (a burst,
  then about one a second while they last), and every call event and state
  written meanwhile: only a call that really rang on the PBX during the flood
  may show, once a listing confirms it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import random
import time
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from voipnow_simulator import VoipNowSimulator

from .harness import (
    CALLS_PATH,
    MakeSimulator,
    Record,
    async_fetch_token,
    entity_id,
    extension_numbers,
    make_entry,
)
from .latency import EVENT_CALL, IncomingCallEvents, against_listing, listing_round_trip
from .measure import rounds

WARMUP = rounds(10, 5)
ROUNDS = rounds(200, 60)
MESSAGES = 1000
# The integration's cap on one message is 64 KiB (a notification of a call
# needs far less): huge ones stay under it, the last one is far over it.
HUGE_BYTES = 60_000
OVER_CAP_BYTES = 1_000_000
# The longest a condition may take to hold (real I/O on the loop).
WAIT_S = 30


async def _until(hass: HomeAssistant, condition: Callable[[], bool]) -> None:
    """Let the loop run (real sockets) until the condition holds."""
    async with asyncio.timeout(WAIT_S):
        while not condition():  # noqa: ASYNC110 - real I/O, no event to await
            await asyncio.sleep(0.001)
    await hass.async_block_till_done()


async def _socket_entry(hass: HomeAssistant, sim: VoipNowSimulator) -> MockConfigEntry:
    """Set up an entry pushed by the socket alone, and wait until it is open.

    No HTTP server and no URL: nothing of Home Assistant is exposed. The
    socket is kept by a background task that lives as long as the entry:
    Home Assistant settles without waiting for it.
    """
    entry = make_entry(sim.url, transport="socket")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await _until(hass, lambda: len(sim.notifications.open) == 1)
    return entry


def _listings(sim: VoipNowSimulator) -> int:
    """How many calls listings the PBX has answered."""
    return len(sim.api_requests("GET", CALLS_PATH))


async def bench_socket_event(
    hass: HomeAssistant, make_simulator: MakeSimulator, bench: Record
) -> None:
    """Socket notification to the call event on the bus, against the listing."""
    sim = await make_simulator(1)
    (extension,) = extension_numbers(1)
    entry = await _socket_entry(hass, sim)
    hub = sim.notifications
    session = async_get_clientsession(hass)
    token = await async_fetch_token(session, sim.url)
    events = IncomingCallEvents(hass)
    sensor = entity_id("sensor", extension, "call_state")

    async def to_event() -> float:
        """Ring silently, send the ring's notification, wait for its call event."""
        hub.configure(mode="silent")
        call_id = await sim.incoming_call(extension, "5551234")
        hub.configure(mode="documented")
        future = events.expect()
        start = time.perf_counter()
        hub.on_event(sim.events[-1])
        fired = await events.arrival(future)
        await hass.async_block_till_done()
        # The hangup's own notification wakes the listing that ends the call.
        await sim.hangup_call(call_id)
        await _until(hass, lambda: hass.states.get(sensor).state == "idle")
        return fired - start

    figures = await against_listing(
        "socket_event",
        to_event,
        listing_round_trip(session, sim.url, token),
        warmup=WARMUP,
        rounds=ROUNDS,
    )
    events.close()
    assert await hass.config_entries.async_unload(entry.entry_id)
    bench("socket_event", **figures)


def _shapes(
    rng: random.Random, extensions: list[str], call_id: str
) -> list[tuple[Any, bool]]:
    """Return MESSAGES messages of random shape: (message, sent as binary)."""

    def envelope(content: Any, kind: Any = "") -> dict[str, Any]:
        return {
            "timestamp": int(time.time() * 1e6),
            "class": kind,
            "content": content,
        }

    makers: list[Callable[[], tuple[Any, bool]]] = [
        # Documented, about the real call (its hangup, forged) or invented calls.
        lambda: (
            envelope(
                {
                    "extension": rng.choice(extensions),
                    "callId": rng.choice([call_id, f"forged-{rng.randrange(10**6)}"]),
                    "type": rng.randrange(5),
                }
            ),
            False,
        ),
        # Unknown events and classes.
        lambda: (
            envelope({"event": rng.choice(["presence", "fax", "chat"])}, "Unknown"),
            False,
        ),
        # JSON of other shapes.
        lambda: (
            rng.choice([[], 42, None, "ringing", {"unexpected": True}, {"class": 7}]),
            False,
        ),
        # Not JSON: text, a cut envelope, and binary frames.
        lambda: ("call changed, not JSON {", False),
        lambda: (json.dumps(envelope({"type": 0}))[:-3], False),
        lambda: (envelope({"type": 0}), True),
        # Deeply nested.
        lambda: ("[" * 5000 + "]" * 5000, False),
        # Huge, under the cap.
        lambda: (envelope({"padding": "x" * rng.randrange(1000, HUGE_BYTES)}), False),
    ]
    shapes = [rng.choice(makers)() for _ in range(MESSAGES - 1)]
    # The last one is over the cap: the integration drops the connection.
    shapes.append((envelope({"padding": "x" * OVER_CAP_BYTES}), False))
    return shapes


async def bench_socket_flood(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    hass_client: ClientSessionGenerator,
    bench: Record,
) -> None:
    """1,000 random-shape messages: listings against the gate; nothing unconfirmed."""
    sim = await make_simulator(3)
    first, second, third = extension_numbers(3)
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await _socket_entry(hass, sim)
    client = await hass_client()
    hub = sim.notifications

    async def socket_diagnostics() -> dict[str, Any]:
        resp = await client.get(f"/api/diagnostics/config_entry/{entry.entry_id}")
        assert resp.status == 200, resp.status
        return dict((await resp.json())["data"]["push"]["socket"])

    # A call rings before the flood and is listed (its notification woke it).
    real = await sim.incoming_call(first, "5551234")
    await _until(
        hass,
        lambda: (
            hass.states.get(entity_id("sensor", first, "call_state")).state == "ringing"
        ),
    )
    # From now on the PBX itself says nothing: the flood is all that is sent.
    hub.configure(mode="silent")
    fired: list[tuple[str, str]] = []
    written: list[str] = []

    @callback
    def _on_call_event(event: Event[Any]) -> None:
        fired.append((event.data.get("type", ""), event.data.get("extension", "")))

    @callback
    def _on_state(event: Event[Any]) -> None:
        if event.data["entity_id"].split(".", 1)[1].startswith("extension_"):
            written.append(event.data["entity_id"])

    unsubs = [
        hass.bus.async_listen(EVENT_CALL, _on_call_event),
        hass.bus.async_listen("state_changed", _on_state),
    ]
    received_before = await socket_diagnostics()
    received = _received_of(received_before)
    listings_before = _listings(sim)
    shapes = _shapes(random.Random(22), [first, second, third], real)  # noqa: S311
    rang_at = len(shapes) // 2
    start = time.perf_counter()
    for index, (message, binary) in enumerate(shapes):
        if index == rang_at:
            # A real call rings meanwhile: only listings can tell.
            await sim.incoming_call(second, "5550000")
        if index == len(shapes) - 1:
            # Every other message is read before the one that drops the socket.
            await hub.wait()
            async with asyncio.timeout(WAIT_S):
                while _received_of(await socket_diagnostics()) < received + index:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        hub.send_raw(message, binary=binary)
        if index % 10 == 0:
            # A PBX sends over time: let the loop deliver.
            await asyncio.sleep(0)
    await hub.wait()
    # The last message dropped the socket: it reconnects (after 1 s).
    await _until(hass, lambda: len(hub.accepted) == 2 and len(hub.open) == 1)
    # The request the gate held, if any, is let through within a second.
    await asyncio.sleep(1.1)
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - start
    listings = _listings(sim) - listings_before
    for unsub in unsubs:
        unsub()
    after = await socket_diagnostics()
    ours = f"extension_{second.replace('*', '_')}_"
    second_written = [e for e in written if e.split(".", 1)[1].startswith(ours)]
    bench(
        "socket_flood",
        messages=len(shapes),
        received=_received_of(after) - received,
        ignored_not_json=after["ignored_not_json"]
        - received_before["ignored_not_json"],
        reconnects=after["reconnects"] - received_before["reconnects"],
        seconds=elapsed,
        listings=listings,
        events=[list(item) for item in fired],
        expected_events=[["incoming_call", second]],
        unconfirmed_states=len(written) - len(second_written),
        confirmed_states=len(second_written),
    )
    assert await hass.config_entries.async_unload(entry.entry_id)


def _received_of(socket: dict[str, Any]) -> int:
    """Messages the socket read: JSON or not."""
    return int(socket["messages"]) + int(socket["ignored_not_json"])
