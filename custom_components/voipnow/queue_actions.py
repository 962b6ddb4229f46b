"""What the queue action does, for the action, the selects and voice alike."""

from __future__ import annotations

from typing import Final

from .api import AgentStatus, VoipNowInvalidInputError, validate_number
from .errors import invalid_input, pbx_errors, validation_error
from .queues import CallQueue
from .runtime import VoipNowRuntime

ATTR_QUEUE: Final = "queue"
ATTR_AGENT: Final = "agent"
ATTR_STATUS: Final = "status"
# The words of the selects and the action, and what the PBX calls them.
STATUS_OPTIONS: Final = {
    "logged_out": AgentStatus.LOGGED_OUT,
    "online": AgentStatus.ONLINE,
    "paused": AgentStatus.PAUSED,
}
OPTION_OF_STATUS: Final = {status: option for option, status in STATUS_OPTIONS.items()}
# What the QueueAgents errors mean here: `extension_invalid` names the queue.
QUEUE_ERRORS: Final = {
    "status_invalid": ("status_invalid", ATTR_STATUS),
    "extension_invalid": ("queue_invalid", ATTR_QUEUE),
    "qag_agent_invalid": ("qag_agent_invalid", ATTR_AGENT),
}


def known_queue(runtime: VoipNowRuntime, text: str) -> CallQueue:
    """Return the configured queue a number or a name means, or raise."""
    if (queue := runtime.queues.queue(text)) is None:
        raise validation_error("unknown_queue", queue=str(text)[:64])
    return queue


def known_agent(runtime: VoipNowRuntime, queue: CallQueue, text: str) -> str:
    """Return the agent of a queue a number (or a remote agent's id) means, or raise.

    While the queue's agents are not known (its listing failed), any number
    is passed on and the PBX says whether it is an agent.
    """
    state = (runtime.queues.data or {}).get(queue.number)
    if state is not None and (agent := state.find_agent(text.strip())) is not None:
        return agent
    try:
        validate_number(ATTR_AGENT, text.strip())
    except VoipNowInvalidInputError as err:
        raise invalid_input(err) from None
    if state is None:
        return text.strip()
    if (agent := state.find_agent(text.strip())) is None:
        raise validation_error("unknown_agent", agent=text[:32], queue=queue.name)
    return agent


async def async_set_agent_status(
    runtime: VoipNowRuntime, queue: CallQueue, agent: str, status: AgentStatus
) -> None:
    """Log an agent in or out of a queue, or pause it; then list the queues.

    A remote agent is addressed by its id, a local one by its extension.
    """
    state = (runtime.queues.data or {}).get(queue.number)
    with pbx_errors(runtime.calls, QUEUE_ERRORS):
        await runtime.calls.client.async_set_queue_agent_status(
            queue=queue.number,
            agent=state.address(agent) if state else agent,
            status=status,
        )
    await runtime.queues.async_request_refresh()
