"""Coordinator polling the calls and extensions of one VoipNow App."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
import time

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    Extension,
    PhoneCall,
    VoipNowAuthenticationError,
    VoipNowClient,
    VoipNowError,
    same_extension,
)
from .calls import IDLE, ExtensionCallState, call_states
from .const import (
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EXTENSIONS_REFRESH_INTERVAL,
    LOGGER,
)

type VoipNowConfigEntry = ConfigEntry[VoipNowCoordinator]


@dataclass(frozen=True, slots=True, kw_only=True)
class VoipNowData:
    """One consistent picture of the PBX: extensions, calls and what each does."""

    extensions: Mapping[str, Extension] = field(default_factory=dict)
    calls: tuple[PhoneCall, ...] = ()
    states: Mapping[str, ExtensionCallState] = field(default_factory=dict)

    def state_of(self, extension: str) -> ExtensionCallState:
        """Return what one extension is doing (idle when unknown)."""
        return self.states.get(extension, IDLE)


class VoipNowCoordinator(DataUpdateCoordinator[VoipNowData]):
    """Poll the PBX: all calls in one request per cycle, extensions less often."""

    config_entry: VoipNowConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: VoipNowConfigEntry,
        client: VoipNowClient,
    ) -> None:
        """Set up the coordinator with the interval from the options."""
        seconds = entry.options.get(CONF_SCAN_INTERVAL)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {client.host}",
            update_interval=(
                timedelta(seconds=seconds) if seconds else DEFAULT_SCAN_INTERVAL
            ),
            always_update=False,
        )
        self.client = client
        self.server_id = entry.unique_id or client.host
        self._extensions: dict[str, Extension] | None = None
        self._extensions_fetched = 0.0

    @property
    def extensions(self) -> Mapping[str, Extension]:
        """The extensions known from the last successful update."""
        return self.data.extensions if self.data else {}

    def resolve_extension(self, number: str) -> str | None:
        """Return the full number of one of our extensions (`210` finds `0003*210`)."""
        if number in self.extensions:
            return number
        matches = [ext for ext in self.extensions if same_extension(ext, number)]
        return matches[0] if len(matches) == 1 else None

    @callback
    def async_invalidate_extensions(self) -> None:
        """List the extensions again on the next update."""
        self._extensions = None

    async def _async_update_data(self) -> VoipNowData:
        """Fetch the calls, and the extensions when they are due."""
        try:
            extensions = self._extensions
            if (
                extensions is None
                or time.monotonic() - self._extensions_fetched
                >= EXTENSIONS_REFRESH_INTERVAL.total_seconds()
            ):
                listed = await self.client.async_list_extensions()
                extensions = {ext.number: ext for ext in listed}
                self._extensions = extensions
                self._extensions_fetched = time.monotonic()
            calls = await self.client.async_list_calls()
        except VoipNowAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except VoipNowError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        data = VoipNowData(
            extensions=extensions,
            calls=tuple(calls),
            states=call_states(extensions, calls),
        )
        if self.data is None or data.extensions.keys() != self.data.extensions.keys():
            self._async_remove_stale_devices(data.extensions)
        return data

    @callback
    def _async_remove_stale_devices(self, extensions: Mapping[str, Extension]) -> None:
        """Detach devices of extensions the PBX no longer lists."""
        registry = dr.async_get(self.hass)
        wanted = {(DOMAIN, self.device_identifier(number)) for number in extensions}
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            if not device.identifiers & wanted:
                LOGGER.debug("Removing device %s: extension is gone", device.name)
                registry.async_update_device(
                    device.id, remove_config_entry_id=self.config_entry.entry_id
                )

    def device_identifier(self, extension: str) -> str:
        """Return the stable device identifier of an extension."""
        return f"{self.server_id}_{extension}"
