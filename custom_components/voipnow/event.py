"""Call events of each extension, for automations."""

from __future__ import annotations

from collections import deque

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .call_event import CallEvent, CallEventType
from .entity import VoipNowExtensionEntity, extension_platform
from .runtime import VoipNowRuntime
from .tracker import MAX_TRACKED_CALLS

PARALLEL_UPDATES = 0
MAX_WAITING = MAX_TRACKED_CALLS

EVENTS = EventEntityDescription(
    key="call",
    translation_key="call",
    event_types=[kind.value for kind in CallEventType],
)


class VoipNowCallEventEntity(VoipNowExtensionEntity, EventEntity):
    """Fires when a call of the extension rings, is answered, missed or ends."""

    def __init__(
        self,
        runtime: VoipNowRuntime,
        extension: str,
        description: EventEntityDescription,
    ) -> None:
        """Bind the entity to an extension; no event is waiting yet."""
        super().__init__(runtime, extension, description)
        # Events of calls that ended while the PBX could not be listed, kept
        # for when the entity is available again (the newest MAX_WAITING).
        self._waiting: deque[CallEvent] = deque(maxlen=MAX_WAITING)

    def _shown(self) -> object:
        """Only availability changes with the coordinator; events come apart."""
        return None

    async def async_added_to_hass(self) -> None:
        """Listen to this entry's call events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                self.coordinator.signal_call_event(self.extension),
                self._async_on_event,
            )
        )

    @callback
    def _async_on_event(self, event: CallEvent) -> None:
        """Fire the event if it is this extension's.

        The first poll after an outage finds the calls that ended meanwhile
        before the entity is available again; those events wait for it, so
        that automations see them as events, not as the return from
        `unavailable`.
        """
        if not self.available:
            self._waiting.append(event)
            return
        self._async_fire(event)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write availability, then fire the events that waited for it.

        An entity whose extension is gone keeps its waiting events until it
        is removed with the extension's device.
        """
        super()._handle_coordinator_update()
        if not self.available:
            return
        while self._waiting:
            self._async_fire(self._waiting.popleft())

    @callback
    def _async_fire(self, event: CallEvent) -> None:
        """Show one event."""
        self._trigger_event(event.type.value, event.as_dict())
        self.async_write_ha_state()


# Adds the call event entity of every extension.
async_setup_entry = extension_platform((VoipNowCallEventEntity, (EVENTS,)))
