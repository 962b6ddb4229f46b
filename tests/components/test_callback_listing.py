"""A callback only wakes a listing: what Home Assistant shows is what the PBX lists.

Whoever has the webhook URL (it shows on the extension's Call Events page)
can post to it. These tests post what such a person could, over HTTP, and
check that nothing a user sees changes until the PBX lists it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import time
from typing import NamedTuple

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.listing_gate import BURST
from custom_components.voipnow.push import UNHERALDED_CALLS
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import OFFICE_CALL_STATE, async_poll, calls_requests
from .push_helpers import (
    OFFICE_CALL_EVENT,
    async_answer_and_hang_up,
    async_settle,
    async_setup_push,
    bus_types,
    fired,
    push_entry,
    record_bus_events,
    record_fired,
    webhook_target,
)

OFFICE_MISSED = "sensor.extension_0003_210_missed_calls"
FORGED_RING = {
    "CallID": "forged-1",
    "CallerIDNum": "+19005550100",
    "CallerIDName": "Your Bank",
    "CalledExtension": EXT_OFFICE,
    "CallFlow": "IN",
    "CallStatus": "CALLING",
}


class Push(NamedTuple):
    """A push entry and an HTTP client posing as the PBX (or whoever has the URL)."""

    entry: MockConfigEntry
    http: TestClient


@pytest.fixture
async def push(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> Push:
    """Set up push."""
    entry = push_entry(simulator)
    return Push(entry, await async_setup_push(hass, hass_client_no_auth, entry))


def bare_webhook(simulator: VoipNowSimulator) -> str:
    """The webhook's path without the subscription's query."""
    return URL(webhook_target(simulator, EXT_OFFICE, 0)).path


@pytest.mark.parametrize("bare", [False, True], ids=["subscribed_url", "bare_url"])
async def test_forged_ring_shows_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    push: Push,
    bare: bool,
) -> None:
    """A ring no listing shows: no event, no ringing, no badge, push not proven."""
    events = record_bus_events(hass)
    url = bare_webhook(simulator) if bare else webhook_target(simulator, EXT_OFFICE, 0)
    polls = calls_requests(simulator)

    for kind in ("CALLING", "CANCEL"):
        response = await push.http.post(url, data={**FORGED_RING, "CallStatus": kind})
        assert response.status == 200
    await async_settle(hass)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)

    # Each callback asked for a listing; the listings showed nothing.
    assert calls_requests(simulator) >= polls + 2
    assert events == []
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    assert hass.states.get(OFFICE_MISSED).state == "0"
    push = push.entry.runtime_data.calls.push
    assert push.as_diagnostics()["callbacks_received"] == 2
    assert push.as_diagnostics()["callbacks_confirmed"] == 0
    assert not push.working
    # Polling keeps its pace: forged callbacks do not slow it down.
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls + 1


async def test_bare_url_callbacks_drive_the_calls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    push: Push,
) -> None:
    """A PBX that drops the URL's query: each callback still wakes the listing."""
    simulator.callback_query = "dropped"
    events = record_bus_events(hass)
    states = record_fired(hass, OFFICE_CALL_EVENT)

    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    assert all("?" not in sent.url for sent in simulator.callbacks_sent)
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    seen = await async_answer_and_hang_up(hass, simulator, call_id)
    assert seen == ["on_call", "idle"]

    assert bus_types(events) == ["incoming_call", "answered", "ended"]
    assert fired(states) == ["incoming_call", "answered", "ended"]
    assert states[-1].attributes["outcome"] == "answered"
    # Confirmed by the listings: push works, polling slows down.
    assert push.entry.runtime_data.calls.push.working
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls


async def test_forged_hangup_cannot_answer_a_missed_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, push: Push
) -> None:
    """ANSWER in a hangup naming another id: the call is still missed."""
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    events = record_bus_events(hass)
    simulator.block_callbacks()

    for forged in ({"CallID": "guessed"}, {}):
        await push.http.post(
            webhook_target(simulator, EXT_OFFICE, 2),
            data={**forged, "CallStatus": "ANSWER", "CallFlow": "IN"},
        )
    await async_settle(hass)
    assert events == []
    await simulator.hangup_call(call_id, "NOANSWER")
    await push.entry.runtime_data.calls.async_refresh()
    await async_settle(hass)

    assert [(e["type"], e.get("outcome")) for e in events] == [("missed", "unknown")]


async def test_hangup_naming_the_listed_id_tells_the_outcome(
    hass: HomeAssistant, simulator: VoipNowSimulator, push: Push
) -> None:
    """The PBX's own hangup, with the id the listing gave: `busy`."""
    events = record_bus_events(hass)
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)

    await simulator.hangup_call(call_id, "BUSY")
    await async_settle(hass)

    assert [(e["type"], e.get("outcome")) for e in events] == [
        ("incoming_call", None),
        ("missed", "busy"),
    ]


async def test_a_flood_is_held_to_about_one_listing_a_second(
    hass: HomeAssistant, simulator: VoipNowSimulator, push: Push
) -> None:
    """Forged callbacks one after the other: a burst, then about one a second.

    Each is posted once the listing the one before woke is done, so
    coalescing alone would send one listing per callback.
    """
    events = record_bus_events(hass)
    polls = calls_requests(simulator)
    target = webhook_target(simulator, EXT_OFFICE, 0)
    started = time.monotonic()

    for number in range(60):
        response = await push.http.post(
            target, data={**FORGED_RING, "CallID": f"f{number}"}
        )
        assert response.status == 200
        await async_settle(hass)

    elapsed = time.monotonic() - started
    assert BURST <= 10
    assert calls_requests(simulator) - polls <= BURST + elapsed + 1
    # The last one waits for one more listing, a second later.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1.1))
    await async_settle(hass)
    assert calls_requests(simulator) - polls <= BURST + elapsed + 2
    assert events == []


async def test_concurrent_callbacks_share_listings(
    hass: HomeAssistant, simulator: VoipNowSimulator, push: Push
) -> None:
    """200 callbacks at once: one listing runs, one waits, all are answered 200."""
    polls = calls_requests(simulator)
    target = webhook_target(simulator, EXT_OFFICE, 0)

    statuses = await asyncio.gather(
        *(
            push.http.post(target, data={**FORGED_RING, "CallID": f"f{n}"})
            for n in range(200)
        )
    )
    await async_settle(hass)

    assert {response.status for response in statuses} == {200}
    assert calls_requests(simulator) - polls <= BURST


async def test_real_calls_are_never_held_by_the_gate(
    hass: HomeAssistant, simulator: VoipNowSimulator, push: Push
) -> None:
    """Confirmed callbacks give their token back: many real calls, each at once."""
    events = record_bus_events(hass)

    for number in range(BURST * 3):
        extension = (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE)[number % 3]
        call_id = await simulator.incoming_call(extension, f"555{number:04d}")
        await async_settle(hass)
        await simulator.hangup_call(call_id)
        await async_settle(hass)

    assert bus_types(events).count("incoming_call") == BURST * 3
    assert bus_types(events).count("missed") == BURST * 3


async def test_forged_callbacks_do_not_clear_the_repair_issue(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    issue_registry: ir.IssueRegistry,
    push: Push,
) -> None:
    """Push said not to arrive stays so until a listing confirms a callback."""
    simulator.block_callbacks()
    calls = push.entry.runtime_data.calls
    for number in range(UNHERALDED_CALLS):
        call_id = await simulator.incoming_call((EXT_OFFICE, EXT_KITCHEN)[number % 2])
        await calls.async_refresh()
        await simulator.hangup_call(call_id)
        await calls.async_refresh()
    await async_settle(hass)
    issue_id = f"callbacks_not_arriving_{push.entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    await push.http.post(webhook_target(simulator, EXT_OFFICE, 0), data=FORGED_RING)
    await async_settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    simulator.block_callbacks(False)
    await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_request_listing_for_other_push(
    hass: HomeAssistant, simulator: VoipNowSimulator, push: Push
) -> None:
    """`request_listing(source=...)` is the one way to wake a listing (a socket too)."""
    simulator.block_callbacks()
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    polls = calls_requests(simulator)

    push.entry.runtime_data.calls.request_listing(source="socket")
    push.entry.runtime_data.calls.request_listing(source="socket")
    await async_settle(hass)

    assert 1 <= calls_requests(simulator) - polls <= 2
    assert bus_types(events) == ["incoming_call"]
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"


async def test_unloading_drops_a_waiting_listing(
    hass: HomeAssistant, simulator: VoipNowSimulator, push: Push
) -> None:
    """A listing held back by the gate is not sent after the entry unloads."""
    target = webhook_target(simulator, EXT_OFFICE, 0)
    for number in range(BURST + 3):
        await push.http.post(target, data={**FORGED_RING, "CallID": f"f{number}"})
    await async_settle(hass)
    assert await hass.config_entries.async_unload(push.entry.entry_id)
    polls = calls_requests(simulator)

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))
    await async_settle(hass)

    assert calls_requests(simulator) == polls
