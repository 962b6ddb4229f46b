"""Call-state sensor of each extension."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .calls import ExtensionCallState
from .const import (
    ATTR_ANSWERED,
    ATTR_CALL_COUNT,
    ATTR_CALLER_ID,
    ATTR_DIRECTION,
    ATTR_HELD_BY_EXTENSION,
    ATTR_PHONE_CALL_ID,
    ATTR_REMOTE_NUMBER,
    CallState,
)
from .coordinator import VoipNowConfigEntry
from .entity import VoipNowExtensionEntity, async_add_extension_entities

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VoipNowSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of an extension."""

    value_fn: Callable[[ExtensionCallState], str | None]
    attributes_fn: Callable[[ExtensionCallState], Mapping[str, Any]]


def _call_attributes(state: ExtensionCallState) -> Mapping[str, Any]:
    """Describe the extension's leading call."""
    call = state.call
    attributes: dict[str, Any] = {
        ATTR_PHONE_CALL_ID: call.phone_call_id if call else None,
        ATTR_DIRECTION: call.direction.value if call else None,
        ATTR_REMOTE_NUMBER: call.remote_number if call else None,
        ATTR_CALLER_ID: call.caller_id if call else None,
        ATTR_ANSWERED: call.answered if call else False,
        ATTR_CALL_COUNT: state.call_count,
    }
    if call is not None and call.held_by_extension is not None:
        # "I put them on hold" and "they put me on hold" differ.
        attributes[ATTR_HELD_BY_EXTENSION] = call.held_by_extension
    return attributes


SENSORS: tuple[VoipNowSensorEntityDescription, ...] = (
    VoipNowSensorEntityDescription(
        key="call_state",
        translation_key="call_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in CallState],
        value_fn=lambda state: state.state.value,
        attributes_fn=_call_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VoipNowConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the sensors of every extension."""

    async_add_extension_entities(
        entry, async_add_entities, VoipNowSensorEntity, SENSORS
    )


class VoipNowSensorEntity(VoipNowExtensionEntity, SensorEntity):
    """A sensor of an extension."""

    entity_description: VoipNowSensorEntityDescription
    # The call id changes with every call: keep it out of the history database.
    _unrecorded_attributes = frozenset({ATTR_PHONE_CALL_ID, ATTR_CALLER_ID})

    def _shown(self) -> object:
        """What the sensor shows: a change elsewhere in the calls writes nothing."""
        return (self.native_value, self.extra_state_attributes)

    @property
    def native_value(self) -> str | None:
        """Return the state."""
        return self.entity_description.value_fn(self.call_state)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Return the attributes."""
        return self.entity_description.attributes_fn(self.call_state)
