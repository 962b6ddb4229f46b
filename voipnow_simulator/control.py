"""The ``/_sim/`` control API: drive calls, faults and tokens over HTTP."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web

from .responses import error_response, json_response

if TYPE_CHECKING:
    from .server import VoipNowSimulator

CONTROL_PREFIX = "/_sim/"


class ControlApi:
    """Control endpoints for scripts, demos and browser tests (no auth)."""

    def __init__(self, sim: VoipNowSimulator) -> None:
        """Act on this simulator through its public Python API."""
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
        """Seed a call that ended before (times as ISO 8601, zone-less: server's)."""
        data = await request.json()
        times = {
            key: datetime.fromisoformat(data[key]) if data.get(key) else None
            for key in ("started", "answered", "ended")
        }
        try:
            record = self.sim.add_cdr_record(
                data["extension"],
                data["number"],
                name=data.get("name", ""),
                direction=data.get("direction", "incoming"),
                disposition=data.get("disposition"),
                **times,
            )
        except KeyError as err:
            return error_response(404, "not_found", str(err))
        return json_response(record.to_json())

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
