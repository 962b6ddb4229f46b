"""API Notifications: the WebSocket a user-level App keeps open (VNUAPI30).

`GET /hubgetsb/ws/?deviceId=…&instanceId=…` with the subprotocol
`notification`: `deviceId` must be SHA-1 (hex) of the App ID followed by a
live access token, `instanceId` any non-empty string; anything else, or an
App not installed at user level (a setting here), gets `401 Not Authorized`.
Every call change of the App's extensions sends each open socket one message
`{"timestamp": <microseconds>, "class": …, "content": <APINotification>}`.

The page is cut off where it lists the fields of `APINotification` and the
value of `class` ("always an …"): the simulator's choice is noted below.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
import hashlib
import json
import random
import time
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from aiohttp import WSMsgType, web

from .responses import json_response

if TYPE_CHECKING:
    from .model import CallEvent, SimCall
    from .oauth import TokenStore
    from .state import SimState

NOTIFICATIONS_PATH: Final = "/hubgetsb/ws/"
SUBPROTOCOL: Final = "notification"
# documented: the envelope; drop: the connection is cut at the next change;
# non_json: a text frame that is not JSON; odd: JSON of unexpected shapes
# (and binary frames); silent: the socket stays open and says nothing.
MODES: Final = ("documented", "drop", "non_json", "odd", "silent")
# Our choice where the page is cut off: `class` is empty.
MESSAGE_CLASS: Final = ""
ODD_SHAPES: Final[tuple[Any, ...]] = (
    [],
    42,
    None,
    "ringing",
    {"timestamp": "yesterday", "class": 7},
    {"timestamp": 1, "class": "", "content": None},
    {"timestamp": 1, "class": "", "content": [1, 2, 3]},
    {"timestamp": 1, "class": "", "content": {"to": {"nested": [{}] * 3}}},
    {"content": {"callId": "x" * 4000, "from": "\u0000\ud7ff", "status": -1}},
    {"unexpected": True},
)


class Connection(NamedTuple):
    """One accepted socket: the query it was opened with, the socket, its transport."""

    device_id: str
    instance_id: str
    socket: web.WebSocketResponse
    transport: asyncio.Transport | None


class NotificationHub:
    """Serve the API Notifications socket and push call changes on it."""

    def __init__(self, sim: SimState, tokens: TokenStore) -> None:
        """Accept the App (user level, documented messages) until told otherwise."""
        self.sim = sim
        self.tokens = tokens
        # The App is installed at user level: only such Apps may connect.
        self.user_level = True
        self.mode = "documented"
        self.open: list[Connection] = []
        # Every connection ever accepted, and every attempt refused (status).
        self.accepted: list[Connection] = []
        self.refused: list[int] = []
        self.sent: list[Any] = []
        self._random = random.Random(22)
        self._tasks: set[asyncio.Task[None]] = set()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the socket and its control routes."""
        router.add_get(NOTIFICATIONS_PATH, self.connect)
        router.add_get("/_sim/notifications", self.get_settings)
        router.add_post("/_sim/notifications", self.set_settings)

    def configure(
        self, *, user_level: bool | None = None, mode: str | None = None
    ) -> None:
        """Change the App's level or the message mode (checked)."""
        if user_level is not None:
            if not isinstance(user_level, bool):
                raise TypeError(f"user_level: {user_level!r} is not a boolean")
            self.user_level = user_level
        if mode is not None:
            if mode not in MODES:
                raise ValueError(f"mode {mode!r} is not one of {MODES!r}")
            self.mode = mode

    def device_ids(self) -> set[str]:
        """The `deviceId` of every live token of the App."""
        now = time.monotonic()
        return {
            hashlib.sha1(
                (self.sim.client_id + token).encode(), usedforsecurity=False
            ).hexdigest()
            for token, expiry in self.tokens.expiry.items()
            if expiry > now
        }

    async def connect(self, request: web.Request) -> web.StreamResponse:
        """Upgrade to the socket, or answer 401 as documented."""
        device = request.query.get("deviceId", "")
        instance = request.query.get("instanceId", "")
        if not (self.user_level and instance and device in self.device_ids()):
            self.refused.append(401)
            return web.Response(status=401, text="Not Authorized")
        socket = web.WebSocketResponse(protocols=(SUBPROTOCOL,), autoping=True)
        if not socket.can_prepare(request).ok:
            self.refused.append(400)
            return web.Response(status=400, text="WebSocket upgrade expected")
        await socket.prepare(request)
        connection = Connection(device, instance, socket, request.transport)
        self.open.append(connection)
        self.accepted.append(connection)
        try:
            async for message in socket:
                # The service does not read what the App sends.
                if message.type is WSMsgType.ERROR:
                    break
        finally:
            if connection in self.open:
                self.open.remove(connection)
        return socket

    def on_event(self, event: CallEvent) -> None:
        """A call event happened (the same moment a callback would be due)."""
        self.changed(
            [event.extension],
            {
                "extension": event.extension,
                "callId": event.params.get("CallID", ""),
                "type": event.type,
            },
        )

    def on_hold(self, call: SimCall) -> None:
        """A call went on hold or came off it (no callback tells that)."""
        parties = [view.extension for view in call.views()]
        self.changed(parties, {"callId": call.id, "type": "hold"})

    def changed(self, extensions: Iterable[str], content: dict[str, Any]) -> None:
        """A call of these extensions changed: tell every open socket."""
        if (
            not set(extensions) & set(self.sim.pbx.extensions)
            or not self.open
            or self.mode == "silent"
        ):
            return
        if self.mode == "drop":
            self.drop()
            return
        if self.mode == "non_json":
            self.send_raw("call changed, not JSON {")
            return
        if self.mode == "odd":
            shape = self._random.choice(ODD_SHAPES)
            self.send_raw(shape, binary=self._random.random() < 0.2)
            return
        self.send_raw(
            {
                "timestamp": int(time.time() * 1_000_000),
                "class": MESSAGE_CLASS,
                # Our choice of fields: the page lists them no further than "fr…".
                "content": content,
            }
        )

    def send_raw(self, message: Any, *, binary: bool = False) -> None:
        """Send one message as it is (a string as text, anything else as JSON)."""
        self.sent.append(message)
        text = message if isinstance(message, str) else json.dumps(message)
        for connection in list(self.open):
            socket = connection.socket
            if socket.closed:
                continue
            self._track(
                socket.send_bytes(text.encode()) if binary else socket.send_str(text)
            )

    def _track(self, send: Coroutine[Any, Any, None]) -> None:
        """Send in a tracked task (changes happen in synchronous code)."""
        task = asyncio.get_running_loop().create_task(send)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait(self) -> None:
        """Wait until every message queued so far is written."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def drop(self) -> None:
        """Cut every open connection without a closing handshake."""
        for connection in list(self.open):
            self.open.remove(connection)
            if connection.transport is not None:
                connection.transport.abort()

    async def close_all(self) -> None:
        """Close every open connection (the simulator stops or goes offline)."""
        for connection in list(self.open):
            await connection.socket.close()
        self.open.clear()
        await self.wait()

    async def get_settings(self, request: web.Request) -> web.Response:
        """Show the App's level, the mode and how many sockets are open."""
        return json_response(
            {"user_level": self.user_level, "mode": self.mode, "open": len(self.open)}
        )

    async def set_settings(self, request: web.Request) -> web.Response:
        """Set `user_level` and/or `mode`; `drop: true` cuts the open sockets."""
        data = await request.json()
        self.configure(user_level=data.get("user_level"), mode=data.get("mode"))
        if data.get("drop"):
            self.drop()
        return await self.get_settings(request)
