"""UnifiedAPI PhoneCalls: list, act on (PUT), hang up (DELETE) and make calls."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import call_features, transfers
from .model import ApiError, CallEvent, SimCall, is_valid_number
from .responses import json_response, read_body
from .uapi import UapiHandlers, not_played, with_slash

# The transfers, by PhoneCallAction: each takes the same fields of the body.
TRANSFERS = {
    "Transfer": transfers.transfer,
    "TransferToVoicemail": transfers.transfer_to_voicemail,
}
ACTIONS = (
    frozenset({"Transfer", "TransferToVoicemail", "OnHold", "OffHold"})
    | call_features.ACTIONS
)


def _first(value: Any) -> str | None:
    """Return the first number of a ``source``/``destination`` list (or string)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


class PhoneCallsApi(UapiHandlers):
    """``/uapi/phoneCalls/...`` handlers."""

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register the PhoneCalls routes."""
        calls = "/uapi/phoneCalls/{user}/{ext}"
        # The pages write the paths without a trailing slash, 4PSA's own
        # client (calls/src/tools/phone-calls-*.ts) ends every one with "/".
        for path in with_slash("/uapi/phoneCalls/{user}/simple"):
            router.add_post(path, self.make_call)
        for path in with_slash(
            "/uapi/phoneCalls/{user}/conferenceInvite",
            "/uapi/phoneCalls/{user}/callback",
            "/uapi/faxes/{user}/{ext}",
        ):
            router.add_post(path, not_played)
        for path in with_slash(calls, calls + "/{call_id}"):
            router.add_get(path, self.get_calls)
            router.add_put(path, self.put_calls)
            router.add_delete(path, self.delete_calls)

    def _find_call(self, call_id: str, extensions: list[str]) -> SimCall | None:
        """Return the call; None if it ended or is not the extension's (204)."""
        pbx = self.sim.pbx
        call = pbx.calls.get(call_id)
        if call is not None:
            return call if set(extensions) & set(call.local_extensions) else None
        if call_id in pbx.ended_ids:
            return None
        raise ApiError(400, "pc_phonecall_invalid", f"Unknown phone call {call_id!r}")

    def _target_calls(self, request: web.Request) -> tuple[list[SimCall], bool]:
        """Return the calls addressed by the path and whether an id was given."""
        self.check_user(request)
        extensions = self.resolve(request.match_info["ext"])
        call_id = request.match_info.get("call_id")
        if call_id is None:
            return self.sim.pbx.calls_of(extensions), False
        call = self._find_call(call_id, extensions)
        return ([call] if call else []), True

    async def get_calls(self, request: web.Request) -> web.Response:
        """List calls of an extension, or return one call."""
        sim = self.sim
        calls, by_id = self._target_calls(request)
        if by_id:
            if not calls:
                return web.Response(status=204)
            return json_response(sim.call_json(calls[0], request))
        body = sim._page(request, calls, lambda call: sim.call_json(call, request))
        if not calls and sim.empty_listing_204:
            return web.Response(status=204)
        if sim.quirks:
            body["entry"] = {item["id"]: item for item in body["entry"]}
        return json_response(body)

    async def put_calls(self, request: web.Request) -> web.Response:
        """Run a PhoneCallAction on one call or all calls of the extension."""
        sim = self.sim
        calls, by_id = self._target_calls(request)
        body = await read_body(request)
        action = body.get("action")
        if not isinstance(action, str):
            raise ApiError(400, "pc_action_invalid", "action must be a string")
        if action not in ACTIONS:
            raise ApiError(400, "pc_action_invalid", f"Unknown action {action!r}")
        if not calls:
            return web.Response(status=204)
        events: list[CallEvent] = []
        try:
            for call in calls:
                events += self._action(call, str(action), body)
        finally:
            sim.callbacks.dispatch_background(events)
        if not by_id:
            return json_response([sim.call_json(c, request) for c in calls])
        data = sim.call_json(calls[0], request)
        if sim.transfer_accepted_202 and action.startswith("Transfer"):
            # The Transfer page's example, verbatim: 202 and a singular `link`.
            short = {k: data[k] for k in ("id", "extension")}
            short["link"] = data.get("link") or data["links"]
            return json_response(short, 202)
        return json_response(data)

    def _action(
        self, call: SimCall, action: str, body: dict[str, Any]
    ) -> list[CallEvent]:
        """Apply one action to one call; return the events it caused."""
        pbx = self.sim.pbx
        if (transfer := TRANSFERS.get(action)) is not None:
            return transfer(
                pbx,
                call,
                body.get("sendCallTo"),
                body.get("transferFromNumber"),
                body.get("transferNumber"),
            )
        if action in call_features.ACTIONS:
            return call_features.act(pbx, call, action, body)
        view_id = str(body.get("phoneCallViewId", ""))
        view = next((v for v in call.views() if v.id == view_id), None)
        if view is None:
            raise ApiError(400, "pc_phonecallviewid_invalid", f"No view {view_id!r}")
        # Whose view OnHold takes is not documented (the examples hold view
        # "01" of a call listed under the other party). The simulator makes
        # the party of the given view the holder; real servers may differ.
        pbx.set_hold(call, view.extension, action == "OnHold")
        self.sim.notifications.on_hold(call)
        return []

    async def delete_calls(self, request: web.Request) -> web.Response:
        """Hang up one call or all calls of the extension.

        "Delete PhoneCalls": 200 and "a PhoneCall Id collection of the
        PhoneCalls that have just been hung up" (Return-Object
        Array<PhoneCall>; the page's example body is not known), 204 when
        there was nothing to hang up.
        """
        pbx = self.sim.pbx
        calls, _ = self._target_calls(request)
        number = request.query.get("phoneNumber")
        if number:
            wanted = pbx.normalize(number)
            calls = [c for c in calls if c.party(wanted) is not None]
        if not calls:
            return web.Response(status=204)
        events: list[CallEvent] = []
        for call in calls:
            events += pbx.hangup(call)
        self.sim.callbacks.dispatch_background(events)
        return json_response([{"id": call.id} for call in calls])

    async def make_call(self, request: web.Request) -> web.Response:
        """Make a call from an extension to a number (``simple``)."""
        pbx = self.sim.pbx
        self.check_user(request)
        for key in ("waitForPickup", "callDuration"):
            value = request.query.get(key)
            if value is not None and not value.isdigit():
                raise ApiError(400, "fields_invalid", f"Invalid {key}")
        body = await read_body(request)
        charged = body.get("extension")
        if charged is not None and not pbx.is_local(str(charged)):
            raise ApiError(400, "extension_invalid", f"Unknown extension {charged!r}")
        views = body.get("phoneCallView")
        if not isinstance(views, list) or not views or not isinstance(views[0], dict):
            raise ApiError(400, "fields_invalid", "phoneCallView is required")
        source = _first(views[0].get("source")) or (
            str(charged) if charged is not None else None
        )
        # The documented example calls from public numbers on behalf of the
        # charged extension; without one, the source must be an extension.
        if (
            source is None
            or not is_valid_number(source)
            or (charged is None and not pbx.is_local(source))
        ):
            raise ApiError(400, "pc_source_invalid", "source must be an extension")
        destination = _first(views[0].get("destination"))
        caller = pbx.party(source)
        if (
            destination is None
            or not is_valid_number(destination)
            or ("*" in destination and not pbx.is_local(destination))
            or pbx.normalize(destination) == caller.number
            # Queues take calls on a real PBX; this simulator cannot ring one.
            or pbx.queue_book.number(destination) is not None
        ):
            raise ApiError(400, "pc_destination_invalid", "Invalid destination")
        caller_id = views[0].get("callerId") or views[0].get("callerID")
        if isinstance(caller_id, str) and caller_id.partition("<")[0].strip():
            caller.name = caller_id.partition("<")[0].strip()
        callee = pbx.party(destination)
        payer = pbx.normalize(str(charged)) if charged is not None else ""
        # The charged extension shows as the call's `extension` only when it
        # is not a party; otherwise the local caller comes first, as always.
        outside = payer not in (caller.number, callee.number)
        # The PBX rings the caller's own phone first (the PhoneCall resource's
        # example: the sources' views at status 3, `ringing`); the test or
        # demo answers it with `answer_caller`.
        call, events = pbx.new_call(
            caller, callee, charged=payer if outside else "", caller_first=True
        )
        self.sim.callbacks.dispatch_background(events)
        return json_response([self.sim.call_json(call, request)])
