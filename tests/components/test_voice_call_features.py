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
import yaml

from custom_components.voipnow.const import DOMAIN
from tests.components.test_intent import async_ring, is_error, speech
from tests.components.voice_helpers import Converse, async_start_assist
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

# Per language and action: what is said (`say`) and answered (`answer`).
SAID: dict[str, dict[str, dict[str, str]]] = yaml.safe_load(
    (Path(__file__).parent / "voice_call_features.yaml").read_text(encoding="utf-8")
)
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


async def async_assist_and_call(
    hass: HomeAssistant,
    tmp_path: Path,
    simulator: VoipNowSimulator,
    language: str,
    answer: bool,
) -> tuple[Converse, str]:
    """Assist in `language`, and John Doe's call to the office (maybe answered).

    The PBX then forgets the requests so far.
    """
    hass.config.language = language
    converse = await async_start_assist(hass, tmp_path, language)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    return converse, await async_ring(hass, simulator, entry, answer=answer)


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
    converse, call_id = await async_assist_and_call(
        hass, tmp_path, simulator, language, answer=action != "pickup"
    )

    result = await converse(SAID[language][action]["say"])

    assert not is_error(result), speech(result)
    assert speech(result) == SAID[language][action]["answer"]
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
    converse, _ = await async_assist_and_call(
        hass, tmp_path, simulator, language, answer=False
    )
    sentence = SAID[language]["pickup"]["say"].replace("211", "299")

    result = await converse(sentence)

    assert is_error(result)
    assert "299" in speech(result)
    assert simulator.api_requests("PUT") == []
