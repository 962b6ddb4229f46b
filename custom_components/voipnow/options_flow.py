"""Options: polling and push, who may call what, transfer targets, call queues.

A menu leads to one form per subject; each form saves the options at once,
and the entry reloads only when an option changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_SCAN_INTERVAL, CONF_WEBHOOK_ID
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .api import (
    VoipNowError,
    VoipNowInvalidInputError,
    VoipNowResponseError,
    same_extension,
    validate_extension,
    validate_mailbox,
    validate_number,
)
from .const import (
    CONF_ALLOW_ANY_NUMBER,
    CONF_ALLOW_LISTEN_IN,
    CONF_PUSH_TRANSPORT,
    CONF_QUEUES,
    CONF_TRANSFER_TARGETS,
    DEFAULT_SCAN_INTERVAL,
    MAX_SCAN_INTERVAL_SECONDS,
    MIN_SCAN_INTERVAL_SECONDS,
    PushTransport,
)
from .options_fields import item_list_fields
from .options_phonebook import PhonebookOptionsFlow
from .push_url import async_delete_cloudhook
from .queues import CallQueue, call_queues
from .targets import TransferTarget, transfer_targets
from .validation import vol

CONF_NEW_TARGET_NAME = "new_target_name"
CONF_NEW_TARGET_NUMBER = "new_target_number"
CONF_NEW_TARGET_VOICEMAIL = "new_target_voicemail"
CONF_RENEW_CALLBACK = "renew_callback"

MENU = ["settings", "transfer_targets", "queues", "phonebook", "carddav"]
CONF_NEW_QUEUE_NAME = "new_queue_name"
CONF_NEW_QUEUE_NUMBER = "new_queue_number"


class VoipNowOptionsFlow(PhonebookOptionsFlow, OptionsFlow):
    """Tune polling, push and permissions; manage the transfer targets."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the subjects."""
        return self.async_show_menu(step_id="init", menu_options=MENU)

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the polling interval, push, permissions, a new callback address."""
        options = self.config_entry.options
        if user_input is not None:
            if user_input.pop(CONF_RENEW_CALLBACK, False):
                await self._async_renew_callback()
            return self.async_create_entry(
                data={
                    **options,
                    CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                    CONF_PUSH_TRANSPORT: user_input[CONF_PUSH_TRANSPORT],
                    CONF_ALLOW_ANY_NUMBER: user_input[CONF_ALLOW_ANY_NUMBER],
                    CONF_ALLOW_LISTEN_IN: user_input[CONF_ALLOW_LISTEN_IN],
                }
            )
        schema = {
            vol.Required(
                CONF_SCAN_INTERVAL,
                default=options.get(
                    CONF_SCAN_INTERVAL, int(DEFAULT_SCAN_INTERVAL.total_seconds())
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
                CONF_PUSH_TRANSPORT,
                default=options.get(CONF_PUSH_TRANSPORT, PushTransport.AUTOMATIC),
            ): SelectSelector(
                SelectSelectorConfig(
                    options=[transport.value for transport in PushTransport],
                    translation_key=CONF_PUSH_TRANSPORT,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(
                CONF_ALLOW_ANY_NUMBER, default=options.get(CONF_ALLOW_ANY_NUMBER, False)
            ): BooleanSelector(),
            vol.Required(
                CONF_ALLOW_LISTEN_IN, default=options.get(CONF_ALLOW_LISTEN_IN, False)
            ): BooleanSelector(),
            vol.Required(CONF_RENEW_CALLBACK, default=False): BooleanSelector(),
        }
        return self.async_show_form(step_id="settings", data_schema=vol.Schema(schema))

    async def _async_renew_callback(self) -> None:
        """Give the entry a new webhook id; the reload moves the subscriptions.

        The old address stops working at once (its webhook is unregistered
        with the reload), and the old Home Assistant Cloud hook is deleted.
        """
        entry = self.config_entry
        old = entry.data.get(CONF_WEBHOOK_ID)
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: _new_webhook_id()}
        )
        if old:
            await async_delete_cloudhook(self.hass, old)
        self.hass.config_entries.async_schedule_reload(entry.entry_id)

    async def async_step_transfer_targets(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Keep, remove or add transfer targets.

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
                        CONF_TRANSFER_TARGETS: [t.as_option() for t in kept],
                    }
                )
        return self.async_show_form(
            step_id="transfer_targets",
            data_schema=_targets_schema(targets, user_input or {}),
            errors=errors,
        )

    async def async_step_queues(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Keep, remove, add or rename the call queues.

        Existing queues are kept by leaving them selected. A new queue is
        checked with the PBX (its agents are listed); giving a kept queue's
        number again with another name renames it.
        """
        options = self.config_entry.options
        queues = call_queues(options)
        errors: dict[str, str] = {}
        if user_input is not None:
            kept = [q for q in queues if q.number in user_input.get(CONF_QUEUES, [])]
            try:
                kept = await self._async_with_new_queue(user_input, kept)
            except _TargetError as err:
                errors[err.field] = err.error
            else:
                return self.async_create_entry(
                    data={**options, CONF_QUEUES: [q.as_option() for q in kept]}
                )
        return self.async_show_form(
            step_id="queues",
            data_schema=_queues_schema(queues, user_input or {}),
            errors=errors,
        )

    async def _async_with_new_queue(
        self, user_input: Mapping[str, Any], kept: list[CallQueue]
    ) -> list[CallQueue]:
        """Return the kept queues with the one the form adds (or renames)."""
        name = str(user_input.get(CONF_NEW_QUEUE_NAME) or "").strip()
        number = str(user_input.get(CONF_NEW_QUEUE_NUMBER) or "").replace(" ", "")
        if not name and not number:
            return kept
        if not name:
            raise _TargetError(CONF_NEW_QUEUE_NAME, "queue_name_missing")
        try:
            validate_extension(number, allow_self=False)
        except VoipNowInvalidInputError:
            raise _TargetError(CONF_NEW_QUEUE_NUMBER, "invalid_queue_number") from None
        others = [q for q in kept if not same_extension(q.number, number)]
        if any(q.name.casefold() == name.casefold() for q in others):
            raise _TargetError(CONF_NEW_QUEUE_NAME, "queue_exists")
        if len(others) == len(kept):
            await self._async_check_queue(number)
        return [*others, CallQueue(number=number, name=name)]

    async def _async_check_queue(self, number: str) -> None:
        """Ask the PBX for the queue's agents: it says whether it is a queue."""
        client = self.config_entry.runtime_data.calls.client
        try:
            await client.async_list_queue_agents(queue=number)
        except VoipNowResponseError as err:
            if err.code == "extension_invalid" or err.status in (400, 404):
                raise _TargetError(CONF_NEW_QUEUE_NUMBER, "not_a_queue") from None
            raise _TargetError(CONF_NEW_QUEUE_NUMBER, "cannot_connect") from None
        except VoipNowError:
            raise _TargetError(CONF_NEW_QUEUE_NUMBER, "cannot_connect") from None


def _new_webhook_id() -> str:
    """Return a fresh webhook id (the secret part of the callback address)."""
    from homeassistant.components import webhook

    return webhook.async_generate_id()


def _targets_schema(
    targets: tuple[TransferTarget, ...], defaults: Mapping[str, Any]
) -> vol.Schema:
    """Build the transfer targets form: the existing ones, and a new one."""
    schema = item_list_fields(
        CONF_TRANSFER_TARGETS,
        [
            (t.key, f"{t.name} → {'voicemail ' if t.voicemail else ''}{t.number}")
            for t in targets
        ],
        defaults,
        (CONF_NEW_TARGET_NAME, CONF_NEW_TARGET_NUMBER),
    )
    schema[
        vol.Optional(
            CONF_NEW_TARGET_VOICEMAIL,
            default=defaults.get(CONF_NEW_TARGET_VOICEMAIL, False),
        )
    ] = BooleanSelector()
    return vol.Schema(schema)


def _queues_schema(
    queues: tuple[CallQueue, ...], defaults: Mapping[str, Any]
) -> vol.Schema:
    """Build the queues form: the existing ones, and a new one."""
    return vol.Schema(
        item_list_fields(
            CONF_QUEUES,
            [(q.number, f"{q.name} ({q.number})") for q in queues],
            defaults,
            (CONF_NEW_QUEUE_NAME, CONF_NEW_QUEUE_NUMBER),
        )
    )


class _TargetError(Exception):
    """A new transfer target or queue is incomplete or invalid."""

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
        (validate_mailbox if voicemail else validate_number)(
            CONF_NEW_TARGET_NUMBER, number
        )
    except VoipNowInvalidInputError as err:
        raise _TargetError(
            CONF_NEW_TARGET_NUMBER, err.reason or "invalid_target_number"
        ) from None
    target = TransferTarget(name=name, number=number, voicemail=voicemail)
    if any(
        t.name.casefold() == name.casefold() or t.key == target.key for t in existing
    ):
        raise _TargetError(CONF_NEW_TARGET_NAME, "target_exists")
    return target
