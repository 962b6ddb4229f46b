"""One place that turns the client's errors into translated Home Assistant errors.

Bad input is a `ServiceValidationError`; a failure at run time a
`HomeAssistantError`; a failed refresh `UpdateFailed` (or, for a refused App,
`ConfigEntryAuthFailed`); all name a key of the `exceptions` translations.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import (
    VoipNowAuthenticationError,
    VoipNowConnectionError,
    VoipNowError,
    VoipNowInvalidInputError,
    VoipNowResponseError,
)
from .const import (
    ATTR_DESTINATION,
    ATTR_EXTENSION,
    ATTR_PHONE_CALL_ID,
    ATTR_SEND_CALL_TO,
    ATTR_TRANSFER_FROM_NUMBER,
    ATTR_TRANSFER_NUMBER,
    ATTR_USER_ID,
    DOMAIN,
)

# API error codes of the call actions that mean "this field is wrong": a
# validation error, translated under the code, naming the field.
API_FIELD_ERRORS: dict[str, str] = {
    "pc_phonecall_invalid": ATTR_PHONE_CALL_ID,
    "pc_phonecallviewid_invalid": ATTR_PHONE_CALL_ID,
    "pc_destination_invalid": ATTR_DESTINATION,
    "pc_source_invalid": ATTR_EXTENSION,
    "pc_sendcallto_invalid": ATTR_SEND_CALL_TO,
    "pc_transfer_from_number_invalid": ATTR_TRANSFER_FROM_NUMBER,
    "pc_transfer_number_invalid": ATTR_TRANSFER_NUMBER,
    "pc_maxinparking_invalid": "max_in_parking",
    "pc_callerid_invalid": "caller_id",
    "pc_waitforpickup_invalid": "wait_for_pickup",
    "pc_format_invalid": "format",
    "pc_private_invalid": "private",
    "user_invalid": ATTR_USER_ID,
    "extension_invalid": ATTR_EXTENSION,
}

_CALL_FIELDS = {code: (code, field) for code, field in API_FIELD_ERRORS.items()}


class ActsOnPbx(Protocol):
    """What an error needs of the entry acting on the PBX (its calls coordinator).

    A refused App asks for new credentials; an outcome left unknown, or a
    call that ended first, re-lists the calls.
    """

    hass: HomeAssistant
    config_entry: ConfigEntry

    def async_refresh_soon(self) -> None:
        """Re-list the calls at once."""


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """Build a translated validation error."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def runtime_error(key: str, **placeholders: str) -> HomeAssistantError:
    """Build a translated runtime error."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def invalid_input(err: VoipNowInvalidInputError) -> ServiceValidationError:
    """Build the translated error for a value the client's rules refuse."""
    if err.reason is not None:
        return validation_error(err.reason, **{err.field: str(err.value)[:64]})
    return validation_error("invalid_field", field=err.field, value=str(err.value)[:64])


@contextmanager
def update_errors(key: str, *, reauth: bool = False) -> Iterator[None]:
    """Turn the client's errors during a refresh into a coordinator's errors.

    A refused App makes the calls coordinator (`reauth`) ask for new
    credentials; the history and the queues only fail until it has them.
    """
    try:
        yield
    except VoipNowAuthenticationError as err:
        failure = ConfigEntryAuthFailed if reauth else UpdateFailed
        raise failure(translation_domain=DOMAIN, translation_key="auth_failed") from err
    except VoipNowError as err:
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"error": str(err)},
        ) from err


@contextmanager
def pbx_errors(
    coordinator: ActsOnPbx,
    fields: Mapping[str, tuple[str, str]] | None = None,
) -> Iterator[None]:
    """Turn the client's errors in a block into translated Home Assistant errors."""
    try:
        yield
    except VoipNowError as err:
        raise pbx_error(coordinator, err, fields) from err


def pbx_error(
    coordinator: ActsOnPbx,
    err: VoipNowError,
    fields: Mapping[str, tuple[str, str]] | None = None,
) -> HomeAssistantError:
    """Translate one error of the client, for an action (the one place).

    `fields` maps the API error codes an action can meet to (translation
    key, field); the call actions' by default. The same code can mean
    another field elsewhere (`extension_invalid` names the queue there).
    """
    known = fields if fields is not None else _CALL_FIELDS
    if isinstance(err, VoipNowInvalidInputError):
        return invalid_input(err)
    if isinstance(err, VoipNowAuthenticationError):
        coordinator.config_entry.async_start_reauth(coordinator.hass)
        return runtime_error("auth_failed")
    if isinstance(err, VoipNowConnectionError):
        if err.maybe_acted:
            # The PBX may have done it: say so, show what it did, never retry.
            coordinator.async_refresh_soon()
            return runtime_error("outcome_unknown", error=str(err))
        return runtime_error("cannot_connect", error=str(err))
    if isinstance(err, VoipNowResponseError):
        status = err.status or 0
        if 400 <= status < 500 and err.code is not None and err.code in known:
            key, field = known[err.code]
            return validation_error(key, field=field)
        return runtime_error(
            "request_failed", status=str(err.status or "?"), code=err.code or "unknown"
        )
    return runtime_error("request_failed", status="?", code=type(err).__name__)


def call_ended(coordinator: ActsOnPbx, phone_call_id: str) -> Exception:
    """The PBX had no such call to act on: it ended first; catch up with it."""
    coordinator.async_refresh_soon()
    return runtime_error("call_ended", phone_call_id=phone_call_id)
