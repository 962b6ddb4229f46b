"""Voice: "call Mum from the office phone", in English, German and French.

The shipped sentence file of each language is installed as a user does; the
PBX must receive one call from the office to Mum's number, and Assist says so.
Voice reaches names of the options phonebook only.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from tests.conftest import EXT_OFFICE, async_load, simulator_entry
from voipnow_simulator import VoipNowSimulator

from .helpers import OFFICE_CALL_STATE
from .voice_helpers import async_start_assist

MAKE_CALL_PATH = "/uapi/phoneCalls/@me/simple"
# language: (the office phone's name, the name in the phonebook, the sentence,
# the answer)
CASES = {
    "en": (
        "Office",
        "Mum",
        "call mum from the office phone",
        "Calling Mum from extension 210.",
    ),
    "de": (
        "Büro",
        "Mama",
        "Ruf Mama vom Büro an",
        "Ich rufe Mama von Nebenstelle 210 an.",
    ),
    "fr": (
        "Bureau",
        "Maman",
        "Appelle Maman depuis le bureau",
        "J'appelle Maman depuis le poste 210.",
    ),
}
UNKNOWN = {
    "en": (
        "call Grandma from the office phone",
        "I don't have Grandma in the phonebook.",
    ),
    "de": ("Ruf Oma von Nebenstelle 210 an", "Oma steht nicht im Telefonbuch."),
    "fr": ("Appelle Mamie depuis le poste 210", "Mamie n'est pas dans l'annuaire."),
}


def speech(result: object) -> str:
    """What Assist says."""
    return str(result.response.speech["plain"]["speech"])  # type: ignore[attr-defined]


def destinations(simulator: VoipNowSimulator) -> list[tuple[str, str]]:
    """The calls the PBX was asked to place: (from, to)."""
    return [
        (r.json["extension"], r.json["phoneCallView"][0]["destination"][0])
        for r in simulator.api_requests("POST", MAKE_CALL_PATH)
    ]


@pytest.mark.parametrize("language", list(CASES))
async def test_call_by_name(
    hass: HomeAssistant, simulator: VoipNowSimulator, tmp_path: Path, language: str
) -> None:
    """The sentence places one call to the options phonebook's number."""
    office, name, sentence, answer = CASES[language]
    entry = simulator_entry(
        simulator, {"phonebook": [{"name": name, "number": "+40215550100"}]}
    )
    await async_load(hass, entry)
    # The user named the office phone's device in their language.
    device_id = er.async_get(hass).async_get(OFFICE_CALL_STATE).device_id
    dr.async_get(hass).async_update_device(device_id, name_by_user=office)
    hass.config.language = language
    converse = await async_start_assist(hass, tmp_path, language)
    simulator.clear_requests()

    assert speech(await converse(sentence)) == answer
    assert destinations(simulator) == [(EXT_OFFICE, "+40215550100")]

    unknown, refusal = UNKNOWN[language]
    assert speech(await converse(unknown)) == refusal
    assert len(destinations(simulator)) == 1
