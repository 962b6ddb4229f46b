"""The blueprints name a caller from the phonebook (#24), end to end.

A real Home Assistant, the repository's blueprints, the simulated PBX pushing
its callbacks: a caller the user's phonebook knows, who calls with a number
written differently and a name of their own choosing, is named by the
phonebook in the ringing and the missed-call notifications and in the spoken
announcement; the PBX's name and the number stay where the blueprint shows
them.
"""

from __future__ import annotations

from datetime import datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.conftest import EXT_OFFICE, simulator_entry
from voipnow_simulator import VoipNowSimulator

from .push_helpers import PUSH_ENTRY_ID, async_setup_push
from .test_blueprints import (
    JOHN,
    async_settle,
    async_use,
    blueprint_folder,  # noqa: F401 - loads the repository's blueprints
)

# John's number as the user wrote it in the phonebook (United States); the
# PBX sends it in E.164 with a name John chose.
PHONEBOOK = [{"name": "Uncle John", "number": "(555) 123-4567"}]


@pytest.fixture
async def phonebook_integration(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: VoipNowSimulator,
) -> MockConfigEntry:
    """An entry with push (callbacks) and a phonebook, in the United States."""
    hass.config.country = "US"
    entry = simulator_entry(
        simulator, {"phonebook": PHONEBOOK}, push=True, entry_id=PUSH_ENTRY_ID
    )
    await async_setup_push(hass, hass_client_no_auth, entry)
    return entry


async def _async_notifications(
    hass: HomeAssistant, entry: MockConfigEntry, blueprint: str
) -> list[ServiceCall]:
    """Use a notifying blueprint; return the notifications it will send."""
    sent = async_mock_service(hass, "notify", "my_phone")
    await async_use(hass, blueprint, entry, notify_action="notify.my_phone")
    return sent


async def test_ringing_notification_names_the_caller(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    phonebook_integration: MockConfigEntry,
) -> None:
    """The ringing call notification says the phonebook's name, with the number."""
    sent = await _async_notifications(
        hass, phonebook_integration, "ringing_call_notification"
    )

    await simulator.incoming_call(EXT_OFFICE, JOHN, "Spam Caller Inc")
    await async_settle(hass)

    [note] = sent
    assert note.data["title"] == "Incoming call"
    assert note.data["message"] == (
        f"Uncle John ({JOHN}) is calling Extension {EXT_OFFICE}."
    )


async def test_missed_call_notification_names_the_caller(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    phonebook_integration: MockConfigEntry,
) -> None:
    """The missed-call notification says the phonebook's name; a stranger keeps the PBX's."""
    sent = await _async_notifications(
        hass, phonebook_integration, "missed_call_call_back"
    )

    for number in (JOHN, "+15559876543"):
        call_id = await simulator.incoming_call(EXT_OFFICE, number, "Spam Caller Inc")
        await async_settle(hass)
        await simulator.hangup_call(call_id, "CANCEL")
        await async_settle(hass)

    assert [note.data["message"] for note in sent] == [
        f"Uncle John ({JOHN}) called Extension {EXT_OFFICE}.",
        f"Spam Caller Inc (+15559876543) called Extension {EXT_OFFICE}.",
    ]
    assert all(note.data["title"] == "Missed call" for note in sent)


async def test_announcement_says_the_phonebook_name(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    phonebook_integration: MockConfigEntry,
) -> None:
    """The announce blueprint speaks the phonebook's name, not the PBX's."""
    noon: datetime = dt_util.now().replace(hour=12, minute=0, second=0, microsecond=0)
    freezer.move_to(noon)
    spoken = async_mock_service(hass, "tts", "speak")
    await async_use(
        hass,
        "announce_caller",
        phonebook_integration,
        tts_engine="tts.test",
        speakers=["media_player.kitchen"],
    )

    await simulator.incoming_call(EXT_OFFICE, JOHN, "Spam Caller Inc")
    await async_settle(hass)

    [speak] = spoken
    assert speak.data["message"] == "Call from Uncle John"
