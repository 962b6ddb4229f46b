"""JSON answers and request-body parsing shared by the simulator's handlers."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .model import ApiError


def json_response(data: Any, status: int = 200) -> web.Response:
    """Return a JSON response."""
    return web.json_response(data, status=status)


def error_response(status: int, code: str, message: str) -> web.Response:
    """Return the documented UnifiedAPI error body."""
    return json_response({"error": {"code": code, "message": message}}, status)


def choice(value: Any, allowed: range, code: str = "fields_invalid") -> int:
    """Parse a numeric enum sent as string or number, else answer ``code``."""
    try:
        number = int(str(value))
    except ValueError:
        raise ApiError(400, code, f"Invalid value {value!r}") from None
    if number not in allowed:
        raise ApiError(400, code, f"Invalid value {value!r}")
    return number


async def read_body(request: web.Request) -> dict[str, Any]:
    """Return the JSON object body, else fields_invalid."""
    try:
        data = json.loads(await request.text())
    except ValueError:
        raise ApiError(400, "fields_invalid", "Body must be JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "fields_invalid", "Body must be a JSON object")
    return data
