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
    VoiceScope,
    VoipNowIntentHandler,
    extension_label,
    find_call,
    unknown_extension,
    who,
)

INTENT_PARK = "VoipNowParkCall"
INTENT_PICKUP = "VoipNowPickUpCall"
INTENT_RECORDING = "VoipNowRecording"


class ParkCallIntentHandler(VoipNowIntentHandler):
    """Park the current phone call."""

    intent_type = INTENT_PARK
    description = (
        "Parks the current phone call on the VoipNow phone system, to be "
        "picked up later. Use `extension` only when several phones have calls."
    )
    slot_schema = {vol.Optional("extension"): cv.string}  # noqa: RUF012

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Park and say whose call."""
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


class PickUpCallIntentHandler(VoipNowIntentHandler):
    """Answer an extension's ringing call on another extension."""

    intent_type = INTENT_PICKUP
    description = (
        "Answers the call ringing on one phone of the VoipNow phone system "
        "(`extension`) on another phone of the same system (`target`), both "
        "by name or number."
    )
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Optional("extension"): cv.string,
        vol.Required("target"): cv.string,
    }

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Pick up on the named extension and say where."""
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


class RecordingIntentHandler(VoipNowIntentHandler):
    """Start or stop recording the current phone call."""

    intent_type = INTENT_RECORDING
    description = (
        "Starts or stops recording the current phone call on the VoipNow "
        "phone system (`action` is start or stop). Use `extension` only when "
        "several phones have calls."
    )
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Required("action"): vol.In(["start", "stop"]),
        vol.Optional("extension"): cv.string,
    }

    async def _async_run(self, scope: VoiceScope, slots: dict[str, str]) -> str:
        """Start or stop and say so."""
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


HANDLERS = (ParkCallIntentHandler, PickUpCallIntentHandler, RecordingIntentHandler)
