"""Base entity of a call queue; its device is the queue (*Queue Sales*).

Queue devices belong to the queues named in the options: the stale-device
cleanup of extensions leaves them alone, and a queue removed from the
options takes its device with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .queues import CallQueue, QueueState, VoipNowQueues
from .runtime import VoipNowConfigEntry, VoipNowRuntime


class VoipNowQueueEntity(CoordinatorEntity[VoipNowQueues]):
    """An entity of one call queue."""

    _attr_has_entity_name = True

    def __init__(
        self,
        runtime: VoipNowRuntime,
        queue: CallQueue,
        description: EntityDescription,
        unique_suffix: str | None = None,
    ) -> None:
        """Bind the entity to a queue, with a unique id stable across installs."""
        super().__init__(runtime.queues)
        self.runtime = runtime
        self.queue = queue
        self.entity_description = description
        identifier = runtime.calls.queue_identifier(queue.number)
        self._attr_unique_id = f"{identifier}_{unique_suffix or description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, identifier)},
            translation_key="queue",
            translation_placeholders={"name": queue.name},
            manufacturer="4PSA",
            model="VoipNow call queue",
            configuration_url=runtime.calls.client.base_url,
        )

    @property
    def state_of_queue(self) -> QueueState | None:
        """The queue's agents, as last listed."""
        data = self.coordinator.data
        return data.get(self.queue.number) if data else None

    @property
    def available(self) -> bool:
        """Available while the queue's agents can be listed."""
        return super().available and self.state_of_queue is not None


def async_add_queue_entities(
    entry: VoipNowConfigEntry,
    async_add_entities: AddEntitiesCallback,
    factory: Callable[[VoipNowRuntime, CallQueue, QueueState], Iterable[Entity]],
) -> None:
    """Add a platform's entities of every queue, now and after each listing.

    `factory` is given the queue's latest state and returns the entities it
    should have; those already added are not added twice (by unique id).
    """
    runtime = entry.runtime_data
    added: set[str] = set()

    @callback
    def _async_add_new() -> None:
        data = runtime.queues.data or {}
        new: list[Entity] = []
        for queue in runtime.queues.queues:
            if (state := data.get(queue.number)) is None:
                continue
            for entity in factory(runtime, queue, state):
                if entity.unique_id is not None and entity.unique_id not in added:
                    added.add(entity.unique_id)
                    new.append(entity)
        if new:
            async_add_entities(new)

    _async_add_new()
    entry.async_on_unload(runtime.queues.async_add_listener(_async_add_new))


@callback
def async_remove_stale_queue_devices(
    hass: HomeAssistant, entry: VoipNowConfigEntry
) -> None:
    """Remove the devices of queues the options no longer name."""
    calls = entry.runtime_data.calls
    wanted = {
        (DOMAIN, calls.queue_identifier(queue.number))
        for queue in entry.runtime_data.queues.queues
    }
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if calls.is_queue_device(device) and not device.identifiers & wanted:
            registry.async_remove_device(device.id)


@callback
def async_remove_agent_entity(hass: HomeAssistant, entity_id: str) -> None:
    """Remove the entity of an agent who left the queue."""
    er.async_get(hass).async_remove(entity_id)
