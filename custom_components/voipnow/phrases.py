"""What voice says, in the language it was spoken to.

Every answer of the intents is a phrase here, by key; a language without a
phrase falls back to English. Names and numbers are filled in as values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from .spoken import base_language

PHRASES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "and": "and",
        "or": "or",
        "extension": "extension {number}",
        "unknown_caller": "an unknown caller",
        "party": "{name} ({number})",
        "unknown_extension": "I don't know an extension called {name}.",
        "no_call_on": "There is no call on {extensions}.",
        "no_call": "There is no call right now.",
        "several_calls": "Several phones have calls ({extensions}). Which extension?",
        "ambiguous_target": "{name} could mean {targets}. Which one?",
        "number_not_a_target": (
            "{number} is not one of your transfer targets. "
            "Add it in the VoipNow options to transfer calls there by voice."
        ),
        "unknown_target": "I don't know a transfer target called {name}.",
        "transferred": "Transferred the call with {party} to {target}.",
        "sent_to_voicemail": "Sent the call with {party} to voicemail of {target}.",
        "hung_up": "Hung up the call with {party}.",
        "is_calling": "{party} is calling {extension}",
        "on_a_call": "{extension} is on a call with {party}",
        "nobody_calling": "Nobody is calling.",
        "history_unavailable": "The call history is not available right now.",
        "no_missed": "No missed calls.",
        "no_missed_on": "No missed calls on {extension}.",
        "no_missed_today": "No missed calls today.",
        "no_missed_on_today": "No missed calls on {extension} today.",
        "missed_one": "1 missed call, from {callers}.",
        "missed_many": "{count} missed calls, from {callers}.",
        "missed_one_on": "1 missed call on {extension}, from {callers}.",
        "missed_many_on": "{count} missed calls on {extension}, from {callers}.",
        "missed_one_today": "1 missed call today, from {callers}.",
        "missed_many_today": "{count} missed calls today, from {callers}.",
        "missed_one_on_today": "1 missed call on {extension} today, from {callers}.",
        "missed_many_on_today": (
            "{count} missed calls on {extension} today, from {callers}."
        ),
        "unknown_queue": "I don't know a call queue called {name}.",
        "which_queue": "Which queue?",
        "no_queues": "There are no call queues.",
        "not_an_agent": "Extension {agent} is not an agent of {queue}.",
        "not_an_agent_anywhere": "Extension {agent} is not an agent of any call queue.",
        "queue_unavailable": "The queue {queue} cannot be read right now.",
        "agent_online": "Logged {agent} into {queues}.",
        "agent_paused": "Paused {agent} in {queues}.",
        "agent_logged_out": "Logged {agent} out of {queues}.",
        "nobody_online": "Nobody is online in {queue}.",
        "one_online": "In {queue}, {agents} is online.",
        "many_online": "In {queue}, {agents} are online.",
        "paused_agents": "Paused: {agents}.",
    },
}


def say(language: str | None, key: str, **values: Any) -> str:
    """Return a phrase in a language (English when it has none), filled in."""
    template = PHRASES.get(base_language(language), {}).get(key) or PHRASES["en"][key]
    return template.format(**values)


def listing(language: str | None, items: Sequence[str]) -> str:
    """Say a list in a language: `A`, `A and B`, `A, B and C`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(language, 'and')} {items[-1]}"


def alternatives(language: str | None, items: Sequence[str]) -> str:
    """Say alternatives: `A`, `A or B`, `A, B or C`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(language, 'or')} {items[-1]}"


def capitalised(text: str) -> str:
    """Start a sentence with a capital letter (a label may not)."""
    return text[:1].upper() + text[1:]
