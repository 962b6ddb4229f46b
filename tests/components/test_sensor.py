"""Tests for the call-state sensor of each extension."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, Platform
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    GARAGE_CALL_STATE,
    KITCHEN_CALL_STATE,
    OFFICE_CALL_STATE,
    async_poll,
)

pytestmark = pytest.mark.platforms(Platform.SENSOR)


async def test_sensors(platform_snapshot: Callable[[], Awaitable[None]]) -> None:
    """The sensors' registry entries and states match the snapshot."""
    await platform_snapshot()


async def test_incoming_call_lifecycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """An incoming call rings, is answered, held, resumed and hung up."""
    call_id = await simulator.incoming_call(
        EXT_OFFICE, from_number="5551234", caller_name="John Doe"
    )
    await async_poll(hass, freezer)

    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "ringing"
    assert state.attributes["direction"] == "incoming"
    assert state.attributes["remote_number"] == "5551234"
    assert state.attributes["caller_id"] == "John Doe <5551234>"
    assert state.attributes["answered"] is False
    assert state.attributes["phone_call_id"] == call_id
    assert state.attributes["call_count"] == 1
    assert hass.states.get(KITCHEN_CALL_STATE).state == "idle"

    await simulator.answer_call(call_id)
    await async_poll(hass, freezer)
    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "on_call"
    assert state.attributes["answered"] is True

    for change, expected in (
        (simulator.hold_call, "on_hold"),
        (simulator.unhold_call, "on_call"),
    ):
        await change(call_id, EXT_OFFICE)
        await async_poll(hass, freezer)
        assert hass.states.get(OFFICE_CALL_STATE).state == expected

    await simulator.hangup_call(call_id)
    await async_poll(hass, freezer)
    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "idle"
    assert state.attributes["phone_call_id"] is None
    assert state.attributes["direction"] is None
    assert state.attributes["answered"] is False
    assert state.attributes["call_count"] == 0


async def test_outgoing_call(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """An outgoing call is dialing until the other side answers."""
    call_id = await simulator.outgoing_call(EXT_OFFICE, "5559876")
    await async_poll(hass, freezer)

    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "dialing"
    assert state.attributes["direction"] == "outgoing"
    assert state.attributes["remote_number"] == "5559876"
    assert state.attributes["answered"] is False
    assert state.attributes["phone_call_id"] == call_id

    await simulator.answer_call(call_id)
    await async_poll(hass, freezer)

    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "on_call"
    assert state.attributes["direction"] == "outgoing"
    assert state.attributes["answered"] is True


async def test_local_call_between_extensions(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A call from one extension to another: the caller dials, the callee rings."""
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await async_poll(hass, freezer)

    office = hass.states.get(OFFICE_CALL_STATE)
    kitchen = hass.states.get(KITCHEN_CALL_STATE)
    assert office.state == "dialing"
    assert office.attributes["direction"] == "outgoing"
    assert office.attributes["remote_number"] == EXT_KITCHEN
    assert kitchen.state == "ringing"
    assert kitchen.attributes["direction"] == "incoming"
    assert kitchen.attributes["remote_number"] == EXT_OFFICE
    assert office.attributes["phone_call_id"] == call_id
    assert kitchen.attributes["phone_call_id"] == call_id
    assert hass.states.get(GARAGE_CALL_STATE).state == "idle"

    await simulator.answer_call(call_id)
    await async_poll(hass, freezer)

    assert hass.states.get(OFFICE_CALL_STATE).state == "on_call"
    assert hass.states.get(KITCHEN_CALL_STATE).state == "on_call"


@pytest.fixture
async def two_calls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> tuple[str, str]:
    """The office answered a call from 5551111; 5552222 rings it too. Polled."""
    first = await simulator.incoming_call(EXT_OFFICE, from_number="5551111")
    await simulator.answer_call(first)
    second = await simulator.incoming_call(EXT_OFFICE, from_number="5552222")
    await async_poll(hass, freezer)
    return first, second


async def test_most_advanced_of_two_calls_wins(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    two_calls: tuple[str, str],
) -> None:
    """With two calls the sensor shows the most advanced one and counts both."""
    first, second = two_calls
    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "on_call"
    assert state.attributes["phone_call_id"] == first
    assert state.attributes["remote_number"] == "5551111"
    assert state.attributes["call_count"] == 2

    # A call on hold still ranks above one that is ringing.
    await simulator.hold_call(first, EXT_OFFICE)
    await async_poll(hass, freezer)
    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "on_hold"
    assert state.attributes["call_count"] == 2

    await simulator.hangup_call(first)
    await async_poll(hass, freezer)
    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state == "ringing"
    assert state.attributes["phone_call_id"] == second
    assert state.attributes["call_count"] == 1


async def test_unchanged_extension_writes_no_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A poll where only one extension changed writes only that one's sensor."""
    changed: list[str] = []

    @callback
    def _record(event: Event[EventStateChangedData]) -> None:
        changed.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, _record)
    kitchen_reported = hass.states.get(KITCHEN_CALL_STATE).last_reported

    await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer)

    assert changed == [OFFICE_CALL_STATE]
    # Not even rewritten with the same value.
    assert hass.states.get(KITCHEN_CALL_STATE).last_reported == kitchen_reported

    changed.clear()
    await async_poll(hass, freezer)
    assert changed == []


async def test_change_behind_the_leading_call_writes_no_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    two_calls: tuple[str, str],
) -> None:
    """A change to a call the sensor does not show leaves its state unwritten."""
    first, second = two_calls
    reported = hass.states.get(OFFICE_CALL_STATE).last_reported

    # The second call is answered too; the first one still leads.
    await simulator.answer_call(second)
    await async_poll(hass, freezer)

    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.attributes["phone_call_id"] == first
    assert state.last_reported == reported
