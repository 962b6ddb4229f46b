"""Exceptions raised by the VoipNow UnifiedAPI client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class VoipNowError(Exception):
    """Base class for every error raised by the client."""


class VoipNowConnectionError(VoipNowError):
    """The PBX could not be reached (DNS, refused, TLS, timeout, reset).

    `maybe_acted` is true when an action had already been sent and the answer
    was lost (timeout, dropped connection): the PBX may have carried it out,
    so it must not be retried blindly.
    """

    def __init__(self, message: str, *, maybe_acted: bool = False) -> None:
        """Say whether the PBX may have acted before the failure."""
        super().__init__(message)
        self.maybe_acted = maybe_acted


class VoipNowTimeoutError(VoipNowConnectionError):
    """The PBX did not answer within the request timeout."""


class VoipNowSSLError(VoipNowConnectionError):
    """The TLS handshake failed, usually an untrusted certificate."""


class VoipNowAuthenticationError(VoipNowError):
    """The App ID or secret was rejected, or a fresh token was refused."""


class VoipNowResponseError(VoipNowError):
    """The PBX answered with an error, carrying its HTTP status and error code."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        """Keep the HTTP status and the API's `error.code` for callers."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class VoipNowAccessDeniedError(VoipNowResponseError):
    """One service refused a fresh token that another service accepted.

    The App may not use that service (call records, a queue of another
    user): only what needs it stops, the credentials are fine.
    """

    def __init__(self, message: str, *, service: str) -> None:
        """Name the refused service (`calls`, `call_records`, `queues`, ...)."""
        super().__init__(message, status=401, code="access_denied")
        self.service = service


class VoipNowMalformedResponseError(VoipNowResponseError):
    """The PBX answered something that is not the documented shape."""


class VoipNowSaveDatesRefusedError(VoipNowResponseError):
    """The CDR refused `saveStartDate`/`saveEndDate`, or ignored them.

    Read by the call's dates instead (`startDate`/`endDate`).
    """


class VoipNowInvalidInputError(VoipNowError, ValueError):
    """A value was rejected locally; nothing was sent to the PBX."""

    def __init__(self, field: str, value: object, reason: str | None = None) -> None:
        """Name the offending field; the value is kept but never printed.

        `reason` names a rule more precise than "malformed" that was broken.
        """
        super().__init__(f"Invalid value for {field}")
        self.field = field
        self.value = value
        self.reason = reason


def error_code(payload: Any) -> str | None:
    """Return the error code of an answer: `{"error": {"code"}}` or OAuth's `{"error"}`."""
    error = payload.get("error") if isinstance(payload, Mapping) else None
    if isinstance(error, Mapping):
        error = error.get("code")
    if isinstance(error, bool) or not isinstance(error, str | int):
        return None
    return str(error).strip() or None


def response_error(status: int, payload: Any, what: str) -> VoipNowResponseError:
    """Build the error for a non-2xx answer from its `error` object, if any."""
    code = error_code(payload)
    message = f"{what} failed with HTTP {status}"
    error = payload.get("error") if isinstance(payload, Mapping) else None
    raw_message = error.get("message") if isinstance(error, Mapping) else None
    if isinstance(raw_message, str) and raw_message.strip():
        message = f"{what} failed: {raw_message.strip()[:200]}"
    if code:
        message = f"{message} ({code})"
    return VoipNowResponseError(message, status=status, code=code)
