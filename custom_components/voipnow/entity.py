"""Base entity of an extension of the VoipNow PBX."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Extension
from .calls import ExtensionCallState
from .const import DOMAIN
from .coordinator import VoipNowConfigEntry, VoipNowCoordinator


class VoipNowExtensionEntity(CoordinatorEntity[VoipNowCoordinator]):
    """An entity of one extension; its device is the extension."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: VoipNowCoordinator,
        extension: str,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to an extension, with a unique id stable across installs."""
        super().__init__(coordinator)
        self.entity_description = description
        self.extension = extension
        identifier = coordinator.device_identifier(extension)
        self._attr_unique_id = f"{identifier}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, identifier)},
            translation_key="extension",
            translation_placeholders={"number": extension},
            manufacturer="4PSA",
            model="VoipNow extension",
            configuration_url=coordinator.client.base_url,
        )

    _last_shown: tuple[object, ...] | None = None

    def _shown(self) -> object:
        """What this entity shows; the state is written only when it changes."""
        return self.call_state

    async def async_added_to_hass(self) -> None:
        """Remember what the first state shows, so the next poll can compare."""
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
        """Available while the PBX answers and still lists the extension."""
        return super().available and self.extension in self.coordinator.extensions

    @property
    def extension_info(self) -> Extension | None:
        """The extension's presence and registration, if listed."""
        return self.coordinator.extensions.get(self.extension)

    @property
    def call_state(self) -> ExtensionCallState:
        """What the extension is doing now."""
        return self.coordinator.data.state_of(self.extension)


def async_add_extension_entities[D: EntityDescription](
    entry: VoipNowConfigEntry,
    async_add_entities: AddEntitiesCallback,
    entity_class: Callable[[VoipNowCoordinator, str, D], VoipNowExtensionEntity],
    descriptions: Iterable[D],
    wanted: Callable[[str, D], bool] = lambda extension, description: True,
) -> None:
    """Add one entity per description for every extension, now and when new ones appear.

    `wanted` leaves out the descriptions an extension should not have.
    """
    coordinator = entry.runtime_data
    descriptions = tuple(descriptions)
    known: set[str] = set()

    @callback
    def _async_add_new() -> None:
        # An extension that went away and came back gets fresh entities.
        known.intersection_update(coordinator.extensions)
        new = [ext for ext in coordinator.extensions if ext not in known]
        if not new:
            return
        known.update(new)
        async_add_entities(
            entity_class(coordinator, extension, description)
            for extension in new
            for description in descriptions
            if wanted(extension, description)
        )

    _async_add_new()
    entry.async_on_unload(coordinator.async_add_listener(_async_add_new))
