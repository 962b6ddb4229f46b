"""Describe call events and actions in the logbook, so that it reads as a call log.

The texts are the `common` section of the translations, read from Home
Assistant's translation cache in its configured language (the cache lays
English under every language, so a missing key reads in English).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final
import unicodedata

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_DOMAIN,
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_LOGBOOK_ENTRY, Platform
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_cached_translations

from .call_event import CallEventType
from .const import (
    ATTR_CALLER_NAME,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_EXTENSION,
    ATTR_OUTCOME,
    ATTR_REMOTE_NUMBER,
    DOMAIN,
    EVENT_CALL,
    EVENT_CALL_ACTION,
    CallOutcome,
)
from .coordinator import VoipNowCoordinator
from .event import EVENTS

# Callers choose their names: one line of at most this many characters.
MAX_TEXT: Final = 64
# Control, format (bidi overrides), surrogate, private and unassigned
# characters, and line breaks that `str.split` does not know.
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

_CALL_EVENT_TYPES: Final = frozenset(kind.value for kind in CallEventType)
# How an ended call went, when it is worth saying (an answered call just ends).
_NAMED_OUTCOMES: Final = frozenset(
    {
        CallOutcome.ANSWERED_ELSEWHERE,
        CallOutcome.BUSY,
        CallOutcome.NO_ANSWER,
        CallOutcome.CANCELLED,
        CallOutcome.FAILED,
    }
)
# What the actions fire in `voipnow_call_action` (see actions.py).
_ACTIONS: Final = frozenset(
    {
        "transferred",
        "sent_to_voicemail",
        "hung_up",
        "parked",
        "unparked",
        "picked_up",
        "recording_started",
        "recording_stopped",
        "listened_in_monitor",
        "listened_in_whisper",
        "listened_in_barge_in",
    }
)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Teach the logbook to describe the call events and the call actions."""

    @callback
    def async_describe_call(event: Event) -> dict[str, str]:
        """Describe one call event of one extension."""
        return describe_call(hass, event.data)

    @callback
    def async_describe_action(event: Event) -> dict[str, str]:
        """Describe what an action did to a call."""
        return describe_action(hass, event.data)

    async_describe_event(DOMAIN, EVENT_CALL, async_describe_call)
    async_describe_event(DOMAIN, EVENT_CALL_ACTION, async_describe_action)


@callback
def describe_call(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Say who called or was called, and what became of the call."""
    kind = clean(data.get("type"))
    caller = _caller(data) or _unknown(hass)
    outcome = clean(data.get(ATTR_OUTCOME))
    key: str | None = None
    if kind == CallEventType.ENDED and outcome in _NAMED_OUTCOMES:
        key = f"logbook_ended_{outcome}"
    elif kind in _CALL_EVENT_TYPES:
        key = f"logbook_{kind}"
    message = key and _translate(hass, "common", key, caller=caller)
    return {
        **_extension(hass, data),
        LOGBOOK_ENTRY_MESSAGE: message or _untranslated(kind, caller),
    }


@callback
def describe_action(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Say what an action did to a call: where it went, or that it was hung up."""
    action = clean(data.get("action"))
    caller = _caller(data)
    target = clean(data.get("target_name")) or clean(data.get("target"))
    message: str | None = None
    if action in _ACTIONS:
        keys = [f"logbook_{action}_with_caller"] if caller else []
        for key in [*keys, f"logbook_{action}"]:
            message = _translate(
                hass,
                "common",
                key,
                caller=caller or "",
                target=target or _unknown(hass),
                user=clean(data.get("user")) or _unknown(hass),
            )
            if message:
                break
    detail = " → ".join(part for part in (caller, target) if part)
    return {
        **_extension(hass, data),
        LOGBOOK_ENTRY_MESSAGE: message or _untranslated(action, detail),
    }


@callback
def async_log_action(
    hass: HomeAssistant, data: Mapping[str, Any], context: Context | None
) -> None:
    """Write an action to the logbook now, with the user's context.

    For what the logbook must keep with who did it (listening in), rather
    than what it describes from `voipnow_call_action` when it is read.
    """
    described = describe_action(hass, data)
    hass.bus.async_fire(
        EVENT_LOGBOOK_ENTRY,
        {**described, LOGBOOK_ENTRY_DOMAIN: DOMAIN},
        context=context,
    )


def clean(value: Any) -> str | None:
    """Make a value of the event one short line of plain text (callers choose names)."""
    if value is None:
        return None
    text = "".join(
        char
        for char in " ".join(str(value).split())
        if unicodedata.category(char) not in _UNSAFE_CATEGORIES
    )
    return text[:MAX_TEXT].strip() or None


def _caller(data: Mapping[str, Any]) -> str | None:
    """Name the other party: `John Doe (5551234)`, a name or a number."""
    name = clean(data.get(ATTR_CALLER_NAME))
    number = clean(data.get(ATTR_REMOTE_NUMBER))
    if name and number and name != number:
        return f"{name} ({number})"
    return name or number


@callback
def _unknown(hass: HomeAssistant) -> str:
    """Stand in for a party nobody knows the number of."""
    return _translate(hass, "common", "logbook_unknown_number") or "?"


@callback
def _extension(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Name the extension as its device is named; link its call event entity."""
    extension = clean(data.get(ATTR_EXTENSION)) or "?"
    described: dict[str, str] = {}
    name: str | None = None
    if entity_id := _call_entity_id(hass, data.get(ATTR_CONFIG_ENTRY_ID), extension):
        described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        entity = er.async_get(hass).async_get(entity_id)
        if (
            entity
            and entity.device_id
            and (device := dr.async_get(hass).async_get(entity.device_id))
        ):
            name = device.name_by_user or device.name
    described[LOGBOOK_ENTRY_NAME] = (
        name
        or _translate(hass, "device", "extension.name", number=extension)
        or extension
    )
    return described


@callback
def _call_entity_id(hass: HomeAssistant, entry_id: Any, extension: str) -> str | None:
    """Find the call event entity of an extension of an entry, if it has one."""
    if not isinstance(entry_id, str):
        return None
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        return None
    registry = er.async_get(hass)
    if entry.state is ConfigEntryState.LOADED:
        coordinator: VoipNowCoordinator = entry.runtime_data.calls
        unique_id = f"{coordinator.device_identifier(extension)}_{EVENTS.key}"
        return registry.async_get_entity_id(Platform.EVENT, DOMAIN, unique_id)
    # Not loaded (the PBX is down, the entry is disabled): the server identity
    # is the coordinator's, but the entities are still registered.
    suffix = f"_{extension}_{EVENTS.key}"
    return next(
        (
            entity.entity_id
            for entity in er.async_entries_for_config_entry(registry, entry_id)
            if entity.domain == Platform.EVENT and entity.unique_id.endswith(suffix)
        ),
        None,
    )


@callback
def _translate(
    hass: HomeAssistant, category: str, key: str, **placeholders: str
) -> str | None:
    """Fill in one of the integration's texts, in Home Assistant's language.

    A translation whose placeholders do not fit falls back to English; None
    when the texts are not loaded at all.
    """
    name = f"component.{DOMAIN}.{category}.{key}"
    for language in dict.fromkeys((hass.config.language, "en")):
        texts = async_get_cached_translations(hass, language, category, DOMAIN)
        if (template := texts.get(name)) is None:
            continue
        try:
            return template.format(**placeholders)
        except (AttributeError, IndexError, KeyError, ValueError):
            continue
    return None


def _untranslated(what: str | None, detail: str) -> str:
    """Describe an event when no text fits: what happened, then to whom."""
    return f"{what or '?'}: {detail}" if detail else what or "?"
