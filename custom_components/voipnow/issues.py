"""Repair issues: one entry's issue of one kind, raised while due, cleared after.

Each is a warning the repairs dialog cannot fix; its id is the kind and the
entry's id, and its text names the entry (`title`) and what `values` add.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def issue_id(kind: str, entry_id: str) -> str:
    """Return the id of one entry's repair issue of one kind."""
    return f"{kind}_{entry_id}"


@callback
def async_set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    due: bool,
    *,
    translation_key: str | None = None,
    **values: str,
) -> None:
    """Raise (or keep) one entry's repair issue while due, or clear it.

    The text is the translation `translation_key` (by default the kind).
    """
    issue = issue_id(kind, entry.entry_id)
    if not due:
        ir.async_delete_issue(hass, DOMAIN, issue)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=translation_key or kind,
        translation_placeholders={"title": entry.title, **values},
    )


@callback
def async_delete_issue(hass: HomeAssistant, entry_id: str, kind: str) -> None:
    """Clear one entry's repair issue (also once the entry is gone)."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry_id))
