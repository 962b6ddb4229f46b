"""Voice acts with the speaker's permissions, as the actions do.

A read-only user who asks Assist (or an LLM agent) to hang up, transfer or
change a queue agent is refused in their language, and nothing is sent; an
ordinary user, an administrator and a request with no user are served.
"""

from __future__ import annotations

from typing import Any

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.intent import (
    INTENT_HANGUP,
    INTENT_QUEUE_AGENT,
    INTENT_TRANSFER,
)
from custom_components.voipnow.phrases import PHRASES
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

from .voice_helpers import entry_with_targets

SALES = "0003*300"
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (INTENT_HANGUP, {}),
    (INTENT_TRANSFER, {"target": {"value": "Reception"}}),
    (
        INTENT_QUEUE_AGENT,
        {
            "agent": {"value": "210"},
            "queue": {"value": "Sales"},
            "status": {"value": "paused"},
        },
    ),
]


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """The entry with the target Reception (the kitchen) and the queue Sales."""
    simulator.add_queue(SALES, "Sales", {EXT_OFFICE: 1})
    entry = entry_with_targets(
        simulator, [{"name": "Reception", "number": EXT_KITCHEN, "voicemail": False}]
    )
    return MockConfigEntry(
        domain=entry.domain,
        title=entry.title,
        unique_id=entry.unique_id,
        data=entry.data,
        options={**entry.options, "queues": [{"name": "Sales", "number": SALES}]},
        entry_id=entry.entry_id,
    )


@pytest.fixture
async def ringing(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> None:
    """Intents are set up; the office rings; no request is recorded yet."""
    assert await async_setup_component(hass, "intent", {})
    await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await init_integration.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()
    simulator.clear_requests()


async def async_user(hass: HomeAssistant, group: str) -> User:
    """A real user of one of Home Assistant's groups (not the owner)."""
    if not any(user.is_owner for user in await hass.auth.async_get_users()):
        await hass.auth.async_create_user("Owner", group_ids=["system-admin"])
    return await hass.auth.async_create_user(group, group_ids=[group])


def changes(simulator: VoipNowSimulator) -> int:
    """How many requests would change something on the PBX."""
    return len(
        [r for r in simulator.api_requests() if r.method in ("PUT", "POST", "DELETE")]
    )


@pytest.mark.parametrize("language", ["en", "de", "fr"])
@pytest.mark.parametrize(("intent_type", "slots"), REQUESTS)
@pytest.mark.usefixtures("ringing")
async def test_read_only_speaker_is_refused(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    language: str,
    intent_type: str,
    slots: dict[str, Any],
) -> None:
    """The refusal is said in the speaker's language; nothing reaches the PBX."""
    user = await async_user(hass, "system-read-only")

    response = await intent.async_handle(
        hass,
        "test",
        intent_type,
        slots,
        context=Context(user_id=user.id),
        language=language,
    )

    assert response.error_code is intent.IntentResponseErrorCode.FAILED_TO_HANDLE
    assert response.speech["plain"]["speech"] == PHRASES[language]["not_allowed"]
    assert simulator.api_requests() == []


@pytest.mark.parametrize("who", ["system-users", "system-admin", None])
@pytest.mark.parametrize(("intent_type", "slots"), REQUESTS)
@pytest.mark.usefixtures("ringing")
async def test_others_are_served(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    who: str | None,
    intent_type: str,
    slots: dict[str, Any],
) -> None:
    """An ordinary user, an administrator and an automation get what they ask."""
    user_id = (await async_user(hass, who)).id if who else None

    response = await intent.async_handle(
        hass, "test", intent_type, slots, context=Context(user_id=user_id)
    )

    assert response.error_code is None
    assert changes(simulator) == 1
