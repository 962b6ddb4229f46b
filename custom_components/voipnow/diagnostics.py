"""Diagnostics of a VoipNow config entry: credentials, host and callers redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_URL
from homeassistant.core import HomeAssistant

from .const import (
    CONF_CARDDAV,
    CONF_PHONEBOOK,
    CONF_PHONEBOOK_FILE,
    CONF_SERVER_ID,
    CONF_TRANSFER_TARGETS,
)
from .runtime import VoipNowConfigEntry

TO_REDACT = {
    CONF_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    "access_token",
    "token",
    "webhook_id",
    "url",
    "unique_id",
    "title",
    CONF_SERVER_ID,
    # Names and numbers of people (transfer targets such as a mobile phone).
    CONF_TRANSFER_TARGETS,
    # The phonebook's names and numbers, its file, the address book's login.
    CONF_PHONEBOOK,
    CONF_PHONEBOOK_FILE,
    CONF_CARDDAV,
    "username",
    "password",
}
# Who called whom is personal data: the shape of calls is what helps debugging.
PERSONAL = {
    "caller_id",
    "caller_name",
    "remote_number",
    "source",
    "destination",
    "agent",
    "name",
    "owner_id",
    "owner_name",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: VoipNowConfigEntry
) -> dict[str, Any]:
    """Return what helps debugging: options, extensions, calls and states."""
    runtime = entry.runtime_data
    coordinator = runtime.calls
    data = coordinator.data
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            TO_REDACT,
        ),
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval_seconds": (
                coordinator.update_interval.total_seconds()
                if coordinator.update_interval
                else None
            ),
        },
        "push": coordinator.push.as_diagnostics() if coordinator.push else None,
        "history": runtime.history.as_diagnostics(),
        "phonebook": runtime.phonebook.as_diagnostics(),
        "queues": {
            "last_update_success": runtime.queues.last_update_success,
            "queues": len(runtime.queues.queues),
            "agents": {
                f"queue {index}": {
                    "agents": len(state.agents),
                    "online": state.online,
                }
                for index, state in enumerate((runtime.queues.data or {}).values())
            },
        },
        "extensions": _redacted([asdict(ext) for ext in data.extensions.values()]),
        "calls": _redacted([asdict(call) for call in data.calls]),
        "states": _redacted(
            {number: asdict(state) for number, state in data.states.items()}
        ),
    }


def _redacted(value: Any) -> Any:
    """Redact personal data; tuples become lists so redaction reaches inside."""
    return async_redact_data(_lists(value), PERSONAL)


def _lists(value: Any) -> Any:
    """Turn the tuples `asdict` keeps into lists, recursively."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value
