"""Tests for the registration binary sensor of each extension."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import EXT_GARAGE, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    EXTENSIONS_REFRESH_INTERVAL,
    GARAGE_REGISTERED,
    KITCHEN_REGISTERED,
    OFFICE_REGISTERED,
    async_poll,
)

pytestmark = pytest.mark.platforms(Platform.BINARY_SENSOR)


async def test_binary_sensors(platform_snapshot: Callable[[], Awaitable[None]]) -> None:
    """The binary sensors' registry entries and states match the snapshot."""
    await platform_snapshot()


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
