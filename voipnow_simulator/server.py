"""aiohttp server of the VoipNow simulator: OAuth, UnifiedAPI and control API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
import ipaddress
import json
import logging
import secrets
import time
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlparse

import aiohttp
from aiohttp import web

from .faults import Fault, FaultInjector
from .model import (
    UNIMPLEMENTED_ACTIONS,
    ApiError,
    CallEvent,
    Extension,
    Pbx,
    SimCall,
    Subscription,
    is_valid_number,
    now,
)

_LOGGER = logging.getLogger(__name__)
TOKEN_PATH = "/oauth/token.php"  # noqa: S105 - a path, not a secret
CONTROL_PREFIX = "/_sim/"
MAX_COUNT = 5000
ACTIONS = frozenset({"Transfer", "TransferToVoicemail", "OnHold", "OffHold"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RecordedRequest:
    """One request received by the simulator (API and token requests)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body_text: str
    json: Any | None
    form: dict[str, str] | None
    time: float

    def to_json(self) -> dict[str, Any]:
        """Return the request as a JSON-serializable dict."""
        return asdict(self)


class SentCallback(NamedTuple):
    """A PhoneCallEvents callback: URL, parameters and HTTP status or error."""

    url: str
    params: dict[str, str]
    result: int | str


def _json(data: Any, status: int = 200) -> web.Response:
    """Return a JSON response."""
    return web.json_response(data, status=status)


def _error(status: int, code: str, message: str) -> web.Response:
    """Return the documented UnifiedAPI error body."""
    return _json({"error": {"code": code, "message": message}}, status)


def _choice(value: Any, allowed: range) -> int:
    """Parse a numeric enum sent as string or number, else fields_invalid."""
    try:
        number = int(str(value))
    except ValueError:
        raise ApiError(400, "fields_invalid", f"Invalid value {value!r}") from None
    if number not in allowed:
        raise ApiError(400, "fields_invalid", f"Invalid value {value!r}")
    return number


def _first(value: Any) -> str | None:
    """Return the first number of a ``source``/``destination`` list (or string)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _is_loopback(url: str) -> bool:
    """Tell whether a callback URL names this machine (127.0.0.0/8, ::1, localhost)."""
    host = (urlparse(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
        self.loopback_callbacks_only = loopback_callbacks_only
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
        self.callbacks_sent: list[SentCallback] = []
        self.callbacks_dropped: list[SentCallback] = []
        self.host = "127.0.0.1"
        self.port = 0
        self._tokens: dict[str, float] = {}
        self._callbacks_blocked = False
        self._faults = FaultInjector()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = asyncio.Event()

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """Return the base URL (without ``/uapi``)."""
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start listening; port 0 picks a free port."""
        self.host = host
        await self._start_site(port)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))

    async def stop(self) -> None:
        """Cancel pending callbacks, stop listening and close the client session."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.go_offline()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def go_offline(self) -> None:
        """Stop listening (connection refused), keeping all state."""
        if self._runner is not None:
            self._closing.set()  # wake up delayed requests
            await self._runner.cleanup()
            self._runner = None
            await asyncio.sleep(0)

    async def go_online(self) -> None:
        """Listen again on the same port."""
        if self._runner is None:
            await self._start_site(self.port)

    async def _start_site(self, port: int) -> None:
        """Create a fresh application and listen on host:port."""
        self._closing = asyncio.Event()
        app = web.Application(middlewares=[self._middleware])
        self._add_routes(app)
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
        await self._dispatch(events)
        return call.id

    async def outgoing_call(self, extension: str, to_number: str) -> str:
        """Make an extension dial a number (rings it if it is an extension)."""
        if not self.pbx.is_local(extension):
            raise KeyError(f"unknown extension {extension!r}")
        call, events = self.pbx.new_call(
            self.pbx.party(extension), self.pbx.party(to_number)
        )
        await self._dispatch(events)
        return call.id

    async def answer_call(self, call_id: str) -> None:
        """Answer a ringing call."""
        await self._dispatch(self.pbx.answer(self.get_call(call_id)))

    async def hangup_call(self, call_id: str) -> None:
        """Hang up a call."""
        await self._dispatch(self.pbx.hangup(self.get_call(call_id)))

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
        await self._dispatch(
            self.pbx.transfer(call, send_call_to, transfer_from_number, transfer_number)
        )

    # ------------------------------------------------------ tokens / faults
    def revoke_tokens(self) -> None:
        """Invalidate every issued token."""
        self._tokens.clear()

    def expire_tokens(self) -> None:
        """Make every issued token expired."""
        for token in self._tokens:
            self._tokens[token] = 0.0

    def set_client_secret(self, secret: str) -> None:
        """Regenerate the App secret: the old one and all tokens stop working."""
        self.client_secret = secret
        self.revoke_tokens()

    def set_page_size(self, count: int) -> None:
        """Set the default ``count`` of collections (documented: 20)."""
        self.page_size = count

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
        return self._faults.add(
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
        self._faults.clear()

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
    def block_callbacks(self, blocked: bool = True) -> None:
        """Drop (lose) callbacks instead of delivering them."""
        self._callbacks_blocked = blocked

    async def wait_callbacks(self) -> None:
        """Wait until every background callback delivery is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _deliveries(
        self, events: list[CallEvent]
    ) -> list[tuple[Subscription, dict[str, str]]]:
        """Return the (subscription, params) callbacks due for these events."""
        due: list[tuple[Subscription, dict[str, str]]] = []
        for event in events:
            for sub in self.pbx.subscriptions_for([event.extension], event.type):
                if sub.status != 1:
                    continue
                if self._callbacks_blocked:
                    self.callbacks_dropped.append(
                        SentCallback(sub.url, dict(event.params), "blocked")
                    )
                    continue
                due.append((sub, dict(event.params)))
        return due

    async def _dispatch(self, events: list[CallEvent]) -> None:
        """Deliver the callbacks of these events, in order, and wait for them."""
        for sub, params in self._deliveries(events):
            await self._deliver(sub, params)

    def _dispatch_background(self, events: list[CallEvent]) -> None:
        """Deliver the callbacks of these events in a tracked background task."""
        due = self._deliveries(events)
        if not due:
            return

        async def run() -> None:
            """Deliver one after the other."""
            for sub, params in due:
                await self._deliver(sub, params)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, sub: Subscription, params: dict[str, str]) -> None:
        """Send one callback (POST form or GET query); record, never raise."""
        result: int | str
        if self._session is None or self._session.closed:
            result = "simulator not running"
        elif self.loopback_callbacks_only and not _is_loopback(sub.url):
            result = "refused: not a loopback address"
        else:
            try:
                if sub.method == 1:
                    request = self._session.post(sub.url, data=params)
                else:
                    request = self._session.get(sub.url, params=params)
                async with request as resp:
                    await resp.read()
                    result = resp.status
            except Exception as err:  # noqa: BLE001 - recorded, never raised
                result = f"{type(err).__name__}: {err}"
        self.callbacks_sent.append(SentCallback(sub.url, params, result))

    # ---------------------------------------------------------- middleware
    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Log the request, apply faults, check the token, map errors."""
        if request.path.startswith(CONTROL_PREFIX):
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except (KeyError, ValueError, TypeError) as err:
                return _error(400, "fields_invalid", f"Bad control request: {err}")
        raw = await request.read()
        self._record(request, raw.decode("utf-8", errors="replace"))
        fault = self._faults.take(request.path)
        if fault is not None:
            response = await self._apply_fault(request, fault)
            if response is not None:
                return response
        if request.path.startswith("/uapi"):
            try:
                self._check_token(request)
            except ApiError as err:
                return _error(err.status, err.code, err.message)
        return await self._call(request, handler)

    async def _call(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Run a handler, turning errors into JSON error answers."""
        try:
            return await handler(request)
        except ApiError as err:
            return _error(err.status, err.code, err.message)
        except web.HTTPNotFound:
            return _error(404, "not_found", f"No resource at {request.path}")
        except web.HTTPMethodNotAllowed:
            return _error(
                501, "request_not_implemented", f"{request.method} unsupported"
            )
        except web.HTTPException:
            raise
        except Exception as err:
            _LOGGER.exception(
                "Simulator bug handling %s %s", request.method, request.path
            )
            return _error(500, "internal_server_error", repr(err))

    def _record(self, request: web.Request, body: str) -> None:
        """Append the request to the request log."""
        parsed: Any = None
        form: dict[str, str] | None = None
        if request.content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body, keep_blank_values=True))
        elif body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=dict(request.headers),
                body_text=body,
                json=parsed,
                form=form,
                time=time.time(),
            )
        )

    async def _apply_fault(
        self, request: web.Request, fault: Fault
    ) -> web.StreamResponse | None:
        """Answer with the fault, or return None to go on (after a delay)."""
        if fault.kind == "delay":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.delay)
            return None
        if fault.kind == "http_500":
            return _error(500, "internal_server_error", "Injected fault")
        if fault.kind == "malformed_json":
            return web.Response(
                text='{"entry": [{"id": ', content_type="application/json"
            )
        if fault.kind == "html_error":
            html = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
            return web.Response(status=502, text=html, content_type="text/html")
        if fault.kind == "empty_200":
            return web.Response(status=200, body=b"", content_type="application/json")
        if fault.kind == "custom":
            return await self._custom_answer(request, fault)
        # disconnect: drop the connection; aiohttp cannot write the answer
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)

    @staticmethod
    async def _custom_answer(request: web.Request, fault: Fault) -> web.StreamResponse:
        """Answer a ``custom`` fault: its status, body and content type."""
        headers = {"Content-Type": fault.content_type}
        if not fault.chunked:
            return web.Response(status=fault.status, body=fault.body, headers=headers)
        response = web.StreamResponse(status=fault.status, headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = 64 * 1024
        with contextlib.suppress(ConnectionError):
            for start in range(0, len(fault.body), chunk):
                await response.write(fault.body[start : start + chunk])
            await response.write_eof()
        return response

    def _check_token(self, request: web.Request) -> None:
        """Require a valid, unexpired bearer token."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "access_denied", "Missing bearer token")
        expiry = self._tokens.get(token.strip())
        if expiry is None:
            raise ApiError(401, "access_denied", "Invalid or revoked access token")
        if expiry <= time.monotonic():
            raise ApiError(401, "access_denied", "The access token expired")

    # -------------------------------------------------------------- routes
    def _add_routes(self, app: web.Application) -> None:
        """Register the OAuth, UnifiedAPI and control routes."""
        calls = "/uapi/phoneCalls/{user}/{ext}"
        events = "/uapi/extensions/{user}/{ext}/phoneCallEvents"
        r = app.router
        r.add_post(TOKEN_PATH, self._token)
        r.add_post("/uapi/phoneCalls/{user}/simple", self._make_call)
        for path in (calls, calls + "/{call_id}"):
            r.add_get(path, self._get_calls)
            r.add_put(path, self._put_calls)
            r.add_delete(path, self._delete_calls)
        r.add_get("/uapi/extensions/{user}/{ext}/presence", self._presence)
        for path in (events, events + "/", events + "/{type}"):
            r.add_post(path, self._add_subscription)
        for path in (events, events + "/", events + "/{type}", events + "/{type}/{id}"):
            r.add_get(path, self._get_subscriptions)
            r.add_delete(path, self._delete_subscriptions)
        r.add_put(events + "/{type}/{id}", self._put_subscription)
        r.add_post("/_sim/calls/incoming", self._ctl_incoming)
        r.add_post("/_sim/calls/outgoing", self._ctl_outgoing)
        r.add_post("/_sim/calls/{id}/{op}", self._ctl_call_op)
        r.add_get("/_sim/state", self._ctl_state)
        r.add_get("/_sim/requests", self._ctl_requests)
        r.add_post("/_sim/faults", self._ctl_faults)
        r.add_delete("/_sim/faults", self._ctl_clear_faults)
        r.add_post("/_sim/tokens/revoke", self._ctl_revoke)
        r.add_post("/_sim/extensions", self._ctl_add_extension)

    # --------------------------------------------------------------- OAuth
    async def _token(self, request: web.Request) -> web.Response:
        """Issue an access token for the client credentials grant."""
        if request.content_type != "application/x-www-form-urlencoded":
            return _json({"error": "invalid_request", "error_description": "Form"}, 400)
        form = dict(parse_qsl((await request.read()).decode(), keep_blank_values=True))
        if not all(form.get(k) for k in ("client_id", "client_secret", "grant_type")):
            return _json(
                {"error": "invalid_request", "error_description": "Missing parameter"},
                400,
            )
        if (form["client_id"], form["client_secret"]) != (
            self.client_id,
            self.client_secret,
        ):
            return _json(
                {"error": "invalid_client", "error_description": "Bad credentials"},
                401,
            )
        if form["grant_type"] != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        token = secrets.token_urlsafe(32)
        self._tokens[token] = time.monotonic() + self.token_lifetime
        response = _json(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
            }
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    # ------------------------------------------------------------- helpers
    def _check_user(self, request: web.Request) -> None:
        """Accept only the authenticated user in the userId path segment."""
        user = request.match_info["user"]
        if user not in ("@me", "@viewer", "@owner", self.user_id):
            raise ApiError(400, "user_invalid", f"Unknown user {user!r}")

    def _resolve(self, raw: str, allow_self: bool = True) -> list[str]:
        """Return the extensions meant by an extension path segment."""
        if raw == "@self" and allow_self:
            return list(self.pbx.extensions)
        number = self.pbx.normalize(raw)
        if number not in self.pbx.extensions:
            raise ApiError(400, "extension_invalid", f"Unknown extension {raw!r}")
        return [number]

    def _base(self, request: web.Request | None) -> str:
        """Return the base URL for ``link`` values."""
        return f"{request.scheme}://{request.host}" if request else self.url

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        """Return the JSON object body, else fields_invalid."""
        try:
            data = json.loads(await request.text())
        except ValueError:
            raise ApiError(400, "fields_invalid", "Body must be JSON") from None
        if not isinstance(data, dict):
            raise ApiError(400, "fields_invalid", "Body must be a JSON object")
        return data

    def _ts(self, value: datetime) -> str:
        """Format a time: with offset, or ``Z`` in quirks mode."""
        if self.quirks:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.isoformat()

    def _num(self, value: int) -> int | str:
        """Emit a numeric field as string (documented) or number (quirks)."""
        return value if self.quirks else str(value)

    def _page(self, request: web.Request, items: list[Any]) -> dict[str, Any]:
        """Slice a collection according to ``count``/``startIndex``."""
        try:
            count = int(request.query.get("count", self.page_size))
        except ValueError:
            count = -1
        if not 1 <= count <= MAX_COUNT:
            raise ApiError(400, "count_invalid", "count must be 1..5000")
        try:
            start = int(request.query.get("startIndex", 0))
        except ValueError:
            start = -1
        if start < 0:
            raise ApiError(400, "startindex_invalid", "startIndex must be >= 0")
        page = items[start : start + count]
        body: dict[str, Any] = {
            "entry": page,
            "startIndex": start,
            "totalResults": len(items),
            "itemsPerPage": len(page),
        }
        paging: dict[str, str] = {}
        if start + count < len(items):
            paging["next"] = self._page_url(request, start + count, count)
        if start > 0:
            paging["prev"] = self._page_url(request, max(0, start - count), count)
        if paging:
            body["paging"] = paging
        return body

    def _page_url(self, request: web.Request, start: int, count: int) -> str:
        """Return the absolute URL of another page."""
        query = {**request.query, "startIndex": str(start), "count": str(count)}
        return str(request.url.with_query(query))

    def call_json(
        self, call: SimCall, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCall JSON of a call (null fields omitted)."""
        views: list[dict[str, Any]] = []
        for view in call.views():
            item: dict[str, Any] = {
                "id": view.id,
                "extension": view.extension,
                "source": view.source,
                "destination": view.destination,
                "callerID" if self.quirks else "callerId": view.caller_id,
                "status": self._num(view.status),
                "flow": self._num(view.flow),
            }
            if view.answered is not None:
                item["answered"] = self._ts(view.answered)
            if view.on_hold:
                item["onHold"] = True
            views.append(item)
        data: dict[str, Any] = {
            "id": call.id,
            "extension": call.extension,
            "ownerId": self.user_id,
            "ownerName": self.owner_name,
            "published": self._ts(call.published),
        }
        if call.answered is not None:
            data["answered"] = self._ts(call.answered)
        data["phoneCallView"] = views
        link = f"{self._base(request)}/uapi/phoneCalls/{self.user_id}/"
        link += f"{call.extension}/{call.id}"
        data["links" if self.quirks else "link"] = {"self": link}
        return data

    def _find_call(self, call_id: str, extensions: list[str]) -> SimCall | None:
        """Return the call; None if it ended or is not the extension's (204)."""
        call = self.pbx.calls.get(call_id)
        if call is not None:
            return call if set(extensions) & set(call.local_extensions) else None
        if call_id in self.pbx.ended_ids:
            return None
        raise ApiError(400, "pc_phonecall_invalid", f"Unknown phone call {call_id!r}")

    def _target_calls(self, request: web.Request) -> tuple[list[SimCall], bool]:
        """Return the calls addressed by the path and whether an id was given."""
        self._check_user(request)
        extensions = self._resolve(request.match_info["ext"])
        call_id = request.match_info.get("call_id")
        if call_id is None:
            return self.pbx.calls_of(extensions), False
        call = self._find_call(call_id, extensions)
        return ([call] if call else []), True

    # ---------------------------------------------------------- phoneCalls
    async def _get_calls(self, request: web.Request) -> web.Response:
        """List calls of an extension, or return one call."""
        calls, by_id = self._target_calls(request)
        if by_id:
            if not calls:
                return web.Response(status=204)
            return _json(self.call_json(calls[0], request))
        body = self._page(request, [self.call_json(c, request) for c in calls])
        if not calls and self.empty_listing_204:
            return web.Response(status=204)
        if self.quirks:
            body["entry"] = {item["id"]: item for item in body["entry"]}
        return _json(body)

    async def _put_calls(self, request: web.Request) -> web.Response:
        """Run a PhoneCallAction on one call or all calls of the extension."""
        calls, by_id = self._target_calls(request)
        body = await self._body(request)
        action = body.get("action")
        if not isinstance(action, str):
            raise ApiError(400, "pc_action_invalid", "action must be a string")
        if action in UNIMPLEMENTED_ACTIONS:
            raise ApiError(501, "request_not_implemented", f"{action} not simulated")
        if action not in ACTIONS:
            raise ApiError(400, "pc_action_invalid", f"Unknown action {action!r}")
        if not calls:
            return web.Response(status=204)
        events: list[CallEvent] = []
        try:
            for call in calls:
                events += self._action(call, str(action), body)
        finally:
            self._dispatch_background(events)
        if not by_id:
            return _json([self.call_json(c, request) for c in calls])
        data = self.call_json(calls[0], request)
        if self.transfer_accepted_202 and action.startswith("Transfer"):
            short = {k: data[k] for k in ("id", "extension")}
            short["link"] = data.get("link") or data["links"]
            return _json(short, 202)
        return _json(data)

    def _action(
        self, call: SimCall, action: str, body: dict[str, Any]
    ) -> list[CallEvent]:
        """Apply one action to one call; return the events it caused."""
        if action == "Transfer":
            return self.pbx.transfer(
                call,
                body.get("sendCallTo"),  # type: ignore[arg-type]
                body.get("transferFromNumber"),  # type: ignore[arg-type]
                body.get("transferNumber"),
            )
        if action == "TransferToVoicemail":
            return self.pbx.transfer_to_voicemail(
                call,
                body.get("sendCallTo"),  # type: ignore[arg-type]
                body.get("transferFromNumber"),
                body.get("transferNumber"),
            )
        view_id = str(body.get("phoneCallViewId", ""))
        view = next((v for v in call.views() if v.id == view_id), None)
        if view is None:
            raise ApiError(400, "pc_phonecallviewid_invalid", f"No view {view_id!r}")
        self.pbx.set_hold(call, view.extension, action == "OnHold")
        return []

    async def _delete_calls(self, request: web.Request) -> web.Response:
        """Hang up one call or all calls of the extension."""
        calls, _ = self._target_calls(request)
        number = request.query.get("phoneNumber")
        if number:
            wanted = self.pbx.normalize(number)
            calls = [c for c in calls if c.party(wanted) is not None]
        events: list[CallEvent] = []
        for call in calls:
            events += self.pbx.hangup(call)
        self._dispatch_background(events)
        return web.Response(status=204)

    async def _make_call(self, request: web.Request) -> web.Response:
        """Make a call from an extension to a number (``simple``)."""
        self._check_user(request)
        for key in ("waitForPickup", "callDuration"):
            value = request.query.get(key)
            if value is not None and not value.isdigit():
                raise ApiError(400, "fields_invalid", f"Invalid {key}")
        body = await self._body(request)
        charged = body.get("extension")
        if charged is not None and not self.pbx.is_local(str(charged)):
            raise ApiError(400, "extension_invalid", f"Unknown extension {charged!r}")
        views = body.get("phoneCallView")
        if not isinstance(views, list) or not views or not isinstance(views[0], dict):
            raise ApiError(400, "fields_invalid", "phoneCallView is required")
        source = _first(views[0].get("source")) or (
            str(charged) if charged is not None else None
        )
        if source is None or not self.pbx.is_local(source):
            raise ApiError(400, "pc_source_invalid", "source must be an extension")
        destination = _first(views[0].get("destination"))
        caller = self.pbx.party(source)
        if (
            destination is None
            or not is_valid_number(destination)
            or ("*" in destination and not self.pbx.is_local(destination))
            or self.pbx.normalize(destination) == caller.number
        ):
            raise ApiError(400, "pc_destination_invalid", "Invalid destination")
        caller_id = views[0].get("callerId") or views[0].get("callerID")
        if isinstance(caller_id, str) and caller_id.partition("<")[0].strip():
            caller.name = caller_id.partition("<")[0].strip()
        call, events = self.pbx.new_call(caller, self.pbx.party(destination))
        self._dispatch_background(events)
        return _json([self.call_json(call, request)])

    # ------------------------------------------------------------ presence
    async def _presence(self, request: web.Request) -> web.Response:
        """List presence and registration of the user's extensions."""
        self._check_user(request)
        items: list[dict[str, Any]] = []
        for number in self._resolve(request.match_info["ext"]):
            ext = self.pbx.extensions[number]
            if ext.registered:
                expire = self._ts(now() + timedelta(seconds=3600))
                reg = {
                    "agent": ext.agent,
                    "registration": self._num(1),
                    "expire": expire,
                }
            else:
                reg = {"registration": self._num(-1)}
            status = self._num(self.pbx.presence_status(number))
            items.append({"extension": number, "status": status, "registration": [reg]})
        return _json(self._page(request, items))

    # ------------------------------------------------------ phoneCallEvents
    def _sub_fields(
        self, body: dict[str, Any], path_type: str | None, sub: Subscription | None
    ) -> dict[str, Any]:
        """Validate subscription fields (defaults from ``sub`` or documented)."""
        if (
            path_type is not None
            and "type" in body
            and _choice(body["type"], range(5)) != _choice(path_type, range(5))
        ):
            raise ApiError(400, "fields_invalid", "type differs from the path")
        raw_type = body.get("type", path_type if sub is None else sub.type)
        if raw_type is None:
            raise ApiError(400, "fields_invalid", "type is required")
        url = body.get("url", sub.url if sub else None)
        try:
            parsed = urlparse(url) if isinstance(url, str) else None
        except ValueError:
            parsed = None
        if (
            parsed is None
            or parsed.scheme not in ("http", "https")
            or not parsed.netloc
        ):
            raise ApiError(400, "fields_invalid", "url must be an http(s) URL")
        note = body.get("note", sub.note if sub else None)
        if note is not None and not isinstance(note, str):
            raise ApiError(400, "fields_invalid", "note must be a string")
        return {
            "event_type": _choice(raw_type, range(5)),
            "method": _choice(body.get("method", sub.method if sub else 1), range(2)),
            "url": url,
            "status": _choice(body.get("status", sub.status if sub else 1), range(2)),
            "note": note,
        }

    def _find_sub(self, request: web.Request) -> Subscription:
        """Return the subscription addressed by the path, else pce_id_invalid."""
        self._check_user(request)
        extensions = self._resolve(request.match_info["ext"])
        event_type = _choice(request.match_info["type"], range(5))
        sub = self.pbx.subscriptions.get(request.match_info["id"])
        if sub is None or sub.extension not in extensions or sub.type != event_type:
            raise ApiError(400, "pce_id_invalid", "Unknown phoneCallEvent id")
        return sub

    async def _add_subscription(self, request: web.Request) -> web.Response:
        """Subscribe an HTTP callback to one event type of one extension."""
        self._check_user(request)
        extension = self._resolve(request.match_info["ext"], allow_self=False)[0]
        body = await self._body(request)
        fields = self._sub_fields(body, request.match_info.get("type"), None)
        sub = self.pbx.add_subscription(extension, **fields)
        return _json(sub.to_json())

    async def _get_subscriptions(self, request: web.Request) -> web.Response:
        """List subscriptions, or return one."""
        if "id" in request.match_info:
            return _json(self._find_sub(request).to_json())
        self._check_user(request)
        extensions = self._resolve(request.match_info["ext"])
        raw_type = request.match_info.get("type")
        event_type = None if raw_type is None else _choice(raw_type, range(5))
        subs = self.pbx.subscriptions_for(extensions, event_type)
        return _json(self._page(request, [s.to_json() for s in subs]))

    async def _put_subscription(self, request: web.Request) -> web.Response:
        """Update a subscription."""
        sub = self._find_sub(request)
        fields = self._sub_fields(await self._body(request), None, sub)
        sub.type = fields["event_type"]
        sub.method, sub.url = fields["method"], fields["url"]
        sub.status, sub.note = fields["status"], fields["note"]
        return _json(sub.to_json())

    async def _delete_subscriptions(self, request: web.Request) -> web.Response:
        """Delete one subscription, or all of the extension (and type)."""
        if "id" in request.match_info:
            subs = [self._find_sub(request)]
        else:
            self._check_user(request)
            extensions = self._resolve(request.match_info["ext"])
            raw_type = request.match_info.get("type")
            event_type = None if raw_type is None else _choice(raw_type, range(5))
            subs = self.pbx.subscriptions_for(extensions, event_type)
        for sub in subs:
            del self.pbx.subscriptions[sub.id]
        return web.Response(status=204)

    # --------------------------------------------------------- control API
    async def _ctl_incoming(self, request: web.Request) -> web.Response:
        """Control: ring an extension."""
        data = await request.json()
        try:
            call_id = await self.incoming_call(
                data["extension"],
                from_number=data.get("from_number", "5551234"),
                caller_name=data.get("caller_name", ""),
            )
        except KeyError as err:
            return _error(404, "not_found", str(err))
        return _json({"id": call_id})

    async def _ctl_outgoing(self, request: web.Request) -> web.Response:
        """Control: make an extension dial out."""
        data = await request.json()
        try:
            call_id = await self.outgoing_call(data["extension"], data["to_number"])
        except KeyError as err:
            return _error(404, "not_found", str(err))
        return _json({"id": call_id})

    async def _ctl_call_op(self, request: web.Request) -> web.Response:
        """Control: answer, hangup, hold or unhold a call."""
        call_id, op = request.match_info["id"], request.match_info["op"]
        data = await request.json() if request.can_read_body else {}
        ops = {
            "answer": lambda: self.answer_call(call_id),
            "hangup": lambda: self.hangup_call(call_id),
            "hold": lambda: self.hold_call(call_id, data.get("extension")),
            "unhold": lambda: self.unhold_call(call_id, data.get("extension")),
        }
        if op not in ops:
            return _error(404, "not_found", f"Unknown operation {op!r}")
        try:
            await ops[op]()
        except KeyError:
            return _error(404, "not_found", f"Unknown call {call_id!r}")
        return _json({"id": call_id})

    async def _ctl_state(self, request: web.Request) -> web.Response:
        """Control: extensions, calls, subscriptions and voicemails."""
        return _json(
            {
                "extensions": [asdict(e) for e in self.pbx.extensions.values()],
                "calls": [self.call_json(c, request) for c in self.pbx.calls.values()],
                "subscriptions": [s.to_json() for s in self.pbx.subscriptions.values()],
                "voicemails": self.pbx.voicemails,
            }
        )

    async def _ctl_requests(self, request: web.Request) -> web.Response:
        """Control: the request log."""
        return _json([r.to_json() for r in self.requests])

    async def _ctl_faults(self, request: web.Request) -> web.Response:
        """Control: inject a fault."""
        data = await request.json()
        try:
            self.inject_fault(
                data["kind"],
                data.get("count", 1),
                data.get("path_prefix"),
                delay=float(data.get("delay", 30.0)),
            )
        except (KeyError, ValueError) as err:
            return _error(400, "fields_invalid", str(err))
        return _json({"faults": len(self._faults.faults)})

    async def _ctl_clear_faults(self, request: web.Request) -> web.Response:
        """Control: remove all faults."""
        self.clear_faults()
        return web.Response(status=204)

    async def _ctl_revoke(self, request: web.Request) -> web.Response:
        """Control: revoke every token."""
        self.revoke_tokens()
        return web.Response(status=204)

    async def _ctl_add_extension(self, request: web.Request) -> web.Response:
        """Control: add an extension."""
        data = await request.json()
        ext = self.add_extension(
            data["extension"], data.get("name", ""), data.get("registered", True)
        )
        return _json(asdict(ext))
