"""The VoipNow simulator facade: lifecycle, request log and the Python API."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from .callbacks import CallbackDispatcher, SentCallback
from .control import ControlApi
from .faults import Fault, FaultInjector
from .middleware import RecordedRequest, make_middleware
from .model import CallEvent, Extension, SimCall, Subscription
from .oauth import TOKEN_PATH, TokenEndpoint, TokenStore
from .pbx import Pbx
from .render import Renderer
from .uapi import paginate
from .uapi_calls import PhoneCallsApi
from .uapi_events import ExtensionsApi


class VoipNowSimulator:
    """A fake VoipNow server speaking the documented UnifiedAPI over real HTTP."""

    def __init__(
        self,
        client_id: str = "test-app-id",
        client_secret: str = "test-app-secret",  # noqa: S107
        token_lifetime: int = 3600,
        user_id: str = "12",
        org_prefix: str = "0003",
        *,
        quirks: bool = False,
        owner_name: str = "Simulated Organization",
        loopback_callbacks_only: bool = True,
    ) -> None:
        """Configure credentials, user and organization; nothing listens yet.

        Callbacks go only to loopback addresses unless told otherwise: a test
        or demo must never make the simulator call out to a real network.
        """
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.user_id = user_id
        self.owner_name = owner_name
        self.quirks = quirks
        self.transfer_accepted_202 = False
        self.empty_listing_204 = False
        self.page_size = 20
        self.pbx = Pbx(org_prefix)
        self.requests: list[RecordedRequest] = []
        self.host = "127.0.0.1"
        self.port = 0
        self.tokens = TokenStore()
        self.faults = FaultInjector()
        self.callbacks = CallbackDispatcher(
            self.pbx, loopback_only=loopback_callbacks_only
        )
        self.render = Renderer(self)
        self._runner: web.AppRunner | None = None
        self.closing = asyncio.Event()

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """Return the base URL (without ``/uapi``)."""
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start listening; port 0 picks a free port."""
        self.host = host
        await self._start_site(port)
        self.callbacks.start()

    async def stop(self) -> None:
        """Cancel pending callbacks, stop listening and close the client session."""
        await self.callbacks.stop()
        await self.go_offline()

    async def go_offline(self) -> None:
        """Stop listening (connection refused), keeping all state."""
        if self._runner is not None:
            self.closing.set()  # wake up delayed requests
            await self._runner.cleanup()
            self._runner = None
            await asyncio.sleep(0)

    async def go_online(self) -> None:
        """Listen again on the same port."""
        if self._runner is None:
            await self._start_site(self.port)

    async def _start_site(self, port: int) -> None:
        """Create a fresh application and listen on host:port."""
        self.closing = asyncio.Event()
        app = web.Application(middlewares=[make_middleware(self)])
        for group in (
            TokenEndpoint(self),
            PhoneCallsApi(self),
            ExtensionsApi(self),
            ControlApi(self),
        ):
            group.add_routes(app.router)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    # ------------------------------------------------------- PBX Python API
    @property
    def calls(self) -> dict[str, SimCall]:
        """Return the current calls by id."""
        return self.pbx.calls

    @property
    def extensions(self) -> dict[str, Extension]:
        """Return the extensions by extended number."""
        return self.pbx.extensions

    @property
    def subscriptions(self) -> dict[str, Subscription]:
        """Return the PhoneCallEvents subscriptions by id."""
        return self.pbx.subscriptions

    @property
    def voicemails(self) -> list[dict[str, Any]]:
        """Return the calls sent to voicemail."""
        return self.pbx.voicemails

    @property
    def events(self) -> list[CallEvent]:
        """Return every call event fired (delivered or not)."""
        return self.pbx.events

    def add_extension(
        self, number: str, name: str = "", registered: bool = True
    ) -> Extension:
        """Add a phone terminal extension to the user."""
        return self.pbx.add_extension(number, name, registered)

    def remove_extension(self, number: str) -> None:
        """Remove an extension and its subscriptions."""
        self.pbx.remove_extension(number)

    def set_registration(self, number: str, registered: bool) -> None:
        """Mark an extension's phone as registered or not."""
        self.pbx.extensions[self.pbx.normalize(number)].registered = registered

    def get_call(self, call_id: str) -> SimCall:
        """Return a current call (KeyError if none)."""
        return self.pbx.get_call(call_id)

    def call_json(
        self, call: SimCall, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCall JSON of a call as the API would answer it."""
        return self.render.call_json(call, request)

    async def incoming_call(
        self,
        extension: str,
        from_number: str = "5551234",
        caller_name: str = "",
        did: str = "",
    ) -> str:
        """Ring an extension from an outside number or another extension."""
        if not self.pbx.is_local(extension):
            raise KeyError(f"unknown extension {extension!r}")
        call, events = self.pbx.new_call(
            self.pbx.party(from_number, caller_name), self.pbx.party(extension), did
        )
        await self.callbacks.dispatch(events)
        return call.id

    async def outgoing_call(self, extension: str, to_number: str) -> str:
        """Make an extension dial a number (rings it if it is an extension)."""
        if not self.pbx.is_local(extension):
            raise KeyError(f"unknown extension {extension!r}")
        call, events = self.pbx.new_call(
            self.pbx.party(extension), self.pbx.party(to_number)
        )
        await self.callbacks.dispatch(events)
        return call.id

    async def answer_call(self, call_id: str) -> None:
        """Answer a ringing call."""
        await self.callbacks.dispatch(self.pbx.answer(self.get_call(call_id)))

    async def hangup_call(self, call_id: str) -> None:
        """Hang up a call."""
        await self.callbacks.dispatch(self.pbx.hangup(self.get_call(call_id)))

    async def hold_call(self, call_id: str, extension: str | None = None) -> None:
        """Put a view (or all local views) of a call on hold."""
        ext = self.pbx.normalize(extension) if extension else None
        self.pbx.set_hold(self.get_call(call_id), ext, True)

    async def unhold_call(self, call_id: str, extension: str | None = None) -> None:
        """Take a view (or all local views) of a call off hold."""
        ext = self.pbx.normalize(extension) if extension else None
        self.pbx.set_hold(self.get_call(call_id), ext, False)

    async def transfer_call(
        self,
        call_id: str,
        send_call_to: str,
        transfer_from_number: str,
        transfer_number: str | None = None,
    ) -> None:
        """Transfer a call as the API's Transfer action does."""
        call = self.get_call(call_id)
        await self.callbacks.dispatch(
            self.pbx.transfer(call, send_call_to, transfer_from_number, transfer_number)
        )

    # ------------------------------------------------------ tokens / faults
    def revoke_tokens(self) -> None:
        """Invalidate every issued token."""
        self.tokens.revoke()

    def expire_tokens(self) -> None:
        """Make every issued token expired."""
        self.tokens.expire()

    def set_client_secret(self, secret: str) -> None:
        """Regenerate the App secret: the old one and all tokens stop working."""
        self.client_secret = secret
        self.revoke_tokens()

    def set_page_size(self, count: int) -> None:
        """Set the default ``count`` of collections (documented: 20)."""
        self.page_size = count

    def _page(self, request: web.Request, items: list[Any]) -> dict[str, Any]:
        """Page a collection; every listing goes through here (tests wrap it)."""
        return paginate(request, items, self.page_size)

    def inject_fault(
        self,
        kind: str,
        count: int | None = 1,
        path_prefix: str | None = None,
        *,
        delay: float = 30.0,
        status: int = 200,
        body: bytes | str = b"",
        content_type: str = "application/json",
        chunked: bool = False,
    ) -> Fault:
        """Make the next ``count`` matching requests fail (None: all of them).

        A ``custom`` fault answers ``status`` with ``body`` as ``content_type``,
        streamed without a Content-Length when ``chunked``.
        """
        return self.faults.add(
            kind,
            count,
            path_prefix,
            delay,
            status=status,
            body=body.encode() if isinstance(body, str) else body,
            content_type=content_type,
            chunked=chunked,
        )

    def clear_faults(self) -> None:
        """Remove all pending faults."""
        self.faults.clear()

    # ------------------------------------------------------------ requests
    def api_requests(
        self, method: str | None = None, path_prefix: str | None = None
    ) -> list[RecordedRequest]:
        """Return recorded requests except token requests, optionally filtered."""
        return [
            r
            for r in self.requests
            if r.path != TOKEN_PATH
            and (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(path_prefix))
        ]

    @property
    def token_requests(self) -> list[RecordedRequest]:
        """Return the recorded token requests."""
        return [r for r in self.requests if r.path == TOKEN_PATH]

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self.requests.clear()

    # ----------------------------------------------------------- callbacks
    @property
    def loopback_callbacks_only(self) -> bool:
        """Tell whether callbacks go only to loopback addresses."""
        return self.callbacks.loopback_only

    @loopback_callbacks_only.setter
    def loopback_callbacks_only(self, value: bool) -> None:
        """Allow or forbid callbacks to non-loopback addresses."""
        self.callbacks.loopback_only = value

    @property
    def callbacks_sent(self) -> list[SentCallback]:
        """Return the callbacks sent (or refused), with their outcome."""
        return self.callbacks.sent

    @property
    def callbacks_dropped(self) -> list[SentCallback]:
        """Return the callbacks lost while callbacks were blocked."""
        return self.callbacks.dropped

    def block_callbacks(self, blocked: bool = True) -> None:
        """Drop (lose) callbacks instead of delivering them."""
        self.callbacks.blocked = blocked

    async def wait_callbacks(self) -> None:
        """Wait until every background callback delivery is done."""
        await self.callbacks.wait()
