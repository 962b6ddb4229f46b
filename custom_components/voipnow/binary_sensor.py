"""Registration binary sensor of each extension."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined, unused-ignore]
    # Defined in binary_sensor.const from 2026 on and re-exported implicitly.
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory

from .api import Extension
from .entity import VoipNowExtensionEntity, extension_platform

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VoipNowBinarySensorEntityDescription(BinarySensorEntityDescription):
    """Describes a binary sensor of an extension."""

    is_on_fn: Callable[[Extension], bool]


BINARY_SENSORS: tuple[VoipNowBinarySensorEntityDescription, ...] = (
    VoipNowBinarySensorEntityDescription(
        key="registered",
        translation_key="registered",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda extension: extension.registered,
    ),
)


class VoipNowBinarySensorEntity(VoipNowExtensionEntity, BinarySensorEntity):
    """A binary sensor of an extension."""

    entity_description: VoipNowBinarySensorEntityDescription

    def _shown(self) -> object:
        """Only what is shown matters, not the presence or registration expiry."""
        return self.is_on

    @property
    def is_on(self) -> bool | None:
        """Return whether the extension's phone is registered."""
        if (info := self.extension_info) is None:
            return None
        return self.entity_description.is_on_fn(info)


# Adds the binary sensors of every extension.
async_setup_entry = extension_platform((VoipNowBinarySensorEntity, BINARY_SENSORS))
