"""Tests for setting up, polling and unloading the VoipNow integration."""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import DOMAIN
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE, UNIQUE_ID
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    EXTENSIONS_REFRESH_INTERVAL,
    GARAGE_CALL_STATE,
    KITCHEN_CALL_STATE,
    OFFICE_CALL_STATE,
    OFFICE_REGISTERED,
    async_poll,
    calls_requests,
    presence_requests,
)

NEW_EXTENSION = "0003*213"


def extension_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry, extension: str
) -> dr.DeviceEntry | None:
    """Return the device of an extension, found by its stable identifier."""
    identifier = (DOMAIN, f"{UNIQUE_ID}_{extension}")
    return next(
        (
            device
            for device in dr.async_entries_for_config_entry(
                device_registry, entry.entry_id
            )
            if identifier in device.identifiers
        ),
        None,
    )


NEW_CALL_STATE = "sensor.extension_0003_213_call_state"


@pytest.mark.usefixtures("init_integration")
async def test_setup_and_unload(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The entry loads with one call-state sensor per extension and unloads cleanly."""
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    assert hass.states.get(GARAGE_CALL_STATE).state == "idle"

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE


async def test_setup_retries_while_pbx_unreachable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An unreachable PBX makes setup retry, and the entry loads once it is back."""
    await simulator.go_offline()
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    await simulator.go_online()
    await async_poll(hass, freezer, timedelta(minutes=1))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"


async def test_setup_retries_on_server_error(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A PBX answering HTTP 500 makes setup retry instead of failing for good."""
    simulator.inject_fault("http_500", count=None)
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_with_rejected_credentials_starts_reauth(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Rejected App credentials stop the setup and ask the user for a new secret."""
    simulator.set_client_secret("regenerated-secret")
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["step_id"] == "reauth_confirm"
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id


async def test_secret_regenerated_while_running_starts_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A secret regenerated in VoipNow while running asks the user for the new one."""
    simulator.set_client_secret("regenerated-secret")

    await async_poll(hass, freezer)

    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id


async def test_one_calls_request_per_cycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: VoipNowSimulator,
) -> None:
    """Each cycle lists the calls of all extensions in one request."""
    assert calls_requests(simulator) == 1
    simulator.clear_requests()

    for _ in range(5):
        await async_poll(hass, freezer)

    assert calls_requests(simulator) == 5
    # Nothing else is asked per cycle: no per-extension requests.
    assert {request.path for request in simulator.api_requests()} <= {
        "/uapi/phoneCalls/@me/@self",
        "/uapi/extensions/@me/@self/presence",
    }


async def test_presence_listed_every_minute(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: VoipNowSimulator,
) -> None:
    """The extensions and their presence are listed once a minute, not every cycle."""
    assert presence_requests(simulator) == 1
    simulator.clear_requests()

    cycles = int(EXTENSIONS_REFRESH_INTERVAL / timedelta(seconds=10))
    for _ in range(cycles - 1):
        await async_poll(hass, freezer)
    assert presence_requests(simulator) == 0

    await async_poll(hass, freezer)
    assert presence_requests(simulator) == 1
    assert calls_requests(simulator) == cycles


@pytest.mark.parametrize(
    "outage",
    ["offline", "http_500", "html_error", "disconnect"],
)
async def test_outage_makes_entities_unavailable_and_recovers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    simulator: VoipNowSimulator,
    outage: str,
) -> None:
    """During an outage entities are unavailable, logged once, and then recover."""
    caplog.set_level(logging.INFO)
    if outage == "offline":
        await simulator.go_offline()
    else:
        simulator.inject_fault(outage, count=None)

    for _ in range(4):
        await async_poll(hass, freezer)
        assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE
        assert hass.states.get(OFFICE_REGISTERED).state == STATE_UNAVAILABLE

    errors = [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR and "Error fetching" in record.getMessage()
    ]
    assert len(errors) == 1

    await simulator.go_online()
    simulator.clear_faults()
    await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer)

    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    assert hass.states.get(OFFICE_REGISTERED).state == "on"
    assert "recovered" in caplog.text


@pytest.mark.usefixtures("init_integration")
async def test_devices_one_per_extension(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Every extension is a device, with ids built from the server and the App."""
    devices = dr.async_entries_for_config_entry(
        device_registry, mock_config_entry.entry_id
    )
    assert sorted(device.name for device in devices) == [
        f"Extension {EXT_OFFICE}",
        f"Extension {EXT_KITCHEN}",
        f"Extension {EXT_GARAGE}",
    ]
    office = extension_device(device_registry, mock_config_entry, EXT_OFFICE)
    assert office is not None
    assert office.manufacturer == "4PSA"
    assert office.model == "VoipNow extension"

    entities = er.async_entries_for_config_entry(
        entity_registry, mock_config_entry.entry_id
    )
    assert {entity.unique_id for entity in entities} >= {
        f"{UNIQUE_ID}_{extension}_{key}"
        for extension in (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE)
        for key in ("call_state", "registered")
    }
    for entity in entities:
        assert entity.unique_id.startswith(f"{UNIQUE_ID}_0003*21")
        assert mock_config_entry.entry_id not in entity.unique_id
    assert entity_registry.async_get(OFFICE_CALL_STATE).device_id == office.id


async def test_new_extension_gets_a_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    simulator: VoipNowSimulator,
) -> None:
    """An extension added on the PBX shows up at the next presence listing."""
    simulator.add_extension(NEW_EXTENSION, name="Hall")

    await async_poll(hass, freezer)
    assert hass.states.get(NEW_CALL_STATE) is None

    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)

    assert hass.states.get(NEW_CALL_STATE).state == "idle"
    assert extension_device(device_registry, init_integration, NEW_EXTENSION)
    await simulator.incoming_call(NEW_EXTENSION)
    await async_poll(hass, freezer)
    assert hass.states.get(NEW_CALL_STATE).state == "ringing"


async def test_empty_extension_listing_keeps_devices(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    simulator: VoipNowSimulator,
) -> None:
    """A PBX that suddenly lists no extension does not wipe the devices."""
    numbers = list(simulator.extensions)
    for number in numbers:
        simulator.remove_extension(number)

    for _ in range(3):
        await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)

    assert hass.states.get(OFFICE_CALL_STATE).state == "unavailable"
    for number in numbers:
        assert extension_device(device_registry, init_integration, number)


async def test_removed_extension_loses_its_device(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    simulator: VoipNowSimulator,
) -> None:
    """An extension removed from the PBX loses its device and entities."""
    simulator.remove_extension(EXT_KITCHEN)

    # One listing without it: unavailable, but kept (it may be a PBX hiccup).
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)
    assert extension_device(device_registry, init_integration, EXT_KITCHEN)
    assert hass.states.get(KITCHEN_CALL_STATE).state == "unavailable"

    # Two listings in a row: it is gone.
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)
    assert extension_device(device_registry, init_integration, EXT_KITCHEN) is None
    assert entity_registry.async_get(KITCHEN_CALL_STATE) is None
    assert hass.states.get(KITCHEN_CALL_STATE) is None
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"

    # Back again: it gets a device and entities anew.
    simulator.add_extension(EXT_KITCHEN, name="Kitchen")
    await async_poll(hass, freezer, EXTENSIONS_REFRESH_INTERVAL)

    assert extension_device(device_registry, init_integration, EXT_KITCHEN)
    assert hass.states.get(KITCHEN_CALL_STATE).state == "idle"
