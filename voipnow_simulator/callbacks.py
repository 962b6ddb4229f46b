"""PhoneCallEvents callback delivery: who is due a callback, and sending it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import ipaddress
from typing import NamedTuple
from urllib.parse import urlparse, urlunparse

import aiohttp

from .model import CallEvent, Subscription
from .pbx import Pbx


class SentCallback(NamedTuple):
    """A PhoneCallEvents callback: URL, parameters and HTTP status or error."""

    url: str
    params: dict[str, str]
    result: int | str


def is_loopback(url: str) -> bool:
    """Tell whether a callback URL names this machine (127.0.0.0/8, ::1, localhost)."""
    host = (urlparse(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CallbackDispatcher:
    """Sends the callbacks of call events, in order, and records each outcome."""

    def __init__(self, pbx: Pbx) -> None:
        """Deliver for the subscriptions of ``pbx``; no session until started."""
        self.pbx = pbx
        self.blocked = False
        self.sent: list[SentCallback] = []
        self.dropped: list[SentCallback] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        # Told of every call event as it happens (the notification socket).
        self.watchers: list[Callable[[CallEvent], None]] = []

    def start(self) -> None:
        """Open the HTTP client session used for callbacks."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))

    async def stop(self) -> None:
        """Cancel pending deliveries and close the session."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def wait(self) -> None:
        """Wait until every background delivery is done."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    def deliveries(
        self, events: list[CallEvent]
    ) -> list[tuple[Subscription, dict[str, str]]]:
        """Return the (subscription, params) callbacks due for these events."""
        due: list[tuple[Subscription, dict[str, str]]] = []
        for event in events:
            for watcher in self.watchers:
                watcher(event)
            for sub in self.pbx.subscriptions_for([event.extension], event.type):
                if sub.status != 1:
                    continue
                if self.blocked:
                    self.dropped.append(
                        SentCallback(sub.url, dict(event.params), "blocked")
                    )
                    continue
                due.append((sub, dict(event.params)))
        return due

    async def dispatch(self, events: list[CallEvent]) -> None:
        """Deliver the callbacks of these events, in order, and wait for them."""
        for sub, params in self.deliveries(events):
            await self.deliver(sub, params)

    def dispatch_background(self, events: list[CallEvent]) -> None:
        """Deliver the callbacks of these events in a tracked background task."""
        due = self.deliveries(events)
        if not due:
            return

        async def run() -> None:
            """Deliver one after the other."""
            for sub, params in due:
                await self.deliver(sub, params)

        task = asyncio.get_running_loop().create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def deliver(self, sub: Subscription, params: dict[str, str]) -> None:
        """Send one callback (POST form or GET query); record, never raise."""
        result: int | str
        url = sub.url
        if self.pbx.modes.callback_query == "dropped":
            url = urlunparse(urlparse(url)._replace(query=""))
        if self._session is None or self._session.closed:
            result = "simulator not running"
        elif self.pbx.modes.loopback_callbacks_only and not is_loopback(url):
            # A test or demo must never make the simulator call out to a real
            # network, so only loopback URLs are called unless told otherwise.
            result = "refused: not a loopback address"
        else:
            try:
                if sub.method == 1:
                    request = self._session.post(url, data=params)
                else:
                    request = self._session.get(url, params=params)
                async with request as resp:
                    await resp.read()
                    result = resp.status
            except Exception as err:  # noqa: BLE001 - recorded, never raised
                result = f"{type(err).__name__}: {err}"
        self.sent.append(SentCallback(url, params, result))
