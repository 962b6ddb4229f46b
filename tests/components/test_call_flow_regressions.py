"""What the call flow model (test_call_flow_model.py) found, one test each.

Each test is the shrunk sequence of rules that failed, written out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.voipnow.const import DOMAIN
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import async_ring
from .push_helpers import OFFICE_CALL_EVENT, async_settle, record_bus_events

OFFICE_MISSED = "sensor.extension_0003_210_missed_calls"
KITCHEN_MISSED = "sensor.extension_0003_211_missed_calls"
GARAGE_MISSED = "sensor.extension_0003_212_missed_calls"
# The call records are read once a burst of ended calls is over (15 s).
CDR_READ_AFTER_A_CALL = timedelta(seconds=20)


async def _async_reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Reload the entry and wait for its first listing."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await async_settle(hass)
    assert entry.state is ConfigEntryState.LOADED


async def test_a_call_that_ends_during_a_reload_still_ends(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
) -> None:
    """Seen ringing, hung up unseen (callback lost), then the entry reloads: `missed`.

    The model: ring_in, callbacks_lost, hang_up, reload. The reloaded entry
    used to start from nothing, so the call's end was never told.
    """
    events = record_bus_events(hass)
    call_id = await async_ring(hass, simulator, push_integration)
    simulator.block_callbacks()
    await simulator.hangup_call(call_id, "NOANSWER")

    await _async_reload(hass, push_integration)

    assert [(e["type"], e["phone_call_id"]) for e in events] == [
        ("incoming_call", call_id),
        ("missed", call_id),
    ]
    assert events[-1]["outcome"] == "unknown"
    # The reloaded entities and the badge heard it too.
    assert hass.states.get(OFFICE_CALL_EVENT).attributes["event_type"] == "missed"
    assert hass.states.get(OFFICE_MISSED).state == "1"


async def test_a_call_that_rings_during_a_reload_is_announced(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
) -> None:
    """A call that began while the entry reloaded is new to it: `incoming_call` once."""
    events = record_bus_events(hass)
    first = await async_ring(hass, simulator, push_integration)
    simulator.block_callbacks()
    second = await simulator.incoming_call(EXT_OFFICE, "5550000")

    await _async_reload(hass, push_integration)

    assert [(e["type"], e["phone_call_id"]) for e in events] == [
        ("incoming_call", first),
        ("incoming_call", second),
    ]


async def test_a_call_home_assistant_transfers_is_not_missed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
) -> None:
    """Ringing, sent elsewhere by `voipnow.transfer_call`: no missed call counted.

    The model: ring_in, ha_action (transfer). The event said `ended`, but the
    badge read the outcome (`cancelled`) and counted the call as missed.
    """
    events = record_bus_events(hass)
    call_id = await async_ring(hass, simulator, push_integration)

    await hass.services.async_call(
        DOMAIN,
        "transfer_call",
        {
            "extension": EXT_OFFICE,
            "phone_call_id": call_id,
            "send_call_to": EXT_KITCHEN,
        },
        blocking=True,
    )
    await async_settle(hass)

    assert sorted((e["extension"], e["type"]) for e in events) == [
        (EXT_OFFICE, "ended"),
        (EXT_OFFICE, "incoming_call"),
        (EXT_KITCHEN, "incoming_call"),
    ]
    # The PBX said how the Office's leg ended (CANCEL): still not missed.
    [ended] = [event for event in events if event["type"] == "ended"]
    assert ended["outcome"] == "cancelled"
    # Nor once the call ends and the call records are read.
    await simulator.hangup_call(call_id)
    await async_settle(hass)
    freezer.tick(CDR_READ_AFTER_A_CALL)
    async_fire_time_changed(hass)
    await async_settle(hass)
    assert simulator.api_requests("GET", "/uapi/cdr/")
    assert hass.states.get(OFFICE_MISSED).state == "0"
    # Nor after a reload, which reads the call records again.
    simulator.clear_requests()
    await _async_reload(hass, push_integration)
    assert simulator.api_requests("GET", "/uapi/cdr/")
    assert hass.states.get(OFFICE_MISSED).state == "0"
    # The Kitchen really missed it.
    assert hass.states.get(KITCHEN_MISSED).state == "1"
    assert hass.states.get(OFFICE_MISSED).state == "0"


async def test_a_call_that_ended_for_an_extension_is_not_missed_from_another_leg(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
) -> None:
    """Rung unseen, then made the caller of the next leg: `ended`, and no missed call.

    The model: api_goes_down, dial_out (Office to Garage), api_comes_back,
    pbx_transfer (the Office leaves for the Kitchen), hang_up, reload. Home
    Assistant first saw the Garage calling the Kitchen: its event said
    `ended` (outgoing), but the call records' other view of the Garage (the
    Office's unanswered leg, incoming) counted the call as missed.
    """
    events = record_bus_events(hass)
    await simulator.go_offline()
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_GARAGE)
    await async_settle(hass)
    await simulator.go_online()
    await simulator.transfer_call(call_id, EXT_KITCHEN, EXT_OFFICE)
    await async_settle(hass)
    await simulator.hangup_call(call_id)
    await async_settle(hass)
    freezer.tick(CDR_READ_AFTER_A_CALL)
    async_fire_time_changed(hass)
    await async_settle(hass)

    garage = [e["type"] for e in events if e["extension"] == EXT_GARAGE]
    assert garage == ["outgoing_call", "ended"]
    assert simulator.api_requests("GET", "/uapi/cdr/")
    assert hass.states.get(GARAGE_MISSED).state == "0"
    # Nor after a reload, which reads the call records again.
    await _async_reload(hass, push_integration)
    assert hass.states.get(GARAGE_MISSED).state == "0"
    # The Kitchen really missed it.
    assert hass.states.get(KITCHEN_MISSED).state == "1"


async def _async_miss_a_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """Ring the Office; the caller gives up; Home Assistant counts it missed."""
    call_id = await async_ring(hass, simulator, entry)
    await simulator.hangup_call(call_id, "NOANSWER")
    await async_settle(hass)
    assert hass.states.get(OFFICE_MISSED).state == "1"


async def test_a_removed_entry_leaves_no_history(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    simulator: VoipNowSimulator,
    push_integration: MockConfigEntry,
) -> None:
    """Removed right after a missed call: the pending write does not bring its file back.

    The model removes its entry after each example and sets up the next with
    the same entry id: a missed-call badge of the example before showed up.
    The history is now written when the entry unloads (a reload also reads
    back what it has just counted).
    """
    key = f"{DOMAIN}.history.{push_integration.entry_id}"
    await _async_miss_a_call(hass, simulator, push_integration)

    await hass.config_entries.async_remove(push_integration.entry_id)
    await async_settle(hass)
    freezer.tick(timedelta(seconds=10))
    async_fire_time_changed(hass)
    await async_settle(hass)

    assert key not in hass_storage
