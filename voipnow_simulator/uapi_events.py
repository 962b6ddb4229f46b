"""UnifiedAPI extension services: presence and PhoneCallEvents subscriptions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from .model import ApiError, Subscription, now
from .responses import choice, error_response, json_response, read_body
from .uapi import UapiHandlers, with_slash
from .uapi_presence import presence_filter

TYPE_NAMES = {
    0: "DialIn",
    1: "DialOut",
    2: "Hangup",
    3: "Answer incoming call",
    4: "Answer outgoing call",
}
# What "path" mode answers to a create without the type in the path. The v5
# pages document POST only as `.../phoneCallEvents/{eventType}` and list no
# answer for any other path; the only documented refusal of an operation is
# 501 request_not_implemented (3.x "HTTP Return Codes"). 404 and 405 are what
# web servers usually answer; 400 is the documented code for a missing type.
V5_REFUSALS = {
    404: ("not_found", "No resource at this path"),
    405: ("method_not_allowed", "POST needs the event type in the path"),
    501: ("request_not_implemented", "The operation is not implemented"),
    400: ("pcet_type_invalid", "The event type is missing from the path"),
}


def type_error(allowed: frozenset[int], code: str = "pcet_type_invalid") -> ApiError:
    """Return the documented error for a missing or unsupported event type."""
    named = [f"{t} for {TYPE_NAMES[t]}" for t in sorted(allowed)]
    listed = ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else named[0]
    return ApiError(
        400,
        code,
        "Value supplied in type parameter is missing or invalid. The parameter"
        f" must be set to one of the following value: {listed}.",
    )


class ExtensionsApi(UapiHandlers):
    """``/uapi/extensions/...`` handlers: presence and phoneCallEvents."""

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the presence and PhoneCallEvents routes."""
        events = "/uapi/extensions/{user}/{ext}/phoneCallEvents"
        # 4PSA's client ends every path with "/" (extensions-*.ts).
        for path in with_slash("/uapi/extensions/{user}/{ext}/presence"):
            router.add_get(path, self.presence)
        for path in with_slash(events, events + "/{type}"):
            router.add_post(path, self.add_subscription)
        for path in with_slash(events, events + "/{type}", events + "/{type}/{id}"):
            router.add_get(path, self.get_subscriptions)
            router.add_delete(path, self.delete_subscriptions)
        for path in with_slash(events + "/{type}/{id}"):
            router.add_put(path, self.put_subscription)

    async def presence(self, request: web.Request) -> web.Response:
        """List presence and registration of the user's extensions."""
        sim = self.sim
        render = sim.render
        self.check_user(request)
        items: list[dict[str, Any]] = []
        # Phone terminals only: presence reports a phone's registration and
        # whether it rings or talks, and a queue (see `Queue`) has no phone.
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
            item = {"extension": number, "status": status, "registration": [reg]}
            if sim.modes.presence_names and ext.name:
                # Not in the documented presence: a server that adds names.
                item["name"] = ext.name
            items.append(item)
        items = presence_filter(request, items, sim.modes.sort_order_words)
        return json_response(sim._page(request, items))

    def _event_type(self, raw: Any, code: str = "pcet_type_invalid") -> int:
        """Return a subscribable event type, else the documented 400."""
        allowed = self.sim.modes.event_types
        try:
            event_type = int(str(raw))
        except ValueError:
            raise type_error(allowed, code) from None
        if raw is None or event_type not in allowed:
            raise type_error(allowed, code)
        return event_type

    def _sub_fields(
        self, body: dict[str, Any], path_type: str | None, sub: Subscription | None
    ) -> dict[str, Any]:
        """Validate subscription fields (defaults from ``sub`` or documented)."""
        code = "pcet_type_invalid" if sub is None else "pce_type_invalid"
        if path_type is not None:
            event_type = self._event_type(path_type)
            if "type" in body and self._event_type(body["type"]) != event_type:
                raise ApiError(400, "fields_invalid", "type differs from the path")
        elif sub is None or "type" in body:
            # The Update page names the same check pce_type_invalid.
            event_type = self._event_type(body.get("type"), code)
        else:
            event_type = sub.type
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
        method = body.get("method", sub.method if sub else 1)
        return {
            "event_type": event_type,
            "method": choice(method, range(2), "pce_method_invalid"),
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
        """Subscribe an HTTP callback to one event type of one extension.

        3.x servers take the type in the body (their Create page has no type
        in the path); v5 servers take it in the path.
        """
        modes = self.sim.modes
        path_type = request.match_info.get("type")
        if modes.subscription_path == "path" and path_type is None:
            code, message = V5_REFUSALS[modes.v5_refusal_status]
            return error_response(modes.v5_refusal_status, code, message)
        if modes.subscription_path == "body" and path_type is not None:
            # The path exists (it lists one type), POST on it does not.
            raise ApiError(501, "request_not_implemented", "POST unsupported")
        self.check_user(request)
        extension = self.resolve(request.match_info["ext"], allow_self=False)[0]
        body = await read_body(request)
        fields = self._sub_fields(body, path_type, None)
        sub = self.sim.pbx.add_subscription(extension, **fields)
        return json_response(self.sim.render.subscription_json(sub, request))

    async def get_subscriptions(self, request: web.Request) -> web.Response:
        """List subscriptions, or return one."""
        render = self.sim.render
        if "id" in request.match_info:
            sub = self._find_sub(request)
            return json_response(render.subscription_json(sub, request))
        items = [render.subscription_json(s, request) for s in self._listed(request)]
        return json_response(self.sim._page(request, items))

    async def put_subscription(self, request: web.Request) -> web.Response:
        """Update a subscription."""
        sub = self._find_sub(request)
        fields = self._sub_fields(await read_body(request), None, sub)
        sub.type = fields["event_type"]
        sub.method, sub.url = fields["method"], fields["url"]
        sub.status, sub.note = fields["status"], fields["note"]
        sub.modified = now()
        return json_response(self.sim.render.subscription_json(sub, request))

    async def delete_subscriptions(self, request: web.Request) -> web.Response:
        """Delete one subscription, or all of the extension (and type)."""
        if "id" in request.match_info:
            subs = [self._find_sub(request)]
        else:
            subs = self._listed(request)
        for sub in subs:
            del self.sim.pbx.subscriptions[sub.id]
        # "Delete PhoneCallEvents": 200 with the ids deleted (Return-Object
        # Array<PhoneCallEvent>), 204 when there is no id to return.
        if not subs or self.sim.modes.delete_events_answer == "204":
            return web.Response(status=204)
        return json_response([{"id": sub.id} for sub in subs])
