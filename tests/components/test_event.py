"""Tests for the call event entity of each extension."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    EXTENSIONS_REFRESH_INTERVAL,
    OFFICE_CALL_STATE,
    async_poll,
    calls_requests,
)
from .push_helpers import (
    KITCHEN_CALL_EVENT,
    OFFICE_CALL_EVENT,
    bus_types,
    fired,
    record_bus_events,
    record_fired,
)

JOHN = {
    "direction": "incoming",
    "remote_number": "5551234",
    "caller_id": "John Doe <5551234>",
    "caller_name": "John Doe",
    "caller_name_source": "pbx",
}


@pytest.mark.platforms(Platform.EVENT)
async def test_event_entities(platform_snapshot: Callable[[], Awaitable[None]]) -> None:
    """The event entities' registry entries and states match the snapshot."""
    await platform_snapshot()


@pytest.mark.usefixtures("push_integration")
async def test_incoming_call_shows_within_one_listing(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A ring callback wakes one listing, which fires `incoming_call` and rings.

    Not the callback itself (anyone with the URL can post one): the listing
    it wakes, sent at once rather than at the next poll.
    """
    requests_when: dict[str, int] = {}

    @callback
    def _note_requests(event: Event[Any]) -> None:
        # How many times the PBX was asked for its calls when the state changed.
        requests_when.setdefault(
            event.data["new_state"].state, calls_requests(simulator)
        )

    async_track_state_change_event(hass, [OFFICE_CALL_STATE], _note_requests)
    states = record_fired(hass, OFFICE_CALL_EVENT)
    polls_before = calls_requests(simulator)

    call_id = await simulator.incoming_call(
        EXT_OFFICE, from_number="5551234", caller_name="John Doe"
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert fired(states) == ["incoming_call"]
    assert {key: states[0].attributes[key] for key in JOHN} == JOHN
    assert states[0].attributes["phone_call_id"] == call_id
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    assert requests_when["ringing"] == polls_before + 1


@pytest.mark.usefixtures("push_integration")
async def test_answered_then_ended(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """An answered call fires `answered`, then `ended` when hung up."""
    states = record_fired(hass, OFFICE_CALL_EVENT)
    call_id = await simulator.incoming_call(
        EXT_OFFICE, from_number="5551234", caller_name="John Doe"
    )

    await simulator.answer_call(call_id)
    assert fired(states) == ["incoming_call", "answered"]
    assert hass.states.get(OFFICE_CALL_STATE).state == "on_call"

    await simulator.hangup_call(call_id)
    assert fired(states) == ["incoming_call", "answered", "ended"]
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    for state in states:
        assert state.attributes["phone_call_id"] == call_id
        assert {key: state.attributes[key] for key in JOHN} == JOHN
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fired(states) == ["incoming_call", "answered", "ended"]


@pytest.fixture
async def ringing(
    hass: HomeAssistant, simulator: VoipNowSimulator, push_integration: MockConfigEntry
) -> tuple[list[State], str]:
    """With push, 5551234 rings the office: the office's events so far, the call."""
    states = record_fired(hass, OFFICE_CALL_EVENT)
    call_id = await simulator.incoming_call(EXT_OFFICE, from_number="5551234")
    await hass.async_block_till_done(wait_background_tasks=True)
    return states, call_id


async def test_ring_then_hangup_is_missed(
    hass: HomeAssistant, simulator: VoipNowSimulator, ringing: tuple[list[State], str]
) -> None:
    """A call hung up while it rang fires `missed`."""
    states, call_id = ringing

    await simulator.hangup_call(call_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert fired(states) == ["incoming_call", "missed"]
    assert states[1].attributes["phone_call_id"] == call_id
    assert states[1].attributes["remote_number"] == "5551234"
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"


async def test_ringing_call_transferred_away_is_ended_not_missed(
    hass: HomeAssistant, simulator: VoipNowSimulator, ringing: tuple[list[State], str]
) -> None:
    """A ringing call Home Assistant transfers elsewhere ends; it was not missed."""
    states, call_id = ringing

    await hass.services.async_call(
        "voipnow",
        "transfer_call",
        {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN},
        blocking=True,
    )
    await simulator.wait_callbacks()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert fired(states) == ["incoming_call", "ended"]
    assert states[1].attributes["phone_call_id"] == call_id
    assert simulator.get_call(call_id).view_of(EXT_KITCHEN) is not None


@pytest.mark.usefixtures("push_integration")
async def test_outgoing_call(hass: HomeAssistant, simulator: VoipNowSimulator) -> None:
    """A call the extension places fires `outgoing_call`, then `ended`."""
    states = record_fired(hass, OFFICE_CALL_EVENT)

    call_id = await simulator.outgoing_call(EXT_OFFICE, "5559876")
    await hass.async_block_till_done(wait_background_tasks=True)

    assert fired(states) == ["outgoing_call"]
    assert states[0].attributes["phone_call_id"] == call_id
    assert states[0].attributes["direction"] == "outgoing"
    assert states[0].attributes["remote_number"] == "5559876"
    assert hass.states.get(OFFICE_CALL_STATE).state == "dialing"
    await hass.async_block_till_done(wait_background_tasks=True)

    await simulator.hangup_call(call_id)
    # The hangup callback asks for a listing, which confirms the end.
    await hass.async_block_till_done(wait_background_tasks=True)

    assert fired(states) == ["outgoing_call", "ended"]
    assert states[1].attributes["direction"] == "outgoing"
    # Nobody answered: the caller gave up (CANCEL in the hangup callback).
    assert states[1].attributes["outcome"] == "cancelled"


@pytest.mark.usefixtures("push_integration")
async def test_call_events_on_the_bus(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Each call event is also a `voipnow_call_event` naming entry, device and extension."""
    events = record_bus_events(hass)
    call_id = await simulator.incoming_call(
        EXT_OFFICE, from_number="5551234", caller_name="John Doe"
    )
    await simulator.answer_call(call_id)
    await simulator.hangup_call(call_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    first_seen = events[0]["first_seen"]
    office = er.async_get(hass).async_get(OFFICE_CALL_EVENT)
    assert office is not None
    assert events == [
        {
            "config_entry_id": "01JVOIPNOWPUSHENTRY0000000",
            "device_id": office.device_id,
            "extension": EXT_OFFICE,
            "type": kind,
            "phone_call_id": call_id,
            **JOHN,
            "first_seen": first_seen,
            "number_kind": "unknown",
            **extra,
        }
        for kind, extra in (
            ("incoming_call", {}),
            ("answered", {}),
            ("ended", {"outcome": "answered"}),
        )
    ]
    # When Home Assistant first heard of the call, for every event of it.
    assert abs(datetime.fromisoformat(first_seen) - dt_util.utcnow()) < timedelta(
        seconds=5
    )


@pytest.mark.usefixtures("push_integration")
async def test_each_extension_fires_its_own_events(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A call between two extensions is outgoing for one, incoming for the other."""
    office = record_fired(hass, OFFICE_CALL_EVENT)
    kitchen = record_fired(hass, KITCHEN_CALL_EVENT)
    events = record_bus_events(hass)

    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await simulator.hangup_call(call_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert fired(office) == ["outgoing_call", "ended"]
    assert fired(kitchen) == ["incoming_call", "missed"]
    assert kitchen[0].attributes["remote_number"] == EXT_OFFICE
    assert bus_types(events, EXT_OFFICE) == ["outgoing_call", "ended"]
    assert bus_types(events, EXT_KITCHEN) == ["incoming_call", "missed"]


@pytest.mark.usefixtures("init_integration")
async def test_events_from_polling_without_push(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """With push turned off, polling fires the same events."""
    states = record_fired(hass, OFFICE_CALL_EVENT)
    assert hass.states.get(OFFICE_CALL_EVENT).state == STATE_UNKNOWN
    call_id = await simulator.incoming_call(
        EXT_OFFICE, from_number="5551234", caller_name="John Doe"
    )
    assert fired(states) == []

    await async_poll(hass, freezer)
    assert fired(states) == ["incoming_call"]
    assert {key: states[0].attributes[key] for key in JOHN} == JOHN

    await simulator.hangup_call(call_id)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)

    assert fired(states) == ["incoming_call", "missed"]


@pytest.mark.usefixtures("init_integration")
async def test_call_of_extension_removed_during_outage(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: VoipNowSimulator
) -> None:
    """A call of an extension removed while the PBX was away ends on the bus only."""
    events = record_bus_events(hass)
    kitchen = record_fired(hass, KITCHEN_CALL_EVENT)
    call_id = await simulator.incoming_call(EXT_KITCHEN)
    await async_poll(hass, freezer)
    assert fired(kitchen) == ["incoming_call"]

    await simulator.go_offline()
    await simulator.hangup_call(call_id)
    simulator.remove_extension(EXT_KITCHEN)
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)
    await simulator.go_online()
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)
    # The device goes once two listings in a row lack the extension.
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)

    assert bus_types(events) == ["incoming_call", "missed"]
    assert fired(kitchen) == ["incoming_call"]
    assert hass.states.get(KITCHEN_CALL_EVENT) is None
