"""Options: the phonebook (entries and a vCard file) and a CardDAV address book.

The entries and the file's path are options (a change reloads the entry);
the address book's URL, user name and password are checked with the server
and kept in the entry's data, never in its options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import CONF_CARDDAV, CONF_PHONEBOOK, CONF_PHONEBOOK_FILE
from .options_fields import TEXT, item_list_fields, suggested
from .phonebook.carddav import CardDavAuthError, CardDavClient, CardDavError
from .phonebook.file import PhonebookFileError, read_file
from .phonebook.index import clean_name
from .phonebook.numbers import clean_number, number_forms
from .validation import vol

CONF_NEW_ENTRY_NAME = "new_entry_name"
CONF_NEW_ENTRY_NUMBER = "new_entry_number"

_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


class PhonebookOptionsFlow(OptionsFlow):
    """The phonebook's steps of the options flow."""

    async def async_step_phonebook(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Keep, remove or add phonebook entries; name a vCard file.

        Existing entries are kept by leaving them selected; one new entry
        can be added per visit. The file is read once to check it.
        """
        options = self.config_entry.options
        entries: list[dict[str, str]] = list(options.get(CONF_PHONEBOOK, ()))
        errors: dict[str, str] = {}
        if user_input is not None:
            kept = [
                item
                for position, item in enumerate(entries)
                if str(position) in user_input.get(CONF_PHONEBOOK, [])
            ]
            path = str(user_input.get(CONF_PHONEBOOK_FILE) or "").strip()
            # Numbers are compared with libphonenumber's metadata (file reads).
            errors = await self.hass.async_add_executor_job(
                _new_entry, user_input, kept, self.hass.config.country
            )
            if path and not errors:
                try:
                    await self.hass.async_add_executor_job(
                        read_file, self.hass.config.config_dir, path
                    )
                except PhonebookFileError as err:
                    errors[CONF_PHONEBOOK_FILE] = f"file_{err.reason}"
            if not errors:
                new = dict(options)
                new[CONF_PHONEBOOK] = kept
                new.pop(CONF_PHONEBOOK_FILE, None)
                if path:
                    new[CONF_PHONEBOOK_FILE] = path
                return self.async_create_entry(data=new)
        return self.async_show_form(
            step_id="phonebook",
            data_schema=_phonebook_schema(entries, options, user_input or {}),
            errors=errors,
        )

    async def async_step_carddav(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set up, change or remove the CardDAV address book (checked first)."""
        entry = self.config_entry
        current: Mapping[str, str] = entry.data.get(CONF_CARDDAV) or {}
        errors: dict[str, str] = {}
        if user_input is not None:
            url = str(user_input.get(CONF_URL) or "").strip()
            settings = {
                CONF_URL: url,
                CONF_USERNAME: str(user_input.get(CONF_USERNAME) or "").strip(),
                # Left empty: the password kept for the same address book.
                CONF_PASSWORD: str(user_input.get(CONF_PASSWORD) or "")
                or (
                    current.get(CONF_PASSWORD, "")
                    if url == current.get(CONF_URL)
                    else ""
                ),
            }
            if url:
                errors = await self._async_check_carddav(settings)
            if not errors:
                data = {k: v for k, v in entry.data.items() if k != CONF_CARDDAV}
                if url:
                    data[CONF_CARDDAV] = settings
                self.hass.config_entries.async_update_entry(entry, data=data)
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
                return self.async_create_entry(data=dict(entry.options))
        defaults = user_input or current
        schema = vol.Schema(
            {
                suggested(CONF_URL, defaults): _URL,
                suggested(CONF_USERNAME, defaults): TEXT,
                vol.Optional(CONF_PASSWORD): _SECRET,
            }
        )
        return self.async_show_form(
            step_id="carddav", data_schema=schema, errors=errors
        )

    async def _async_check_carddav(self, settings: Mapping[str, str]) -> dict[str, str]:
        """Read the address book once: the server says whether the login works."""
        if not settings[CONF_URL].startswith(("http://", "https://")):
            return {CONF_URL: "carddav_invalid_url"}
        client = CardDavClient(
            async_get_clientsession(self.hass),
            settings[CONF_URL],
            settings[CONF_USERNAME],
            settings[CONF_PASSWORD],
        )
        try:
            await client.async_fetch_cards()
        except CardDavAuthError:
            return {CONF_PASSWORD: "carddav_auth"}
        except CardDavError:
            return {CONF_URL: "carddav_cannot_connect"}
        return {}


def _new_entry(
    user_input: Mapping[str, Any], kept: list[dict[str, str]], region: str | None
) -> dict[str, str]:
    """Add the entry the form describes to `kept`; return the form's errors.

    Blocking: numbers are compared in E.164 (0215550100 is +40 21 555 0100).
    """
    name = clean_name(str(user_input.get(CONF_NEW_ENTRY_NAME) or ""))
    written = str(user_input.get(CONF_NEW_ENTRY_NUMBER) or "").strip()
    if not name and not written:
        return {}
    if not name:
        return {CONF_NEW_ENTRY_NAME: "entry_name_missing"}
    number = clean_number(written)
    if not number:
        return {CONF_NEW_ENTRY_NUMBER: "invalid_entry_number"}
    key = number_forms(number, region)[0]
    if any(number_forms(item["number"], region)[0] == key for item in kept):
        return {CONF_NEW_ENTRY_NUMBER: "entry_exists"}
    kept.append({"name": name, "number": number})
    return {}


def _phonebook_schema(
    entries: list[dict[str, str]],
    options: Mapping[str, Any],
    defaults: Mapping[str, Any],
) -> vol.Schema:
    """Build the phonebook form: the existing entries, a new one, the file."""
    schema = item_list_fields(
        CONF_PHONEBOOK,
        [
            (str(position), f"{item['name']} ({item['number']})")
            for position, item in enumerate(entries)
        ],
        defaults,
        (CONF_NEW_ENTRY_NAME, CONF_NEW_ENTRY_NUMBER),
    )
    schema[
        suggested(CONF_PHONEBOOK_FILE, defaults, options.get(CONF_PHONEBOOK_FILE))
    ] = TEXT
    return vol.Schema(schema)
