"""Request handling around every handler: log, faults, token check, error bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.typedefs import Middleware

from .faults import FaultInjector, apply_fault
from .model import ApiError
from .oauth import TokenStore
from .responses import error_response
from .state import SimState

CONTROL_PREFIX = "/_sim/"

_LOGGER = logging.getLogger(__name__)
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


def record(request: web.Request, body: str) -> RecordedRequest:
    """Describe a received request, its body parsed as a form or JSON."""
    parsed: Any = None
    form: dict[str, str] | None = None
    if request.content_type == "application/x-www-form-urlencoded":
        form = dict(parse_qsl(body, keep_blank_values=True))
    elif body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    return RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        headers=dict(request.headers),
        body_text=body,
        json=parsed,
        form=form,
        time=time.time(),
    )


def make_middleware(
    sim: SimState,
    requests: list[RecordedRequest],
    faults: FaultInjector,
    tokens: TokenStore,
) -> Middleware:
    """Return the middleware of one simulator's application.

    It records each request, applies the faults and checks the tokens.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Log the request, apply faults, check the token, map errors."""
        if request.path.startswith(CONTROL_PREFIX):
            # The control API is not a PBX: no log, no faults, no token.
            try:
                return await handler(request)
            except web.HTTPException:
                raise
            except (KeyError, ValueError, TypeError) as err:
                return error_response(
                    400, "fields_invalid", f"Bad control request: {err}"
                )
        raw = await request.read()
        requests.append(record(request, raw.decode("utf-8", errors="replace")))
        fault = faults.take(request.path)
        if fault is not None:
            response = await apply_fault(request, fault, sim.closing)
            if response is not None:
                return response
        if request.path.startswith("/uapi"):
            try:
                tokens.check(request)
            except ApiError as err:
                return error_response(err.status, err.code, err.message)
        return await _call(request, handler)

    return middleware


async def _call(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run a handler, turning errors into JSON error answers."""
    try:
        return await handler(request)
    except ApiError as err:
        return error_response(err.status, err.code, err.message)
    except web.HTTPNotFound:
        return error_response(404, "not_found", f"No resource at {request.path}")
    except web.HTTPMethodNotAllowed:
        # The documented answer to an operation a resource does not offer.
        return error_response(
            501, "request_not_implemented", f"{request.method} unsupported"
        )
    except web.HTTPException:
        raise
    except Exception as err:
        _LOGGER.exception("Simulator bug handling %s %s", request.method, request.path)
        return error_response(500, "internal_server_error", repr(err))
