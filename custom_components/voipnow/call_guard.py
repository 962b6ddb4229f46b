"""One request at a time per call: a double press must not reach the PBX twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .errors import validation_error

if TYPE_CHECKING:
    from .coordinator import VoipNowCoordinator

# Calls a request is under way for, per entry.
_IN_FLIGHT: HassKey[set[tuple[str, str]]] = HassKey(f"{DOMAIN}_in_flight")


class ActingOn:
    """Refuse a second request for a call while one is under way.

    A double press or two automations at once must not reach the PBX twice.
    """

    def __init__(self, coordinator: VoipNowCoordinator, phone_call_id: str) -> None:
        """Guard one call of one entry."""
        self._in_flight: set[tuple[str, str]] = coordinator.hass.data.setdefault(
            _IN_FLIGHT, set()
        )
        self._key = (coordinator.config_entry.entry_id, phone_call_id)

    def __enter__(self) -> None:
        """Take the call, or refuse: a request for it is under way."""
        if self._key in self._in_flight:
            raise validation_error("call_busy", phone_call_id=self._key[1])
        self._in_flight.add(self._key)

    def __exit__(self, *exc_info: object) -> None:
        """Let the call go."""
        self._in_flight.discard(self._key)
