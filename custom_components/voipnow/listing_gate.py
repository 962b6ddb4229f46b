"""How often push may wake a listing: a small burst, then about one a second.

Callbacks carry no signature, so whoever learns the webhook URL can post as
many as they like; each one only asks for a listing, and this gate holds a
flood to about one listing a second. The first callbacks of a quiet line
pass at once (a ring must show within one listing's round trip); a request
that must wait is kept once, however many arrive meanwhile. A callback the
listing confirmed gives its token back (a socket message, when the listing
it woke found call changes), so a real PBX's pushes, however many calls come
at once, are never held. Listings after the integration's
own actions do not pass here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

from homeassistant.core import HomeAssistant, callback

# Requests that pass at once after a quiet spell.
BURST: Final = 5
# Requests that pass per second during a flood.
RATE: Final = 1.0


class ListingGate:
    """A token bucket in front of one entry's listings."""

    def __init__(self, hass: HomeAssistant, wake: Callable[[], None]) -> None:
        """Call `wake` for the requests that pass (it coalesces them)."""
        self._hass = hass
        self._wake = wake
        self._tokens = float(BURST)
        self._at = hass.loop.time()
        self._held: asyncio.TimerHandle | None = None
        self.held_back = 0

    @callback
    def request(self) -> None:
        """Wake a listing now, or once a token is back (one wait at most)."""
        if self._held is not None:
            self.held_back += 1
            return
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            self._wake()
            return
        self.held_back += 1
        self._held = self._hass.loop.call_later(
            (1 - self._tokens) / RATE, self._release
        )

    def _refill(self) -> None:
        """Give back the tokens earned since the last request."""
        now = self._hass.loop.time()
        # A clock set back (tests freeze it) earns nothing, and takes nothing.
        earned = max(0.0, now - self._at) * RATE
        self._tokens = min(float(BURST), self._tokens + earned)
        self._at = now

    @callback
    def _release(self) -> None:
        """Let the request that waited through."""
        self._held = None
        self._refill()
        self._tokens = max(0.0, self._tokens - 1)
        self._wake()

    def refund(self, confirmed: int) -> None:
        """Give back the tokens of callbacks a listing confirmed."""
        self._tokens = min(float(BURST), self._tokens + confirmed)

    @callback
    def cancel(self) -> None:
        """Drop a waiting request: the entry is unloading."""
        if self._held is not None:
            self._held.cancel()
            self._held = None
