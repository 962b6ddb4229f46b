"""UnifiedAPI QueueAgents: list a queue's agents and log them in, out or pause them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from .model import ApiError
from .queues import Queue
from .responses import json_response, read_body
from .uapi import UapiHandlers, sort_order, text_filter

FILTER_BY = ("agentNumber", "status", "queue")
# v5 "fields": the Agent resource's field names. `type` is named without
# its values anywhere, so the simulator never writes it (null fields are
# omitted).
FIELDS = ("agentNumber", "status", "queue", "type", "identifier")


class QueueAgentsApi(UapiHandlers):
    """``/uapi/extensions/{userId}/{queue}/queue/agents[/{agent}]`` handlers.

    One Extensions overview page writes ``.../queueAgent/{agentId}``; every
    service page, 4PSA's client and its example app use ``/queue/agents/``,
    so the simulator serves only that path (the other one answers 404).
    """

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the QueueAgents routes (with or without a trailing slash)."""
        agents = "/uapi/extensions/{user}/{ext}/queue/agents"
        for path in (agents, agents + "/"):
            router.add_get(path, self.list_agents)
        for path in (agents + "/{agent}", agents + "/{agent}/"):
            router.add_get(path, self.list_agents)
            router.add_put(path, self.update_agent)

    def _queue(self, request: web.Request) -> Queue:
        """Return the queue of the path, else extension_invalid (also for @self)."""
        self.check_user(request)
        raw = request.match_info["ext"]
        book = self.sim.pbx.queue_book
        number = None if raw == "@self" else book.number(raw)
        if number is None:
            raise ApiError(
                400,
                "extension_invalid",
                "Value supplied in the URI-Fragment as extension is invalid. The"
                " parameter must reference the number of an existing Queue"
                " extension and cannot be set to @self.",
            )
        return book.queues[number]

    def _agent(self, queue: Queue, raw: str) -> str:
        """Return the queue's agent a path segment names, else qag_agent_invalid."""
        agent = self.sim.pbx.queue_book.agent_of(queue, raw, path=True)
        if agent is None:
            raise ApiError(
                400,
                "qag_agent_invalid",
                f"Value supplied in the URI-Fragment as agent is invalid: {raw!r}"
                f" is not an agent of queue {queue.number}.",
            )
        return agent

    def agent_json(
        self,
        request: web.Request,
        queue: Queue,
        agent: str,
        fields: list[str] | None = None,
    ) -> dict[str, Any]:
        """Return one QueueAgent (only the asked ``fields``, if any)."""
        status = self.sim.render.num(queue.agents[agent])
        if fields:
            known = {
                "agentNumber": agent,
                "status": status,
                "queue": queue.number,
                "identifier": self.sim.pbx.queue_book.identifier(agent),
            }
            return {name: known[name] for name in fields if name in known}
        path = f"/uapi/extensions/@me/{queue.number}/queue/agents/{agent}"
        self_url = f"{self.sim.render.base(request)}{path}"
        # The Agent Resource example writes `links` (no page writes `link`).
        data = {"agentNumber": agent, "status": status, "links": {"self": self_url}}
        if self.sim.modes.remote_agent_ids:
            # v5 adds `identifier` (and `type`, whose values no page gives):
            # remote agents go by the id.
            data["identifier"] = self.sim.pbx.queue_book.identifier(agent)
        return data

    async def list_agents(self, request: web.Request) -> web.Response:
        """List a queue's agents (or one of them), filtered, sorted and paged."""
        sim = self.sim
        queue = self._queue(request)
        agents = list(queue.agents)
        if "agent" in request.match_info:
            agents = [self._agent(queue, request.match_info["agent"])]
        fields = [f for f in request.query.get("fields", "").split(",") if f]
        if any(name not in FIELDS for name in fields):
            raise ApiError(400, "fields_invalid", "Parameter fields is invalid.")
        by = request.query.get("filterBy")
        if by is not None:
            if by not in FILTER_BY:
                raise ApiError(
                    400, "filterby_invalid", "Parameter filterBy is invalid."
                )
            test = text_filter(request)
            text: Callable[[str], str] = {
                "agentNumber": lambda agent: agent,
                "status": lambda agent: str(queue.agents[agent]),
                "queue": lambda agent: queue.number,
            }[by]
            agents = [agent for agent in agents if test(text(agent))]
        order = sort_order(request, sim.modes.sort_order_words)
        if order is not None:
            # "Records will be ordered by status"; equal ones as they were added.
            agents.sort(key=lambda agent: queue.agents[agent], reverse=order == "desc")
        items = [self.agent_json(request, queue, agent, fields) for agent in agents]
        body = sim._page(request, items)
        if sim.modes.queue_list == "wrapped":
            # The v5 example opens with `[ { "entry": [ { "agentN`.
            return json_response([body])
        return json_response(body)

    async def update_agent(self, request: web.Request) -> web.Response:
        """Log an agent in (1), out (0) or pause it (2); status as string or number."""
        sim = self.sim
        queue = self._queue(request)
        agent = self._agent(queue, request.match_info["agent"])
        raw = (await read_body(request)).get("status")
        text = (
            str(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
        )
        if text.strip() not in ("0", "1", "2"):
            raise ApiError(
                400,
                "status_invalid",
                "Value supplied in status parameter is missing or invalid. The"
                " parameter must be set to one of the following value: 0 for"
                " Logged Out, 1 for Online and 2 for Paused.",
            )
        sim.pbx.queue_book.set_status(queue.number, agent, int(text))
        answer = sim.modes.queue_update_answer
        if answer == "204":
            return web.Response(status=204)
        data = self.agent_json(request, queue, agent)
        # The page's text returns one QueueAgent, its Return-Object an array.
        return json_response([data] if answer == "array" else data)
