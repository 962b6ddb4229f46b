"""Queue extensions and their agents, as the panel and feature codes set them."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
import hashlib
from typing import Any

from .model import is_valid_number, known_number
from .modes import Modes

# Agent Resource: "0 - Logged Out / 1 - Online / 2 - Paused".
LOGGED_OUT, ONLINE, PAUSED = 0, 1, 2
AGENT_STATUSES = (LOGGED_OUT, ONLINE, PAUSED)


def check_status(status: Any) -> int:
    """Return an agent status (0, 1 or 2), else raise ValueError."""
    if isinstance(status, bool) or status not in AGENT_STATUSES:
        raise ValueError(f"agent status must be 0, 1 or 2, not {status!r}")
    return int(status)


@dataclass
class Queue:
    """A Queue extension: its number, name and agents with their status.

    A queue is an extension of type Queue, not a phone terminal: it has no
    phone to register and is never busy itself, so presence (which reports
    phones) does not list it, and this simulator cannot call it.
    """

    number: str
    name: str = ""
    # Agent (a local extension number or a remote agent's public number) ->
    # status, in the order the agents were added.
    agents: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the control API's view of the queue."""
        return {"number": self.number, "name": self.name, "agents": dict(self.agents)}


class QueueBook:
    """The PBX's queues: the only place that adds, removes or changes them."""

    def __init__(
        self, org_prefix: str, extensions: Container[str], modes: Modes
    ) -> None:
        """Start without queues; numbers are read against the PBX's extensions.

        `extensions` is the PBX's own (live) collection of phone extensions:
        a queue cannot take one's number, and a short agent number means one.
        `modes` are the PBX's (remote agents addressed by id, for one).
        """
        self.org_prefix = org_prefix
        self.extensions = extensions
        self.modes = modes
        self.queues: dict[str, Queue] = {}

    def number(self, raw: str) -> str | None:
        """Return the queue a number means (``300`` or ``0003*300``), else None."""
        return known_number(raw, self.org_prefix, self.queues)

    def get(self, raw: str) -> Queue:
        """Return a queue by number, else raise KeyError."""
        number = self.number(raw)
        if number is None:
            raise KeyError(f"unknown queue {raw!r}")
        return self.queues[number]

    def identifier(self, agent: str) -> str:
        """Return the id of an agent: its number, or (with ids) a remote one's id."""
        if "*" in agent or not self.modes.remote_agent_ids:
            return agent
        return "ra" + hashlib.sha256(agent.encode()).hexdigest()[:12]

    def agent_of(self, queue: Queue, raw: str, *, path: bool = False) -> str | None:
        """Return the agent of the queue a number (or a path segment) names.

        With remote agent ids (the documented form), the API's paths name a
        remote agent by its id, not by its number.
        """
        raw = str(raw).strip()
        if path and self.modes.remote_agent_ids:
            for agent in queue.agents:
                if "*" not in agent and raw == self.identifier(agent):
                    return agent
            if raw in queue.agents and "*" not in raw:
                return None
        if raw in queue.agents:
            return raw
        extended = f"{self.org_prefix}*{raw}"
        return extended if "*" not in raw and extended in queue.agents else None

    def add(
        self, number: str, name: str = "", agents: dict[str, int] | None = None
    ) -> Queue:
        """Add (or replace) a queue with its agents and their status."""
        number = str(number).strip()
        if not is_valid_number(number) or "*" not in number:
            raise ValueError(f"a queue needs an extended number, not {number!r}")
        if number in self.extensions:
            raise ValueError(f"{number} is a phone terminal extension")
        queue = Queue(number, name)
        for agent, status in (agents or {}).items():
            queue.agents[self._agent_number(agent)] = check_status(status)
        self.queues[number] = queue
        return queue

    def remove(self, number: str) -> None:
        """Remove a queue (KeyError if there is none)."""
        del self.queues[self.get(number).number]

    def add_agent(self, queue: str, agent: str, status: int = LOGGED_OUT) -> None:
        """Make a local extension or a remote number an agent of a queue."""
        self.get(queue).agents[self._agent_number(agent)] = check_status(status)

    def set_status(self, queue: str, agent: str, status: int) -> None:
        """Log an agent in (1), out (0) or pause it (2), as a feature code does."""
        found = self.get(queue)
        number = self.agent_of(found, agent)
        if number is None:
            raise KeyError(f"{agent!r} is not an agent of queue {found.number}")
        found.agents[number] = check_status(status)

    def remove_agent(self, queue: str, agent: str) -> None:
        """Take an agent out of a queue (KeyError if it is not in it)."""
        found = self.get(queue)
        number = self.agent_of(found, agent)
        if number is None:
            raise KeyError(f"{agent!r} is not an agent of queue {found.number}")
        del found.agents[number]

    def _agent_number(self, agent: str) -> str:
        """Validate an agent id (UAPI-Agent-ID) and extend a short extension."""
        agent = str(agent).strip()
        if not is_valid_number(agent):
            raise ValueError(f"an agent is an extension or a phone number: {agent!r}")
        return known_number(agent, self.org_prefix, self.extensions) or agent
