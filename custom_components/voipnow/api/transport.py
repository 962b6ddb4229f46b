"""HTTP to one VoipNow server: OAuth token, timeouts, no replays, paging.

Every request has a timeout; a collection has one overall deadline however
many pages it takes. A write (PUT, POST, DELETE) is never sent twice by the
transport: aiohttp's silent replay of a dropped PUT/DELETE is switched off,
and a failure after the request may have left says so (`maybe_acted`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
import json
import logging
from typing import Any, Final, Protocol

import aiohttp
from yarl import URL

from .const import MAX_BODY_BYTES, MAX_PAGES, MAX_START_INDEX
from .exceptions import (
    VoipNowAccessDeniedError,
    VoipNowAuthenticationError,
    VoipNowConnectionError,
    VoipNowMalformedResponseError,
    VoipNowSSLError,
    VoipNowTimeoutError,
    response_error,
)
from .parse import collection_entries
from .urls import service_of

_LOGGER = logging.getLogger(__package__)

# Stands for a body that is not JSON (an HTML error page, a truncated answer).
NOT_JSON: Final = object()


class TokenProvider(Protocol):
    """Where the transport gets the App's bearer token (the OAuth side)."""

    def current_token(self) -> str | None:
        """Return the token while it is valid, without waiting (None: ask)."""

    async def async_token(self, *, stale: str | None = None) -> str:
        """Return a valid token other than `stale`, the one just refused."""

    def refuse(self, err: VoipNowAuthenticationError) -> VoipNowAuthenticationError:
        """Remember that the PBX refused a fresh token; return the error to raise."""


class Transport[T: TokenProvider]:
    """Send requests to one server as one trusted App, sharing one token."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base: URL,
        tokens: Callable[[Transport[T]], T],
        *,
        timeout: float,
        collection_timeout: float,
    ) -> None:
        """Keep the session and the server; `tokens` makes the token provider.

        The provider is built from the transport because it sends its token
        requests through it; the transport only asks it for tokens.
        """
        self.session = session
        self.base = base
        self._uapi = base.raw_path.rstrip("/") + "/uapi/"
        self.timeout = timeout
        self.collection_timeout = collection_timeout
        self.tokens = tokens(self)
        # Services (see `service_of`) that accepted the current App's token,
        # and those that refused a fresh one.
        self.accepted_services: set[str] = set()
        self.refused_services: set[str] = set()
        # The headers of the last token, built once per token.
        self._headers: tuple[str | None, Mapping[str, str]] = (None, {})

    @property
    def timeout(self) -> float:
        """Seconds one request may take, from sending to the last byte read."""
        return self._timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self._timeout = seconds
        # aiohttp's own deadline (the session's default one replaced, not a
        # second timer), over the connection, the request and the body read.
        self._client_timeout = aiohttp.ClientTimeout(total=seconds)

    # --- sending --------------------------------------------------------

    async def async_send(
        self,
        method: str,
        url: URL,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        action: bool = False,
        decode: bool = True,
    ) -> tuple[int, Any]:
        """Send one HTTP request with a timeout; return status and decoded body.

        For an `action` (a write to the PBX), a failure once the request may
        have left (timeout, dropped connection) is flagged `maybe_acted`.
        Without `decode`, a success's body is read but not decoded (None).
        """
        spelled, options = _NO_REPLAY.get(method) or (method, _NO_OPTIONS)
        try:
            async with self.session.request(
                spelled,
                url,
                headers=headers,
                json=json_body,
                data=data,
                allow_redirects=False,
                timeout=self._client_timeout,
                **options,
            ) as resp:
                body = await _read_limited(resp)
                status = resp.status
        except TimeoutError as err:
            raise VoipNowTimeoutError(
                f"Timeout after {self.timeout:g}s talking to {self.base.host}",
                maybe_acted=action,
            ) from err
        except aiohttp.ClientConnectorCertificateError as err:
            # Only an untrusted certificate: turning off verification may help.
            raise VoipNowSSLError(
                f"Certificate of {self.base.host} not trusted: {type(err).__name__}"
            ) from err
        except aiohttp.ClientError as err:
            raise VoipNowConnectionError(
                f"Error talking to {self.base.host}: {_root_cause(err)}",
                # Refused, DNS, TLS: nothing reached the PBX.
                maybe_acted=action
                and not isinstance(err, aiohttp.ClientConnectorError),
            ) from err
        if status == 204 or (status < 300 and not decode) or not body.strip():
            return status, None
        try:
            return status, json.loads(body)
        except (ValueError, RecursionError):
            # RecursionError: nesting too deep for the decoder, not JSON to us.
            return status, NOT_JSON

    async def async_api(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        decode: bool = True,
    ) -> tuple[int, Any]:
        """Call the UnifiedAPI, renewing the token once on a 401.

        Without `decode`, a success's body is not decoded (None): for actions
        whose answer nobody reads.
        """
        url = self.base.with_path(self._uapi + path, encoded=True)
        if params:
            url = url.with_query(params)
        action = method != "GET"
        token: str | None = None
        # A 401 means the PBX did not act: renewing the token and sending once
        # more cannot duplicate an action. Nothing else is ever sent again.
        for note in ("", " (new token)"):
            if token is None:
                token = self.tokens.current_token() or await self.tokens.async_token()
            else:
                _LOGGER.debug("Token refused, requesting a new one")
                token = await self.tokens.async_token(stale=token)
            if _LOGGER.isEnabledFor(logging.DEBUG):
                _LOGGER.debug("%s /uapi/%s%s", method, path, note)
            status, payload = await self.async_send(
                method,
                url,
                headers=self._headers_of(token),
                json_body=json_body,
                action=action,
                decode=decode,
            )
            if status != 401:
                break
        else:
            raise self._refused(service_of(path))
        if status >= 300:
            raise response_error(status, payload, f"{method} /uapi/{path}")
        service = service_of(path)
        if self.refused_services:
            self.refused_services.discard(service)
        self.accepted_services.add(service)
        return status, payload

    def _headers_of(self, token: str) -> Mapping[str, str]:
        """Return the headers of a UnifiedAPI request with this token."""
        built, headers = self._headers
        if token != built:
            headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
            self._headers = (token, headers)
        return headers

    def _refused(
        self, service: str
    ) -> VoipNowAccessDeniedError | VoipNowAuthenticationError:
        """Say that a service refused a fresh token.

        The App is refused (new credentials needed) only when no service
        has accepted its token; otherwise only this service is.
        """
        self.refused_services.add(service)
        if not self.accepted_services - self.refused_services:
            return self.tokens.refuse(
                VoipNowAuthenticationError("Access denied with a fresh token")
            )
        return VoipNowAccessDeniedError(
            f"The App may not use {service} (access denied)", service=service
        )

    async def async_collection(
        self, path: str, params: Mapping[str, str], page_size: int
    ) -> list[Any]:
        """Read every page of a collection within one overall deadline."""
        entries, complete = await self.async_collection_part(path, params, page_size)
        if not complete:
            raise VoipNowMalformedResponseError(
                f"More entries than a start index of {MAX_START_INDEX} reaches"
            )
        return entries

    async def async_collection_part(
        self, path: str, params: Mapping[str, str], page_size: int
    ) -> tuple[list[Any], bool]:
        """Read the pages a start index reaches; tell whether that was all."""
        try:
            async with asyncio.timeout(self.collection_timeout):
                return await self._async_pages(path, params, page_size)
        except TimeoutError as err:
            raise VoipNowTimeoutError(
                f"Listing {path} took over {self.collection_timeout:g}s"
            ) from err

    async def _async_pages(
        self, path: str, params: Mapping[str, str], page_size: int
    ) -> tuple[list[Any], bool]:
        """Read the pages of a collection one after the other."""
        entries: list[Any] = []
        start = 0
        for _ in range(MAX_PAGES):
            if start > MAX_START_INDEX:
                # The server would refuse the start index: the caller narrows.
                return entries, False
            query = {**params, "count": str(page_size)}
            if start:
                query["startIndex"] = str(start)
            status, payload = await self.async_api("GET", path, params=query)
            if payload is None and status == 204:
                return entries, True
            if payload is None:
                # A 200 always has a body: an empty one is a cut-off answer,
                # not an empty list (that would make every call vanish).
                raise VoipNowMalformedResponseError("Answer is empty", status=status)
            if payload is NOT_JSON:
                raise VoipNowMalformedResponseError("Answer is not JSON", status=status)
            page = collection_entries(payload, path)
            entries.extend(page)
            if isinstance(payload, list) and len(payload) == 1:
                payload = payload[0]  # a collection wrapped in a list
            if not page or not isinstance(payload, Mapping):
                return entries, True
            total = payload.get("totalResults")
            start += len(page)
            try:
                if total is not None and start >= int(total):
                    return entries, True
            except (TypeError, ValueError, OverflowError):
                raise VoipNowMalformedResponseError(
                    "totalResults is not a number"
                ) from None
            paging = payload.get("paging")
            if total is None and not (
                isinstance(paging, Mapping) and paging.get("next")
            ):
                return entries, True
        raise VoipNowMalformedResponseError("Too many pages")


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


_NO_OPTIONS: Final[Mapping[str, Any]] = {}
_REFUSE_REPLAY: Final[Mapping[str, Any]] = (
    {"middlewares": (_refuse_replay,)} if _HAS_MIDDLEWARES else _NO_OPTIONS
)
# How each write method is sent so that aiohttp never sends it a second time.
#
# aiohttp silently re-sends PUT and DELETE once when the connection drops
# before the answer (it treats them as idempotent). For a PBX action that is
# a second transfer or hang-up. aiohttp 3.11 (Home Assistant 2025.4) compares
# the method as given, while the request itself is sent upper-cased, so a
# lower-case spelling sends the same request and opts out of the replay.
# Newer aiohttp upper-cases first: the `_refuse_replay` middleware covers it
# there. Both are proven by the client's tests on both Home Assistant lines.
# GET and HEAD are sent as they are.
_NO_REPLAY: Final[Mapping[str, tuple[str, Mapping[str, Any]]]] = {
    "PUT": ("put", _REFUSE_REPLAY),
    "DELETE": ("delete", _REFUSE_REPLAY),
    "POST": ("post", _NO_OPTIONS),
    "PATCH": ("patch", _NO_OPTIONS),
}


async def _read_limited(resp: aiohttp.ClientResponse) -> str:
    """Read a response body, refusing bodies larger than MAX_BODY_BYTES."""
    if (length := resp.content_length) is not None:
        if length > MAX_BODY_BYTES:
            raise VoipNowMalformedResponseError("Answer too large", status=resp.status)
        # The parser stops at the announced length: the read is bounded.
        return (await resp.read()).decode("utf-8", errors="replace")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(65536):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise VoipNowMalformedResponseError("Answer too large", status=resp.status)
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")
