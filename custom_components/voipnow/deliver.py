"""Deliver call events: to the event entities, the history, the triggers and the bus.

The integration's own dispatcher signals carry the events to what counts
them (the missed-call badge, device triggers); the bus event
`voipnow_call_event`, which anyone allowed to fire events can fire too, is
for YAML automations and the logbook. Each event names the kind of the other
party's number (`number_kind`), from Home Assistant's country.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import Event, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .call_event import CallEvent, signal_device_call_event, signal_entry_call_event
from .const import ATTR_CONFIG_ENTRY_ID, ATTR_EXTENSION, EVENT_CALL, LOGGER
from .devices import EntryDevices, device_entry
from .number_kind import number_kind


class Delivers(EntryDevices, Protocol):
    """What delivering needs of the calls coordinator, besides its devices."""

    def find_extension(self, number: str) -> str | None:
        """Return the full number of one of the entry's extensions, if it is one."""

    def signal_call_event(self, extension: str) -> str:
        """The dispatcher signal that carries one extension's call events."""


@callback
def async_deliver(coordinator: Delivers, events: list[CallEvent]) -> None:
    """Deliver call events; the bus event names the extension's device."""
    hass = coordinator.hass
    entry_id = coordinator.config_entry.entry_id
    country = hass.config.country

    def is_extension(number: str) -> bool:
        return coordinator.find_extension(number) is not None

    for found in events:
        LOGGER.debug("Call event %s on %s", found.type, found.extension)
        event = dataclasses.replace(
            found,
            number_kind=str(number_kind(found.remote_number, country, is_extension)),
        )
        async_dispatcher_send(
            hass, coordinator.signal_call_event(event.extension), event
        )
        device = device_entry(coordinator, event.extension)
        data = {
            ATTR_CONFIG_ENTRY_ID: entry_id,
            ATTR_DEVICE_ID: device.id if device else None,
            ATTR_EXTENSION: event.extension,
            "type": event.type.value,
            **event.as_dict(),
        }
        async_dispatcher_send(hass, signal_entry_call_event(entry_id), data)
        if device is not None:
            async_dispatcher_send(
                hass, signal_device_call_event(device.id), Event(EVENT_CALL, data)
            )
        hass.bus.async_fire(EVENT_CALL, data)
