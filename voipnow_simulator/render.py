"""JSON shapes of the simulator's answers: PhoneCall, dates and numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .model import SimCall

if TYPE_CHECKING:
    from .server import VoipNowSimulator


class Renderer:
    """Writes resources the way the configured server would."""

    def __init__(self, sim: VoipNowSimulator) -> None:
        """Read user, owner and modes from the simulator at each call."""
        self.sim = sim

    def base(self, request: web.Request | None) -> str:
        """Return the base URL for ``link`` values."""
        return f"{request.scheme}://{request.host}" if request else self.sim.url

    def ts(self, value: datetime) -> str:
        """Format a time: with offset, or ``Z`` in quirks mode."""
        if self.sim.quirks:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.isoformat()

    def num(self, value: int) -> int | str:
        """Emit a numeric field as string (documented) or number (quirks)."""
        return value if self.sim.quirks else str(value)

    def call_json(
        self, call: SimCall, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCall JSON of a call (null fields omitted)."""
        sim = self.sim
        views: list[dict[str, Any]] = []
        for view in call.views():
            item: dict[str, Any] = {
                "id": view.id,
                "extension": view.extension,
                "source": view.source,
                "destination": view.destination,
                "callerID" if sim.quirks else "callerId": view.caller_id,
                "status": self.num(view.status),
                "flow": self.num(view.flow),
            }
            if view.answered is not None:
                item["answered"] = self.ts(view.answered)
            if view.on_hold:
                item["onHold"] = True
            views.append(item)
        data: dict[str, Any] = {
            "id": call.id,
            "extension": call.extension,
            "ownerId": sim.user_id,
            "ownerName": sim.owner_name,
            "published": self.ts(call.published),
        }
        if call.answered is not None:
            data["answered"] = self.ts(call.answered)
        data["phoneCallView"] = views
        link = f"{self.base(request)}/uapi/phoneCalls/{sim.user_id}/"
        link += f"{call.extension}/{call.id}"
        data["links" if sim.quirks else "link"] = {"self": link}
        return data
