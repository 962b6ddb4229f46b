"""Tests for the registration binary sensor of each extension."""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.conftest import EXT_GARAGE, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    EXTENSIONS_REFRESH_INTERVAL,
    GARAGE_REGISTERED,
    KITCHEN_REGISTERED,
    OFFICE_REGISTERED,
    async_poll,
)


@pytest.fixture(autouse=True)
def binary_sensor_platform_only() -> Generator[None]:
    """Load only the binary sensor platform."""
    with patch("custom_components.voipnow.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


async def test_binary_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """The binary sensors' registry entries and states match the snapshot."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_registration_follows_presence(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A phone that registers or drops off shows at the next presence listing."""
    assert hass.states.get(OFFICE_REGISTERED).state == STATE_ON
    assert hass.states.get(GARAGE_REGISTERED).state == STATE_OFF

    simulator.set_registration(EXT_OFFICE, False)
    simulator.set_registration(EXT_GARAGE, True)

    # Calls are polled more often than presence: nothing shows yet.
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_REGISTERED).state == STATE_ON

    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)
    assert hass.states.get(OFFICE_REGISTERED).state == STATE_OFF
    assert hass.states.get(GARAGE_REGISTERED).state == STATE_ON


async def test_unchanged_registration_writes_no_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Presence listings that change nothing shown (expiry, busy) write no state."""
    reported = {
        entity_id: hass.states.get(entity_id).last_reported
        for entity_id in (OFFICE_REGISTERED, KITCHEN_REGISTERED, GARAGE_REGISTERED)
    }

    # The office gets busy and every registration's expiry moves on.
    await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)

    assert {
        entity_id: hass.states.get(entity_id).last_reported for entity_id in reported
    } == reported
