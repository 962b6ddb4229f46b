"""What the actions do, for services, buttons and voice alike.

Each action finds what needs Home Assistant's knowledge (which entry, which
extension, which call, the other party of a known call), then asks the
client, which validates every field before anything is sent. Client errors
become translated Home Assistant errors in one place, `errors.pbx_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .api import (
    DEFAULT_USER_ID,
    VoipNowInvalidInputError,
    parse_caller_id,
    validate_extension,
    validate_object_id,
)
from .call_guard import async_act_once
from .calls import ExtensionCall
from .const import (
    ATTR_CALLER_ID,
    ATTR_CALLER_NAME,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DESTINATION,
    ATTR_EXTENSION,
    ATTR_PHONE_CALL_ID,
    ATTR_REMOTE_NUMBER,
    ATTR_SEND_CALL_TO,
    CONF_ALLOW_ANY_NUMBER,
    CONF_PHONEBOOK,
    DOMAIN,
    EVENT_CALL_ACTION,
)
from .coordinator import VoipNowCoordinator
from .errors import invalid_input, pbx_errors, validation_error
from .phonebook.numbers import clean_number
from .runtime import VoipNowRuntime
from .targets import transfer_targets


@callback
def async_get_runtime(hass: HomeAssistant, entry_id: str | None) -> VoipNowRuntime:
    """Return what the entry an action is for holds.

    Without an id, the only loaded VoipNow entry is used.
    """
    if entry_id:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise validation_error("entry_not_found", entry_id=entry_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise validation_error("entry_not_loaded", title=entry.title)
        runtime: VoipNowRuntime = entry.runtime_data
        return runtime
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise validation_error("no_loaded_entry")
    if len(loaded) > 1:
        raise validation_error("entry_required")
    only: VoipNowRuntime = loaded[0].runtime_data
    return only


def known_extension(coordinator: VoipNowCoordinator, value: str) -> str:
    """Return the full number of one of the entry's extensions, or raise."""
    if (number := coordinator.find_extension(value)) is not None:
        return number
    try:
        validate_extension(value, allow_self=False)
    except VoipNowInvalidInputError as err:
        raise invalid_input(err) from None
    raise validation_error("unknown_extension", extension=value)


def resolve_call(
    coordinator: VoipNowCoordinator, extension: str, phone_call_id: str | None
) -> tuple[str, ExtensionCall | None]:
    """Return the call to act on: the given id, or the only call.

    Never "no id": VoipNow would then act on every call of the extension.
    """
    calls = coordinator.calls_to_act_on(extension)
    if phone_call_id is not None:
        for known in calls:
            if known.phone_call_id == phone_call_id:
                return phone_call_id, known
        # An id the PBX listed is well formed; any other is checked.
        try:
            validate_object_id(ATTR_PHONE_CALL_ID, phone_call_id)
        except VoipNowInvalidInputError as err:
            raise invalid_input(err) from None
        return phone_call_id, None
    if not calls:
        raise validation_error("no_active_call", extension=extension)
    if len(calls) > 1:
        raise validation_error(
            "multiple_active_calls",
            extension=extension,
            count=str(len(calls)),
            ids=", ".join(c.phone_call_id for c in calls),
        )
    return calls[0].phone_call_id, calls[0]


def _check_allowed(
    coordinator: VoipNowCoordinator, field: str, number: str | None
) -> None:
    """Refuse a number outside the extensions, transfer targets and options phonebook.

    For requests of users who are not administrators: a public number costs
    money, a premium-rate one is toll fraud. Administrators choose targets and
    the options phonebook (not a file's or address book's numbers); the option
    "Let non-administrators call any number" lifts this.
    """
    options = coordinator.config_entry.options
    if number is None or options.get(CONF_ALLOW_ANY_NUMBER):
        return
    wanted = number.strip()
    listed = [t.number for t in transfer_targets(options)]
    listed += [clean_number(item["number"]) for item in options.get(CONF_PHONEBOOK, ())]
    if (
        coordinator.find_extension(wanted) is not None
        or wanted in listed
        or (clean_number(wanted) in listed)
    ):
        return
    raise validation_error("number_not_allowed", field=field, number=wanted[:32])


def _target_name(
    coordinator: VoipNowCoordinator, number: str, voicemail: bool
) -> str | None:
    """Name where a call went: a configured target, or one of our extensions."""
    for target in transfer_targets(coordinator.config_entry.options):
        if target.number == number and target.voicemail == voicemail:
            return target.name
    extension = coordinator.find_extension(number)
    info = coordinator.extensions.get(extension) if extension else None
    return info.name if info is not None else None


def _action_event(
    coordinator: VoipNowCoordinator,
    extension: str,
    call: ExtensionCall | None,
    phone_call_id: str,
    action: str,
    target: str | None = None,
    voicemail: bool = False,
) -> Callable[[], None]:
    """Build the telling of the event bus (and so the logbook) what an action did.

    A plain function: it is called once the caller has its answer, directly.
    """

    def fire() -> None:
        coordinator.hass.bus.async_fire(
            EVENT_CALL_ACTION,
            {
                ATTR_CONFIG_ENTRY_ID: coordinator.config_entry.entry_id,
                ATTR_EXTENSION: extension,
                "action": action,
                ATTR_PHONE_CALL_ID: phone_call_id,
                "target": target,
                "target_name": (
                    _target_name(coordinator, target, voicemail) if target else None
                ),
                ATTR_REMOTE_NUMBER: call.remote_number if call else None,
                ATTR_CALLER_NAME: call.caller_name if call else None,
            },
        )

    return fire


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
    restricted: bool = False,
) -> dict[str, Any]:
    """Transfer an extension's call (to voicemail: the caller leaves a message)."""
    number = known_extension(coordinator, extension)
    if restricted:
        _check_allowed(coordinator, ATTR_SEND_CALL_TO, send_call_to)
    call_id, known = resolve_call(coordinator, number, phone_call_id)
    if to_voicemail and transfer_number is None and known is not None:
        transfer_number = known.remote_number
    await async_act_once(
        coordinator,
        call_id,
        lambda: coordinator.client.async_transfer_call(
            user_id=user_id,
            extension=number,
            phone_call_id=call_id,
            send_call_to=send_call_to,
            transfer_from_number=transfer_from_number,
            transfer_number=transfer_number,
            to_voicemail=to_voicemail,
        ),
    )
    coordinator.async_call_handled(
        number,
        call_id,
        _action_event(
            coordinator,
            number,
            known,
            call_id,
            "sent_to_voicemail" if to_voicemail else "transferred",
            send_call_to,
            to_voicemail,
        ),
    )
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}


async def async_hangup_call(
    coordinator: VoipNowCoordinator,
    *,
    extension: str,
    phone_call_id: str | None = None,
    user_id: str = DEFAULT_USER_ID,
) -> dict[str, Any]:
    """Hang up one call of an extension (never all of them by accident)."""
    number = known_extension(coordinator, extension)
    call_id, known = resolve_call(coordinator, number, phone_call_id)
    await async_act_once(
        coordinator,
        call_id,
        lambda: coordinator.client.async_hangup_call(
            user_id=user_id, extension=number, phone_call_id=call_id
        ),
    )
    coordinator.async_call_handled(
        number, call_id, _action_event(coordinator, number, known, call_id, "hung_up")
    )
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}


async def async_make_call(
    coordinator: VoipNowCoordinator,
    *,
    extension: str,
    destination: str,
    caller_id: str | None = None,
    wait_for_pickup: int | None = None,
    user_id: str = DEFAULT_USER_ID,
    restricted: bool = False,
) -> dict[str, Any]:
    """Place a call: the extension's phone rings first, then the destination."""
    number = known_extension(coordinator, extension)
    if restricted:
        _check_allowed(coordinator, ATTR_DESTINATION, destination)
    if restricted and caller_id is not None:
        # Presenting someone's number is as much fraud as calling it; a name
        # alone presents the extension's own number.
        try:
            presented = parse_caller_id(caller_id)[1]
        except VoipNowInvalidInputError as err:
            raise invalid_input(err) from None
        _check_allowed(coordinator, ATTR_CALLER_ID, presented)
    with pbx_errors(coordinator):
        call_id = await coordinator.client.async_make_call(
            user_id=user_id,
            extension=number,
            destination=destination,
            caller_id=caller_id,
            wait_for_pickup=wait_for_pickup,
        )
    coordinator.async_refresh_soon()
    return {ATTR_PHONE_CALL_ID: call_id, ATTR_EXTENSION: number}
