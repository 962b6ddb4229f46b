"""Call queues by voice: by the names the user gave them, agents among our extensions.

A queue is reached by its configured name only (never by a number said), and
an agent only among the PBX's own extensions exposed to the assistant.
"""

from __future__ import annotations

from .api import short_extension
from .permissions import async_check_voice
from .phrases import listing, say
from .queue_actions import STATUS_OPTIONS, async_set_agent_status
from .queues import CallQueue
from .runtime import VoipNowRuntime
from .spoken import content_words, spoken_forms, without_fillers
from .voice import UnresolvedError, VoiceScope, unknown_extension


def _queue_named(scope: VoiceScope, text: str) -> tuple[VoipNowRuntime, CallQueue]:
    """Find a configured queue by the name the user gave it.

    The words around the name ("the … queue", "die Warteschlange …", "la
    file d'attente …") are dropped from what was said, and from the name.
    """
    fillers = spoken_forms(scope.language).queue_fillers
    wanted = content_words(text, scope.language, fillers)
    for entry_runtime in _runtimes(scope):
        for queue in entry_runtime.queues.queues:
            if wanted in {
                queue.name.casefold(),
                content_words(queue.name, scope.language, fillers),
            }:
                return entry_runtime, queue
    raise UnresolvedError("unknown_queue", name=_said_queue(scope, text))


def _said_queue(scope: VoiceScope, text: str) -> str:
    """Say a queue back as it was named, without "the … queue" around it."""
    fillers = spoken_forms(scope.language).queue_fillers
    return without_fillers(text, scope.language, fillers)


def _every(text: str, language: str | None) -> bool:
    """Tell whether a spoken queue means all of them ("all queues", "allen")."""
    forms = spoken_forms(language)
    words = set(content_words(text, language, forms.every_fillers).split())
    return bool(words) and words <= forms.every


def _runtimes(scope: VoiceScope) -> list[VoipNowRuntime]:
    """Return what every loaded entry holds."""
    seen: dict[str, VoipNowRuntime] = {}
    for coordinator, _ in scope.extensions():
        entry = coordinator.config_entry
        seen.setdefault(entry.entry_id, entry.runtime_data)
    return list(seen.values())


def _agent_named(scope: VoiceScope, runtime: VoipNowRuntime, text: str) -> str:
    """Find the agent among the entry's exposed extensions."""
    named = [
        number
        for coordinator, number in scope.named(text)
        if coordinator is runtime.calls
    ]
    if len(named) != 1:
        raise unknown_extension(text, scope.language)
    return named[0]


async def async_set_status(
    scope: VoiceScope, agent_text: str, queue_text: str | None, status: str
) -> tuple[str, list[CallQueue]]:
    """Set an agent's status in one queue, or log it out of every queue it is in."""
    if queue_text and _every(queue_text, scope.language):
        queue_text = None
    if queue_text:
        runtime, queue = _queue_named(scope, queue_text)
        targets = [queue]
    else:
        if status != "logged_out":
            raise UnresolvedError("which_queue")
        runtimes = _runtimes(scope)
        if not runtimes:
            raise UnresolvedError("no_queues")
        runtime = runtimes[0]
        targets = list(runtime.queues.queues)
    agent = _agent_named(scope, runtime, agent_text)
    data = runtime.queues.data or {}
    targets = [
        queue
        for queue in targets
        if (state := data.get(queue.number)) is not None
        and state.find_agent(agent) is not None
    ]
    if not targets:
        if queue_text:
            raise UnresolvedError(
                "not_an_agent",
                agent=short_extension(agent),
                queue=_said_queue(scope, queue_text),
            )
        raise UnresolvedError("not_an_agent_anywhere", agent=short_extension(agent))
    await async_check_voice(
        scope.hass, scope.context, runtime.calls, queues=(runtime, targets)
    )
    for queue in targets:
        found = data[queue.number].find_agent(agent)
        await async_set_agent_status(
            runtime, queue, found or agent, STATUS_OPTIONS[status]
        )
    return agent, targets


def said_status(
    language: str | None, agent: str, queues: list[CallQueue], status: str
) -> str:
    """Say what was done."""
    return say(
        language,
        f"agent_{status}",
        agent=short_extension(agent),
        queues=listing(language, [queue.name for queue in queues]),
    )


def said_online(scope: VoiceScope, queue_text: str) -> str:
    """Say who is online (and paused) in a queue."""
    language = scope.language
    runtime, queue = _queue_named(scope, queue_text)
    state = (runtime.queues.data or {}).get(queue.number)
    if state is None:
        raise UnresolvedError("queue_unavailable", queue=queue.name)
    online = [
        short_extension(a)
        for a, s in state.agents.items()
        if s is STATUS_OPTIONS["online"]
    ]
    paused = [
        short_extension(a)
        for a, s in state.agents.items()
        if s is STATUS_OPTIONS["paused"]
    ]
    if not online:
        said = say(language, "nobody_online", queue=queue.name)
    else:
        key = "one_online" if len(online) == 1 else "many_online"
        said = say(language, key, queue=queue.name, agents=listing(language, online))
    if paused:
        said += " " + say(language, "paused_agents", agents=", ".join(paused))
    return said
