"""Fixtures shared by the integration's tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from voipnow_simulator import VoipNowSimulator

from .helpers import async_ring
from .push_helpers import async_setup_push, push_entry
from .radicale import radicale, radicale_python_path  # noqa: F401 - fixtures


@pytest.fixture
def push_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """The entry the push tests set up: the simulator's App with push on."""
    return push_entry(simulator)


@pytest.fixture
async def http(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    push_config_entry: MockConfigEntry,
) -> TestClient:
    """Set up push; return an HTTP client posing as the PBX (or whoever has the URL)."""
    return await async_setup_push(hass, hass_client_no_auth, push_config_entry)


@pytest.fixture
async def push_integration(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    push_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set up an entry with push working: the PBX calls Home Assistant back."""
    await async_setup_push(hass, hass_client_no_auth, push_config_entry)
    return push_config_entry


@pytest.fixture(autouse=True)
def only_platforms(request: pytest.FixtureRequest) -> Generator[None]:
    """Load only the platforms a module or a test names with `platforms`."""
    marker = request.node.get_closest_marker("platforms")
    if marker is None:
        yield
        return
    with patch("custom_components.voipnow.PLATFORMS", list(marker.args)):
        yield


@pytest.fixture
def platform_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> Callable[[], Awaitable[None]]:
    """Compare the loaded platforms' registry entries and states to the snapshot."""

    async def compare() -> None:
        await snapshot_platform(
            hass, entity_registry, snapshot, init_integration.entry_id
        )

    return compare


@pytest.fixture
async def entry(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The loaded entry, once the requests of its start-up are done."""
    await hass.async_block_till_done(wait_background_tasks=True)
    return init_integration


@pytest.fixture
async def call_id(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> str:
    """Bob calls the office, which answers, and Home Assistant has seen it: its id.

    The PBX keeps its requests: tests count from a mark.
    """
    return await async_ring(
        hass, simulator, entry, caller_name="Bob", answer=True, forget_requests=False
    )


@pytest.fixture
async def hass_user(hass: HomeAssistant) -> MockUser:
    """An ordinary user of Home Assistant's default Users group (not an administrator)."""
    group = await hass.auth.async_get_group("system-users")
    return MockUser(is_owner=False, groups=[group]).add_to_hass(hass)
