"""Fixtures shared by the integration's tests."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from voipnow_simulator import VoipNowSimulator

from .push_helpers import async_setup_push, push_entry
from .radicale import radicale, radicale_python_path  # noqa: F401 - fixtures


@pytest.fixture
async def push_integration(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> MockConfigEntry:
    """Set up an entry with push working: the PBX calls Home Assistant back."""
    entry = push_entry(simulator)
    await async_setup_push(hass, hass_client_no_auth, entry)
    return entry


@pytest.fixture
async def hass_user(hass: HomeAssistant) -> MockUser:
    """An ordinary user of Home Assistant's default Users group (not an administrator)."""
    group = await hass.auth.async_get_group("system-users")
    return MockUser(is_owner=False, groups=[group]).add_to_hass(hass)
