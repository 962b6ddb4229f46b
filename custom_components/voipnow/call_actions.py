"""The one handler of the actions on a view of a call: hold, park, pick up, record.

It reads a row of `call_features.CALL_FEATURES`, finds the extension, the
call and the extension's view of it now, checks who may do it, sends it
once and tells the logbook. The client checks every field before anything
is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import Context
from homeassistant.exceptions import HomeAssistantError

from .actions import (
    _action_event,
    _check_allowed,
    _target_name,
    known_extension,
    resolve_call,
)
from .api import (
    DEFAULT_USER_ID,
    SELF,
    VoipNowAuthenticationError,
    VoipNowError,
    VoipNowResponseError,
    split_caller_id,
)
from .call_features import CallFeature
from .call_guard import ActsOnCalls, async_act_once
from .calls import ExtensionCall
from .const import (
    ATTR_CALLER_ID,
    ATTR_EXTENSION,
    ATTR_MODE,
    ATTR_PHONE_CALL_ID,
    ATTR_SEND_CALL_TO,
    ATTR_USER_ID,
    CONF_ALLOW_LISTEN_IN,
)
from .coordinator import VoipNowCoordinator
from .errors import pbx_error, runtime_error, validation_error
from .logbook import async_log_action
from .recording import recordings
from .targets import find_targets, transfer_targets


def _extension_target(coordinator: VoipNowCoordinator, value: str) -> str:
    """Read `send_call_to`: an extension of this PBX, or a target naming one."""
    named = [
        target
        for target in find_targets(
            transfer_targets(coordinator.config_entry.options), value, partial=False
        )
        if not target.voicemail and target.number != value
    ]
    return known_extension(coordinator, named[0].number if len(named) == 1 else value)


def _parked_call(
    coordinator: VoipNowCoordinator, extension: str
) -> tuple[str, ExtensionCall]:
    """The only parked call of the entry's extensions (the extension's first)."""
    own = [call for call in coordinator.calls_to_act_on(extension) if call.parked]
    found = own or [
        call
        for number in coordinator.extensions
        for call in coordinator.calls_to_act_on(number)
        if call.parked
    ]
    ids = sorted({call.phone_call_id for call in found})
    if not ids:
        raise validation_error("no_parked_call", extension=extension)
    if len(ids) > 1:
        raise validation_error("multiple_parked_calls", ids=", ".join(ids))
    return ids[0], found[0]


def _check_listen_in(coordinator: VoipNowCoordinator, restricted: bool) -> None:
    """Refuse listening in unless an administrator allowed it, and to others."""
    if not coordinator.config_entry.options.get(CONF_ALLOW_LISTEN_IN, False):
        raise validation_error("listen_in_disabled")
    if restricted:
        raise validation_error("listen_in_admin_only")


def _refused(err: VoipNowError) -> bool:
    """Tell whether the PBX refused the App this action (401 or 403)."""
    if isinstance(err, VoipNowAuthenticationError):
        return True
    return isinstance(err, VoipNowResponseError) and err.status in (401, 403)


async def async_view_id(
    coordinator: VoipNowCoordinator,
    *,
    user_id: str,
    extension: str,
    call_id: str,
    parked: bool = False,
) -> tuple[str | None, str]:
    """Ask the PBX which view of a call is the extension's now, and whose path.

    A view id names a place in the call ("00" the caller, "01" the callee),
    not a party: after a transfer the extension may have changed places, and
    a remembered id would act on someone else. `parked`: the extension that
    parked a call may list no view of its own; the view carrying `parked`
    names the call then, addressed as `@self` ("if the Extension is unknown,
    you can use @self and phoneCallId").
    """
    calls = await coordinator.client.async_list_calls(
        user_id=user_id, extension=SELF if parked else extension
    )
    for call in calls:
        if call.id != call_id:
            continue
        views, path = call.views_of(extension), extension
        if parked and not views:
            views, path = tuple(view for view in call.views if view.parked), SELF
        return next((view.id for view in views if view.id), None), path
    return None, extension


async def async_call_feature(
    coordinator: VoipNowCoordinator,
    feature: CallFeature,
    data: Mapping[str, Any],
    *,
    restricted: bool = False,
    context: Context | None = None,
) -> dict[str, Any]:
    """Run one row of the table on one call; answer which call it acted on.

    `restricted`: the request comes from a user who is not an administrator.
    """
    if feature.listen_in:
        _check_listen_in(coordinator, restricted)
    number = known_extension(coordinator, data[ATTR_EXTENSION])
    fields = feature.fields(data)
    target: str | None = None
    if ATTR_SEND_CALL_TO in data:
        target = fields["send_call_to"] = _extension_target(
            coordinator, data[ATTR_SEND_CALL_TO]
        )
    if restricted and (caller_id := data.get(ATTR_CALLER_ID)) is not None:
        # Presenting someone's number is fraud, as for make_call.
        _check_allowed(coordinator, ATTR_CALLER_ID, split_caller_id(caller_id)[1])
    phone_call_id = data.get(ATTR_PHONE_CALL_ID)
    known: ExtensionCall | None
    if feature.parked_call and phone_call_id is None:
        call_id, known = _parked_call(coordinator, number)
    else:
        call_id, known = resolve_call(coordinator, number, phone_call_id)
    user_id = data.get(ATTR_USER_ID, DEFAULT_USER_ID)

    async def send() -> bool:
        view_id, path = await async_view_id(
            coordinator,
            user_id=user_id,
            extension=number,
            call_id=call_id,
            parked=feature.parked_call,
        )
        if view_id is None and known is None:
            raise validation_error(
                "call_not_found", phone_call_id=call_id, extension=number
            )
        return view_id is not None and await coordinator.client.async_call_action(
            feature.action(data),
            extension=path,
            phone_call_id=call_id,
            phone_call_view_id=view_id,
            user_id=user_id,
            **fields,
        )

    def translate(coordinator: ActsOnCalls, err: VoipNowError) -> HomeAssistantError:
        if feature.user_app_only and _refused(err):
            return runtime_error("action_refused", action=feature.service)
        return pbx_error(coordinator, err)

    await async_act_once(coordinator, call_id, send, translate)
    recordings(coordinator).acted(call_id, feature.action(data), coordinator.data)
    if feature.event is None:
        coordinator.async_refresh_soon()
    elif feature.listen_in:
        await _async_log_listen_in(
            coordinator, number, known, call_id, data, target, context
        )
        coordinator.async_refresh_soon()
    else:
        told = _action_event(coordinator, number, known, call_id, feature.event, target)
        if feature.takes_call_away:
            coordinator.async_call_handled(number, call_id, told)
        else:
            told()
            coordinator.async_refresh_soon()
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}


async def _async_log_listen_in(
    coordinator: VoipNowCoordinator,
    extension: str,
    call: ExtensionCall | None,
    call_id: str,
    data: Mapping[str, Any],
    target: str | None,
    context: Context | None,
) -> None:
    """Write who listened in on which call, and how, to the logbook."""
    hass = coordinator.hass
    user: str | None = None
    if context is not None and context.user_id is not None:
        found = await hass.auth.async_get_user(context.user_id)
        user = found.name if found is not None else None
        user = user or context.user_id
    async_log_action(
        hass,
        {
            "config_entry_id": coordinator.config_entry.entry_id,
            ATTR_EXTENSION: extension,
            "action": f"listened_in_{data[ATTR_MODE]}",
            ATTR_PHONE_CALL_ID: call_id,
            "target": target,
            "target_name": _target_name(coordinator, target, False) if target else None,
            "user": user,
            "remote_number": call.remote_number if call else None,
            "caller_name": call.caller_name if call else None,
        },
        context,
    )
