"""Voice intents: transfer the current call, hang up, ask who is calling.

Handlers answer in words. A name that matches nothing, or several things, gets
a spoken explanation rather than an exception, so local Assist and LLM-based
agents can relay it. The descriptions are written for LLM agents.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.util import dt as dt_util

from . import queue_voice
from .actions import async_hangup_call, async_transfer_call
from .const import CallDirection, CallState
from .validation import vol
from .voice import (
    UnresolvedError,
    VoiceScope,
    extension_label,
    find_call,
    resolve_target,
    who,
)

INTENT_TRANSFER = "VoipNowTransferCall"
INTENT_HANGUP = "VoipNowHangUp"
INTENT_WHO_IS_CALLING = "VoipNowWhoIsCalling"
INTENT_MISSED_CALLS = "VoipNowMissedCalls"
INTENT_QUEUE_AGENT = "VoipNowQueueAgent"
INTENT_QUEUE_STATUS = "VoipNowQueueStatus"
# Missed callers said by name, the most recent first.
MAX_SAID = 3


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the VoipNow intents (the `intent` integration awaits this hook)."""
    intent.async_register(hass, TransferCallIntentHandler())
    intent.async_register(hass, HangUpIntentHandler())
    intent.async_register(hass, WhoIsCallingIntentHandler())
    intent.async_register(hass, MissedCallsIntentHandler())
    intent.async_register(hass, QueueAgentIntentHandler())
    intent.async_register(hass, QueueStatusIntentHandler())


class _VoipNowIntentHandler(intent.IntentHandler):
    """Shared plumbing: speak resolution problems instead of raising."""

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Run the handler; unresolved names and PBX errors become speech."""
        slots = self.async_validate_slots(intent_obj.slots)
        response = intent_obj.create_response()
        try:
            speech = await self._async_run(
                VoiceScope(intent_obj.hass, intent_obj.assistant),
                {name: str(slot["value"]) for name, slot in slots.items()},
            )
        except UnresolvedError as err:
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

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
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

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Transfer and say where the call went."""
        active = find_call(scope, slots.get("extension"))
        label, number, voicemail = resolve_target(scope, active, slots["target"])
        await async_transfer_call(
            active.coordinator,
            extension=active.extension,
            phone_call_id=active.call.phone_call_id,
            send_call_to=number,
            to_voicemail=voicemail,
        )
        party = who(active.call)
        if voicemail:
            return f"Sent the call with {party} to voicemail of {label}."
        return f"Transferred the call with {party} to {label}."


class HangUpIntentHandler(_VoipNowIntentHandler):
    """Hang up the current phone call."""

    intent_type = INTENT_HANGUP
    description = (
        "Hangs up the current phone call on the VoipNow phone system. "
        "Use `extension` only when several phones have calls."
    )
    slot_schema = {vol.Optional("extension"): cv.string}  # noqa: RUF012

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Hang up and say with whom."""
        active = find_call(scope, slots.get("extension"))
        await async_hangup_call(
            active.coordinator,
            extension=active.extension,
            phone_call_id=active.call.phone_call_id,
        )
        return f"Hung up the call with {who(active.call)}."


class WhoIsCallingIntentHandler(_VoipNowIntentHandler):
    """Say who is calling (or on the line)."""

    intent_type = INTENT_WHO_IS_CALLING
    description = (
        "Tells who is calling a phone of the VoipNow phone system right now, "
        "or who is on the line."
    )
    slot_schema = {vol.Optional("extension"): cv.string}  # noqa: RUF012

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Describe the ringing or ongoing calls."""
        extension_text = slots.get("extension")
        named = scope.named(extension_text)
        if extension_text and not named:
            raise UnresolvedError(f"I don't know an extension called {extension_text}.")
        ringing: list[str] = []
        talking: list[str] = []
        for coordinator, number in named:
            label = extension_label(coordinator, number)
            for call in coordinator.data.state_of(number).calls:
                if call.state is CallState.RINGING and (
                    call.direction is CallDirection.INCOMING
                ):
                    ringing.append(f"{who(call)} is calling {label}")
                elif call.state in (CallState.ON_CALL, CallState.ON_HOLD):
                    # A sentence starts with a capital: "Extension 210 is ..."
                    talking.append(
                        f"{label[:1].upper()}{label[1:]} is on a call with {who(call)}"
                    )
        if ringing:
            return ". ".join(ringing) + "."
        if talking:
            return ". ".join(talking) + "."
        return "Nobody is calling."


class MissedCallsIntentHandler(_VoipNowIntentHandler):
    """Say how many calls were missed, and who called."""

    intent_type = INTENT_MISSED_CALLS
    description = (
        "Tells how many calls nobody answered on the phones of the VoipNow "
        "phone system since their missed-call badge was last cleared, and "
        "who the most recent callers were. Set `period` to `today` for "
        "today's missed calls only, and `extension` for one phone."
    )
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Optional("extension"): cv.string,
        vol.Optional("period"): vol.In(["today"]),
    }

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Count the missed calls of the named phones (or all) and name callers."""
        extension_text = slots.get("extension")
        named = scope.named(extension_text)
        if extension_text and not named:
            raise UnresolvedError(f"I don't know an extension called {extension_text}.")
        today = slots.get("period") == "today"
        since = dt_util.start_of_local_day() if today else None
        histories = [
            data[number]
            for coordinator, number in named
            if (data := coordinator.config_entry.runtime_data.history.data)
            and number in data
        ]
        if not histories:
            raise UnresolvedError("The call history is not available right now.")
        missed = [
            call
            for history in histories
            for call in history.missed
            if since is None or call.started >= since
        ]
        count = len(missed) + (
            0 if today else sum(history.overflow for history in histories)
        )
        where = (
            f" on {extension_label(*named[0])}"
            if extension_text and len(named) == 1
            else ""
        )
        when = " today" if today else ""
        if not count:
            return f"No missed calls{where}{when}."
        recent = sorted(missed, key=lambda call: call.started, reverse=True)
        callers = list(dict.fromkeys(who(call) for call in recent))[:MAX_SAID]
        calls = "1 missed call" if count == 1 else f"{count} missed calls"
        return f"{calls}{where}{when}, from {_and(callers)}."


class QueueAgentIntentHandler(_VoipNowIntentHandler):
    """Log an agent into a call queue, pause it, or log it out."""

    intent_type = INTENT_QUEUE_AGENT
    description = (
        "Logs an agent (an extension of the VoipNow phone system) into a "
        "call queue, pauses it there, or logs it out. `queue` is the name "
        "the user gave the queue; leave it out to log the agent out of all "
        "queues. `status` is online, paused or logged_out."
    )
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Required("agent"): cv.string,
        vol.Optional("queue"): cv.string,
        vol.Required("status"): vol.In(["online", "paused", "logged_out"]),
    }

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Set the agent's status in the named queue (or out of all queues)."""
        status = slots["status"]
        agent, queues = await queue_voice.async_set_status(
            scope, slots["agent"], slots.get("queue"), status
        )
        return queue_voice.said_status(agent, queues, status)


class QueueStatusIntentHandler(_VoipNowIntentHandler):
    """Say who is online in a call queue."""

    intent_type = INTENT_QUEUE_STATUS
    description = (
        "Tells which agents are online (taking calls), paused or logged out "
        "in a call queue of the VoipNow phone system, by the queue's name."
    )
    slot_schema = {vol.Required("queue"): cv.string}  # noqa: RUF012

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """List the queue's online agents."""
        return queue_voice.said_online(scope, slots["queue"])


def _and(items: list[str]) -> str:
    """Say a list: `A`, `A and B`, `A, B and C`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
