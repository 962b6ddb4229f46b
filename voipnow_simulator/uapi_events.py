"""UnifiedAPI extension services: presence and PhoneCallEvents subscriptions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from .model import ApiError, Subscription, now
from .responses import choice, json_response, read_body
from .uapi import UapiHandlers


class ExtensionsApi(UapiHandlers):
    """``/uapi/extensions/...`` handlers: presence and phoneCallEvents."""

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the presence and PhoneCallEvents routes."""
        events = "/uapi/extensions/{user}/{ext}/phoneCallEvents"
        router.add_get("/uapi/extensions/{user}/{ext}/presence", self.presence)
        for path in (events, events + "/", events + "/{type}"):
            router.add_post(path, self.add_subscription)
        for path in (events, events + "/", events + "/{type}", events + "/{type}/{id}"):
            router.add_get(path, self.get_subscriptions)
            router.add_delete(path, self.delete_subscriptions)
        router.add_put(events + "/{type}/{id}", self.put_subscription)

    async def presence(self, request: web.Request) -> web.Response:
        """List presence and registration of the user's extensions."""
        sim = self.sim
        render = sim.render
        self.check_user(request)
        items: list[dict[str, Any]] = []
        for number in self.resolve(request.match_info["ext"]):
            ext = sim.pbx.extensions[number]
            if ext.registered:
                reg = {
                    "agent": ext.agent,
                    "registration": render.num(1),
                    "expire": render.ts(now() + timedelta(seconds=3600)),
                }
            else:
                reg = {"registration": render.num(-1)}
            status = render.num(sim.pbx.presence_status(number))
            items.append({"extension": number, "status": status, "registration": [reg]})
        return json_response(sim._page(request, items))

    def _sub_fields(
        self, body: dict[str, Any], path_type: str | None, sub: Subscription | None
    ) -> dict[str, Any]:
        """Validate subscription fields (defaults from ``sub`` or documented)."""
        if (
            path_type is not None
            and "type" in body
            and choice(body["type"], range(5)) != choice(path_type, range(5))
        ):
            raise ApiError(400, "fields_invalid", "type differs from the path")
        raw_type = body.get("type", path_type if sub is None else sub.type)
        if raw_type is None:
            raise ApiError(400, "fields_invalid", "type is required")
        url = body.get("url", sub.url if sub else None)
        try:
            parsed = urlparse(url) if isinstance(url, str) else None
        except ValueError:
            parsed = None
        if (
            parsed is None
            or parsed.scheme not in ("http", "https")
            or not parsed.netloc
        ):
            raise ApiError(400, "fields_invalid", "url must be an http(s) URL")
        note = body.get("note", sub.note if sub else None)
        if note is not None and not isinstance(note, str):
            raise ApiError(400, "fields_invalid", "note must be a string")
        return {
            "event_type": choice(raw_type, range(5)),
            "method": choice(body.get("method", sub.method if sub else 1), range(2)),
            "url": url,
            "status": choice(body.get("status", sub.status if sub else 1), range(2)),
            "note": note,
        }

    def _find_sub(self, request: web.Request) -> Subscription:
        """Return the subscription addressed by the path, else pce_id_invalid."""
        self.check_user(request)
        extensions = self.resolve(request.match_info["ext"])
        event_type = choice(request.match_info["type"], range(5))
        sub = self.sim.pbx.subscriptions.get(request.match_info["id"])
        if sub is None or sub.extension not in extensions or sub.type != event_type:
            raise ApiError(400, "pce_id_invalid", "Unknown phoneCallEvent id")
        return sub

    def _listed(self, request: web.Request) -> list[Subscription]:
        """Return the subscriptions of the path's extension (and type)."""
        self.check_user(request)
        extensions = self.resolve(request.match_info["ext"])
        raw_type = request.match_info.get("type")
        event_type = None if raw_type is None else choice(raw_type, range(5))
        return self.sim.pbx.subscriptions_for(extensions, event_type)

    async def add_subscription(self, request: web.Request) -> web.Response:
        """Subscribe an HTTP callback to one event type of one extension."""
        self.check_user(request)
        extension = self.resolve(request.match_info["ext"], allow_self=False)[0]
        body = await read_body(request)
        fields = self._sub_fields(body, request.match_info.get("type"), None)
        sub = self.sim.pbx.add_subscription(extension, **fields)
        return json_response(sub.to_json())

    async def get_subscriptions(self, request: web.Request) -> web.Response:
        """List subscriptions, or return one."""
        if "id" in request.match_info:
            return json_response(self._find_sub(request).to_json())
        subs = self._listed(request)
        return json_response(self.sim._page(request, [s.to_json() for s in subs]))

    async def put_subscription(self, request: web.Request) -> web.Response:
        """Update a subscription."""
        sub = self._find_sub(request)
        fields = self._sub_fields(await read_body(request), None, sub)
        sub.type = fields["event_type"]
        sub.method, sub.url = fields["method"], fields["url"]
        sub.status, sub.note = fields["status"], fields["note"]
        return json_response(sub.to_json())

    async def delete_subscriptions(self, request: web.Request) -> web.Response:
        """Delete one subscription, or all of the extension (and type)."""
        if "id" in request.match_info:
            subs = [self._find_sub(request)]
        else:
            subs = self._listed(request)
        for sub in subs:
            del self.sim.pbx.subscriptions[sub.id]
        return web.Response(status=204)
