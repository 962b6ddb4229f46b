"""Park, pick up elsewhere and record by voice, in every language shipped.

The sentences are the shipped `custom_sentences/<language>/voipnow.yaml`;
what is said and answered per language is data, the test is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.components.test_intent import WHO, async_ring, is_error, speech
from tests.components.voice_helpers import async_start_assist
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

# Per language: (what is said, what is answered) for each action.
SAID: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "park": ("park the call", f"Parked the call with {WHO}."),
        "park_on": ("park the call on extension 210", f"Parked the call with {WHO}."),
        "pickup": (
            "pick up extension 210 on extension 211",
            f"Picked up the call from {WHO} on extension 211.",
        ),
        "start": ("record the call", f"Recording the call with {WHO}."),
        "stop": ("stop recording the call", f"Stopped recording the call with {WHO}."),
    },
    "de": {
        "park": ("Parke den Anruf", f"Anruf mit {WHO} geparkt."),
        "park_on": ("Parke den Anruf von Nebenstelle 210", f"Anruf mit {WHO} geparkt."),
        "pickup": (
            "Nimm den Anruf von Nebenstelle 210 an Nebenstelle 211 an",
            f"Anruf von {WHO} an Nebenstelle 211 angenommen.",
        ),
        "start": ("Nimm den Anruf auf", f"Der Anruf mit {WHO} wird aufgenommen."),
        "stop": ("Beende die Aufnahme", f"Aufnahme des Anrufs mit {WHO} beendet."),
    },
    "fr": {
        "park": ("Parque l'appel", f"J'ai parqué l'appel avec {WHO}."),
        "park_on": ("Parque l'appel du poste 210", f"J'ai parqué l'appel avec {WHO}."),
        "pickup": (
            "Intercepte l'appel du poste 210 sur le poste 211",
            f"J'ai intercepté l'appel de {WHO} sur le poste 211.",
        ),
        "start": ("Enregistre l'appel", f"J'enregistre l'appel avec {WHO}."),
        "stop": (
            "Arrête l'enregistrement",
            f"J'ai arrêté l'enregistrement de l'appel avec {WHO}.",
        ),
    },
}
# What each action sends besides the extension's view.
BODIES: dict[str, dict[str, Any]] = {
    "park": {"action": "Park", "maxInParking": 180},
    "park_on": {"action": "Park", "maxInParking": 180},
    "pickup": {"action": "PickUp", "sendCallTo": EXT_KITCHEN},
    "start": {"action": "StartRecording", "format": "wav"},
    "stop": {"action": "StopRecording"},
}
CASES = [
    pytest.param(language, action, id=f"{language}-{action}")
    for language, actions in SAID.items()
    for action in actions
]


@pytest.mark.parametrize(("language", "action"), CASES)
async def test_said_and_done(
    hass: HomeAssistant,
    tmp_path: Path,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    language: str,
    action: str,
) -> None:
    """The sentence sends the action's PUT once and Assist says it was done."""
    hass.config.language = language
    converse = await async_start_assist(hass, tmp_path, language)
    call_id = await async_ring(
        hass, simulator, init_integration, answer=action != "pickup"
    )
    simulator.clear_requests()
    sentence, answer = SAID[language][action]

    result = await converse(sentence)

    assert not is_error(result), speech(result)
    assert speech(result) == answer
    assert [(r.path, r.json) for r in simulator.api_requests("PUT")] == [
        (
            f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
            {"phoneCallViewId": "01", **BODIES[action]},
        )
    ]


@pytest.mark.parametrize("language", list(SAID))
async def test_pick_up_on_an_unknown_extension(
    hass: HomeAssistant,
    tmp_path: Path,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    language: str,
) -> None:
    """An extension nobody knows is said so, and nothing is sent."""
    hass.config.language = language
    converse = await async_start_assist(hass, tmp_path, language)
    await async_ring(hass, simulator, init_integration)
    simulator.clear_requests()
    sentence = SAID[language]["pickup"][0].replace("211", "299")

    result = await converse(sentence)

    assert is_error(result)
    assert "299" in speech(result)
    assert simulator.api_requests("PUT") == []
