"""The VoipNow actions: their schemas and their registration.

The handlers only read their fields and pick the entry; what each action does
is in `actions`, shared with the buttons and the voice intents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv

from .actions import (
    async_get_runtime,
    async_hangup_call,
    async_make_call,
    async_transfer_call,
)
from .api import DEFAULT_USER_ID
from .call_actions import async_call_feature
from .call_features import CALL_FEATURES, CallFeature
from .const import (
    ATTR_CALLER_ID,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DESTINATION,
    ATTR_EXTENSION,
    ATTR_PHONE_CALL_ID,
    ATTR_SEND_CALL_TO,
    ATTR_TO_VOICEMAIL,
    ATTR_TRANSFER_FROM_NUMBER,
    ATTR_TRANSFER_NUMBER,
    ATTR_USER_ID,
    ATTR_WAIT_FOR_PICKUP,
    CONF_TRANSFER_TARGETS,
    DOMAIN,
)
from .history_actions import (
    MAX_LIMIT,
    HistoryQuery,
    async_clear_missed_calls,
    async_get_call_history,
)
from .permissions import (
    Scope,
    async_caller,
    check_control,
    extension_scope,
    queue_scope,
)
from .queue_actions import (
    ATTR_AGENT,
    ATTR_QUEUE,
    ATTR_STATUS,
    STATUS_OPTIONS,
    async_set_agent_status,
    known_agent,
    known_queue,
)
from .runtime import VoipNowRuntime
from .targets import find_targets, transfer_targets
from .validation import (
    CALL_SCHEMA as _CALL_SCHEMA,
    number as _number,
    text as _text,
    vol,
)

SERVICE_TRANSFER_CALL = "transfer_call"
SERVICE_MAKE_CALL = "make_call"
SERVICE_HANGUP_CALL = "hangup_call"
SERVICE_CLEAR_MISSED_CALLS = "clear_missed_calls"
SERVICE_GET_CALL_HISTORY = "get_call_history"
SERVICE_SET_QUEUE_AGENT_STATUS = "set_queue_agent_status"
SERVICE_RELOAD_PHONEBOOK = "reload_phonebook"

TRANSFER_CALL_SCHEMA = _CALL_SCHEMA.extend(
    {
        vol.Required(ATTR_SEND_CALL_TO): _number,
        vol.Optional(ATTR_TRANSFER_FROM_NUMBER): _text,
        vol.Optional(ATTR_TRANSFER_NUMBER): _text,
        # No default: one key less to fill in and check on every transfer.
        vol.Optional(ATTR_TO_VOICEMAIL): cv.boolean,
    }
)
MAKE_CALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_EXTENSION): _text,
        vol.Required(ATTR_DESTINATION): _number,
        vol.Optional(ATTR_CALLER_ID): vol.All(cv.string, vol.Length(max=128)),
        vol.Optional(ATTR_WAIT_FOR_PICKUP): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=300)
        ),
        vol.Optional(ATTR_USER_ID): _text,
    }
)


# A handler gets what the entry holds, the call (its fields, and who asked in
# its context), and whether the caller is a user who is not an administrator
# (automations, scripts and the system call with no user: they are set up by
# administrators and keep every freedom).
type Handler = Callable[[VoipNowRuntime, ServiceCall, bool], Awaitable[ServiceResponse]]


RELOAD_PHONEBOOK_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})

CLEAR_MISSED_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_EXTENSION): _text,
    }
)
CALL_HISTORY_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_EXTENSION): _text,
        vol.Optional("since"): cv.datetime,
        vol.Optional("until"): cv.datetime,
        vol.Optional("outcome", default="any"): vol.In(["missed", "answered", "any"]),
        vol.Optional("direction", default="any"): vol.In(
            ["incoming", "outgoing", "any"]
        ),
        vol.Optional("limit", default=20): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_LIMIT)
        ),
    }
)


QUEUE_AGENT_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_QUEUE): _text,
        vol.Required(ATTR_AGENT): _text,
        vol.Required(ATTR_STATUS): vol.In(list(STATUS_OPTIONS)),
    }
)


async def _set_queue_agent_status(
    runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
) -> ServiceResponse:
    """Handle `voipnow.set_queue_agent_status`."""
    data = call.data
    queue = known_queue(runtime, data[ATTR_QUEUE])
    agent = known_agent(runtime, queue, data[ATTR_AGENT])
    await async_set_agent_status(
        runtime, queue, agent, STATUS_OPTIONS[data[ATTR_STATUS]]
    )
    return {ATTR_QUEUE: queue.number, ATTR_AGENT: agent, ATTR_STATUS: data[ATTR_STATUS]}


async def _reload_phonebook(
    runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
) -> ServiceResponse:
    """Handle `voipnow.reload_phonebook`: read the file and the address book."""
    await runtime.phonebook.async_reload()
    return None


async def _clear_missed_calls(
    runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
) -> ServiceResponse:
    """Handle `voipnow.clear_missed_calls`."""
    async_clear_missed_calls(runtime, call.data.get(ATTR_EXTENSION))
    return None


async def _get_call_history(
    runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
) -> ServiceResponse:
    """Handle `voipnow.get_call_history`."""
    data = call.data
    return await async_get_call_history(
        runtime,
        HistoryQuery(
            since=data.get("since"),
            until=data.get("until"),
            extension=data.get(ATTR_EXTENSION),
            outcome=data["outcome"],
            direction=data["direction"],
            limit=data["limit"],
        ),
    )


def _transfer_call(
    runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
) -> Awaitable[ServiceResponse]:
    """Handle `voipnow.transfer_call` (the handlers return the action, to await).

    `send_call_to` may name a transfer target ("Reception") or a phonebook
    entry: a number is used as it is; a target's name gives its number, and
    a voicemail target sends the call to voicemail.
    """
    data = call.data
    send_call_to: str = data[ATTR_SEND_CALL_TO]
    to_voicemail: bool = data.get(ATTR_TO_VOICEMAIL, False)
    options = runtime.calls.config_entry.options
    named = (
        [
            target
            for target in find_targets(
                transfer_targets(options), send_call_to, partial=False
            )
            if target.number != send_call_to
        ]
        if options.get(CONF_TRANSFER_TARGETS)
        else ()
    )
    if len(named) == 1:
        send_call_to = named[0].number
        to_voicemail = to_voicemail or named[0].voicemail
    else:
        send_call_to = runtime.phonebook.number_named(send_call_to)
    return async_transfer_call(
        runtime.calls,
        extension=data[ATTR_EXTENSION],
        send_call_to=send_call_to,
        phone_call_id=data.get(ATTR_PHONE_CALL_ID),
        transfer_from_number=data.get(ATTR_TRANSFER_FROM_NUMBER),
        transfer_number=data.get(ATTR_TRANSFER_NUMBER),
        to_voicemail=to_voicemail,
        user_id=data.get(ATTR_USER_ID, DEFAULT_USER_ID),
        restricted=restricted,
    )


def _make_call(
    runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
) -> Awaitable[ServiceResponse]:
    """Handle `voipnow.make_call`."""
    data = call.data
    return async_make_call(
        runtime.calls,
        extension=data[ATTR_EXTENSION],
        destination=runtime.phonebook.number_named(data[ATTR_DESTINATION]),
        caller_id=data.get(ATTR_CALLER_ID),
        wait_for_pickup=data.get(ATTR_WAIT_FOR_PICKUP),
        user_id=data.get(ATTR_USER_ID, DEFAULT_USER_ID),
        restricted=restricted,
    )


def _call_feature(feature: CallFeature) -> Handler:
    """Build the handler of one row of the call actions' table (hold, park...)."""

    def handler(
        runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
    ) -> Awaitable[ServiceResponse]:
        return async_call_feature(
            runtime.calls,
            feature,
            call.data,
            restricted=restricted,
            # Who asked: listening in is logged with it.
            context=call.context,
        )

    return handler


def _on_call(act: Callable[..., Awaitable[dict[str, Any]]], **fixed: Any) -> Handler:
    """Build the handler of an action on one call: hang up."""

    def handler(
        runtime: VoipNowRuntime, call: ServiceCall, restricted: bool
    ) -> Awaitable[ServiceResponse]:
        data = call.data
        return act(
            runtime.calls,
            extension=data[ATTR_EXTENSION],
            phone_call_id=data.get(ATTR_PHONE_CALL_ID),
            user_id=data.get(ATTR_USER_ID, DEFAULT_USER_ID),
            **fixed,
        )

    return handler


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the VoipNow actions."""

    def register(
        name: str,
        handler: Handler,
        schema: vol.Schema,
        supports: SupportsResponse = SupportsResponse.OPTIONAL,
        scope: Scope = extension_scope,
    ) -> None:
        """Register an action, with the permission check every action gets.

        A user who is not an administrator needs control permission on what
        `scope` names (by default the `extension` field, or every extension
        without one), checked before anything is sent.
        """

        async def service(call: ServiceCall) -> ServiceResponse:
            runtime = async_get_runtime(hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
            restricted = False
            # No user: an automation, a script or the system.
            if call.context.user_id is not None:
                user = await async_caller(hass, call.context)
                if user is not None and not user.is_admin:
                    restricted = True
                    check_control(user, call.context, scope(hass, runtime, call.data))
            return await handler(runtime, call, restricted)

        hass.services.async_register(
            DOMAIN, name, service, schema=schema, supports_response=supports
        )

    register(SERVICE_TRANSFER_CALL, _transfer_call, TRANSFER_CALL_SCHEMA)
    register(SERVICE_MAKE_CALL, _make_call, MAKE_CALL_SCHEMA)
    register(SERVICE_HANGUP_CALL, _on_call(async_hangup_call), _CALL_SCHEMA)
    for feature in CALL_FEATURES:
        register(feature.service, _call_feature(feature), feature.schema)
    register(
        SERVICE_CLEAR_MISSED_CALLS,
        _clear_missed_calls,
        CLEAR_MISSED_SCHEMA,
        SupportsResponse.NONE,
    )
    register(
        SERVICE_RELOAD_PHONEBOOK,
        _reload_phonebook,
        RELOAD_PHONEBOOK_SCHEMA,
        SupportsResponse.NONE,
    )
    register(
        SERVICE_SET_QUEUE_AGENT_STATUS,
        _set_queue_agent_status,
        QUEUE_AGENT_SCHEMA,
        scope=queue_scope,
    )
    register(
        SERVICE_GET_CALL_HISTORY,
        _get_call_history,
        CALL_HISTORY_SCHEMA,
        SupportsResponse.ONLY,
    )
