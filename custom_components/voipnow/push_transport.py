"""Which way calls are pushed: the App's socket, the webhook, or none (polling).

Automatic: the notification socket when the PBX accepts it (nothing to
expose), else the webhook (the PBX calls Home Assistant back), else polling.
A socket the PBX refused is tried again every 30 minutes with the current
token, and never once the App's credentials were refused. This module owns
the choice; `push_socket` owns the socket, `push` the webhook.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import CONF_CLIENT_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .call_event import CallEvent
from .const import DOMAIN, LOGGER, PushTransport
from .issues import async_set_issue
from .push import VoipNowPush
from .push_socket import ISSUE_SOCKET_REFUSED, ISSUE_SOCKET_SILENT, SocketPush
from .subscriptions import async_delete_subscriptions

if TYPE_CHECKING:
    from datetime import datetime

    from .coordinator import VoipNowCoordinator

SOCKET_RETRY: Final = timedelta(minutes=30)


class VoipNowPushTransport:
    """Choose and keep one entry's push transport; tell polling whether it works."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: VoipNowCoordinator,
        chosen: PushTransport,
        webhook_id: str,
    ) -> None:
        """Prepare the transport the options chose (not polling); nothing opens yet."""
        self.hass = hass
        self.coordinator = coordinator
        self.chosen = chosen
        self.webhook_id = webhook_id
        self.in_use = PushTransport.POLLING
        # Why the transport in use is that one (see `as_diagnostics`).
        self.reason = "chosen"
        self.webhook: VoipNowPush | None = None
        self.socket: SocketPush | None = None
        self._retry: CALLBACK_TYPE | None = None

    async def async_start(self) -> None:
        """Start the chosen transport (the socket first, when it may be used)."""
        if self.chosen is PushTransport.WEBHOOK:
            await self._async_use_webhook()
            return
        entry = self.coordinator.config_entry
        self.socket = socket = SocketPush(
            self.hass,
            self.coordinator,
            self.coordinator.client.notifications(entry.data[CONF_CLIENT_ID]),
            self._socket_refused,
        )
        await self._async_try_socket(socket)

    async def _async_try_socket(self, socket: SocketPush) -> None:
        """Open the socket and use it, or fall back."""
        if await socket.async_open():
            await self._async_use_socket(socket)
        else:
            await self._async_socket_unavailable(socket)

    async def _async_use_socket(self, socket: SocketPush) -> None:
        """Push through the open socket; the webhook and our subscriptions go."""
        entry = self.coordinator.config_entry
        self.in_use = PushTransport.SOCKET
        self.reason = "socket_open"
        async_set_issue(self.hass, entry, ISSUE_SOCKET_REFUSED, False)
        if self.webhook is not None:
            LOGGER.info("The PBX %s accepts the notification socket now", entry.title)
            self.webhook.async_stop()
            self.webhook = None
        # Subscriptions of ours left from the webhook would call for nothing.
        entry.async_create_background_task(
            self.hass,
            async_delete_subscriptions(
                self.hass,
                self.coordinator.client,
                entry.entry_id,
                list(self.coordinator.extensions),
            ),
            f"{DOMAIN} unsubscribe",
        )
        socket.async_start()

    @callback
    def _socket_refused(self, socket: SocketPush) -> None:
        """The PBX stopped accepting the socket: fall back as at setup."""
        self.coordinator.config_entry.async_create_background_task(
            self.hass,
            self._async_socket_unavailable(socket),
            f"{DOMAIN} push fallback",
        )

    async def _async_socket_unavailable(self, socket: SocketPush) -> None:
        """Use the webhook (automatic) or polling (socket), and retry later."""
        if socket.credentials_refused:
            self.reason = "credentials_refused"
        else:
            self.reason = (
                "socket_refused"
                if socket.refused_status is not None
                else "socket_unreachable"
            )
            self._retry = async_call_later(
                self.hass, SOCKET_RETRY, self._async_retry_socket
            )
        entry = self.coordinator.config_entry
        if self.chosen is PushTransport.SOCKET:
            self.in_use = PushTransport.POLLING
            async_set_issue(
                self.hass,
                entry,
                ISSUE_SOCKET_REFUSED,
                socket.refused_status is not None,
            )
        elif self.webhook is None:
            await self._async_use_webhook()

    async def _async_retry_socket(self, _now: datetime) -> None:
        """Try the socket again with the current token."""
        self._retry = None
        if self.socket is not None:
            await self._async_try_socket(self.socket)

    async def _async_use_webhook(self) -> None:
        """Push through the webhook when a URL the PBX can call is known."""
        push = VoipNowPush(self.hass, self.coordinator, self.webhook_id)
        self.webhook = push
        url_known = await push.async_start()
        self.in_use = PushTransport.WEBHOOK if url_known else PushTransport.POLLING

    async def async_stop(self) -> None:
        """Stop every transport (the entry unloads)."""
        if self._retry is not None:
            self._retry()
            self._retry = None
        if self.webhook is not None:
            self.webhook.async_stop()
        entry = self.coordinator.config_entry
        async_set_issue(self.hass, entry, ISSUE_SOCKET_REFUSED, False)
        if self.socket is not None:
            await self.socket.async_stop()
        async_set_issue(self.hass, entry, ISSUE_SOCKET_SILENT, False)

    # --- what the coordinator asks of push (`PushHealth`) -----------------

    @property
    def working(self) -> bool:
        """The transport in use announces every call: polling may slow down."""
        if self.in_use is PushTransport.SOCKET and self.socket is not None:
            return self.socket.working
        return self.webhook is not None and self.webhook.working

    def poll_found_events(self, events: list[CallEvent]) -> int:
        """Hand a listing's events to the transport in use, for its health.

        Return how many of them a socket message announced (a callback's
        are marked by the tracker).
        """
        if self.in_use is PushTransport.SOCKET and self.socket is not None:
            return self.socket.poll_found_events(events)
        if self.webhook is not None:
            self.webhook.poll_found_events(events)
        return 0

    def as_diagnostics(self) -> dict[str, Any]:
        """Which transport, why, and how each one fares (no URL, no deviceId)."""
        return {
            "transport": {
                "chosen": self.chosen.value,
                "in_use": self.in_use.value,
                "reason": self.reason,
            },
            "socket": self.socket.as_diagnostics() if self.socket else None,
            **(self.webhook.as_diagnostics() if self.webhook else {}),
        }
