"""A bare integration: as many devices and entities as ours, and nothing else.

The baseline of the memory and setup figures: each entity is a plain
`Entity` with a device, a name and a unique id, no behaviour, in the same
platforms and numbers as the integration's. What it costs is what Home
Assistant itself keeps and does for that many devices, entities, registry
entries and states.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

MINIMAL = "bench_minimal"


class MinimalEntity(Entity):
    """An entity with a device, a name and a unique id, and nothing else."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, device: str, key: str) -> None:
        """Name the entity after its key, on the device of `device`."""
        self._attr_unique_id = f"{device}_{key}"
        self._attr_name = key
        self._attr_device_info = DeviceInfo(
            identifiers={(MINIMAL, device)}, name=f"Device {device}"
        )


class MinimalFlow(ConfigFlow):
    """The config flow Home Assistant requires of an integration with entries."""


def _platform(domain: str, devices: int, per_device: int) -> MockPlatform:
    """A platform adding `per_device` entities to each device."""

    async def async_setup_entry(
        hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
    ) -> None:
        async_add_entities(
            MinimalEntity(f"device_{index}", f"{domain}_{number}")
            for index in range(devices)
            for number in range(per_device)
        )

    return MockPlatform(async_setup_entry=async_setup_entry)


def add_minimal(
    hass: HomeAssistant, devices: int, per_domain: dict[str, int]
) -> MockConfigEntry:
    """Define the bare integration with these entities; return its entry.

    Set the entry up within `mock_config_flow(MINIMAL, MinimalFlow)`.
    """
    platforms = [domain for domain, count in per_domain.items() if count]

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, platforms)
        return True

    async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        return await hass.config_entries.async_unload_platforms(entry, platforms)

    mock_integration(
        hass,
        MockModule(
            MINIMAL,
            async_setup_entry=async_setup_entry,
            async_unload_entry=async_unload_entry,
        ),
    )
    mock_platform(hass, f"{MINIMAL}.config_flow")
    for domain in platforms:
        mock_platform(
            hass,
            f"{MINIMAL}.{domain}",
            _platform(domain, devices, per_domain[domain] // devices),
        )
    entry = MockConfigEntry(domain=MINIMAL, title="minimal")
    entry.add_to_hass(hass)
    return entry
