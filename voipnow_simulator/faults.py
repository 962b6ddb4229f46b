"""Fault injection: make the next matching requests fail in a chosen way."""

from __future__ import annotations

from dataclasses import dataclass

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
        delay: float = 30.0,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
        chunked: bool = False,
    ) -> Fault:
        """Register a fault; ``count=None`` means every matching request.

        The keyword arguments are what a ``custom`` fault answers.
        """
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
