"""The App's OAuth 2.0 token: one request at a time, shared, never forced.

The token source sends its token requests through the transport and is the
transport's token provider; the transport knows it only by that protocol.

VoipNow issues tokens for the client credentials of a trusted App and gives
no refresh token: a new one is asked for shortly before `expires_in` ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import copy
import logging
import math
import re
import time
from typing import Any, Final

from .const import DEFAULT_TOKEN_LIFETIME, TOKEN_RENEW_MARGIN
from .exceptions import (
    VoipNowAuthenticationError,
    VoipNowError,
    VoipNowMalformedResponseError,
    error_code,
    response_error,
)
from .transport import Transport

_LOGGER = logging.getLogger(__package__)

# An OAuth bearer token is visible ASCII; anything else cannot go in a header.
TOKEN_RE: Final = re.compile(r"[\x21-\x7e]{1,4096}")


class TokenSource:
    """Hand out the App's access token, asking the PBX as rarely as possible."""

    def __init__(
        self, transport: Transport[TokenSource], client_id: str, client_secret: str
    ) -> None:
        """Keep the credentials; no token is asked for yet."""
        self._transport = transport
        self._client_id = client_id
        self._client_secret = client_secret
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()
        # Token requests finished so far, and how the last one failed: callers
        # that queued behind a failing request share its error instead of each
        # sending their own (N callers would otherwise wait N timeouts).
        self._token_requests_done = 0
        self._token_error: VoipNowError | None = None
        # Once the PBX refused the App, nothing asks again until the caller
        # says new credentials are in (a PBX with brute-force protection
        # would lock the App out).
        self._refused: VoipNowAuthenticationError | None = None

    def invalidate_token(self) -> None:
        """Forget the cached token and any refusal; the next request asks anew."""
        self._token = None
        self._token_expires = 0.0
        self._refused = None

    def refuse(self, err: VoipNowAuthenticationError) -> VoipNowAuthenticationError:
        """Remember that the PBX refused the App; return the error to raise."""
        self._refused = err
        self._token = None
        return err

    def valid_for(self) -> float:
        """Seconds the cached token is handed out before a new one is asked for."""
        return max(0.0, self._token_expires - time.monotonic())

    def current_token(self) -> str | None:
        """Return the token while it is valid, without waiting (None: ask)."""
        return self._cached(None)

    def _cached(self, stale: str | None) -> str | None:
        """Return the token while it is valid, unless it is the refused one."""
        if (
            self._token is not None
            and self._token != stale
            and time.monotonic() < self._token_expires
        ):
            return self._token
        return None

    async def async_token(self, *, stale: str | None = None) -> str:
        """Return a valid token, sharing one token request among callers.

        `stale` is a token the PBX just refused: it is not handed out again,
        but a newer one fetched meanwhile by another caller is.
        """

        if self._refused is not None:
            raise copy.copy(self._refused) from self._refused
        if token := self._cached(stale):
            return token
        done = self._token_requests_done
        async with self._token_lock:
            if token := self._cached(stale):
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
        base = self._transport.base
        base_path = base.raw_path.rstrip("/")
        token_url = base.with_path(f"{base_path}/oauth/token.php", encoded=True)
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "grant_type": "client_credentials",
            "type": "unifiedapi",
            # Misspelled on purpose, as in 4PSA's own client.
            "redirect_uri": str(
                base.with_path(f"{base_path}/ouath/token.php", encoded=True)
            ),
        }
        _LOGGER.debug("Requesting an access token from %s", base.host)
        status, payload = await self._transport.async_send("POST", token_url, data=form)
        if status in (400, 401, 403):
            raise self.refuse(
                VoipNowAuthenticationError(
                    f"Token request rejected ({error_code(payload) or status})"
                )
            )
        if status >= 300:
            raise response_error(status, payload, "token request")
        data = payload if isinstance(payload, Mapping) else {}
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise VoipNowMalformedResponseError("Token answer has no access_token")
        if not TOKEN_RE.fullmatch(token):
            # It could not be sent in a header; never echo it.
            raise VoipNowMalformedResponseError("Token answer has an unusable token")
        return token, _token_lifetime(data.get("expires_in"))


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
