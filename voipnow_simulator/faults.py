"""Fault injection: make the next matching requests fail in a chosen way, and how."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from aiohttp import web

from .responses import error_response

FAULT_KINDS = frozenset(
    {
        "http_500",
        "delay",
        "malformed_json",
        "html_error",
        "empty_200",
        "disconnect",
        "custom",
    }
)


@dataclass
class Fault:
    """A fault for the next ``count`` requests whose path starts with a prefix."""

    kind: str
    count: int | None = 1
    path_prefix: str | None = None
    delay: float = 30.0
    # What a `custom` fault answers: any status, body and content type, sent
    # with a Content-Length or, when `chunked`, without one.
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    chunked: bool = False

    def matches(self, path: str) -> bool:
        """Tell whether the fault applies to a request path."""
        if self.count is not None and self.count <= 0:
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


class FaultInjector:
    """Holds pending faults and hands out the first one matching a request."""

    def __init__(self) -> None:
        """Start without faults."""
        self.faults: list[Fault] = []

    def add(
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

        A ``slow`` fault waits ``delay`` seconds. A ``custom`` fault answers
        ``status`` with ``body`` as ``content_type``, streamed without a
        Content-Length when ``chunked``.
        """
        if isinstance(body, str):
            body = body.encode()
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(
            kind, count, path_prefix, delay, status, body, content_type, chunked
        )
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove all faults."""
        self.faults.clear()

    def take(self, path: str) -> Fault | None:
        """Return (and consume one use of) the first fault matching the path."""
        for fault in self.faults:
            if fault.matches(path):
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                return fault
        return None


async def apply_fault(
    request: web.Request, fault: Fault, closing: asyncio.Event
) -> web.StreamResponse | None:
    """Answer with the fault, or return None to go on (after a delay).

    A delay ends early when ``closing`` is set (the simulator goes offline).
    """
    if fault.kind == "delay":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closing.wait(), fault.delay)
        return None
    if fault.kind == "http_500":
        return error_response(500, "internal_server_error", "Injected fault")
    if fault.kind == "malformed_json":
        return web.Response(text='{"entry": [{"id": ', content_type="application/json")
    if fault.kind == "html_error":
        html = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
        return web.Response(status=502, text=html, content_type="text/html")
    if fault.kind == "empty_200":
        return web.Response(status=200, body=b"", content_type="application/json")
    if fault.kind == "custom":
        return await _custom_answer(request, fault)
    # disconnect: drop the connection; aiohttp cannot write the answer
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)


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
