"""What a spoken sentence names: an extension, a call, a transfer target.

Voice reaches only what the user chose: extensions whose call-state sensor is
exposed to the assistant that asks (the others are "not found"), and as
destinations only those extensions and the transfer targets, never any
number said (an LLM prompt could otherwise send calls to a premium line).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
import re
from typing import Any, Protocol

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, Unauthorized
from homeassistant.helpers import entity_registry as er, intent

from .api import short_extension
from .calls import ExtensionCall
from .const import DOMAIN
from .coordinator import VoipNowCoordinator
from .devices import device_entry
from .phrases import alternatives, say
from .spoken import spoken_forms, without_fillers, without_prefixes
from .targets import find_targets, transfer_targets

_NUMBER_RE = re.compile(r"\+?[0-9*]*[0-9][0-9*]*")


class UnresolvedError(Exception):
    """A slot could not be resolved; the phrase `key` is spoken."""

    def __init__(self, key: str, **values: str) -> None:
        """Name the phrase to say and what fills it."""
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class ActiveCall:
    """A call some extension of some loaded entry takes part in."""

    coordinator: VoipNowCoordinator
    extension: str
    call: ExtensionCall


@dataclass(frozen=True, slots=True)
class VoiceScope:
    """The extensions one assistant may reach (all, when none asks)."""

    hass: HomeAssistant
    assistant: str | None
    language: str | None = None
    # Who spoke: their permissions apply as to the actions.
    context: Context | None = None

    def extensions(self) -> Iterator[tuple[VoipNowCoordinator, str]]:
        """Yield every reachable extension of every loaded entry."""
        registry = er.async_get(self.hass)
        for entry in self.hass.config_entries.async_loaded_entries(DOMAIN):
            coordinator: VoipNowCoordinator = entry.runtime_data.calls
            for number in coordinator.extensions:
                if self._exposed(registry, coordinator, number):
                    yield coordinator, number

    def _exposed(
        self, registry: er.EntityRegistry, coordinator: VoipNowCoordinator, number: str
    ) -> bool:
        """Tell whether the extension's call-state sensor is exposed."""
        if self.assistant is None:
            return True
        entity_id = registry.async_get_entity_id(
            Platform.SENSOR,
            DOMAIN,
            f"{coordinator.device_identifier(number)}_call_state",
        )
        return entity_id is not None and async_should_expose(
            self.hass, self.assistant, entity_id
        )

    def named(self, text: str | None) -> list[tuple[VoipNowCoordinator, str]]:
        """Return the reachable extensions a spoken text names (all for None)."""
        return [
            (coordinator, number)
            for coordinator, number in self.extensions()
            if text is None
            or matches_extension(coordinator, number, text, self.language)
        ]


def extension_label(
    coordinator: VoipNowCoordinator, number: str, language: str | None = None
) -> str:
    """Say an extension the way people name it."""
    info = coordinator.extensions.get(number)
    if info is not None and info.name:
        return info.name
    return say(language, "extension", number=short_extension(number))


def spoken_number(text: str, language: str | None = None) -> str | None:
    """Read a number as said or typed (`+1 555 123 4567`, `0003 star 100`)."""
    star = spoken_forms(language).star
    compact = "".join(star.sub("*", text.casefold()).split())
    return compact if _NUMBER_RE.fullmatch(compact) else None


def _without_possessive(text: str, language: str | None) -> str:
    """Fold text and drop a possessive ending (`Office's`), where one is said."""
    folded = text.strip().casefold()
    possessive = spoken_forms(language).possessive
    return possessive.sub("", folded) if possessive else folded


def _spoken_extension(text: str, language: str | None) -> str:
    """Fold how an extension was said: `Extension 210`, `the office`, `Office's`."""
    wanted = _without_possessive(text, language)
    for prefix in spoken_forms(language).prefixes:
        wanted = wanted.removeprefix(prefix).strip()
    return wanted


def matches_extension(
    coordinator: VoipNowCoordinator,
    number: str,
    text: str,
    language: str | None = None,
) -> bool:
    """Tell whether spoken text names an extension.

    By number, said with "star" or typed (`0003 star 210`, `0003*210`), by
    its short number (`210`), by the name the PBX gives it, or by its
    device's name in Home Assistant; in the words of the language spoken.
    """
    wanted = _spoken_extension(text, language)
    said = spoken_number(wanted, language)
    if said is not None and said in {number, short_extension(number)}:
        return True
    whole = _without_possessive(text, language)
    for article in spoken_forms(language).articles:
        whole = whole.removeprefix(article)
    names = {name.casefold() for name in _names(coordinator, number)}
    return bool(names & {wanted, whole.strip()})


def _names(coordinator: VoipNowCoordinator, number: str) -> list[str]:
    """Return the names an extension goes by: the PBX's and its device's."""
    names: list[str] = []
    info = coordinator.extensions.get(number)
    if info is not None and info.name:
        names.append(info.name)
    device = device_entry(coordinator, number)
    if device is not None:
        names.extend(name for name in (device.name_by_user, device.name) if name)
    return names


def unknown_extension(text: str, language: str | None) -> UnresolvedError:
    """Say that no reachable extension goes by the name said."""
    return UnresolvedError("unknown_extension", name=without_prefixes(text, language))


def find_call(scope: VoiceScope, extension_text: str | None) -> ActiveCall:
    """Find the call to act on: on the named extension, or the only one there is."""
    named = scope.named(extension_text)
    language = scope.language
    if extension_text and not named:
        raise unknown_extension(extension_text, language)
    candidates = [
        ActiveCall(coordinator, number, call)
        for coordinator, number in named
        if (call := coordinator.data.state_of(number).call) is not None
    ]
    if not candidates:
        if extension_text:
            labels = [extension_label(c, n, language) for c, n in named]
            raise UnresolvedError(
                "no_call_on", extensions=alternatives(language, labels)
            )
        raise UnresolvedError("no_call")
    if len(candidates) > 1:
        busy = ", ".join(
            extension_label(c.coordinator, c.extension, language) for c in candidates
        )
        raise UnresolvedError("several_calls", extensions=busy)
    return candidates[0]


class _Party(Protocol):
    """Anything that names the other party of a call."""

    @property
    def caller_name(self) -> str | None:
        """The other party's name, when known."""

    @property
    def remote_number(self) -> str | None:
        """The other party's number, when known."""


def who(call: _Party, language: str | None = None) -> str:
    """Say who is (or was) on the other end of a call."""
    if call.caller_name and call.remote_number:
        return say(language, "party", name=call.caller_name, number=call.remote_number)
    return call.caller_name or call.remote_number or say(language, "unknown_caller")


def resolve_target(
    scope: VoiceScope, active: ActiveCall, text: str
) -> tuple[str, str, bool]:
    """Turn a spoken target into (label, number, to voicemail)."""
    coordinator = active.coordinator
    targets = transfer_targets(coordinator.config_entry.options)
    number = spoken_number(text, scope.language)
    fillers = spoken_forms(scope.language).target_fillers
    said = without_fillers(text, scope.language, fillers)
    matches = find_targets(targets, text, language=scope.language) or (
        find_targets(targets, number) if number else []
    )
    if len(matches) == 1:
        return matches[0].name, matches[0].number, matches[0].voicemail
    if len(matches) > 1:
        names = alternatives(scope.language, [target.name for target in matches])
        raise UnresolvedError("ambiguous_target", name=said, targets=names)
    extensions = [
        extension
        for owner, extension in scope.named(text)
        if owner is coordinator and extension != active.extension
    ]
    if len(extensions) == 1:
        label = extension_label(coordinator, extensions[0], scope.language)
        return label, extensions[0], False
    if number:
        raise UnresolvedError("number_not_a_target", number=number)
    raise UnresolvedError("unknown_target", name=said)


type IntentRun = Callable[[VoiceScope, dict[str, str]], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class VoiceIntent:
    """One intent: its type, what LLM agents read of it, its slots, what it does.

    `run` gets the scope and the validated slots, and returns what to say.
    """

    intent_type: str
    description: str
    slot_schema: dict[Any, Any]
    run: IntentRun


class VoipNowIntentHandler(intent.IntentHandler):
    """The handler of one intent of the tables: speaks problems instead of raising."""

    def __init__(self, spec: VoiceIntent) -> None:
        """Take the intent's type, description and slots from its row."""
        self.intent_type = spec.intent_type
        self.description = spec.description
        self._spec = spec

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """Return the intent's slots and their validators."""
        return self._spec.slot_schema

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Run the handler; unresolved names and PBX errors become speech."""
        slots = self.async_validate_slots(intent_obj.slots)
        response = intent_obj.create_response()
        scope = VoiceScope(
            intent_obj.hass,
            intent_obj.assistant,
            intent_obj.language,
            intent_obj.context,
        )
        try:
            speech = await self._spec.run(
                scope, {name: str(slot["value"]) for name, slot in slots.items()}
            )
        except UnresolvedError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.NO_VALID_TARGETS,
                say(scope.language, err.key, **err.values),
            )
            return response
        except Unauthorized:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                say(scope.language, "not_allowed"),
            )
            return response
        except HomeAssistantError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, str(err)
            )
            return response
        response.async_set_speech(speech)
        return response
