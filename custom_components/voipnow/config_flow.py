"""Config flow: add a VoipNow PBX with the credentials of a trusted App."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_SCAN_INTERVAL,
    CONF_URL,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import (
    VoipNowAuthenticationError,
    VoipNowClient,
    VoipNowConnectionError,
    VoipNowInvalidInputError,
    VoipNowResponseError,
    VoipNowSSLError,
    normalize_url,
    server_host,
    validate_number,
)
from .const import (
    CONF_PUSH,
    CONF_SERVER_ID,
    CONF_TRANSFER_TARGETS,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_SCAN_INTERVAL_SECONDS,
    MIN_SCAN_INTERVAL_SECONDS,
)
from .targets import TransferTarget, transfer_targets
from .validation import vol

CONF_NEW_TARGET_NAME = "new_target_name"
CONF_NEW_TARGET_NUMBER = "new_target_number"
CONF_NEW_TARGET_VOICEMAIL = "new_target_voicemail"

_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector(TextSelectorConfig(autocomplete="off"))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
# Translations may not hold URLs (hassfest): the example comes from here.
_EXAMPLE = {"example_url": "https://voip.example.com"}


def unique_id_for(url: str, client_id: str) -> str:
    """Build the entry's unique id from the normalised host and the App ID."""
    return f"{server_host(url)}_{client_id.strip()}"


def _connection_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    """Build the form asking for the server and the App's credentials."""
    return vol.Schema(
        {
            vol.Required(CONF_URL, default=defaults.get(CONF_URL, vol.UNDEFINED)): _URL,
            vol.Required(
                CONF_CLIENT_ID, default=defaults.get(CONF_CLIENT_ID, vol.UNDEFINED)
            ): _TEXT,
            vol.Required(CONF_CLIENT_SECRET): _SECRET,
            vol.Required(
                CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)
            ): BooleanSelector(),
        }
    )


class VoipNowConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a VoipNow PBX."""

    VERSION = 1

    async def _async_check(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Fetch a token and list the extensions; return the form's errors."""
        try:
            client = VoipNowClient(
                async_get_clientsession(self.hass, verify_ssl=data[CONF_VERIFY_SSL]),
                data[CONF_URL],
                data[CONF_CLIENT_ID].strip(),
                data[CONF_CLIENT_SECRET],
            )
            await client.async_authenticate()
            await client.async_list_extensions()
        except VoipNowInvalidInputError:
            return {CONF_URL: "invalid_url"}
        except VoipNowSSLError:
            return {CONF_URL: "ssl_error"}
        except VoipNowConnectionError:
            return {CONF_URL: "cannot_connect"}
        except VoipNowAuthenticationError:
            return {"base": "invalid_auth"}
        except VoipNowResponseError:
            # Something answers at this address, but not as a VoipNow PBX does.
            return {CONF_URL: "cannot_connect"}
        except Exception:  # noqa: BLE001
            LOGGER.exception("Unexpected error while checking the PBX")
            return {"base": "unknown"}
        return {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the server and the App's credentials, and check them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input[CONF_CLIENT_ID] = user_input[CONF_CLIENT_ID].strip()
            if not (errors := await self._async_check(user_input)):
                user_input[CONF_URL] = str(normalize_url(user_input[CONF_URL])).rstrip(
                    "/"
                )
                await self.async_set_unique_id(
                    unique_id_for(user_input[CONF_URL], user_input[CONF_CLIENT_ID])
                )
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=normalize_url(user_input[CONF_URL]).host or "VoipNow",
                    data=user_input,
                )
        return self.async_show_form(
            step_id="user",
            data_schema=_connection_schema(user_input or {}),
            description_placeholders=_EXAMPLE,
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication when the App secret stops working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the App's new secret and check it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_CLIENT_SECRET: user_input[CONF_CLIENT_SECRET]}
            if not (errors := await self._async_check(data)):
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_CLIENT_SECRET: data[CONF_CLIENT_SECRET]}
                )
            # This form has no address field to show them under.
            errors = {"base": next(iter(errors.values()))}
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_CLIENT_SECRET): _SECRET}),
            description_placeholders={
                "client_id": entry.data[CONF_CLIENT_ID],
                "url": entry.data[CONF_URL],
            },
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the server address, TLS checking or credentials of the same App."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input[CONF_CLIENT_ID] = user_input[CONF_CLIENT_ID].strip()
            # Another App is another entry: say so before sending its secret.
            if user_input[CONF_CLIENT_ID] != entry.data[CONF_CLIENT_ID]:
                return self.async_abort(reason="different_app")
            if not (errors := await self._async_check(user_input)):
                user_input[CONF_URL] = str(normalize_url(user_input[CONF_URL])).rstrip(
                    "/"
                )
                unique_id = unique_id_for(
                    user_input[CONF_URL], user_input[CONF_CLIENT_ID]
                )
                if unique_id != entry.unique_id:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_configured()
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=unique_id,
                    # Devices and entities keep the identity they were made
                    # with, so a new address keeps their names and history.
                    data_updates={
                        **user_input,
                        CONF_SERVER_ID: entry.data.get(CONF_SERVER_ID)
                        or entry.unique_id,
                    },
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_connection_schema(user_input or entry.data),
            description_placeholders=_EXAMPLE,
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return VoipNowOptionsFlow()


class VoipNowOptionsFlow(OptionsFlow):
    """Tune polling and push, and manage the named transfer targets."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the polling interval, push, and transfer targets.

        Existing targets are kept by leaving them selected; one new target can
        be added per visit.
        """
        options = self.config_entry.options
        targets = transfer_targets(options)
        errors: dict[str, str] = {}
        if user_input is not None:
            kept = [
                t for t in targets if t.key in user_input.get(CONF_TRANSFER_TARGETS, [])
            ]
            try:
                if new := _new_target(user_input, kept):
                    kept.append(new)
            except _TargetError as err:
                errors[err.field] = err.error
            else:
                return self.async_create_entry(
                    data={
                        **options,
                        CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                        CONF_PUSH: user_input[CONF_PUSH],
                        CONF_TRANSFER_TARGETS: [t.as_option() for t in kept],
                    }
                )
        defaults = user_input or {}
        schema: dict[Any, Any] = {
            vol.Required(
                CONF_SCAN_INTERVAL,
                default=defaults.get(
                    CONF_SCAN_INTERVAL,
                    options.get(
                        CONF_SCAN_INTERVAL, int(DEFAULT_SCAN_INTERVAL.total_seconds())
                    ),
                ),
            ): NumberSelector(
                NumberSelectorConfig(
                    min=MIN_SCAN_INTERVAL_SECONDS,
                    max=MAX_SCAN_INTERVAL_SECONDS,
                    step=1,
                    unit_of_measurement="s",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            vol.Required(
                CONF_PUSH, default=defaults.get(CONF_PUSH, options.get(CONF_PUSH, True))
            ): BooleanSelector(),
        }
        if targets:
            schema[
                vol.Optional(
                    CONF_TRANSFER_TARGETS,
                    default=defaults.get(
                        CONF_TRANSFER_TARGETS, [t.key for t in targets]
                    ),
                )
            ] = SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(
                            value=t.key,
                            label=f"{t.name} → {'voicemail ' if t.voicemail else ''}{t.number}",
                        )
                        for t in targets
                    ],
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                )
            )
        schema.update(
            {
                vol.Optional(
                    CONF_NEW_TARGET_NAME,
                    description={"suggested_value": defaults.get(CONF_NEW_TARGET_NAME)},
                ): _TEXT,
                vol.Optional(
                    CONF_NEW_TARGET_NUMBER,
                    description={
                        "suggested_value": defaults.get(CONF_NEW_TARGET_NUMBER)
                    },
                ): _TEXT,
                vol.Optional(
                    CONF_NEW_TARGET_VOICEMAIL,
                    default=defaults.get(CONF_NEW_TARGET_VOICEMAIL, False),
                ): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="init", data_schema=vol.Schema(schema), errors=errors
        )


class _TargetError(Exception):
    """A new transfer target is incomplete or invalid."""

    def __init__(self, field: str, error: str) -> None:
        """Remember which field is wrong and why."""
        super().__init__(error)
        self.field = field
        self.error = error


def _new_target(
    user_input: Mapping[str, Any], existing: list[TransferTarget]
) -> TransferTarget | None:
    """Build the new transfer target the form describes, if any."""
    name = str(user_input.get(CONF_NEW_TARGET_NAME) or "").strip()
    number = str(user_input.get(CONF_NEW_TARGET_NUMBER) or "").strip().replace(" ", "")
    voicemail = bool(user_input.get(CONF_NEW_TARGET_VOICEMAIL))
    if not name and not number:
        return None
    if not name:
        raise _TargetError(CONF_NEW_TARGET_NAME, "target_name_missing")
    try:
        validate_number(CONF_NEW_TARGET_NUMBER, number)
    except VoipNowInvalidInputError:
        raise _TargetError(CONF_NEW_TARGET_NUMBER, "invalid_target_number") from None
    if voicemail and number.startswith("+"):
        raise _TargetError(CONF_NEW_TARGET_NUMBER, "voicemail_needs_extension")
    target = TransferTarget(name=name, number=number, voicemail=voicemail)
    if any(
        t.name.casefold() == name.casefold() or t.key == target.key for t in existing
    ):
        raise _TargetError(CONF_NEW_TARGET_NAME, "target_exists")
    return target
