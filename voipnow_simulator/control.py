"""The ``/_sim/`` control API: drive calls, faults and tokens over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

from .cdr import CdrRecord
from .faults import Fault, FaultInjector
from .middleware import RecordedRequest
from .model import CLOCK, Extension, SimCall, now
from .modes import Modes
from .pbx import Pbx
from .queues import Queue
from .responses import error_response, json_response


class Controlled(Protocol):
    """The simulator's Python API, as far as the control routes drive it."""

    pbx: Pbx
    modes: Modes
    faults: FaultInjector
    requests: list[RecordedRequest]

    @property
    def calls(self) -> dict[str, SimCall]:
        """Return the current calls by id."""

    @property
    def queues(self) -> dict[str, Queue]:
        """Return the queues by number."""

    def call_json(
        self, call: SimCall, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCall JSON of a call."""

    async def incoming_call(
        self, extension: str, from_number: str = ..., caller_name: str = ...
    ) -> str:
        """Ring an extension."""

    async def outgoing_call(self, extension: str, to_number: str) -> str:
        """Make an extension dial out."""

    async def answer_call(self, call_id: str) -> None:
        """Answer a call."""

    async def answer_caller(self, call_id: str) -> None:
        """Answer the caller's own phone of a click-to-call call."""

    async def hangup_call(self, call_id: str, status: str | None = None) -> None:
        """Hang a call up."""

    async def reject_call(self, call_id: str) -> None:
        """Reject a ringing call."""

    async def ring_out(self, call_id: str) -> None:
        """Let a call ring out."""

    async def fail_call(self, call_id: str, status: str = ...) -> None:
        """Make a call fail."""

    async def pickup_call(self, call_id: str, extension: str) -> None:
        """Pick a call up from another extension."""

    async def hold_call(self, call_id: str, extension: str | None = None) -> None:
        """Put a call on hold."""

    async def unhold_call(self, call_id: str, extension: str | None = None) -> None:
        """Take a call off hold."""

    async def park_timeout(self, call_id: str) -> None:
        """Let a parked call time out."""

    inject_fault: Callable[..., Fault]

    def clear_faults(self) -> None:
        """Remove all pending faults."""

    def revoke_tokens(self) -> None:
        """Invalidate every issued token."""

    async def wait_callbacks(self) -> None:
        """Wait until every background callback delivery is done."""

    def add_extension(
        self, number: str, name: str = "", registered: bool = True
    ) -> Extension:
        """Add an extension."""

    def set_modes(self, **modes: Any) -> None:
        """Set several modes at once."""

    def add_cdr_record(
        self,
        extension: str,
        number: str,
        *,
        name: str = "",
        direction: str = ...,
        started: datetime | None = None,
        answered: datetime | None = None,
        disposition: int | None = None,
    ) -> CdrRecord:
        """Add the record of a call that ended before."""

    def add_queue(
        self, number: str, name: str = "", agents: dict[str, int] | None = None
    ) -> Queue:
        """Add (or replace) a queue."""

    def remove_queue(self, number: str) -> None:
        """Remove a queue."""

    def set_agent_status(self, queue: str, agent: str, status: int) -> None:
        """Set an agent's status."""

    def remove_agent(self, queue: str, agent: str) -> None:
        """Take an agent out of a queue."""


class ControlApi:
    """Control endpoints for scripts, demos and browser tests (no auth)."""

    def __init__(self, sim: Controlled) -> None:
        """Act on the simulator through its public Python API."""
        self.sim = sim

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the control routes."""
        router.add_post("/_sim/calls/incoming", self.incoming)
        router.add_post("/_sim/calls/outgoing", self.outgoing)
        router.add_post("/_sim/calls/{id}/{op}", self.call_op)
        router.add_get("/_sim/state", self.state)
        router.add_get("/_sim/requests", self.requests)
        router.add_post("/_sim/faults", self.add_fault)
        router.add_delete("/_sim/faults", self.clear_faults)
        router.add_post("/_sim/tokens/revoke", self.revoke)
        router.add_post("/_sim/extensions", self.add_extension)
        router.add_get("/_sim/modes", self.get_modes)
        router.add_post("/_sim/modes", self.set_modes)
        router.add_post("/_sim/cdr", self.add_cdr_record)
        router.add_post("/_sim/clock", self.set_clock)
        router.add_post("/_sim/callbacks/wait", self.wait_callbacks)
        router.add_post("/_sim/queues", self.add_queue)
        router.add_delete("/_sim/queues/{number}", self.remove_queue)
        router.add_post("/_sim/queues/{number}/agents/{agent}", self.set_agent)
        router.add_delete("/_sim/queues/{number}/agents/{agent}", self.remove_agent)

    async def incoming(self, request: web.Request) -> web.Response:
        """Ring an extension."""
        data = await request.json()
        try:
            call_id = await self.sim.incoming_call(
                data["extension"],
                from_number=data.get("from_number", "5551234"),
                caller_name=data.get("caller_name", ""),
            )
        except KeyError as err:
            return error_response(404, "not_found", str(err))
        return json_response({"id": call_id})

    async def outgoing(self, request: web.Request) -> web.Response:
        """Make an extension dial out."""
        data = await request.json()
        try:
            call_id = await self.sim.outgoing_call(data["extension"], data["to_number"])
        except KeyError as err:
            return error_response(404, "not_found", str(err))
        return json_response({"id": call_id})

    async def call_op(self, request: web.Request) -> web.Response:
        """Act on a call: answer, hangup, reject, ring_out, fail, pickup, hold..."""
        sim = self.sim
        call_id, op = request.match_info["id"], request.match_info["op"]
        data = await request.json() if request.can_read_body else {}
        ops = {
            "answer": lambda: sim.answer_call(call_id),
            "answer_caller": lambda: sim.answer_caller(call_id),
            "hangup": lambda: sim.hangup_call(call_id, data.get("status")),
            "reject": lambda: sim.reject_call(call_id),
            "ring_out": lambda: sim.ring_out(call_id),
            "fail": lambda: sim.fail_call(call_id, data.get("status", "CONGESTION")),
            "pickup": lambda: sim.pickup_call(
                call_id, str(data.get("extension") or "")
            ),
            "hold": lambda: sim.hold_call(call_id, data.get("extension")),
            "unhold": lambda: sim.unhold_call(call_id, data.get("extension")),
            "park_timeout": lambda: sim.park_timeout(call_id),
        }
        if op not in ops:
            return error_response(404, "not_found", f"Unknown operation {op!r}")
        if call_id not in sim.calls:
            return error_response(404, "not_found", f"Unknown call {call_id!r}")
        try:
            await ops[op]()
        except KeyError as err:
            return error_response(404, "not_found", str(err))
        return json_response({"id": call_id})

    async def state(self, request: web.Request) -> web.Response:
        """Extensions, calls, subscriptions, voicemails, queues and call history."""
        pbx = self.sim.pbx
        return json_response(
            {
                "extensions": [asdict(e) for e in pbx.extensions.values()],
                "calls": [self.sim.call_json(c, request) for c in pbx.calls.values()],
                "subscriptions": [s.to_json() for s in pbx.subscriptions.values()],
                "voicemails": pbx.voicemails,
                "queues": [q.to_json() for q in self.sim.queues.values()],
                "cdr": [record.to_json() for record in pbx.cdr],
            }
        )

    async def requests(self, request: web.Request) -> web.Response:
        """The request log."""
        return json_response([r.to_json() for r in self.sim.requests])

    async def add_fault(self, request: web.Request) -> web.Response:
        """Inject a fault."""
        data = await request.json()
        try:
            self.sim.inject_fault(
                data["kind"],
                data.get("count", 1),
                data.get("path_prefix"),
                delay=float(data.get("delay", 30.0)),
            )
        except (KeyError, ValueError) as err:
            return error_response(400, "fields_invalid", str(err))
        return json_response({"faults": len(self.sim.faults.faults)})

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Remove all faults."""
        self.sim.clear_faults()
        return web.Response(status=204)

    async def revoke(self, request: web.Request) -> web.Response:
        """Revoke every token."""
        self.sim.revoke_tokens()
        return web.Response(status=204)

    async def add_extension(self, request: web.Request) -> web.Response:
        """Add an extension."""
        data = await request.json()
        ext = self.sim.add_extension(
            data["extension"], data.get("name", ""), data.get("registered", True)
        )
        return json_response(asdict(ext))

    async def get_modes(self, request: web.Request) -> web.Response:
        """The server variant being played."""
        return json_response(self.sim.modes.to_json())

    async def set_modes(self, request: web.Request) -> web.Response:
        """Change modes (all given ones, or none if one is bad)."""
        self.sim.set_modes(**await request.json())
        return json_response(self.sim.modes.to_json())

    async def add_cdr_record(self, request: web.Request) -> web.Response:
        """Seed a call that ended before (times as ISO 8601, zone-less: server's).

        A list of them seeds each in turn (a benchmark seeds hundreds a
        minute), the answer then the list of records; a bad one answers its
        error, and those before it stay seeded.
        """
        data = await request.json()
        try:
            if isinstance(data, list):
                return json_response([self._add_cdr_record(item) for item in data])
            return json_response(self._add_cdr_record(data))
        except KeyError as err:
            return error_response(404, "not_found", str(err))

    def _add_cdr_record(self, data: dict[str, Any]) -> dict[str, Any]:
        """Seed one record; return its JSON."""
        times = {
            key: datetime.fromisoformat(data[key]) if data.get(key) else None
            for key in ("started", "answered", "ended")
        }
        return self.sim.add_cdr_record(
            data["extension"],
            data["number"],
            name=data.get("name", ""),
            direction=data.get("direction", "incoming"),
            disposition=data.get("disposition"),
            **times,
        ).to_json()

    async def set_clock(self, request: web.Request) -> web.Response:
        """Set the PBX's wall clock (`now`: ISO 8601 with its offset); it runs on."""
        data = await request.json()
        try:
            moment = datetime.fromisoformat(data["now"])
        except (KeyError, TypeError, ValueError):
            return error_response(400, "invalid_clock", "now: ISO 8601 expected")
        if moment.tzinfo is None:
            return error_response(400, "invalid_clock", "now: a UTC offset expected")
        CLOCK.set(moment)
        return json_response({"now": now().isoformat()})

    async def wait_callbacks(self, request: web.Request) -> web.Response:
        """Answer once every callback sent so far has been answered (or failed)."""
        await self.sim.wait_callbacks()
        return web.Response(status=204)

    async def add_queue(self, request: web.Request) -> web.Response:
        """Add (or replace) a queue: number, name and agents (agent -> status)."""
        data = await request.json()
        queue = self.sim.add_queue(
            data["number"], data.get("name", ""), data.get("agents")
        )
        return json_response(queue.to_json())

    async def remove_queue(self, request: web.Request) -> web.Response:
        """Remove a queue."""
        try:
            self.sim.remove_queue(request.match_info["number"])
        except KeyError as err:
            return error_response(404, "not_found", str(err))
        return web.Response(status=204)

    async def set_agent(self, request: web.Request) -> web.Response:
        """Set an agent's status as its phone's feature code would: {"status": 1}."""
        number, agent = request.match_info["number"], request.match_info["agent"]
        status = (await request.json())["status"]
        try:
            self.sim.set_agent_status(number, agent, status)
        except KeyError as err:
            return error_response(404, "not_found", str(err))
        return json_response(self.sim.pbx.queue_book.get(number).to_json())

    async def remove_agent(self, request: web.Request) -> web.Response:
        """Take an agent out of a queue."""
        number, agent = request.match_info["number"], request.match_info["agent"]
        try:
            self.sim.remove_agent(number, agent)
        except KeyError as err:
            return error_response(404, "not_found", str(err))
        return web.Response(status=204)
