"""Voice intents: transfer the current call, hang up, ask who is calling.

Handlers answer in words. A name that matches nothing, or several things, gets
a spoken explanation rather than an exception, so local Assist and LLM-based
agents can relay it. The descriptions are written for LLM agents.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.util import dt as dt_util

from . import call_voice, phonebook_voice, queue_voice
from .actions import async_hangup_call, async_transfer_call
from .const import CallDirection, CallState
from .coordinator import VoipNowCoordinator
from .permissions import async_check_voice
from .phrases import capitalised, listing, say
from .validation import vol
from .voice import (
    ActiveCall,
    UnresolvedError,
    VoiceIntent,
    VoiceScope,
    VoipNowIntentHandler,
    extension_label,
    find_call,
    resolve_target,
    unknown_extension,
    who,
)

INTENT_TRANSFER = "VoipNowTransferCall"
INTENT_HANGUP = "VoipNowHangUp"
INTENT_WHO_IS_CALLING = "VoipNowWhoIsCalling"
INTENT_MISSED_CALLS = "VoipNowMissedCalls"
INTENT_QUEUE_AGENT = "VoipNowQueueAgent"
INTENT_QUEUE_STATUS = "VoipNowQueueStatus"
INTENT_MAKE_CALL = "VoipNowMakeCall"
# Missed callers said by name, the most recent first.
MAX_SAID = 3


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the VoipNow intents (the `intent` integration awaits this hook)."""
    for spec in (*INTENTS, *call_voice.INTENTS):
        intent.async_register(hass, VoipNowIntentHandler(spec))


async def _async_check(scope: VoiceScope, active: ActiveCall) -> None:
    """Check that the user may act on the call by voice (Unauthorized if not)."""
    await async_check_voice(
        scope.hass, scope.context, active.coordinator, [active.extension]
    )


async def _async_transfer_call(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Transfer and say where the call went."""
    active = find_call(scope, slots.get("extension"))
    label, number, voicemail = resolve_target(scope, active, slots["target"])
    await _async_check(scope, active)
    await async_transfer_call(
        active.coordinator,
        extension=active.extension,
        phone_call_id=active.call.phone_call_id,
        send_call_to=number,
        to_voicemail=voicemail,
    )
    key = "sent_to_voicemail" if voicemail else "transferred"
    return say(
        scope.language, key, party=who(active.call, scope.language), target=label
    )


async def _async_hang_up(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Hang up and say with whom."""
    active = find_call(scope, slots.get("extension"))
    await _async_check(scope, active)
    await async_hangup_call(
        active.coordinator,
        extension=active.extension,
        phone_call_id=active.call.phone_call_id,
    )
    return say(scope.language, "hung_up", party=who(active.call, scope.language))


async def _async_who_is_calling(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Describe the ringing or ongoing calls."""
    language = scope.language
    named = _named(scope, slots.get("extension"))
    ringing: list[str] = []
    talking: list[str] = []
    for coordinator, number in named:
        label = extension_label(coordinator, number, language)
        for call in coordinator.data.state_of(number).calls:
            party = who(call, language)
            if call.state is CallState.RINGING and (
                call.direction is CallDirection.INCOMING
            ):
                ringing.append(
                    say(language, "is_calling", party=party, extension=label)
                )
            elif call.state in (CallState.ON_CALL, CallState.ON_HOLD):
                talking.append(say(language, "on_a_call", party=party, extension=label))
    said = ringing or talking
    if said:
        return ". ".join(capitalised(sentence) for sentence in said) + "."
    return say(language, "nobody_calling")


async def _async_missed_calls(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Count the missed calls of the named phones (or all) and name callers."""
    language = scope.language
    extension_text = slots.get("extension")
    named = _named(scope, extension_text)
    today = slots.get("period") == "today"
    since = dt_util.start_of_local_day() if today else None
    histories = [
        data[number]
        for coordinator, number in named
        if (data := coordinator.config_entry.runtime_data.history.data)
        and number in data
    ]
    if not histories:
        raise UnresolvedError("history_unavailable")
    missed = [
        call
        for history in histories
        for call in history.missed
        if since is None or call.started >= since
    ]
    count = len(missed) + (
        0 if today else sum(history.overflow for history in histories)
    )
    one = extension_text is not None and len(named) == 1
    where = "_on" if one else ""
    when = "_today" if today else ""
    values = {"extension": extension_label(*named[0], language)} if one else {}
    if not count:
        return say(language, f"no_missed{where}{when}", **values)
    recent = sorted(missed, key=lambda call: call.started, reverse=True)
    callers = list(dict.fromkeys(who(call, language) for call in recent))
    amount = "one" if count == 1 else "many"
    return say(
        language,
        f"missed_{amount}{where}{when}",
        count=str(count),
        callers=listing(language, callers[:MAX_SAID]),
        **values,
    )


async def _async_queue_agent(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Set the agent's status in the named queue (or out of all queues)."""
    status = slots["status"]
    agent, queues = await queue_voice.async_set_status(
        scope, slots["agent"], slots.get("queue"), status
    )
    return queue_voice.said_status(scope.language, agent, queues, status)


async def _async_queue_status(scope: VoiceScope, slots: dict[str, str]) -> str:
    """List the queue's online agents."""
    return queue_voice.said_online(scope, slots["queue"])


async def _async_make_call(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Call and say whom, from which phone."""
    return await phonebook_voice.async_call_contact(
        scope, slots["contact"], slots.get("extension")
    )


INTENTS = (
    VoiceIntent(
        INTENT_TRANSFER,
        "Transfers the current phone call on the VoipNow phone system to one "
        "of the user's transfer targets (for example Reception, Mobile, or a "
        "voicemail box, by name or by its number) or to another extension. "
        "Other phone numbers are refused. "
        "Use `extension` only when several phones have calls.",
        {
            vol.Required("target"): cv.string,
            vol.Optional("extension"): cv.string,
        },
        _async_transfer_call,
    ),
    VoiceIntent(
        INTENT_HANGUP,
        "Hangs up the current phone call on the VoipNow phone system. "
        "Use `extension` only when several phones have calls.",
        {vol.Optional("extension"): cv.string},
        _async_hang_up,
    ),
    VoiceIntent(
        INTENT_WHO_IS_CALLING,
        "Tells who is calling a phone of the VoipNow phone system right now, "
        "or who is on the line.",
        {vol.Optional("extension"): cv.string},
        _async_who_is_calling,
    ),
    VoiceIntent(
        INTENT_MISSED_CALLS,
        "Tells how many calls nobody answered on the phones of the VoipNow "
        "phone system since their missed-call badge was last cleared, and "
        "who the most recent callers were. Set `period` to `today` for "
        "today's missed calls only, and `extension` for one phone.",
        {
            vol.Optional("extension"): cv.string,
            vol.Optional("period"): vol.In(["today"]),
        },
        _async_missed_calls,
    ),
    VoiceIntent(
        INTENT_QUEUE_AGENT,
        "Logs an agent (an extension of the VoipNow phone system) into a "
        "call queue, pauses it there, or logs it out. `queue` is the name "
        "the user gave the queue; leave it out to log the agent out of all "
        "queues. `status` is online, paused or logged_out.",
        {
            vol.Required("agent"): cv.string,
            vol.Optional("queue"): cv.string,
            vol.Required("status"): vol.In(["online", "paused", "logged_out"]),
        },
        _async_queue_agent,
    ),
    VoiceIntent(
        INTENT_QUEUE_STATUS,
        "Tells which agents are online (taking calls), paused or logged out "
        "in a call queue of the VoipNow phone system, by the queue's name.",
        {vol.Required("queue"): cv.string},
        _async_queue_status,
    ),
    VoiceIntent(
        INTENT_MAKE_CALL,
        "Places a call on the VoipNow phone system from one of its phones "
        "(`extension`) to a person of the user's phonebook, by name "
        "(`contact`, for example Mum). The phone rings first.",
        {
            vol.Required("contact"): cv.string,
            vol.Optional("extension"): cv.string,
        },
        _async_make_call,
    ),
)


def _named(
    scope: VoiceScope, extension_text: str | None
) -> list[tuple[VoipNowCoordinator, str]]:
    """Return the extensions a sentence names (all, when it names none)."""
    named = scope.named(extension_text)
    if extension_text and not named:
        raise unknown_extension(extension_text, scope.language)
    return named
