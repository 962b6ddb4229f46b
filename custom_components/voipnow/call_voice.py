"""Voice intents of the call actions: park a call, pick it up elsewhere, record it.

Listening in has no sentence: it is an administrator's action, logged.
"""

from __future__ import annotations

from homeassistant.helpers import config_validation as cv

from .call_actions import async_call_feature
from .call_features import FEATURES
from .const import ATTR_EXTENSION, ATTR_FORMAT, ATTR_PHONE_CALL_ID, ATTR_SEND_CALL_TO
from .phrases import listing, say
from .validation import vol
from .voice import (
    UnresolvedError,
    VoiceIntent,
    VoiceScope,
    extension_label,
    find_call,
    unknown_extension,
    who,
)

INTENT_PARK = "VoipNowParkCall"
INTENT_PICKUP = "VoipNowPickUpCall"
INTENT_RECORDING = "VoipNowRecording"


async def _async_park(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Park the current call and say whose."""
    active = find_call(scope, slots.get("extension"))
    await async_call_feature(
        active.coordinator,
        FEATURES["park_call"],
        {
            ATTR_EXTENSION: active.extension,
            ATTR_PHONE_CALL_ID: active.call.phone_call_id,
            "max_in_parking": 180,
        },
    )
    return say(scope.language, "parked", party=who(active.call, scope.language))


async def _async_pick_up(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Answer an extension's ringing call on the named extension and say where."""
    language = scope.language
    active = find_call(scope, slots.get("extension"))
    named = [
        number
        for coordinator, number in scope.named(slots["target"])
        if coordinator is active.coordinator
    ]
    if not named:
        raise unknown_extension(slots["target"], language)
    if len(named) > 1:
        labels = [extension_label(active.coordinator, n, language) for n in named]
        raise UnresolvedError(
            "ambiguous_target",
            name=slots["target"],
            targets=listing(language, labels),
        )
    await async_call_feature(
        active.coordinator,
        FEATURES["pickup_call"],
        {
            ATTR_EXTENSION: active.extension,
            ATTR_PHONE_CALL_ID: active.call.phone_call_id,
            ATTR_SEND_CALL_TO: named[0],
        },
    )
    return say(
        language,
        "picked_up",
        party=who(active.call, language),
        target=extension_label(active.coordinator, named[0], language),
    )


async def _async_recording(scope: VoiceScope, slots: dict[str, str]) -> str:
    """Start or stop recording the current call and say so."""
    active = find_call(scope, slots.get("extension"))
    start = slots["action"] == "start"
    data = {
        ATTR_EXTENSION: active.extension,
        ATTR_PHONE_CALL_ID: active.call.phone_call_id,
    }
    if start:
        data[ATTR_FORMAT] = "wav"
    await async_call_feature(
        active.coordinator,
        FEATURES["start_recording" if start else "stop_recording"],
        data,
    )
    key = "recording_started" if start else "recording_stopped"
    return say(scope.language, key, party=who(active.call, scope.language))


INTENTS = (
    VoiceIntent(
        INTENT_PARK,
        "Parks the current phone call on the VoipNow phone system, to be "
        "picked up later. Use `extension` only when several phones have calls.",
        {vol.Optional("extension"): cv.string},
        _async_park,
    ),
    VoiceIntent(
        INTENT_PICKUP,
        "Answers the call ringing on one phone of the VoipNow phone system "
        "(`extension`) on another phone of the same system (`target`), both "
        "by name or number.",
        {vol.Optional("extension"): cv.string, vol.Required("target"): cv.string},
        _async_pick_up,
    ),
    VoiceIntent(
        INTENT_RECORDING,
        "Starts or stops recording the current phone call on the VoipNow "
        "phone system (`action` is start or stop). Use `extension` only when "
        "several phones have calls.",
        {
            vol.Required("action"): vol.In(["start", "stop"]),
            vol.Optional("extension"): cv.string,
        },
        _async_recording,
    ),
)
