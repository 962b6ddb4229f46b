"""Call-queue agents as selects: logged out, online or paused, as the PBX says."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .api import short_extension
from .queue_actions import OPTION_OF_STATUS, STATUS_OPTIONS, async_set_agent_status
from .queue_entity import (
    VoipNowQueueEntity,
    async_add_queue_entities,
    async_remove_agent_entity,
    async_remove_stale_queue_devices,
)
from .queues import CallQueue, QueueState
from .runtime import VoipNowConfigEntry, VoipNowRuntime

PARALLEL_UPDATES = 1

AGENT_STATUS = SelectEntityDescription(
    key="agent_status",
    translation_key="agent_status",
    options=list(STATUS_OPTIONS),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VoipNowConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add one select per agent of every configured queue."""
    async_remove_stale_queue_devices(hass, entry)

    def _agents(
        runtime: VoipNowRuntime, queue: CallQueue, state: QueueState
    ) -> Iterable[VoipNowAgentSelect]:
        return (VoipNowAgentSelect(runtime, queue, agent) for agent in state.agents)

    async_add_queue_entities(entry, async_add_entities, _agents)


class VoipNowAgentSelect(VoipNowQueueEntity, SelectEntity):
    """One agent of a queue: choosing an option sets it on the PBX."""

    def __init__(self, runtime: VoipNowRuntime, queue: CallQueue, agent: str) -> None:
        """Name the select after the agent's extension (or number)."""
        super().__init__(runtime, queue, AGENT_STATUS, f"agent_{agent}")
        self.agent = agent
        self._attr_translation_placeholders = {"agent": short_extension(agent)}

    @property
    def current_option(self) -> str | None:
        """The agent's status as the PBX last reported it."""
        state = self.state_of_queue
        status = state.agents.get(self.agent) if state else None
        return OPTION_OF_STATUS.get(status) if status is not None else None

    @property
    def available(self) -> bool:
        """Available while the agent is in the queue."""
        state = self.state_of_queue
        return super().available and state is not None and self.agent in state.agents

    @callback
    def _handle_coordinator_update(self) -> None:
        """Leave with an agent the PBX no longer lists in the queue."""
        state = self.state_of_queue
        if (
            self.coordinator.last_update_success
            and state is not None
            and self.agent not in state.agents
            and self.entity_id
        ):
            async_remove_agent_entity(self.hass, self.entity_id)
            return
        super()._handle_coordinator_update()

    async def async_select_option(self, option: str) -> None:
        """Set the agent's status on the PBX, then show what the PBX reports."""
        await async_set_agent_status(
            self.runtime, self.queue, self.agent, STATUS_OPTIONS[option]
        )
