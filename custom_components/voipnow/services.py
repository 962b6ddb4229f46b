"""Actions on calls: transfer, place, hang up, hold.

The service handlers only read their fields; the work is in `async_*` functions
that buttons and voice intents call as well, so every surface validates the
same way and reports the same translated errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .api import (
    PhoneCall,
    VoipNowAuthenticationError,
    VoipNowConnectionError,
    VoipNowError,
    VoipNowInvalidInputError,
    VoipNowResponseError,
    validate_call_id,
    validate_extension,
    validate_number,
    validate_user_id,
)
from .calls import ExtensionCall
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
    DEFAULT_USER_ID,
    DOMAIN,
    LOGGER,
)
from .coordinator import VoipNowCoordinator
from .targets import transfer_targets
from .validation import vol

SERVICE_TRANSFER_CALL = "transfer_call"
SERVICE_MAKE_CALL = "make_call"
SERVICE_HANGUP_CALL = "hangup_call"
SERVICE_HOLD_CALL = "hold_call"
SERVICE_UNHOLD_CALL = "unhold_call"

# API error codes that mean "this field is wrong": a validation error naming it.
API_FIELD_ERRORS: dict[str, str] = {
    "pc_phonecall_invalid": ATTR_PHONE_CALL_ID,
    "pc_phonecallviewid_invalid": ATTR_PHONE_CALL_ID,
    "pc_destination_invalid": ATTR_DESTINATION,
    "pc_source_invalid": ATTR_EXTENSION,
    "pc_sendcallto_invalid": ATTR_SEND_CALL_TO,
    "pc_transfer_from_number_invalid": ATTR_TRANSFER_FROM_NUMBER,
    "pc_transfer_number_invalid": ATTR_TRANSFER_NUMBER,
    "user_invalid": ATTR_USER_ID,
    "extension_invalid": ATTR_EXTENSION,
}

_TEXT = vol.All(cv.string, vol.Length(min=1, max=64))

_CALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_EXTENSION): _TEXT,
        vol.Optional(ATTR_PHONE_CALL_ID): _TEXT,
        vol.Optional(ATTR_USER_ID): _TEXT,
    }
)
TRANSFER_CALL_SCHEMA = _CALL_SCHEMA.extend(
    {
        vol.Required(ATTR_SEND_CALL_TO): _TEXT,
        vol.Optional(ATTR_TRANSFER_FROM_NUMBER): _TEXT,
        vol.Optional(ATTR_TRANSFER_NUMBER): _TEXT,
        vol.Optional(ATTR_TO_VOICEMAIL, default=False): cv.boolean,
    }
)
MAKE_CALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_EXTENSION): _TEXT,
        vol.Required(ATTR_DESTINATION): _TEXT,
        vol.Optional(ATTR_CALLER_ID): vol.All(cv.string, vol.Length(max=128)),
        vol.Optional(ATTR_WAIT_FOR_PICKUP): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=300)
        ),
        vol.Optional(ATTR_USER_ID): _TEXT,
    }
)


def _invalid(field: str, value: object) -> ServiceValidationError:
    """Build the validation error for a malformed field."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_field",
        translation_placeholders={"field": field, "value": str(value)[:64]},
    )


def _check_number(field: str, value: str) -> None:
    """Check a phone number field (an extension or a public number)."""
    _checked(partial(validate_number, field), field, value)


def _checked[T](check: Callable[[str], T], field: str, value: str) -> T:
    """Run one of the client's validators, raising a translated error."""
    try:
        return check(value)
    except VoipNowInvalidInputError:
        raise _invalid(field, value) from None


@callback
def async_get_coordinator(
    hass: HomeAssistant, entry_id: str | None
) -> VoipNowCoordinator:
    """Return the coordinator of the entry an action is for.

    Without an id, the only loaded VoipNow entry is used.
    """
    if entry_id:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_found",
                translation_placeholders={"entry_id": entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"title": entry.title},
            )
        coordinator: VoipNowCoordinator = entry.runtime_data
        return coordinator
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_loaded_entry"
        )
    if len(loaded) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="entry_required"
        )
    only: VoipNowCoordinator = loaded[0].runtime_data
    return only


def resolve_extension(coordinator: VoipNowCoordinator, value: str) -> str:
    """Return the full number of one of the entry's extensions."""
    _checked(lambda v: validate_extension(v, allow_self=False), ATTR_EXTENSION, value)
    if (number := coordinator.resolve_extension(value)) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_extension",
            translation_placeholders={"extension": value},
        )
    return number


def resolve_call(
    coordinator: VoipNowCoordinator, extension: str, phone_call_id: str | None
) -> tuple[str, ExtensionCall | None]:
    """Return the call to act on: the given id, or the extension's only call.

    Never "no id": VoipNow would then act on every call of the extension.
    """
    calls = coordinator.data.state_of(extension).calls
    if phone_call_id is not None:
        _checked(validate_call_id, ATTR_PHONE_CALL_ID, phone_call_id)
        known = next((c for c in calls if c.phone_call_id == phone_call_id), None)
        return phone_call_id, known
    if not calls:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_active_call",
            translation_placeholders={"extension": extension},
        )
    if len(calls) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="multiple_active_calls",
            translation_placeholders={
                "extension": extension,
                "count": str(len(calls)),
                "ids": ", ".join(c.phone_call_id for c in calls),
            },
        )
    return calls[0].phone_call_id, calls[0]


def resolve_target(
    coordinator: VoipNowCoordinator, send_call_to: str, to_voicemail: bool
) -> tuple[str, bool]:
    """Let `send_call_to` name a transfer target from the options ("Reception").

    A number is used as it is; a target's name gives its number, and a
    voicemail target sends the call to voicemail.
    """
    wanted = send_call_to.strip().casefold()
    for target in transfer_targets(coordinator.config_entry.options):
        if target.name.casefold() == wanted:
            return target.number, to_voicemail or target.voicemail
    return send_call_to, to_voicemail


@asynccontextmanager
async def pbx_errors(
    coordinator: VoipNowCoordinator, *, acting_on: str | None = None
) -> AsyncIterator[None]:
    """Turn the client's errors into translated Home Assistant errors.

    `acting_on` names the call the request acts on: while one request for a
    call is under way, a second one (a double press, two automations) is
    refused instead of reaching the PBX.
    """
    busy = coordinator.calls_in_action
    if acting_on is not None:
        if acting_on in busy:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="call_busy",
                translation_placeholders={"phone_call_id": acting_on},
            )
        busy.add(acting_on)
    try:
        yield
    except VoipNowInvalidInputError as err:
        raise _invalid(err.field, err.value) from err
    except VoipNowAuthenticationError as err:
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from err
    except VoipNowConnectionError as err:
        if err.maybe_acted:
            # The PBX may have done it: say so, show what it did, never retry.
            coordinator.async_refresh_soon()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="outcome_unknown",
                translation_placeholders={"error": str(err)},
            ) from err
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    except VoipNowResponseError as err:
        status = err.status or 0
        if 400 <= status < 500 and err.code in API_FIELD_ERRORS:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=err.code,
                translation_placeholders={"field": API_FIELD_ERRORS[err.code]},
            ) from err
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="request_failed",
            translation_placeholders={
                "status": str(err.status or "?"),
                "code": err.code or "unknown",
            },
        ) from err
    except VoipNowError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="request_failed",
            translation_placeholders={"status": "?", "code": type(err).__name__},
        ) from err
    finally:
        if acting_on is not None:
            busy.discard(acting_on)


def _call_ended(phone_call_id: str) -> HomeAssistantError:
    """The PBX answered 204: the call ended before the action reached it."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="call_ended",
        translation_placeholders={"phone_call_id": phone_call_id},
    )


async def async_transfer_call(
    coordinator: VoipNowCoordinator,
    *,
    extension: str,
    send_call_to: str,
    phone_call_id: str | None = None,
    transfer_from_number: str | None = None,
    transfer_number: str | None = None,
    to_voicemail: bool = False,
    user_id: str = DEFAULT_USER_ID,
) -> dict[str, Any]:
    """Transfer an extension's call; validate everything before sending."""
    number = resolve_extension(coordinator, extension)
    _checked(validate_user_id, ATTR_USER_ID, user_id)
    _check_number(ATTR_SEND_CALL_TO, send_call_to)
    if transfer_from_number is not None:
        _check_number(ATTR_TRANSFER_FROM_NUMBER, transfer_from_number)
    if transfer_number is not None:
        _check_number(ATTR_TRANSFER_NUMBER, transfer_number)
    call_id, known = resolve_call(coordinator, number, phone_call_id)
    if to_voicemail:
        if send_call_to.startswith("+"):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="voicemail_needs_extension",
                translation_placeholders={"send_call_to": send_call_to},
            )
        if transfer_number is None:
            transfer_number = known.remote_number if known else None
            if transfer_number is None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="transfer_number_required",
                )
    elif transfer_from_number is None:
        transfer_from_number = number
    async with pbx_errors(coordinator, acting_on=call_id):
        result: PhoneCall | None = await coordinator.client.async_transfer_call(
            user_id=user_id,
            extension=number,
            phone_call_id=call_id,
            send_call_to=send_call_to,
            transfer_from_number=transfer_from_number,
            transfer_number=transfer_number,
            to_voicemail=to_voicemail,
        )
    if result is None:
        # What we showed is stale: let the entities catch up with the PBX.
        coordinator.async_refresh_soon()
        raise _call_ended(call_id)
    LOGGER.debug("Transferred call %s of %s", call_id, number)
    coordinator.async_call_handled(number, call_id)
    coordinator.async_refresh_soon()
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}


async def async_hangup_call(
    coordinator: VoipNowCoordinator,
    *,
    extension: str,
    phone_call_id: str | None = None,
    user_id: str = DEFAULT_USER_ID,
) -> dict[str, Any]:
    """Hang up one call of an extension (never all of them by accident)."""
    number = resolve_extension(coordinator, extension)
    _checked(validate_user_id, ATTR_USER_ID, user_id)
    call_id, _ = resolve_call(coordinator, number, phone_call_id)
    async with pbx_errors(coordinator, acting_on=call_id):
        await coordinator.client.async_hangup_call(
            user_id=user_id, extension=number, phone_call_id=call_id
        )
    coordinator.async_call_handled(number, call_id)
    coordinator.async_refresh_soon()
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}


async def async_set_hold(
    coordinator: VoipNowCoordinator,
    *,
    extension: str,
    hold: bool,
    phone_call_id: str | None = None,
    user_id: str = DEFAULT_USER_ID,
) -> dict[str, Any]:
    """Put the extension's side of a call on hold, or take it off hold."""
    number = resolve_extension(coordinator, extension)
    _checked(validate_user_id, ATTR_USER_ID, user_id)
    call_id, known = resolve_call(coordinator, number, phone_call_id)
    # A view id names a place in the call ("00" the caller, "01" the callee),
    # not a party: after a transfer the extension may have changed places, and
    # a remembered id would hold someone else. Ask the PBX where it is now.
    async with pbx_errors(coordinator):
        calls = await coordinator.client.async_list_calls(
            user_id=user_id, extension=number
        )
    view_id = next(
        (
            view.id
            for call in calls
            if call.id == call_id
            for view in call.views_of(number)
            if view.id
        ),
        None,
    )
    if view_id is None:
        if known is not None:
            coordinator.async_refresh_soon()
            raise _call_ended(call_id)
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="call_not_found",
            translation_placeholders={"phone_call_id": call_id, "extension": number},
        )
    async with pbx_errors(coordinator, acting_on=call_id):
        result = await coordinator.client.async_set_hold(
            user_id=user_id,
            extension=number,
            phone_call_id=call_id,
            phone_call_view_id=view_id,
            hold=hold,
        )
    coordinator.async_refresh_soon()
    if result is None:
        raise _call_ended(call_id)
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}


async def async_make_call(
    coordinator: VoipNowCoordinator,
    *,
    extension: str,
    destination: str,
    caller_id: str | None = None,
    wait_for_pickup: int | None = None,
    user_id: str = DEFAULT_USER_ID,
) -> dict[str, Any]:
    """Place a call: the extension's phone rings first, then the destination."""
    number = resolve_extension(coordinator, extension)
    _checked(validate_user_id, ATTR_USER_ID, user_id)
    _check_number(ATTR_DESTINATION, destination)
    if caller_id is not None and not caller_id.strip():
        raise _invalid(ATTR_CALLER_ID, caller_id)
    async with pbx_errors(coordinator):
        call_id = await coordinator.client.async_make_call(
            user_id=user_id,
            extension=number,
            destination=destination,
            caller_id=caller_id,
            wait_for_pickup=wait_for_pickup,
        )
    coordinator.async_refresh_soon()
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the VoipNow actions."""

    async def transfer_call(call: ServiceCall) -> ServiceResponse:
        data = call.data
        coordinator = async_get_coordinator(hass, data.get(ATTR_CONFIG_ENTRY_ID))
        send_call_to, to_voicemail = resolve_target(
            coordinator, data[ATTR_SEND_CALL_TO], data[ATTR_TO_VOICEMAIL]
        )
        return await async_transfer_call(
            coordinator,
            extension=data[ATTR_EXTENSION],
            send_call_to=send_call_to,
            phone_call_id=data.get(ATTR_PHONE_CALL_ID),
            transfer_from_number=data.get(ATTR_TRANSFER_FROM_NUMBER),
            transfer_number=data.get(ATTR_TRANSFER_NUMBER),
            to_voicemail=to_voicemail,
            user_id=data.get(ATTR_USER_ID, DEFAULT_USER_ID),
        )

    async def make_call(call: ServiceCall) -> ServiceResponse:
        data = call.data
        return await async_make_call(
            async_get_coordinator(hass, data.get(ATTR_CONFIG_ENTRY_ID)),
            extension=data[ATTR_EXTENSION],
            destination=data[ATTR_DESTINATION],
            caller_id=data.get(ATTR_CALLER_ID),
            wait_for_pickup=data.get(ATTR_WAIT_FOR_PICKUP),
            user_id=data.get(ATTR_USER_ID, DEFAULT_USER_ID),
        )

    async def hangup_call(call: ServiceCall) -> ServiceResponse:
        data = call.data
        return await async_hangup_call(
            async_get_coordinator(hass, data.get(ATTR_CONFIG_ENTRY_ID)),
            extension=data[ATTR_EXTENSION],
            phone_call_id=data.get(ATTR_PHONE_CALL_ID),
            user_id=data.get(ATTR_USER_ID, DEFAULT_USER_ID),
        )

    def hold_handler(hold: bool) -> Callable[[ServiceCall], Any]:
        async def handler(call: ServiceCall) -> ServiceResponse:
            data = call.data
            return await async_set_hold(
                async_get_coordinator(hass, data.get(ATTR_CONFIG_ENTRY_ID)),
                extension=data[ATTR_EXTENSION],
                hold=hold,
                phone_call_id=data.get(ATTR_PHONE_CALL_ID),
                user_id=data.get(ATTR_USER_ID, DEFAULT_USER_ID),
            )

        return handler

    for name, handler, schema in (
        (SERVICE_TRANSFER_CALL, transfer_call, TRANSFER_CALL_SCHEMA),
        (SERVICE_MAKE_CALL, make_call, MAKE_CALL_SCHEMA),
        (SERVICE_HANGUP_CALL, hangup_call, _CALL_SCHEMA),
        (SERVICE_HOLD_CALL, hold_handler(True), _CALL_SCHEMA),
        (SERVICE_UNHOLD_CALL, hold_handler(False), _CALL_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN,
            name,
            handler,
            schema=schema,
            supports_response=SupportsResponse.OPTIONAL,
        )
