"""Extensions and their devices: from one to the other.

Device triggers, conditions and actions start from a device; the bus event
and voice start from an extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .api import Extension
from .const import DOMAIN


class EntryDevices(Protocol):
    """What devices need of a loaded entry's calls coordinator.

    Its entry, its extensions and the identifier of each one's device.
    """

    hass: HomeAssistant
    config_entry: ConfigEntry

    @property
    def extensions(self) -> Mapping[str, Extension]:
        """The extensions known from the last listing."""

    def device_identifier(self, extension: str) -> str:
        """Return the stable device identifier of an extension."""


def device_entry(coordinator: EntryDevices, extension: str) -> dr.DeviceEntry | None:
    """Return the device of one of the entry's extensions, if it is registered."""
    registry = dr.async_get(coordinator.hass)
    identifier = (DOMAIN, coordinator.device_identifier(extension))
    # Home Assistant 2026.x looks identifiers up per config entry; the older
    # lookup is deprecated there.
    if hasattr(registry, "async_get_device_by_identifier"):
        found: dr.DeviceEntry | None = registry.async_get_device_by_identifier(
            identifier, coordinator.config_entry.entry_id
        )
        return found
    return registry.async_get_device(identifiers={identifier})


@dataclass(frozen=True, slots=True)
class ExtensionDevice:
    """An extension's device in a loaded entry."""

    coordinator: EntryDevices
    extension: str

    def entity_id(
        self, hass: HomeAssistant, platform: Platform, key: str
    ) -> str | None:
        """Return the entity id of one of the extension's entities."""
        return er.async_get(hass).async_get_entity_id(
            platform,
            DOMAIN,
            f"{self.coordinator.device_identifier(self.extension)}_{key}",
        )


def extension_device(hass: HomeAssistant, device_id: str) -> ExtensionDevice | None:
    """Return the extension a device stands for, if it is one of a loaded entry."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    for entry_id in device.config_entries:
        entry = hass.config_entries.async_get_entry(entry_id)
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            continue
        coordinator: EntryDevices = entry.runtime_data.calls
        for extension in coordinator.extensions:
            if (DOMAIN, coordinator.device_identifier(extension)) in device.identifiers:
                return ExtensionDevice(coordinator, extension)
    return None
