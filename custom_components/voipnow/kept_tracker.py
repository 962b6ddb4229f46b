"""Each entry's call tracker, kept while Home Assistant runs, across reloads.

A reload (changed options, reauthentication, the user's own) must not lose
the calls the entry follows: a call that ends while the entry reloads still
ends (`ended` or `missed`), and one that begins then is still announced. Only
a restart, a changed PBX address or a removed entry starts from nothing (the
first listing then only learns the calls in progress).
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .tracker import CallTracker

# Per entry id: the PBX address the tracker followed, and the tracker.
_KEPT: HassKey[dict[str, tuple[str, CallTracker]]] = HassKey(f"{DOMAIN}_trackers")


def kept_tracker(hass: HomeAssistant, entry: ConfigEntry) -> CallTracker:
    """Return the entry's tracker from before a reload, or a new one."""
    kept = hass.data.setdefault(_KEPT, {})
    url = str(entry.data.get(CONF_URL, ""))
    found = kept.get(entry.entry_id)
    if found is None or found[0] != url:
        found = kept[entry.entry_id] = (url, CallTracker())
    return found[1]


def forget_tracker(hass: HomeAssistant, entry_id: str) -> None:
    """Drop a removed entry's tracker."""
    hass.data.get(_KEPT, {}).pop(entry_id, None)
