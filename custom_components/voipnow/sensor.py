"""Sensors of each extension: its call state, missed calls and last call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.helpers.typing import StateType

from .call_records import HistoryCall
from .calls import ExtensionCallState
from .const import (
    ATTR_ANSWERED,
    ATTR_CALL_COUNT,
    ATTR_CALLER_ID,
    ATTR_CALLER_NAME,
    ATTR_CALLER_NAME_SOURCE,
    ATTR_DIRECTION,
    ATTR_HELD_BY_EXTENSION,
    ATTR_LAST_MISSED,
    ATTR_OUTCOME,
    ATTR_PARKED,
    ATTR_PHONE_CALL_ID,
    ATTR_RECORDING,
    ATTR_REMOTE_NUMBER,
    CallState,
)
from .entity import VoipNowExtensionEntity, VoipNowHistoryEntity, extension_platform
from .history import ExtensionHistory
from .queue_entity import VoipNowQueueEntity
from .queues import CallQueue
from .runtime import VoipNowRuntime

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
        # The phonebook's name wins over the PBX's (which stays in caller_id).
        ATTR_CALLER_NAME: call.caller_name if call else None,
        ATTR_CALLER_NAME_SOURCE: call.caller_name_source if call else None,
        ATTR_ANSWERED: call.answered if call else False,
        ATTR_CALL_COUNT: state.call_count,
        # Dates on the extension's own view; not states, so that automations
        # on the states keep working.
        ATTR_PARKED: call.parked if call else False,
        ATTR_RECORDING: call.recording if call else False,
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


class VoipNowSensorEntity(VoipNowExtensionEntity, SensorEntity):
    """A sensor of an extension."""

    entity_description: VoipNowSensorEntityDescription
    # The call id changes with every call: keep it out of the history database.
    _unrecorded_attributes = frozenset(
        {ATTR_PHONE_CALL_ID, ATTR_CALLER_ID, ATTR_CALLER_NAME}
    )

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


@dataclass(frozen=True, kw_only=True)
class VoipNowHistorySensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of an extension's call history."""

    value_fn: Callable[[ExtensionHistory], StateType | datetime]
    attributes_fn: Callable[[ExtensionHistory], Mapping[str, Any]]


def _call_summary(call: HistoryCall | None, *, outcome: bool) -> dict[str, Any]:
    """Describe a finished call in a sensor's attributes."""
    summary = {
        ATTR_DIRECTION: call.direction.value if call else None,
        ATTR_REMOTE_NUMBER: call.remote_number if call else None,
        ATTR_CALLER_NAME: call.caller_name if call else None,
    }
    if outcome:
        summary[ATTR_OUTCOME] = call.outcome.value if call else None
    return summary


def _missed_attributes(history: ExtensionHistory) -> Mapping[str, Any]:
    """Describe the last missed call: when, from which number, from whom."""
    last = history.last_missed
    return {
        ATTR_LAST_MISSED: last.started.isoformat() if last else None,
        ATTR_REMOTE_NUMBER: last.remote_number if last else None,
        ATTR_CALLER_NAME: last.caller_name if last else None,
    }


HISTORY_SENSORS: tuple[VoipNowHistorySensorEntityDescription, ...] = (
    VoipNowHistorySensorEntityDescription(
        key="missed_calls",
        translation_key="missed_calls",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda history: history.missed_count,
        attributes_fn=_missed_attributes,
    ),
    VoipNowHistorySensorEntityDescription(
        key="last_call",
        translation_key="last_call",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda history: (
            history.last_call.started if history.last_call else None
        ),
        attributes_fn=lambda history: _call_summary(history.last_call, outcome=True),
    ),
)


class VoipNowHistorySensorEntity(VoipNowHistoryEntity, SensorEntity):
    """A sensor of an extension's call history."""

    entity_description: VoipNowHistorySensorEntityDescription
    # Who called is personal: the recorder keeps the count and the time only.
    _unrecorded_attributes = frozenset(
        {ATTR_REMOTE_NUMBER, ATTR_CALLER_NAME, ATTR_LAST_MISSED}
    )

    def _shown(self) -> object:
        """What the sensor shows."""
        return (self.native_value, self.extra_state_attributes)

    @property
    def native_value(self) -> StateType | datetime:
        """Return the state."""
        if (history := self.history) is None:
            return None
        return self.entity_description.value_fn(history)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the attributes."""
        if (history := self.history) is None:
            return None
        return self.entity_description.attributes_fn(history)


AGENTS_ONLINE = SensorEntityDescription(
    key="agents_online",
    translation_key="agents_online",
    state_class=SensorStateClass.MEASUREMENT,
)


class VoipNowAgentsOnline(VoipNowQueueEntity, SensorEntity):
    """How many agents of a queue take calls now."""

    def __init__(self, runtime: VoipNowRuntime, queue: CallQueue) -> None:
        """Count the queue's online agents."""
        super().__init__(runtime, queue, AGENTS_ONLINE)

    @property
    def native_value(self) -> int | None:
        """The number of online agents."""
        state = self.state_of_queue
        return state.online if state else None


# Adds the sensors of every extension and of every queue.
async_setup_entry = extension_platform(
    (VoipNowSensorEntity, SENSORS),
    (VoipNowHistorySensorEntity, HISTORY_SENSORS),
    queues=lambda runtime, queue, state: [VoipNowAgentsOnline(runtime, queue)],
)
