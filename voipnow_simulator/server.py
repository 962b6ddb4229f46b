"""The VoipNow simulator facade: lifecycle, request log and the Python API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Self, cast, overload

from aiohttp import web

from .callbacks import CallbackDispatcher, SentCallback
from .control import ControlApi
from .driving import CallDriving
from .faults import FaultInjector
from .history_queues import HistoryAndQueues
from .middleware import RecordedRequest, make_middleware
from .model import CallEvent, Extension, SimCall, Subscription
from .modes import ALL_EVENT_TYPES, ModeAttributes, Modes
from .notifications import NotificationHub
from .oauth import TOKEN_PATH, TokenEndpoint, TokenStore
from .pbx import Pbx
from .render import Renderer
from .uapi import ApiState
from .uapi_calls import PhoneCallsApi
from .uapi_cdr import CdrApi
from .uapi_events import ExtensionsApi
from .uapi_queues import QueueAgentsApi


class OnState[T]:
    """An attribute of the simulator kept in its state, where the handlers read it."""

    def __set_name__(self, owner: type, name: str) -> None:
        """Remember the attribute's name."""
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: VoipNowSimulator, objtype: type | None = None) -> T: ...
    def __get__(
        self, obj: VoipNowSimulator | None, objtype: type | None = None
    ) -> T | Self:
        """Read the attribute from the state."""
        return self if obj is None else cast("T", getattr(obj.state, self.name))

    def __set__(self, obj: VoipNowSimulator, value: T) -> None:
        """Set the attribute in the state."""
        setattr(obj.state, self.name, value)


class VoipNowSimulator(CallDriving, HistoryAndQueues, ModeAttributes):
    """A fake VoipNow server speaking the documented UnifiedAPI over real HTTP.

    Every server variant (see `Modes`) is a constructor keyword and an
    attribute that may be changed at any time, validated on assignment. The
    handlers get the state (`state`), never this server: the attributes below
    are the state's.
    """

    client_id = OnState[str]()
    client_secret = OnState[str]()
    token_lifetime = OnState[int]()
    user_id = OnState[str]()
    owner_name = OnState[str]()
    modes = OnState[Modes]()
    pbx = OnState[Pbx]()
    page_size = OnState[int]()
    host = OnState[str]()
    port = OnState[int]()
    closing = OnState[asyncio.Event]()
    callbacks = OnState[CallbackDispatcher]()
    notifications = OnState[NotificationHub]()
    render = OnState[Renderer]()

    def __init__(
        self,
        client_id: str = "test-app-id",
        client_secret: str = "test-app-secret",  # noqa: S107
        token_lifetime: int = 3600,
        user_id: str = "12",
        org_prefix: str = "0003",
        *,
        owner_name: str = "Simulated Organization",
        quirks: bool = False,
        loopback_callbacks_only: bool = True,
        event_types: Iterable[int] | str = ALL_EVENT_TYPES,
        subscription_path: str = "body",
        v5_refusal_status: int = 404,
        hangup_status: str = "documented",
        naive_dates: bool = False,
        time_zone: str | None = None,
        long_ids: bool = False,
        callback_call_ids: str = "same",
        caller_name_param: str = "CallerIDName",
        transfer_accepted_202: bool = False,
        empty_listing_204: bool = False,
        presence_names: bool = False,
        sort_order_words: str = "any",
        cdr_available: bool = True,
        cdr_missing_status: int = 404,
        cdr_entry: str = "object",
        cdr_parties: str = "string",
        cdr_sort_default: str = "desc",
        cdr_date_field: str = "published",
        queue_list: str = "object",
        queue_update_answer: str = "object",
    ) -> None:
        """Configure credentials, user, organization and modes; nothing listens yet.

        Callbacks go only to loopback addresses unless told otherwise: a test
        or demo must never make the simulator call out to a real network.
        """
        self.tokens = TokenStore()
        self.faults = FaultInjector()
        # The Python API's way to make requests fail (see `FaultInjector.add`).
        self.inject_fault = self.faults.add
        self.requests: list[RecordedRequest] = []
        modes = Modes()
        self.state = ApiState(
            client_id=client_id,
            client_secret=client_secret,
            token_lifetime=token_lifetime,
            user_id=user_id,
            owner_name=owner_name,
            modes=modes,
            pbx=Pbx(org_prefix, modes),
            tokens=self.tokens,
        )
        self.set_modes(
            quirks=quirks,
            loopback_callbacks_only=loopback_callbacks_only,
            event_types=event_types,
            subscription_path=subscription_path,
            v5_refusal_status=v5_refusal_status,
            hangup_status=hangup_status,
            naive_dates=naive_dates,
            time_zone=time_zone,
            long_ids=long_ids,
            callback_call_ids=callback_call_ids,
            caller_name_param=caller_name_param,
            transfer_accepted_202=transfer_accepted_202,
            empty_listing_204=empty_listing_204,
            presence_names=presence_names,
            sort_order_words=sort_order_words,
            cdr_available=cdr_available,
            cdr_missing_status=cdr_missing_status,
            cdr_entry=cdr_entry,
            cdr_parties=cdr_parties,
            cdr_sort_default=cdr_sort_default,
            cdr_date_field=cdr_date_field,
            queue_list=queue_list,
            queue_update_answer=queue_update_answer,
        )
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """Return the base URL (without ``/uapi``)."""
        return self.state.url

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
            # Refuse new connections first: a client whose notification
            # socket closes reconnects at once, and asyncio fails (in the
            # loop's exception handler) on a connection accepted just as
            # its server closes.
            for site in list(self._runner.sites):
                await site.stop()
            await self.notifications.close_all()
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
        state = self.state
        middleware = make_middleware(state, self.requests, self.faults, self.tokens)
        app = web.Application(middlewares=[middleware])
        for group in (
            TokenEndpoint(state, self.tokens),
            PhoneCallsApi(state),
            ExtensionsApi(state),
            CdrApi(state),
            QueueAgentsApi(state),
            ControlApi(self),
            self.notifications,
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

    def call_json(
        self, call: SimCall, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCall JSON of a call as the API would answer it."""
        return self.render.call_json(call, request)

    def set_modes(self, **modes: Any) -> None:
        """Set several modes at once: all of them, or none if one is bad."""
        self.modes.update(modes)

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
