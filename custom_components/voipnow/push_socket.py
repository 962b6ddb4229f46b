"""Push over VoipNow's API Notifications socket: nothing for the PBX to reach.

Home Assistant opens the connection itself (VoipNow accepts it from Apps
installed at user level). A message is never trusted, shown or logged above
debug: whatever it says, it only wakes a listing, and the listing says what
happened. The socket's URL carries `deviceId`, derived from the token: it is
never logged (the API client keeps it out of its errors).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback

from .api import (
    NOT_JSON,
    NotificationSocket,
    VoipNowAuthenticationError,
    VoipNowError,
    VoipNowNotificationsRefusedError,
)
from .call_event import CallEvent, CallEventType
from .const import DOMAIN, LOGGER
from .issues import async_set_issue

if TYPE_CHECKING:
    from collections.abc import Callable

    from .coordinator import VoipNowCoordinator

# Reconnect after 1 s, doubling up to 5 minutes; a connection that stayed up
# this long starts again from 1 s.
BACKOFF_MIN: Final = 1.0
BACKOFF_MAX: Final = 300.0
STABLE_AFTER: Final = 60.0
# A token is never used for less than this before the socket renews it.
MIN_RENEW: Final = 10.0
# A listing this soon after a message was (very likely) woken by it.
ANNOUNCED_WITHIN: Final = 15.0
# Calls only listings found before the socket is said not to announce them.
UNANNOUNCED_CALLS: Final = 3
SILENT_FOR: Final = 30 * 60.0
ISSUE_SOCKET_SILENT: Final = "socket_not_arriving"
# The user chose the socket alone, and the PBX refuses it.
ISSUE_SOCKET_REFUSED: Final = "socket_refused"
_NEW_CALL: Final = frozenset({CallEventType.INCOMING_CALL, CallEventType.OUTGOING_CALL})


class SocketPush:
    """Keep one entry's notification socket open and wake a listing per message."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: VoipNowCoordinator,
        socket: NotificationSocket,
        on_refused: Callable[[SocketPush], None],
    ) -> None:
        """Prepare the connection; `on_refused` runs when the PBX stops accepting it."""
        self.hass = hass
        self.coordinator = coordinator
        self._socket = socket
        self._on_refused = on_refused
        self.connected = False
        self.messages = 0
        self.ignored = 0
        self.reconnects = 0
        self.renewals = 0
        # Why the socket is not in use: an HTTP status, or an error's name.
        self.refused_status: int | None = None
        self.last_error: str | None = None
        self.credentials_refused = False
        self._task: asyncio.Task[None] | None = None
        self._heard_at = -SILENT_FOR
        self._quiet_since = hass.loop.time()
        self._missed = False
        self._unannounced = 0

    # --- opening and keeping ----------------------------------------------

    async def async_open(self) -> bool:
        """Try to open the socket once; say whether it is open."""
        try:
            await self._socket.async_connect()
        except VoipNowError as err:
            self._note_failure(err)
            return False
        self.refused_status = None
        self.connected = True
        return True

    def _note_failure(self, err: VoipNowError) -> None:
        """Remember why the socket could not open (no message: it may name the URL)."""
        self.connected = False
        self.last_error = type(err).__name__
        if isinstance(err, VoipNowNotificationsRefusedError):
            self.refused_status = err.status
        if isinstance(err, VoipNowAuthenticationError):
            self.credentials_refused = True

    @callback
    def async_start(self) -> None:
        """Keep the (open) socket in a background task, cancelled on unload."""
        self._quiet_since = self.hass.loop.time()
        self._task = self.coordinator.config_entry.async_create_background_task(
            self.hass, self._async_keep(), f"{DOMAIN} notification socket"
        )

    async def async_stop(self) -> None:
        """Stop keeping the socket and close it."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.connected = False
        await self._socket.async_close()
        async_set_issue(
            self.hass, self.coordinator.config_entry, ISSUE_SOCKET_SILENT, False
        )

    async def _async_keep(self) -> None:
        """Read messages; reconnect on drops (with backoff) and before the token ends."""
        delay = BACKOFF_MIN
        renew = False
        try:
            while True:
                if renew or not self._socket.connected:
                    try:
                        await self._socket.async_connect(renew=renew)
                    except (
                        VoipNowAuthenticationError,
                        VoipNowNotificationsRefusedError,
                    ) as err:
                        self._note_failure(err)
                        LOGGER.info(
                            "The PBX %s no longer accepts the notification socket",
                            self.coordinator.config_entry.title,
                        )
                        self._on_refused(self)
                        return
                    except VoipNowError as err:
                        self._note_failure(err)
                        delay = await self._async_back_off(delay)
                        continue
                    if renew:
                        self.renewals += 1
                    else:
                        self.reconnects += 1
                    self.connected = True
                renew = False
                opened = self.hass.loop.time()
                renew = await self._async_read()
                if self.hass.loop.time() - opened >= STABLE_AFTER:
                    delay = BACKOFF_MIN
                if not renew:
                    delay = await self._async_back_off(delay)
        finally:
            self.connected = False
            await self._socket.async_close()

    async def _async_read(self) -> bool:
        """Read until the token is due (True) or the socket drops (False)."""
        try:
            async with asyncio.timeout(max(self._socket.renew_in, MIN_RENEW)):
                async for message in self._socket.messages():
                    self._on_message(message)
        except TimeoutError:
            LOGGER.debug("Renewing the token of the notification socket")
            return True
        except VoipNowError as err:
            self._note_failure(err)
            LOGGER.debug("The notification socket dropped: %s", err)
            # What happened while it was down is only in the listing.
            self.coordinator.request_listing(source="socket")
        await self._socket.async_close()
        return False

    async def _async_back_off(self, delay: float) -> float:
        """Wait before the next attempt; return the wait after that one."""
        self.connected = False
        LOGGER.debug("Opening the notification socket again in %s s", delay)
        await asyncio.sleep(delay)
        return min(delay * 2, BACKOFF_MAX)

    @callback
    def _on_message(self, message: Any) -> None:
        """Wake a listing for any JSON message; its content is never read."""
        if message is NOT_JSON:
            self.ignored += 1
            LOGGER.debug("Ignored a notification that is not JSON")
            return
        self.messages += 1
        self._heard_at = self.hass.loop.time()
        self._missed = False
        if self._unannounced:
            self._unannounced = 0
            async_set_issue(
                self.hass, self.coordinator.config_entry, ISSUE_SOCKET_SILENT, False
            )
        self.coordinator.request_listing(source="socket")

    # --- health (read by the coordinator through the transport) -----------

    @property
    def working(self) -> bool:
        """The socket is open and no listing found a change it did not announce."""
        return self.connected and not self._missed

    def poll_found_events(self, events: list[CallEvent]) -> int:
        """Note a listing's events: announced when a message came just before.

        Return how many were announced: the PBX's messages about real changes
        give their listing requests back to the gate (as confirmed callbacks
        do), so a busy PBX's rings are never held; a flood that changes
        nothing gives nothing back.
        """
        now = self.hass.loop.time()
        if not events or now - self._heard_at <= ANNOUNCED_WITHIN:
            return len(events)
        if self.working:
            LOGGER.debug("A listing found call events the socket did not announce")
        self._missed = True
        self._unannounced += sum(event.type in _NEW_CALL for event in events)
        quiet = now - max(self._heard_at, self._quiet_since)
        if self._unannounced >= UNANNOUNCED_CALLS or (
            self._unannounced and quiet >= SILENT_FOR
        ):
            async_set_issue(
                self.hass, self.coordinator.config_entry, ISSUE_SOCKET_SILENT, True
            )
        return 0

    def as_diagnostics(self) -> dict[str, Any]:
        """Describe the socket (never its URL)."""
        return {
            "connected": self.connected,
            "working": self.working,
            "messages": self.messages,
            "ignored_not_json": self.ignored,
            "reconnects": self.reconnects,
            "token_renewals": self.renewals,
            "refused_status": self.refused_status,
            "last_error": self.last_error,
            "calls_only_polling_found": self._unannounced,
        }
