"""Fixtures shared by the integration's tests: a real simulator on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
    HomeAssistantSnapshotSerializer,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.amber import AmberDataSerializer
from syrupy.types import SerializableData

from custom_components.voipnow.const import CONF_PUSH_TRANSPORT, DOMAIN, PushTransport
from voipnow_simulator import VoipNowSimulator

CLIENT_ID = "test-app-id"
CLIENT_SECRET = "test-app-secret"
EXT_OFFICE = "0003*210"
EXT_KITCHEN = "0003*211"
EXT_GARAGE = "0003*212"
# A fixed server identity: the simulator's port changes per run, and unique ids
# (hence snapshots) are built from the entry's unique id.
UNIQUE_ID = f"voip.example.test_{CLIENT_ID}"
ENTRY_ID = "01JVOIPNOWTESTENTRY000000"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components/ in every test."""


# Entity registry fields that mean the same on every Home Assistant line; newer
# lines add bookkeeping (object_id_base, suggested_object_id, alias lists) that
# would make one snapshot file fail on the other line.
STABLE_ENTITY_ENTRY_FIELDS = frozenset(
    {
        "area_id",
        "capabilities",
        "config_entry_id",
        "device_class",
        "device_id",
        "disabled_by",
        "domain",
        "entity_category",
        "entity_id",
        "has_entity_name",
        "hidden_by",
        "icon",
        "name",
        "options",
        "original_device_class",
        "original_icon",
        "original_name",
        "platform",
        "previous_unique_id",
        "supported_features",
        "translation_key",
        "unique_id",
        "unit_of_measurement",
    }
)


def _plain_keys(data: Any) -> Any:
    """Turn StrEnum keys (newer Home Assistant) into the plain strings they are."""
    if isinstance(data, dict):
        return {str(key): value for key, value in data.items()}
    return data


class VersionStableSnapshotSerializer(HomeAssistantSnapshotSerializer):
    """Serialize states and registry entries the same on both Home Assistant lines."""

    @classmethod
    def _serializable_state(cls, data: State) -> SerializableData:
        """Keep the state with plain attribute names, in a plain dict."""
        serialized = super()._serializable_state(data)
        serialized["attributes"] = _plain_keys(dict(serialized["attributes"]))
        return serialized

    @classmethod
    def _serializable_entity_registry_entry(
        cls, data: er.RegistryEntry
    ) -> SerializableData:
        """Keep only the registry fields every supported line has."""
        serialized = super()._serializable_entity_registry_entry(data)
        for key in set(serialized) - STABLE_ENTITY_ENTRY_FIELDS:
            del serialized[key]
        serialized["capabilities"] = _plain_keys(serialized["capabilities"])
        return serialized


class VersionStableSnapshotExtension(HomeAssistantSnapshotExtension):
    """Core's snapshot extension (snapshots/ folder), stable across lines."""

    serializer_class: type[AmberDataSerializer] = VersionStableSnapshotSerializer


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialize Home Assistant objects as core's tests do, on any line."""
    return snapshot.use_extension(VersionStableSnapshotExtension)


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[VoipNowSimulator]:
    """Run a VoipNow simulator with three extensions on a free loopback port.

    Home Assistant's test plugin blocks sockets; real HTTP on loopback is the
    point of these tests, so they are enabled (connections stay on 127.0.0.1).
    """
    async with async_running_simulator("Kitchen") as sim:
        yield sim


@asynccontextmanager
async def async_running_simulator(
    name_of_211: str, client_secret: str = CLIENT_SECRET
) -> AsyncIterator[VoipNowSimulator]:
    """Run a simulator on a free loopback port with three extensions.

    The office (210), 211 named as told, and the garage (212), not registered.
    """
    sim = VoipNowSimulator(client_id=CLIENT_ID, client_secret=client_secret)
    sim.add_extension(EXT_OFFICE, name="Office")
    sim.add_extension(EXT_KITCHEN, name=name_of_211)
    sim.add_extension(EXT_GARAGE, name="Garage", registered=False)
    await sim.start(host="127.0.0.1", port=0)
    try:
        yield sim
    finally:
        await sim.stop()


def entry_data(sim: VoipNowSimulator, **overrides: Any) -> dict[str, Any]:
    """Return config entry data pointing at the simulator."""
    return {
        CONF_URL: sim.url,
        CONF_CLIENT_ID: CLIENT_ID,
        CONF_CLIENT_SECRET: CLIENT_SECRET,
        CONF_VERIFY_SSL: True,
        **overrides,
    }


def simulator_entry(
    simulator: VoipNowSimulator,
    options: dict[str, Any] | None = None,
    *,
    push: bool = False,
    entry_id: str = ENTRY_ID,
    **data: Any,
) -> MockConfigEntry:
    """Return a config entry for the simulator's App, polled unless `push`.

    Push means the webhook: the notification socket has its own tests
    (test_push_socket.py).
    """
    transport = PushTransport.WEBHOOK if push else PushTransport.POLLING
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data=entry_data(simulator, **data),
        options={CONF_PUSH_TRANSPORT: transport, **(options or {})},
        minor_version=2,
        entry_id=entry_id,
    )


async def async_load(
    hass: HomeAssistant, entry: MockConfigEntry, *, background: bool = False
) -> None:
    """Add an entry and set it up; wait for what it started (background too, if told)."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=background)


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """Return a config entry for the simulator's App.

    Push has its own tests (tests/components/test_push.py); elsewhere the PBX
    is only polled, so request counts stay those of polling.
    """
    return simulator_entry(simulator)


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set up the integration against the simulator."""
    await async_load(hass, mock_config_entry)
    return mock_config_entry
