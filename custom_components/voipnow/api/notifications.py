"""VoipNow's API Notifications: a WebSocket on which the PBX announces calls.

VNUAPI30 "VoipNow API Notifications": `GET /hubgetsb/ws/?deviceId=…&instanceId=…`
upgraded to a WebSocket with the subprotocol `notification`; `deviceId` is
SHA-1 (hex) of the App ID followed by the access token, `instanceId` a random
string per connection context. Only Apps installed at user level may connect
(others get 401). Each message is JSON `{"timestamp", "class", "content"}`.

`deviceId` is derived from the token: a credential in a URL. aiohttp's errors
print the URL they failed on, so none of them leaves this module as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import hashlib
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any, Final

import aiohttp

from .exceptions import VoipNowConnectionError, VoipNowError

if TYPE_CHECKING:
    from .auth import TokenSource
    from .transport import Transport

_LOGGER = logging.getLogger(__package__)

NOTIFICATIONS_PATH: Final = "/hubgetsb/ws/"
SUBPROTOCOL: Final = "notification"
# A ping every this many seconds; no pong in half of it closes the socket.
HEARTBEAT: Final = 30.0
# Far more than a notification of a call can need.
MAX_MESSAGE_BYTES: Final = 64 * 1024
# Stands for a message that is not JSON (or not text).
NOT_JSON: Final = object()


class VoipNowNotificationsRefusedError(VoipNowError):
    """The PBX would not open the socket: 401 (not a user-level App), 404, no upgrade.

    `status` is the HTTP status it answered instead of switching protocols.
    """

    def __init__(self, message: str, *, status: int | None) -> None:
        """Keep the HTTP status of the refusal."""
        super().__init__(message)
        self.status = status


def device_id(app_id: str, token: str) -> str:
    """Return the documented `deviceId`: SHA-1 of the App ID and the token, in hex."""
    return hashlib.sha1((app_id + token).encode(), usedforsecurity=False).hexdigest()


class NotificationSocket:
    """One App's connection to the API Notifications service, opened on demand.

    It uses the App's current token (shared with every request) and never
    asks for one of its own, except through `async_connect(renew=True)`
    once that token is due for renewal.
    """

    def __init__(self, transport: Transport[TokenSource], app_id: str) -> None:
        """Keep what the connection needs; nothing is opened yet."""
        self._transport = transport
        self._app_id = app_id
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._token: str | None = None
        # When the token in use should be renewed (monotonic time).
        self._renew_at = 0.0

    @property
    def connected(self) -> bool:
        """The socket is open."""
        return self._ws is not None and not self._ws.closed

    @property
    def renew_in(self) -> float:
        """Seconds until the token this connection uses is due for renewal."""
        return max(0.0, self._renew_at - time.monotonic())

    async def async_connect(self, *, renew: bool = False) -> None:
        """Open the socket with the current token (a newer one when `renew`).

        Raise `VoipNowAuthenticationError` when the App's credentials are
        refused, `VoipNowNotificationsRefusedError` when the service is, and
        `VoipNowConnectionError` when the PBX cannot be reached.
        """
        await self.async_close()
        tokens = self._transport.tokens
        token = await tokens.async_token(stale=self._token if renew else None)
        self._token = token
        self._renew_at = time.monotonic() + tokens.valid_for()
        base = self._transport.base
        url = base.with_path(
            base.raw_path.rstrip("/") + NOTIFICATIONS_PATH, encoded=True
        ).with_query(
            deviceId=device_id(self._app_id, token),
            instanceId=secrets.token_hex(16),
        )
        host = base.host
        try:
            async with asyncio.timeout(self._transport.timeout):
                self._ws = await self._transport.session.ws_connect(
                    url,
                    protocols=(SUBPROTOCOL,),
                    heartbeat=HEARTBEAT,
                    max_msg_size=MAX_MESSAGE_BYTES,
                )
        except aiohttp.WSServerHandshakeError as err:
            # Its message and request info carry the URL: keep only the status.
            raise VoipNowNotificationsRefusedError(
                f"{host} refused the notification socket (HTTP {err.status})",
                status=err.status,
            ) from None
        except TimeoutError:
            raise VoipNowConnectionError(
                f"Timeout opening the notification socket of {host}"
            ) from None
        except aiohttp.ClientError as err:
            raise VoipNowConnectionError(
                f"Could not open the notification socket of {host}: "
                f"{type(err).__name__}"
            ) from None

    async def messages(self) -> AsyncIterator[Any]:
        """Yield each message, decoded (`NOT_JSON` when it is not), until it closes.

        Raise `VoipNowConnectionError` when the connection drops or the PBX
        closes it; the caller decides whether to connect again.
        """
        ws = self._ws
        if ws is None:
            raise VoipNowConnectionError("The notification socket is not open")
        while True:
            try:
                message = await ws.receive()
            except (aiohttp.ClientError, TimeoutError):
                raise VoipNowConnectionError("The notification socket failed") from None
            if message.type is aiohttp.WSMsgType.TEXT:
                yield _decode(message.data)
            elif message.type is aiohttp.WSMsgType.BINARY:
                yield NOT_JSON
            else:
                # CLOSE, CLOSING, CLOSED or ERROR (a missed pong, a bad frame).
                raise VoipNowConnectionError(
                    f"The notification socket closed ({message.type.name})"
                )

    async def async_close(self) -> None:
        """Close the socket, if open."""
        ws, self._ws = self._ws, None
        if ws is not None and not ws.closed:
            try:
                await ws.close()
            except (aiohttp.ClientError, TimeoutError, OSError):
                _LOGGER.debug("The notification socket did not close cleanly")


def _decode(text: str) -> Any:
    """Decode one message; `NOT_JSON` when it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return NOT_JSON
