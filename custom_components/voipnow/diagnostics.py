"""Diagnostics of a VoipNow config entry, with credentials and host redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_URL
from homeassistant.core import HomeAssistant

from .coordinator import VoipNowConfigEntry

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
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: VoipNowConfigEntry
) -> dict[str, Any]:
    """Return what helps debugging: options, extensions, calls and states."""
    coordinator = entry.runtime_data
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
        "extensions": [asdict(ext) for ext in data.extensions.values()],
        "calls": [asdict(call) for call in data.calls],
        "states": {number: asdict(state) for number, state in data.states.items()},
    }
