"""Base entities of an extension of the VoipNow PBX; its device is the extension."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
)
from homeassistant.util.hass_dict import HassKey

from .api import Extension
from .calls import ExtensionCallState
from .const import DOMAIN
from .coordinator import VoipNowCoordinator
from .devices import device_entry
from .history import ExtensionHistory, HistoryData, VoipNowHistory
from .queue_entity import VoipNowQueueEntity, async_add_queue_entities
from .queues import CallQueue, QueueState
from .runtime import VoipNowConfigEntry, VoipNowRuntime


class VoipNowEntity[C: DataUpdateCoordinator[Any]](CoordinatorEntity[C]):
    """An entity of one extension, fed by one of the entry's coordinators."""

    _attr_has_entity_name = True
    _last_shown: tuple[object, ...] | None = None

    def __init__(
        self,
        runtime: VoipNowRuntime,
        coordinator: C,
        extension: str,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to an extension, with a unique id stable across installs."""
        super().__init__(coordinator)
        self.calls = runtime.calls
        self.entity_description = description
        self.extension = extension
        identifier = self.calls.device_identifier(extension)
        self._attr_unique_id = f"{identifier}_{description.key}"
        # The device is registered before its entities are added (see
        # `async_add_extension_entities`): the entity only links to it.
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, identifier)})

    def _shown(self) -> object:
        """What this entity shows; the state is written only when it changes."""
        return None

    async def async_added_to_hass(self) -> None:
        """Remember what the first state shows, so the next update can compare."""
        await super().async_added_to_hass()
        self._last_shown = (self.available, self._shown())

    @callback
    def _handle_coordinator_update(self) -> None:
        """Skip writing the state of an extension whose picture is unchanged."""
        shown = (self.available, self._shown())
        if shown == self._last_shown:
            return
        self._last_shown = shown
        super()._handle_coordinator_update()

    @property
    def available(self) -> bool:
        """Available while its source answers and the PBX lists the extension."""
        return super().available and self.extension in self.calls.extensions


class VoipNowExtensionEntity(VoipNowEntity[VoipNowCoordinator]):
    """An entity of what an extension does now (the calls coordinator)."""

    def __init__(
        self, runtime: VoipNowRuntime, extension: str, description: EntityDescription
    ) -> None:
        """Feed the entity from the entry's calls."""
        super().__init__(runtime, runtime.calls, extension, description)

    def _shown(self) -> object:
        """What this entity shows: by default, the extension's calls."""
        return self.call_state

    @property
    def extension_info(self) -> Extension | None:
        """The extension's presence and registration, if listed."""
        return self.coordinator.extensions.get(self.extension)

    @property
    def call_state(self) -> ExtensionCallState:
        """What the extension is doing now."""
        return self.coordinator.data.state_of(self.extension)


class VoipNowHistoryEntity(VoipNowEntity[VoipNowHistory]):
    """An entity of an extension's call history (the CDR)."""

    def __init__(
        self, runtime: VoipNowRuntime, extension: str, description: EntityDescription
    ) -> None:
        """Feed the entity from the entry's call history."""
        super().__init__(runtime, runtime.history, extension, description)

    @property
    def history(self) -> ExtensionHistory | None:
        """The extension's missed calls and last call, once read."""
        # None until the first successful read of the CDR.
        data: HistoryData | None = self.coordinator.data
        return data.get(self.extension) if data is not None else None

    @property
    def available(self) -> bool:
        """Available once the history of the extension has been read."""
        return super().available and self.history is not None


# The extensions whose device this setup of an entry has registered, by entry.
_REGISTERED: HassKey[dict[str, set[str]]] = HassKey(f"{DOMAIN}_extension_devices")


@callback
def _async_register_devices(entry: VoipNowConfigEntry, extensions: list[str]) -> None:
    """Register (or update) the devices of extensions, once per setup of the entry.

    Every platform adds entities to the same devices: describing the device
    once, rather than in each of its entities, spares the device registry
    checking and translating the same description nine times per extension.
    An extension that comes back after its device was removed (gone from two
    listings) is registered again.
    """
    calls = entry.runtime_data.calls
    by_entry = calls.hass.data.setdefault(_REGISTERED, {})
    if (done := by_entry.get(entry.entry_id)) is None:
        done = by_entry[entry.entry_id] = set()

        @callback
        def _forget() -> None:
            by_entry.pop(entry.entry_id, None)

        entry.async_on_unload(_forget)
    registry = dr.async_get(calls.hass)
    base_url = calls.client.base_url
    for extension in extensions:
        if extension in done and device_entry(calls, extension) is not None:
            continue
        done.add(extension)
        registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, calls.device_identifier(extension))},
            translation_key="extension",
            translation_placeholders={"number": extension},
            manufacturer="4PSA",
            model="VoipNow extension",
            configuration_url=base_url,
        )


def async_add_extension_entities[D: EntityDescription](
    entry: VoipNowConfigEntry,
    async_add_entities: AddEntitiesCallback,
    entity_class: Callable[[VoipNowRuntime, str, D], VoipNowEntity[Any]],
    descriptions: Iterable[D],
    wanted: Callable[[str, D], bool] = lambda extension, description: True,
) -> None:
    """Add one entity per description for every extension, now and when new ones appear.

    `wanted` leaves out the descriptions an extension should not have.
    """
    runtime = entry.runtime_data
    calls = runtime.calls
    descriptions = tuple(descriptions)
    known: set[str] = set()

    @callback
    def _async_add_new() -> None:
        # An extension that went away and came back gets fresh entities.
        known.intersection_update(calls.extensions)
        new = [ext for ext in calls.extensions if ext not in known]
        if not new:
            return
        known.update(new)
        _async_register_devices(entry, new)
        async_add_entities(
            entity_class(runtime, extension, description)
            for extension in new
            for description in descriptions
            if wanted(extension, description)
        )

    _async_add_new()
    entry.async_on_unload(calls.async_add_listener(_async_add_new))


type PlatformSetup = Callable[
    [HomeAssistant, VoipNowConfigEntry, AddEntitiesCallback],
    Coroutine[Any, Any, None],
]
# A kind of extension entity: its class, and the descriptions each extension gets.
type ExtensionKind = tuple[
    Callable[[VoipNowRuntime, str, Any], VoipNowEntity[Any]], Iterable[Any]
]
type QueueFactory = Callable[
    [VoipNowRuntime, CallQueue, QueueState], Iterable[VoipNowQueueEntity]
]


def extension_platform(
    *kinds: ExtensionKind, queues: QueueFactory | None = None
) -> PlatformSetup:
    """Return the `async_setup_entry` of a platform of extension (and queue) entities.

    It adds one entity per description for every extension (see
    `async_add_extension_entities`), and those `queues` makes of every queue.
    """
    kinds = tuple((entity_class, tuple(found)) for entity_class, found in kinds)

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: VoipNowConfigEntry,
        async_add_entities: AddEntitiesCallback,
    ) -> None:
        """Add the platform's entities of every extension (and queue)."""
        for entity_class, descriptions in kinds:
            async_add_extension_entities(
                entry, async_add_entities, entity_class, descriptions
            )
        if queues is not None:
            async_add_queue_entities(entry, async_add_entities, queues)

    return async_setup_entry
