"""Config flow: add a VoipNow PBX with the credentials of a trusted App."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
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
    is_local_url,
    normalize_url,
    server_host,
)
from .const import CONF_ALLOW_INSECURE, CONF_SERVER_ID, DOMAIN, LOGGER
from .options_flow import VoipNowOptionsFlow
from .runtime import VoipNowConfigEntry
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
            vol.Required(
                CONF_ALLOW_INSECURE, default=defaults.get(CONF_ALLOW_INSECURE, False)
            ): BooleanSelector(),
        }
    )


def _insecure(data: Mapping[str, Any]) -> bool:
    """Tell whether the App's secret would cross a network in clear.

    Plain HTTP is fine to a PBX on the local network; elsewhere the user must
    have ticked "Allow an unencrypted connection" in the same form.
    """
    try:
        url = normalize_url(data[CONF_URL])
    except VoipNowInvalidInputError:
        return False  # reported as an invalid URL by the check
    return (
        url.scheme == "http"
        and not is_local_url(url)
        and not data.get(CONF_ALLOW_INSECURE, False)
    )


class VoipNowConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a VoipNow PBX."""

    VERSION = 1
    # 1.2: the push option became a choice of transport.
    MINOR_VERSION = 2

    async def _async_check(
        self, data: Mapping[str, Any], *, new_address: bool = True
    ) -> dict[str, str]:
        """Fetch a token and list the extensions; return the form's errors.

        A new address in plain HTTP to a PBX off the local network is refused
        before anything (the secret above all) is sent.
        """
        if new_address and _insecure(data):
            return {CONF_URL: "insecure_url"}
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
            if not (errors := await self._async_check(data, new_address=False)):
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
    def async_get_options_flow(config_entry: VoipNowConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return VoipNowOptionsFlow()
