"""Voice intents: transfer the current call, hang up, ask who is calling.

Handlers answer in words. A name that matches nothing, or several things, gets
a spoken explanation rather than an exception, so local Assist and LLM-based
agents can relay it. The descriptions are written for LLM agents.
"""

from __future__ import annotations

from dataclasses import dataclass
import re

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent

from .actions import async_hangup_call, async_transfer_call
from .api import short_extension
from .calls import ExtensionCall
from .const import DOMAIN, CallDirection, CallState
from .coordinator import VoipNowCoordinator
from .targets import find_targets, transfer_targets
from .validation import vol

INTENT_TRANSFER = "VoipNowTransferCall"
INTENT_HANGUP = "VoipNowHangUp"
INTENT_WHO_IS_CALLING = "VoipNowWhoIsCalling"

_NUMBER_RE = re.compile(r"\+?[0-9*]*[0-9][0-9*]*")
_STAR_RE = re.compile(r"\bstar\b")
# "transfer Office's call": the sentence's wildcard keeps the apostrophe.
_POSSESSIVE_RE = re.compile("['\u2019]s?$")


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the VoipNow intents (the `intent` integration awaits this hook)."""
    intent.async_register(hass, TransferCallIntentHandler())
    intent.async_register(hass, HangUpIntentHandler())
    intent.async_register(hass, WhoIsCallingIntentHandler())


@dataclass(frozen=True, slots=True)
class _ActiveCall:
    """A call some extension of some loaded entry takes part in."""

    coordinator: VoipNowCoordinator
    extension: str
    call: ExtensionCall


class _UnresolvedError(Exception):
    """A slot could not be resolved; the message is spoken."""


def _coordinators(hass: HomeAssistant) -> list[VoipNowCoordinator]:
    """Return the coordinators of every loaded entry."""
    return [
        entry.runtime_data for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]


def _extension_label(coordinator: VoipNowCoordinator, number: str) -> str:
    """Say an extension the way people name it."""
    info = coordinator.extensions.get(number)
    if info is not None and info.name:
        return info.name
    return f"extension {short_extension(number)}"


def _spoken_number(text: str) -> str | None:
    """Read a number as said or typed (`+1 555 123 4567`, `0003 star 100`)."""
    compact = "".join(_STAR_RE.sub("*", text.casefold()).split())
    return compact if _NUMBER_RE.fullmatch(compact) else None


def _spoken_extension(text: str) -> str:
    """Fold how an extension was said: `Extension 210`, `the office`, `Office's`."""
    wanted = _POSSESSIVE_RE.sub("", text.strip().casefold())
    return wanted.removeprefix("the ").removeprefix("extension").strip()


def _matches_extension(coordinator: VoipNowCoordinator, number: str, text: str) -> bool:
    """Tell whether spoken text names an extension (number or name)."""
    wanted = _spoken_extension(text)
    info = coordinator.extensions.get(number)
    return wanted in {number.casefold(), short_extension(number)} or bool(
        info is not None and info.name and info.name.casefold() == wanted
    )


def _find_call(hass: HomeAssistant, extension_text: str | None) -> _ActiveCall:
    """Find the call to act on: on the named extension, or the only one there is."""
    candidates: list[_ActiveCall] = []
    named: list[str] = []
    for coordinator in _coordinators(hass):
        for number in coordinator.extensions:
            if extension_text and not _matches_extension(
                coordinator, number, extension_text
            ):
                continue
            named.append(_extension_label(coordinator, number))
            call = coordinator.data.state_of(number).call
            if call is not None:
                candidates.append(_ActiveCall(coordinator, number, call))
    if extension_text and not named:
        raise _UnresolvedError(f"I don't know an extension called {extension_text}.")
    if not candidates:
        if extension_text:
            raise _UnresolvedError(f"There is no call on {' or '.join(named)}.")
        raise _UnresolvedError("There is no call right now.")
    if len(candidates) > 1:
        names = ", ".join(
            _extension_label(c.coordinator, c.extension) for c in candidates
        )
        raise _UnresolvedError(f"Several phones have calls ({names}). Which extension?")
    return candidates[0]


def _who(call: ExtensionCall) -> str:
    """Say who is on the other end of a call."""
    if call.caller_name and call.remote_number:
        return f"{call.caller_name} ({call.remote_number})"
    return call.caller_name or call.remote_number or "an unknown caller"


def _resolve_target(active: _ActiveCall, text: str) -> tuple[str, str, bool]:
    """Turn a spoken target into (label, number, to voicemail)."""
    coordinator = active.coordinator
    targets = transfer_targets(coordinator.config_entry.options)
    number = _spoken_number(text)
    matches = find_targets(targets, text) or (
        find_targets(targets, number) if number else []
    )
    if len(matches) == 1:
        return matches[0].name, matches[0].number, matches[0].voicemail
    if len(matches) > 1:
        names = " or ".join(target.name for target in matches)
        raise _UnresolvedError(f"{text} could mean {names}. Which one?")
    extensions = [
        extension
        for extension in coordinator.extensions
        if extension != active.extension
        and any(
            _matches_extension(coordinator, extension, said)
            for said in (text, number)
            if said
        )
    ]
    if len(extensions) == 1:
        return _extension_label(coordinator, extensions[0]), extensions[0], False
    if number:
        # Voice, and LLM agents above all, reach only numbers the user chose:
        # a transfer target or an extension, never any number said (a prompt
        # could otherwise send calls to a premium-rate line).
        raise _UnresolvedError(
            f"{number} is not one of your transfer targets. "
            "Add it in the VoipNow options to transfer calls there by voice."
        )
    raise _UnresolvedError(f"I don't know a transfer target called {text}.")


class _VoipNowIntentHandler(intent.IntentHandler):
    """Shared plumbing: speak resolution problems instead of raising."""

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Run the handler; unresolved names and PBX errors become speech."""
        slots = self.async_validate_slots(intent_obj.slots)
        response = intent_obj.create_response()
        try:
            speech = await self._async_run(
                intent_obj.hass,
                {name: str(slot["value"]) for name, slot in slots.items()},
            )
        except _UnresolvedError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.NO_VALID_TARGETS, str(err)
            )
            return response
        except HomeAssistantError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, str(err)
            )
            return response
        response.async_set_speech(speech)
        return response

    async def _async_run(self, hass: HomeAssistant, slots: dict[str, str]) -> str:
        """Do the work and return what to say."""
        raise NotImplementedError


class TransferCallIntentHandler(_VoipNowIntentHandler):
    """Transfer the current phone call."""

    intent_type = INTENT_TRANSFER
    description = (
        "Transfers the current phone call on the VoipNow phone system to one "
        "of the user's transfer targets (for example Reception, Mobile, or a "
        "voicemail box, by name or by its number) or to another extension. "
        "Other phone numbers are refused. "
        "Use `extension` only when several phones have calls."
    )
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Required("target"): cv.string,
        vol.Optional("extension"): cv.string,
    }

    async def _async_run(self, hass: HomeAssistant, slots: dict[str, str]) -> str:
        """Transfer and say where the call went."""
        active = _find_call(hass, slots.get("extension"))
        label, number, voicemail = _resolve_target(active, slots["target"])
        await async_transfer_call(
            active.coordinator,
            extension=active.extension,
            phone_call_id=active.call.phone_call_id,
            send_call_to=number,
            to_voicemail=voicemail,
        )
        who = _who(active.call)
        if voicemail:
            return f"Sent the call with {who} to voicemail of {label}."
        return f"Transferred the call with {who} to {label}."


class HangUpIntentHandler(_VoipNowIntentHandler):
    """Hang up the current phone call."""

    intent_type = INTENT_HANGUP
    description = (
        "Hangs up the current phone call on the VoipNow phone system. "
        "Use `extension` only when several phones have calls."
    )
    slot_schema = {vol.Optional("extension"): cv.string}  # noqa: RUF012

    async def _async_run(self, hass: HomeAssistant, slots: dict[str, str]) -> str:
        """Hang up and say with whom."""
        active = _find_call(hass, slots.get("extension"))
        await async_hangup_call(
            active.coordinator,
            extension=active.extension,
            phone_call_id=active.call.phone_call_id,
        )
        return f"Hung up the call with {_who(active.call)}."


class WhoIsCallingIntentHandler(_VoipNowIntentHandler):
    """Say who is calling (or on the line)."""

    intent_type = INTENT_WHO_IS_CALLING
    description = (
        "Tells who is calling a phone of the VoipNow phone system right now, "
        "or who is on the line."
    )
    slot_schema = {vol.Optional("extension"): cv.string}  # noqa: RUF012

    async def _async_run(self, hass: HomeAssistant, slots: dict[str, str]) -> str:
        """Describe the ringing or ongoing calls."""
        extension_text = slots.get("extension")
        ringing: list[str] = []
        talking: list[str] = []
        for coordinator in _coordinators(hass):
            for number in coordinator.extensions:
                if extension_text and not _matches_extension(
                    coordinator, number, extension_text
                ):
                    continue
                label = _extension_label(coordinator, number)
                for call in coordinator.data.state_of(number).calls:
                    if call.state is CallState.RINGING and (
                        call.direction is CallDirection.INCOMING
                    ):
                        ringing.append(f"{_who(call)} is calling {label}")
                    elif call.state in (CallState.ON_CALL, CallState.ON_HOLD):
                        # A sentence starts with a capital: "Extension 210 is ..."
                        talking.append(
                            f"{label[:1].upper()}{label[1:]} is on a call with {_who(call)}"
                        )
        if ringing:
            return ". ".join(ringing) + "."
        if talking:
            return ". ".join(talking) + "."
        return "Nobody is calling."
