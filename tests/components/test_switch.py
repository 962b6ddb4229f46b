"""Tests for the Recording switch of each extension, against the simulated PBX."""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import patch

from homeassistant.components.switch import (
    DOMAIN as SWITCH_DOMAIN,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.components.test_services import async_active_call, settle
from tests.conftest import EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

OFFICE_RECORDING = "switch.extension_0003_210_recording"


@pytest.fixture(autouse=True)
def switch_platform_only() -> Generator[None]:
    """Load the switch platform only."""
    with patch("custom_components.voipnow.PLATFORMS", [Platform.SWITCH]):
        yield


async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """The switches' registry entries and states match the snapshot."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def _switch(hass: HomeAssistant, service: str) -> None:
    """Turn the office's Recording switch on or off, as the UI does."""
    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: OFFICE_RECORDING}, blocking=True
    )


@pytest.mark.parametrize("lists_dates", [True, False])
async def test_start_and_stop_recording(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    lists_dates: bool,
) -> None:
    """On starts, off stops; on stays on where the listing carries no dates."""
    simulator.lists_recording = lists_dates
    await settle(hass)
    assert hass.states.get(OFFICE_RECORDING).state == STATE_UNAVAILABLE
    call_id = await async_active_call(hass, simulator, init_integration)
    assert hass.states.get(OFFICE_RECORDING).state == STATE_OFF
    simulator.clear_requests()

    await _switch(hass, SERVICE_TURN_ON)
    assert hass.states.get(OFFICE_RECORDING).state == STATE_ON
    await init_integration.runtime_data.calls.async_refresh()
    await settle(hass)
    assert hass.states.get(OFFICE_RECORDING).state == STATE_ON

    await _switch(hass, SERVICE_TURN_OFF)
    assert hass.states.get(OFFICE_RECORDING).state == STATE_OFF
    assert [r.json for r in simulator.api_requests("PUT")] == [
        {"action": "StartRecording", "phoneCallViewId": "01", "format": "wav"},
        {"action": "StopRecording", "phoneCallViewId": "01"},
    ]
    assert all(
        r.path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"
        for r in simulator.api_requests("PUT")
    )
    await simulator.hangup_call(call_id)
    await init_integration.runtime_data.calls.async_refresh()
    await settle(hass)
    assert hass.states.get(OFFICE_RECORDING).state == STATE_UNAVAILABLE


async def test_a_listing_with_dates_says_otherwise(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> None:
    """Once the server lists recording dates, a stop made elsewhere shows."""
    call_id = await async_active_call(hass, simulator, init_integration)
    await _switch(hass, SERVICE_TURN_ON)
    coordinator = init_integration.runtime_data.calls
    await coordinator.async_refresh()
    await settle(hass)
    # Stopped on the phone (*1), not through Home Assistant.
    simulator.calls[call_id].recording_at = None

    await coordinator.async_refresh()
    await settle(hass)

    assert hass.states.get(OFFICE_RECORDING).state == STATE_OFF
