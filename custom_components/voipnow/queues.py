"""Call queues the user named in the options, and their agents' status.

UnifiedAPI cannot list a user's queues, so the options name them. Each is
listed with one request per refresh, on the calls' interval; no queue events
exist, so an agent who logs in on the phone (a feature code) shows at the
next refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .api import AgentStatus, QueueAgent, VoipNowClient, same_extension
from .const import CONF_QUEUES, DOMAIN, LOGGER
from .errors import update_errors
from .refusals import refusals

CONF_QUEUE_NAME = "name"
CONF_QUEUE_NUMBER = "number"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallQueue:
    """A call queue the user named: its extension number and a name."""

    number: str
    name: str

    def as_option(self) -> dict[str, str]:
        """Return the queue as stored in the options."""
        return {CONF_QUEUE_NAME: self.name, CONF_QUEUE_NUMBER: self.number}


def call_queues(options: Mapping[str, Any]) -> tuple[CallQueue, ...]:
    """Read the queues the options flow stored."""
    return tuple(
        CallQueue(number=item[CONF_QUEUE_NUMBER], name=item[CONF_QUEUE_NAME])
        for item in options.get(CONF_QUEUES, ())
    )


def find_queue(queues: tuple[CallQueue, ...], text: str) -> CallQueue | None:
    """Return the queue a number or a name means (`Sales`, `0003*300`, `300`)."""
    wanted = text.strip()
    for queue in queues:
        if wanted.casefold() == queue.name.casefold() or same_extension(
            queue.number, wanted
        ):
            return queue
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueState:
    """One queue's agents and their status (None: a status the docs do not list)."""

    agents: Mapping[str, AgentStatus | None]
    # What names each agent (by number) in a path: a remote agent's id.
    addresses: Mapping[str, str] = field(default_factory=dict)

    @property
    def online(self) -> int:
        """How many agents take calls now."""
        return sum(status is AgentStatus.ONLINE for status in self.agents.values())

    def find_agent(self, text: str) -> str | None:
        """Return the agent a number (`210` finds `0003*210`) or an id means."""
        by_id = [agent for agent, address in self.addresses.items() if address == text]
        if by_id:
            return by_id[0]
        matches = [agent for agent in self.agents if same_extension(agent, text)]
        return matches[0] if len(matches) == 1 else None

    def address(self, agent: str) -> str:
        """Return what names an agent in a path (a remote agent's id)."""
        return self.addresses.get(agent, agent)


class VoipNowQueues(DataUpdateCoordinator[Mapping[str, QueueState]]):
    """List the agents of every configured queue (one request per queue)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: VoipNowClient,
        interval: timedelta,
    ) -> None:
        """Follow the queues of the entry's options."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} queues {client.host}",
            update_interval=interval,
            always_update=False,
        )
        self.client = client
        self.queues = call_queues(entry.options)
        self._interval = interval

    async def _async_update_data(self) -> Mapping[str, QueueState]:
        """List each queue's agents."""
        states: dict[str, QueueState] = {}
        with (
            update_errors("queues_failed"),
            refusals(self, ("queues",), self._interval),
        ):
            for queue in self.queues:
                agents = await self.client.async_list_queue_agents(queue=queue.number)
                states[queue.number] = _state(agents)
        return states

    def queue(self, text: str) -> CallQueue | None:
        """Return the configured queue a number or a name means."""
        return find_queue(self.queues, text)


def _state(agents: list[QueueAgent]) -> QueueState:
    """Summarise one listing of a queue's agents."""
    return QueueState(
        agents={agent.number: agent.status for agent in agents},
        addresses={agent.number: agent.address for agent in agents},
    )
