"""Re-listings after actions and callbacks: coalesced, never a cooldown.

A second action must show at once too; so while one listing runs, later
requests share one more listing after it, and 50 simultaneous transfers cost
two listings, not 50.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN


class Relister:
    """One entry's re-listings: one runs, at most one more waits after it."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        refresh: Callable[[], Awaitable[None]],
    ) -> None:
        """Re-list with `refresh` (the coordinator's), in the entry's tasks."""
        self._hass = hass
        self._entry = entry
        self._refresh = refresh
        self._relisting = False
        self._again = False

    @callback
    def request(self) -> None:
        """Re-list at once, or once more after the listing that runs.

        A tracked task (whoever waits for Home Assistant to settle sees it),
        not started eagerly (the caller gets its answer first).
        """
        if self._relisting:
            self._again = True
            return
        self._relisting = True
        self._entry.async_create_task(
            self._hass, self._async_relist(), f"{DOMAIN} refresh", eager_start=False
        )

    async def _async_relist(self) -> None:
        """List the calls until no request for a fresher picture is pending."""
        try:
            while True:
                self._again = False
                await self._refresh()
                if not self._again:
                    return
        finally:
            self._relisting = False
