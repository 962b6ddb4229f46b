"""Async client for the VoipNow UnifiedAPI (OAuth 2.0 client credentials)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
import copy
from enum import IntEnum
import ipaddress
import json
import logging
import math
import re
import secrets
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from .exceptions import (
    VoipNowAuthenticationError,
    VoipNowConnectionError,
    VoipNowError,
    VoipNowInvalidInputError,
    VoipNowMalformedResponseError,
    VoipNowResponseError,
    VoipNowSSLError,
    VoipNowTimeoutError,
)
from .models import (
    CallEventMethod,
    CallEventSubscription,
    CallEventType,
    Extension,
    PhoneCall,
    TransferAction,
    collection_entries,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_PAGE_SIZE: Final = 500
MAX_PAGES: Final = 50
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
# Renew this long before `expires_in` ends (4PSA's own client uses 5 minutes),
# but never more than a tenth of a short lifetime.
TOKEN_RENEW_MARGIN: Final = 300.0
DEFAULT_TOKEN_LIFETIME: Final = 3600.0

# Used with `fullmatch`: `$` would let a trailing newline through.
USER_ID_RE: Final = re.compile(r"@me|@viewer|@owner|[0-9]{1,20}")
EXTENSION_RE: Final = re.compile(r"(?=[0-9*]*[0-9])[0-9*]{1,32}")
CALL_ID_RE: Final = re.compile(r"[A-Za-z0-9]{1,64}")
VIEW_ID_RE: Final = re.compile(r"[A-Za-z0-9]{1,16}")
# Extensions (digits and `*`) and public numbers (digits, a leading `+`).
PHONE_NUMBER_RE: Final = re.compile(r"\+?(?=[0-9*]*[0-9])[0-9*]{1,32}")
# A host name: dot-separated labels of letters, digits, `-` and `_`.
HOST_NAME_RE: Final = re.compile(
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?",
    re.IGNORECASE,
)
# An OAuth bearer token is visible ASCII; anything else cannot go in a header.
TOKEN_RE: Final = re.compile(r"[\x21-\x7e]{1,4096}")
MAX_PAGE_SIZE: Final = 5000
SELF: Final = "@self"
# Stands for a body that is not JSON (an HTML error page, a truncated answer).
NOT_JSON: Final = object()


def normalize_url(url: str) -> URL:
    """Turn what a user types into the server's base URL.

    `voip.example.com`, `https://voip.example.com/` and
    `https://voip.example.com/uapi` all become `https://voip.example.com`.
    """
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise VoipNowInvalidInputError("url", url)
    if "://" not in text:
        text = f"https://{text}"
    try:
        parsed = URL(text)
    except ValueError:
        raise VoipNowInvalidInputError("url", url) from None
    if parsed.scheme not in ("http", "https") or not _valid_host(parsed.raw_host):
        raise VoipNowInvalidInputError("url", url)
    if parsed.user or parsed.password or parsed.query_string or parsed.fragment:
        raise VoipNowInvalidInputError("url", url)
    path = parsed.path.rstrip("/")
    for suffix in ("/uapi", "/oauth/token.php"):
        if path.lower().endswith(suffix):
            path = path[: -len(suffix)]
    return parsed.with_path(path or "/").with_query(None).with_fragment(None)


def _valid_host(host: str | None) -> bool:
    """Tell whether a URL's host is an IP address or a plausible host name."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return HOST_NAME_RE.fullmatch(host) is not None
    return True


def server_host(url: str | URL) -> str:
    """Name a server by host and non-default port: `voip.example.com:8443`.

    Lower-cased, with IPv6 addresses in brackets so the port stays readable.
    """
    base = normalize_url(url) if isinstance(url, str) else url
    host = (base.host or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if not base.is_default_port():
        host = f"{host}:{base.port}"
    return host


def validate_user_id(user_id: str) -> str:
    """Check a userId path segment: `@me`, `@viewer`, `@owner` or digits."""
    if not isinstance(user_id, str) or not USER_ID_RE.fullmatch(user_id):
        raise VoipNowInvalidInputError("user_id", user_id)
    return user_id


def validate_extension(extension: str, *, allow_self: bool = True) -> str:
    """Check an extension path segment: digits and `*`, or `@self`."""
    if allow_self and extension == SELF:
        return extension
    if not isinstance(extension, str) or not EXTENSION_RE.fullmatch(extension):
        raise VoipNowInvalidInputError("extension", extension)
    return extension


def validate_call_id(call_id: str) -> str:
    """Check a phoneCallId path segment: alphanumeric."""
    if not isinstance(call_id, str) or not CALL_ID_RE.fullmatch(call_id):
        raise VoipNowInvalidInputError("phone_call_id", call_id)
    return call_id


def validate_number(field: str, number: str) -> str:
    """Check a phone number sent in a body: an extension or a public number."""
    if not isinstance(number, str) or not PHONE_NUMBER_RE.fullmatch(number):
        raise VoipNowInvalidInputError(field, number)
    return number


class VoipNowClient:
    """Talk to one VoipNow server as one trusted App."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        client_id: str,
        client_secret: str,
        *,
        request_timeout: float = DEFAULT_TIMEOUT,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        """Set up the client; nothing is sent until the first call."""
        self._session = session
        self._base = normalize_url(url)
        if (
            isinstance(request_timeout, bool)
            or not isinstance(request_timeout, int | float)
            or not 0 < request_timeout < math.inf
        ):
            raise VoipNowInvalidInputError("request_timeout", request_timeout)
        if (
            isinstance(page_size, bool)
            or not isinstance(page_size, int)
            or not 0 < page_size <= MAX_PAGE_SIZE
        ):
            raise VoipNowInvalidInputError("page_size", page_size)
        self._client_id = client_id
        self._client_secret = client_secret
        self._timeout = float(request_timeout)
        self._page_size = page_size
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()
        # Token requests finished so far, and how the last one failed: callers
        # that queued behind a failing request share its error instead of each
        # sending their own (N callers would otherwise wait N timeouts).
        self._token_requests_done = 0
        self._token_error: VoipNowError | None = None

    def __repr__(self) -> str:
        """Show the server, never the credentials."""
        return f"VoipNowClient(url={str(self._base)!r})"

    @property
    def base_url(self) -> str:
        """The normalised server URL, without a trailing slash."""
        return str(self._base).rstrip("/")

    @property
    def host(self) -> str:
        """The server's host name (with a non-default port, if any)."""
        return server_host(self._base)

    # --- authentication -------------------------------------------------

    async def async_authenticate(self) -> None:
        """Fetch a token now, raising if the credentials are rejected."""
        self.invalidate_token()
        await self._async_token()

    def invalidate_token(self) -> None:
        """Forget the cached token; the next request fetches a new one."""
        self._token = None
        self._token_expires = 0.0

    async def _async_token(self, *, stale: str | None = None) -> str:
        """Return a valid token, sharing one token request among callers.

        `stale` is a token the PBX just refused: it is not handed out again,
        but a newer one fetched meanwhile by another caller is.
        """

        def cached() -> str | None:
            if (
                self._token is not None
                and self._token != stale
                and time.monotonic() < self._token_expires
            ):
                return self._token
            return None

        if token := cached():
            return token
        done = self._token_requests_done
        async with self._token_lock:
            if token := cached():
                return token
            if self._token_requests_done != done and self._token_error is not None:
                raise copy.copy(self._token_error) from self._token_error
            self._token_error = None
            try:
                token, lifetime = await self._async_request_token()
            except VoipNowError as err:
                self._token_error = err
                raise
            finally:
                self._token_requests_done += 1
            margin = min(TOKEN_RENEW_MARGIN, lifetime / 10)
            self._token = token
            self._token_expires = time.monotonic() + lifetime - margin
            return token

    async def _async_request_token(self) -> tuple[str, float]:
        """Ask the token endpoint for a new access token."""
        base_path = self._base.raw_path.rstrip("/")
        token_url = self._base.with_path(f"{base_path}/oauth/token.php", encoded=True)
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
            "type": "unifiedapi",
            # Misspelled on purpose, as in 4PSA's own client.
            "redirect_uri": str(
                self._base.with_path(f"{base_path}/ouath/token.php", encoded=True)
            ),
        }
        _LOGGER.debug("Requesting an access token from %s", self._base.host)
        status, payload = await self._async_send("POST", token_url, data=form)
        if status in (400, 401, 403):
            raise VoipNowAuthenticationError(
                f"Token request rejected ({_error_code(payload) or status})"
            )
        if status >= 300:
            raise _response_error(status, payload, "token request")
        data = payload if isinstance(payload, Mapping) else {}
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise VoipNowMalformedResponseError("Token answer has no access_token")
        if not TOKEN_RE.fullmatch(token):
            # It could not be sent in a header; never echo it.
            raise VoipNowMalformedResponseError("Token answer has an unusable token")
        return token, _token_lifetime(data.get("expires_in"))

    # --- transport ------------------------------------------------------

    async def _async_send(
        self,
        method: str,
        url: URL,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        action: bool = False,
    ) -> tuple[int, Any]:
        """Send one HTTP request with a timeout; return status and decoded body.

        For an `action` (a write to the PBX), a failure once the request may
        have left (timeout, dropped connection) is flagged `maybe_acted`.
        """
        try:
            async with asyncio.timeout(self._timeout):
                async with self._session.request(
                    _no_replay(method),
                    url,
                    headers=headers,
                    json=json_body,
                    data=data,
                    allow_redirects=False,
                    **_no_replay_options(method),
                ) as resp:
                    body = await _read_limited(resp)
                    status = resp.status
        except TimeoutError as err:
            raise VoipNowTimeoutError(
                f"Timeout after {self._timeout:g}s talking to {self._base.host}",
                maybe_acted=action,
            ) from err
        except aiohttp.ClientConnectorCertificateError as err:
            # Only an untrusted certificate: turning off verification may help.
            raise VoipNowSSLError(
                f"Certificate of {self._base.host} not trusted: {type(err).__name__}"
            ) from err
        except aiohttp.ClientError as err:
            raise VoipNowConnectionError(
                f"Error talking to {self._base.host}: {_root_cause(err)}",
                # Refused, DNS, TLS: nothing reached the PBX.
                maybe_acted=action
                and not isinstance(err, aiohttp.ClientConnectorError),
            ) from err
        if status == 204 or not body.strip():
            return status, None
        try:
            return status, json.loads(body)
        except (ValueError, RecursionError):
            # RecursionError: nesting too deep for the decoder, not JSON to us.
            return status, NOT_JSON

    async def _async_api(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> tuple[int, Any]:
        """Call the UnifiedAPI, renewing the token once on a 401."""
        url = self._base.with_path(
            self._base.raw_path.rstrip("/") + "/uapi/" + path, encoded=True
        )
        if params:
            url = url.with_query(params)
        headers = {"Accept": "application/json"}
        token = await self._async_token()
        _LOGGER.debug("%s /uapi/%s", method, path)
        status, payload = await self._async_send(
            method,
            url,
            headers={**headers, "Authorization": f"Bearer {token}"},
            json_body=json_body,
            action=method != "GET",
        )
        if status == 401:
            # A 401 means the PBX did not act: renewing and retrying once cannot
            # duplicate an action.
            _LOGGER.debug("Token refused, requesting a new one")
            token = await self._async_token(stale=token)
            _LOGGER.debug("%s /uapi/%s (new token)", method, path)
            status, payload = await self._async_send(
                method,
                url,
                headers={**headers, "Authorization": f"Bearer {token}"},
                json_body=json_body,
                action=method != "GET",
            )
            if status == 401:
                raise VoipNowAuthenticationError("Access denied with a fresh token")
        if status >= 300:
            raise _response_error(status, payload, f"{method} /uapi/{path}")
        return status, payload

    async def _async_collection(
        self, path: str, params: Mapping[str, str] | None = None
    ) -> list[Any]:
        """Read every page of a collection."""
        entries: list[Any] = []
        start = 0
        for _ in range(MAX_PAGES):
            query = {**(params or {}), "count": str(self._page_size)}
            if start:
                query["startIndex"] = str(start)
            status, payload = await self._async_api("GET", path, params=query)
            if payload is None and status == 204:
                return entries
            if payload is None:
                # A 200 always has a body: an empty one is a cut-off answer,
                # not an empty list (that would make every call vanish).
                raise VoipNowMalformedResponseError("Answer is empty", status=status)
            if payload is NOT_JSON:
                raise VoipNowMalformedResponseError("Answer is not JSON", status=status)
            page = collection_entries(payload, path)
            entries.extend(page)
            if not page or not isinstance(payload, Mapping):
                return entries
            total = payload.get("totalResults")
            start += len(page)
            try:
                if total is not None and start >= int(total):
                    return entries
            except (TypeError, ValueError, OverflowError):
                raise VoipNowMalformedResponseError(
                    "totalResults is not a number"
                ) from None
            paging = payload.get("paging")
            if total is None and not (
                isinstance(paging, Mapping) and paging.get("next")
            ):
                return entries
        raise VoipNowMalformedResponseError("Too many pages")

    # --- phone calls ----------------------------------------------------

    async def async_list_calls(
        self, *, user_id: str = "@me", extension: str = SELF
    ) -> list[PhoneCall]:
        """List the calls now in the system (all pages)."""
        path = f"phoneCalls/{validate_user_id(user_id)}/{validate_extension(extension)}"
        return [
            PhoneCall.from_dict(entry) for entry in await self._async_collection(path)
        ]

    async def async_transfer_call(
        self,
        *,
        extension: str,
        phone_call_id: str,
        send_call_to: str,
        transfer_from_number: str | None = None,
        transfer_number: str | None = None,
        to_voicemail: bool = False,
        user_id: str = "@me",
    ) -> PhoneCall | None:
        """Transfer one call; return the updated call, or None if it had ended.

        A call id is required: without one VoipNow transfers every call of the
        extension. Optional fields are omitted, never sent empty.
        """
        path = self._call_path(user_id, extension, phone_call_id)
        body: dict[str, str] = {
            "action": (
                TransferAction.TO_VOICEMAIL if to_voicemail else TransferAction.TRANSFER
            ).value,
            "sendCallTo": validate_number("send_call_to", send_call_to),
        }
        if to_voicemail:
            if transfer_number is None:
                raise VoipNowInvalidInputError("transfer_number", transfer_number)
            if transfer_from_number is not None:
                body["transferFromNumber"] = validate_number(
                    "transfer_from_number", transfer_from_number
                )
        else:
            body["transferFromNumber"] = validate_number(
                "transfer_from_number",
                extension if transfer_from_number is None else transfer_from_number,
            )
        if transfer_number is not None:
            body["transferNumber"] = validate_number("transfer_number", transfer_number)
        status, payload = await self._async_api("PUT", path, json_body=body)
        return _updated_call(status, payload, extension, phone_call_id)

    async def async_set_hold(
        self,
        *,
        extension: str,
        phone_call_id: str,
        phone_call_view_id: str,
        hold: bool,
        user_id: str = "@me",
    ) -> PhoneCall | None:
        """Put one party of a call on hold, or take it off hold."""
        path = self._call_path(user_id, extension, phone_call_id)
        if not isinstance(phone_call_view_id, str) or not VIEW_ID_RE.fullmatch(
            phone_call_view_id
        ):
            raise VoipNowInvalidInputError("phone_call_view_id", phone_call_view_id)
        body = {
            "action": "OnHold" if hold else "OffHold",
            "phoneCallViewId": phone_call_view_id,
        }
        status, payload = await self._async_api("PUT", path, json_body=body)
        return _updated_call(status, payload, extension, phone_call_id)

    async def async_hangup_call(
        self,
        *,
        extension: str,
        phone_call_id: str,
        phone_number: str | None = None,
        user_id: str = "@me",
    ) -> None:
        """Hang up one call (never all calls of the extension)."""
        path = self._call_path(user_id, extension, phone_call_id)
        params = None
        if phone_number is not None:
            params = {"phoneNumber": validate_number("phone_number", phone_number)}
        await self._async_api("DELETE", path, params=params)

    async def async_make_call(
        self,
        *,
        extension: str,
        destination: str,
        caller_id: str | None = None,
        wait_for_pickup: int | None = None,
        user_id: str = "@me",
    ) -> str | None:
        """Place a call: the extension rings first, then the destination.

        Return the new call's id when the PBX reports one.
        """
        validate_user_id(user_id)
        validate_extension(extension, allow_self=False)
        view: dict[str, Any] = {
            "source": [extension],
            "destination": [validate_number("destination", destination)],
        }
        if caller_id is not None:
            if not isinstance(caller_id, str) or not caller_id.strip():
                raise VoipNowInvalidInputError("caller_id", caller_id)
            view["callerId"] = caller_id.strip()
        params = None
        if wait_for_pickup is not None:
            if (
                isinstance(wait_for_pickup, bool)
                or not isinstance(wait_for_pickup, int)
                or not 0 < wait_for_pickup <= 300
            ):
                raise VoipNowInvalidInputError("wait_for_pickup", wait_for_pickup)
            params = {"waitForPickup": str(wait_for_pickup)}
        body = {
            "extension": extension,
            "phoneCallView": [view],
            "nonce": secrets.token_hex(8),
        }
        _, payload = await self._async_api(
            "POST", f"phoneCalls/{user_id}/simple", params=params, json_body=body
        )
        call = _first_resource(payload, PhoneCall.from_dict)
        return call.id if call else None

    # --- extensions and presence ----------------------------------------

    async def async_list_extensions(self, *, user_id: str = "@me") -> list[Extension]:
        """List the user's extensions with presence and registration."""
        path = f"extensions/{validate_user_id(user_id)}/{SELF}/presence"
        return [
            Extension.from_dict(entry) for entry in await self._async_collection(path)
        ]

    # --- PhoneCallEvents subscriptions ------------------------------------

    async def async_list_call_event_subscriptions(
        self, *, extension: str, user_id: str = "@me"
    ) -> list[CallEventSubscription]:
        """List the PhoneCallEvents subscriptions of one extension."""
        path = self._events_path(user_id, extension)
        return [
            CallEventSubscription.from_dict(entry)
            for entry in await self._async_collection(path)
        ]

    async def async_create_call_event_subscription(
        self,
        *,
        extension: str,
        event_type: CallEventType,
        url: str,
        note: str | None = None,
        method: CallEventMethod = CallEventMethod.POST,
        user_id: str = "@me",
    ) -> CallEventSubscription | None:
        """Subscribe a URL to one event type of one extension."""
        path = self._events_path(user_id, extension) + "/"
        kind = _enum_input(CallEventType, event_type, "event_type")
        how = _enum_input(CallEventMethod, method, "method")
        if not _valid_callback_url(url):
            # The callback URL is a secret: it is not kept in the error.
            raise VoipNowInvalidInputError("url", "<redacted>")
        if note is not None and not isinstance(note, str):
            raise VoipNowInvalidInputError("note", note)
        body = {
            "type": str(int(kind)),
            "method": str(int(how)),
            "url": url,
            "status": "1",
        }
        if note:
            body["note"] = note
        _, payload = await self._async_api("POST", path, json_body=body)
        return _first_resource(payload, CallEventSubscription.from_dict)

    async def async_delete_call_event_subscription(
        self,
        *,
        extension: str,
        event_type: CallEventType,
        subscription_id: str,
        user_id: str = "@me",
    ) -> None:
        """Delete one PhoneCallEvents subscription."""
        path = self._events_path(user_id, extension)
        kind = _enum_input(CallEventType, event_type, "event_type")
        if not isinstance(subscription_id, str) or not CALL_ID_RE.fullmatch(
            subscription_id
        ):
            raise VoipNowInvalidInputError("subscription_id", subscription_id)
        await self._async_api("DELETE", f"{path}/{int(kind)}/{subscription_id}")

    # --- helpers ----------------------------------------------------------

    @staticmethod
    def _call_path(user_id: str, extension: str, phone_call_id: str) -> str:
        """Build `phoneCalls/{user}/{extension}/{id}` from validated segments."""
        return (
            f"phoneCalls/{validate_user_id(user_id)}/"
            f"{validate_extension(extension)}/{validate_call_id(phone_call_id)}"
        )

    @staticmethod
    def _events_path(user_id: str, extension: str) -> str:
        """Build the PhoneCallEvents path of one extension (never `@self`)."""
        return (
            f"extensions/{validate_user_id(user_id)}/"
            f"{validate_extension(extension, allow_self=False)}/phoneCallEvents"
        )


def _enum_input[E: IntEnum](enum: type[E], value: Any, field: str) -> E:
    """Check a caller's enum argument (a member or its number)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise VoipNowInvalidInputError(field, value)
    try:
        return enum(value)
    except ValueError:
        raise VoipNowInvalidInputError(field, value) from None


def _valid_callback_url(url: Any) -> bool:
    """Tell whether a callback URL is an absolute http(s) URL the PBX can call."""
    if not isinstance(url, str) or url != url.strip() or not url.isprintable():
        return False
    try:
        target = URL(url)
    except ValueError:
        return False
    return target.scheme in ("http", "https") and _valid_host(target.raw_host)


def _no_replay(method: str) -> str:
    """Spell a write method so aiohttp 3.11 never sends it a second time.

    aiohttp silently re-sends PUT and DELETE once when the connection drops
    before the answer (it treats them as idempotent). For a PBX action that is
    a second transfer or hang-up. aiohttp 3.11 (Home Assistant 2025.4) compares
    the method as given, while the request itself is sent upper-cased, so a
    lower-case spelling sends the same request and opts out of the replay.
    Newer aiohttp upper-cases first; `_no_replay_options` covers it there.
    Both are proven by the client's tests on both Home Assistant lines.
    """
    return method if method in ("GET", "HEAD") else method.lower()


async def _refuse_replay(
    request: aiohttp.ClientRequest,
    handler: Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]],
) -> aiohttp.ClientResponse:
    """Client middleware: a dropped write surfaces instead of being re-sent.

    aiohttp only replays on `ClientOSError`/`ServerDisconnectedError`; the
    same failure as a plain `ClientConnectionError` is raised as is.
    """
    try:
        return await handler(request)
    except aiohttp.ClientConnectorError:
        raise  # Never replayed: nothing reached the PBX.
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as err:
        raise aiohttp.ClientConnectionError(type(err).__name__) from err


def _root_cause(err: BaseException) -> str:
    """Name the first aiohttp error of a chain (a refused replay wraps one)."""
    while isinstance(err.__cause__, aiohttp.ClientError):
        err = err.__cause__
    return type(err).__name__


# Per-request client middlewares exist from aiohttp 3.12 on.
_HAS_MIDDLEWARES: Final = hasattr(aiohttp, "ClientMiddlewareType")


def _no_replay_options(method: str) -> dict[str, Any]:
    """Extra request options that stop aiohttp >= 3.12 replaying a write."""
    if method not in ("PUT", "DELETE") or not _HAS_MIDDLEWARES:
        return {}
    return {"middlewares": (_refuse_replay,)}


async def _read_limited(resp: aiohttp.ClientResponse) -> str:
    """Read a response body, refusing bodies larger than MAX_BODY_BYTES."""
    if resp.content_length is not None and resp.content_length > MAX_BODY_BYTES:
        raise VoipNowMalformedResponseError("Answer too large", status=resp.status)
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(65536):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise VoipNowMalformedResponseError("Answer too large", status=resp.status)
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _token_lifetime(raw: Any) -> float:
    """Read `expires_in`; a missing or unusable value means the usual hour."""
    if isinstance(raw, bool):
        return DEFAULT_TOKEN_LIFETIME
    try:
        seconds = float(raw)
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_TOKEN_LIFETIME
    if not 0 < seconds < math.inf:
        return DEFAULT_TOKEN_LIFETIME
    return seconds


def _error_code(payload: Any) -> str | None:
    """Return the error code of an answer: `{"error": {"code"}}` or OAuth's `{"error"}`."""
    error = payload.get("error") if isinstance(payload, Mapping) else None
    if isinstance(error, Mapping):
        error = error.get("code")
    if isinstance(error, bool) or not isinstance(error, str | int):
        return None
    return str(error).strip() or None


def _response_error(status: int, payload: Any, what: str) -> VoipNowResponseError:
    """Build the error for a non-2xx answer from its `error` object, if any."""
    code = _error_code(payload)
    message = f"{what} failed with HTTP {status}"
    error = payload.get("error") if isinstance(payload, Mapping) else None
    raw_message = error.get("message") if isinstance(error, Mapping) else None
    if isinstance(raw_message, str) and raw_message.strip():
        message = f"{what} failed: {raw_message.strip()}"
    if code:
        message = f"{message} ({code})"
    return VoipNowResponseError(message, status=status, code=code)


def _first_resource[T](payload: Any, parse: Callable[[Any], T]) -> T | None:
    """Parse the resource a successful write returns, tolerating odd shapes.

    The PBX has already acted when it answers 2xx, so an answer we cannot read
    must not look like a failure (a caller would retry and act twice).
    """
    if payload is None or payload is NOT_JSON:
        return None
    try:
        entries = collection_entries(payload, "answer")
        return parse(entries[0] if entries else payload)
    except VoipNowMalformedResponseError:
        _LOGGER.debug("Could not read the answer to a successful request")
        return None


def _updated_call(
    status: int, payload: Any, extension: str, phone_call_id: str
) -> PhoneCall | None:
    """Return the call an action updated; None for 204 (no call to act on)."""
    if status == 204:
        return None
    call = _first_resource(payload, PhoneCall.from_dict)
    return call or PhoneCall(id=phone_call_id, extension=extension)


__all__ = ["VoipNowClient", "VoipNowError", "normalize_url"]
