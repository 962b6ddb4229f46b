"""JSON shapes of the simulator's answers: PhoneCall, PhoneCallEvent, dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from .model import SimCall, SimCallView, Subscription
from .state import SimState


class Renderer:
    """Writes resources the way the configured server would (null fields omitted)."""

    def __init__(self, sim: SimState) -> None:
        """Read user, owner and modes from the PBX state at each call."""
        self.sim = sim

    def base(self, request: web.Request | None) -> str:
        """Return the base URL for ``links`` values."""
        return f"{request.scheme}://{request.host}" if request else self.sim.url

    def ts(self, value: datetime) -> str:
        """Format a date as XML Schema dateTime in the server's mode.

        Documented: with the offset of ``time_zone``. Quirks (or
        ``utc_dates``): UTC with ``Z``.
        Naive dates: the server's local time without any zone.
        """
        modes = self.sim.modes
        zone = ZoneInfo(modes.time_zone) if modes.time_zone else None
        local = value.astimezone(zone)
        if modes.naive_dates:
            return local.replace(tzinfo=None).isoformat()
        if modes.quirks or modes.utc_dates:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return local.isoformat()

    def num(self, value: int) -> int | str:
        """Emit a numeric field as string (documented) or number (quirks)."""
        return value if self.sim.quirks else str(value)

    def links(self, url: str) -> dict[str, dict[str, str]]:
        """Return the resource's link: ``links`` (documented) or ``link`` (quirks)."""
        return {"link" if self.sim.quirks else "links": {"self": url}}

    def view_json(self, view: SimCallView) -> dict[str, Any]:
        """Return one PhoneCallView; dates only for the states it is in."""
        item: dict[str, Any] = {
            "id": view.id,
            "extension": view.extension,
            "source": view.source,
            "destination": view.destination,
            "callerID" if self.sim.quirks else "callerId": view.caller_id,
            "status": self.num(view.status),
            "flow": self.num(view.flow),
        }
        for key, date in (
            ("ringing", view.ringing),
            ("answered", view.answered),
            ("onHold", view.on_hold),
            ("parked", view.parked),
            ("recording", view.recording if self.sim.modes.lists_recording else None),
        ):
            if date is not None:
                item[key] = self.ts(date)
        if view.holder:
            item["holder"] = self.num(1)
        if view.parked is not None:
            item["parkedPos"] = self.num(view.parked_pos or 1)
            item["parkedBy"] = view.parked_by
        return item

    def call_json(
        self, call: SimCall, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCall JSON of a call."""
        sim = self.sim
        data: dict[str, Any] = {
            "id": call.id,
            "nonce": call.nonce,
            "extension": call.extension,
            "ownerId": sim.user_id,
            "ownerName": sim.owner_name,
            "published": self.ts(call.published),
        }
        if call.answered is not None:
            data["answered"] = self.ts(call.answered)
        data["phoneCallView"] = [self.view_json(v) for v in call.views()]
        base = self.base(request)
        data |= self.links(
            f"{base}/uapi/phoneCalls/{sim.user_id}/{call.extension}/{call.id}"
        )
        return data

    def subscription_json(
        self, sub: Subscription, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCallEvent JSON of a subscription."""
        data: dict[str, Any] = {
            "type": self.num(sub.type),
            "id": sub.id,
            "method": self.num(sub.method),
            "url": sub.url,
            "status": self.num(sub.status),
            "modified": self.ts(sub.modified),
        }
        if sub.note is not None:
            data["note"] = sub.note
        path = f"/uapi/extensions/@me/{sub.extension}/phoneCallEvents"
        data |= self.links(f"{self.base(request)}{path}/{sub.type}/{sub.id}")
        return data
