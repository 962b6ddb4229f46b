"""The blueprints in `blueprints/automation/voipnow`: valid, and working end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.voipnow.devices import device_entry
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

REPOSITORY = Path(__file__).parents[2]
BLUEPRINTS = REPOSITORY / "blueprints"
OURS = sorted((BLUEPRINTS / "automation" / "voipnow").glob("*.yaml"))
SOURCE = (
    "https://github.com/voipnow-ha/voipnow-homeassistant/blob/main/"
    "blueprints/automation/voipnow/"
)
JOHN = "+15551234567"
MOBILE = "+15557654321"


@pytest.fixture(autouse=True)
def blueprint_folder() -> Iterator[None]:
    """Load blueprints from the repository's folder, as if it were the config's."""
    with patch.object(
        models.DomainBlueprints,
        "blueprint_folder",
        property(lambda self: BLUEPRINTS / self.domain),
    ):
        yield


@pytest.fixture(autouse=True)
def country(hass: HomeAssistant) -> None:
    """Home Assistant is set up in the United States (the kind of numbers)."""
    hass.config.country = "US"


# An automation run waiting for a trigger or a timeout is a task that does not
# end by itself; everything else (callbacks, refreshes, actions) is waited for.
_WAITING_RUNS = frozenset(
    {"AutomationEntity._async_trigger_if_enabled", "Script.async_run"}
)


async def async_settle(hass: HomeAssistant) -> None:
    """Let callbacks, refreshes and automations run, up to their waits."""
    await asyncio.sleep(0)
    while pending := [
        task
        for task in hass._tasks | hass._background_tasks
        if task.get_coro().__qualname__ not in _WAITING_RUNS  # type: ignore[union-attr]
    ]:
        await asyncio.wait(pending)
        await asyncio.sleep(0)


async def async_runs_done(hass: HomeAssistant, name: str) -> None:
    """Wait until the automation has no run left (its last action is done)."""
    async with asyncio.timeout(10):
        while True:
            await async_settle(hass)
            state = hass.states.get(f"automation.{name}")
            if state is not None and state.attributes.get("current") == 0:
                return
            await asyncio.sleep(0.01)


def office(push_integration: MockConfigEntry) -> str:
    """The office extension's device id."""
    device = device_entry(push_integration.runtime_data.calls, EXT_OFFICE)
    assert device is not None
    return device.id


async def async_use(
    hass: HomeAssistant, name: str, entry: MockConfigEntry, **inputs: Any
) -> None:
    """Set up an automation from one of our blueprints, on the office's device."""
    blueprint = {
        "path": f"voipnow/{name}.yaml",
        "input": {"extension": office(entry), **inputs},
    }
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {automation.DOMAIN: {"alias": name, "use_blueprint": blueprint}},
    )
    await hass.async_block_till_done()
    state = hass.states.get(f"automation.{name}")
    assert state is not None
    assert state.state == "on", "the blueprint did not validate"


async def async_miss(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    number: str = JOHN,
    name: str = "John Doe",
    extension: str = EXT_OFFICE,
) -> str:
    """Ring an extension until a listing shows it, then let the caller give up."""
    call_id = await simulator.incoming_call(extension, number, name)
    await async_settle(hass)  # a listing shows the call
    await simulator.hangup_call(call_id, "CANCEL")
    await async_settle(hass)
    return call_id


def posts(simulator: VoipNowSimulator, mark: int) -> list[Any]:
    """The bodies of the POST and PUT requests the PBX received since `mark`."""
    return [
        request.json
        for request in simulator.requests[mark:]
        if request.method in ("POST", "PUT") and request.json is not None
    ]


# --- every blueprint ---------------------------------------------------------------


def test_four_blueprints() -> None:
    """The issues ask for four; each is found."""
    assert [path.name for path in OURS] == [
        "announce_caller.yaml",
        "forward_when_away.yaml",
        "missed_call_call_back.yaml",
        "ringing_call_notification.yaml",
    ]


@pytest.mark.parametrize("path", OURS, ids=lambda path: path.stem)
def test_blueprint_is_valid(path: Path) -> None:
    """Each validates, links to itself, and picks only VoipNow extensions."""
    blueprint = models.Blueprint(
        yaml_util.load_yaml_dict(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )

    metadata = blueprint.metadata
    assert metadata["source_url"] == SOURCE + path.name
    assert metadata["description"]
    assert metadata["homeassistant"]["min_version"] == "2025.4.0"
    for key, field in metadata["input"].items():
        assert field["name"], key
        assert "selector" in field, key
    extension = metadata["input"]["extension"]["selector"]["device"]
    assert extension["filter"] == [
        {"integration": "voipnow", "model": "VoipNow extension"}
    ]


@pytest.mark.parametrize("path", OURS, ids=lambda path: path.stem)
def test_readme_has_an_import_badge(path: Path) -> None:
    """The documentation links each blueprint with a "My Home Assistant" badge.

    In the README, or in the user pages under `docs/` it is moving to.
    """
    pages = [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").rglob("*.md"))]
    text = "\n".join(page.read_text("utf-8") for page in pages)
    url = "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
    assert re.search(re.escape(url) + r"[^)\s]*" + re.escape(path.name), text)


# --- missed call with Call back ------------------------------------------------------


@pytest.fixture
async def notifications(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    request: pytest.FixtureRequest,
) -> list[ServiceCall]:
    """The missed-call blueprint on the office, notifying a test notify action.

    A test may give more of the blueprint's inputs as the fixture's parameter.
    """
    sent = async_mock_service(hass, "notify", "my_phone")
    await async_use(
        hass,
        "missed_call_call_back",
        push_integration,
        notify_action="notify.my_phone",
        **getattr(request, "param", {}),
    )
    return sent


async def test_missed_call_notification_and_call_back(
    hass: HomeAssistant, simulator: VoipNowSimulator, notifications: list[ServiceCall]
) -> None:
    """A missed call notifies with a Call back button; pressing it calls back."""
    await async_miss(hass, simulator)

    [note] = notifications
    assert note.data["title"] == "Missed call"
    assert note.data["message"] == f"John Doe ({JOHN}) called Extension {EXT_OFFICE}."
    [button] = note.data["data"]["actions"]
    assert button["title"] == "Call back"
    assert button["action"].startswith("VOIPNOW_CALL_BACK_")
    assert note.data["data"]["tag"] == button["action"]
    mark = len(simulator.requests)

    # Another notification's button does nothing.
    hass.bus.async_fire(
        "mobile_app_notification_action", {"action": "VOIPNOW_CALL_BACK_other"}
    )
    await async_settle(hass)
    assert posts(simulator, mark) == []

    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})
    await async_runs_done(hass, "missed_call_call_back")

    [call_back] = posts(simulator, mark)
    # The office rings first, then the caller, with the + kept.
    assert call_back["extension"] == EXT_OFFICE
    assert call_back["phoneCallView"] == [
        {"source": [EXT_OFFICE], "destination": [JOHN]}
    ]

    # A second press calls nobody: the automation run is over.
    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})
    await async_settle(hass)
    assert len(posts(simulator, mark)) == 1


@pytest.mark.parametrize(
    "notifications", [{"call_back_window": {"minutes": 5}}], indirect=True
)
async def test_missed_call_button_expires(
    hass: HomeAssistant, simulator: VoipNowSimulator, notifications: list[ServiceCall]
) -> None:
    """After the chosen time, pressing Call back does nothing."""
    await async_miss(hass, simulator)
    [button] = notifications[0].data["data"]["actions"]

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await async_runs_done(hass, "missed_call_call_back")
    mark = len(simulator.requests)
    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})
    await async_settle(hass)

    assert posts(simulator, mark) == []


async def test_missed_call_from_a_hidden_number(
    hass: HomeAssistant, simulator: VoipNowSimulator, notifications: list[ServiceCall]
) -> None:
    """A hidden number gets a notification without a button; others are ignored."""
    # The kitchen's missed call and the office's answered one notify nobody.
    await async_miss(hass, simulator, extension=EXT_KITCHEN)
    answered = await simulator.incoming_call(EXT_OFFICE, JOHN, "John Doe")
    await async_settle(hass)  # a listing shows the call
    await simulator.answer_call(answered)
    await async_settle(hass)  # a listing shows the call
    await simulator.hangup_call(answered)
    await async_settle(hass)
    assert notifications == []

    await async_miss(hass, simulator, "", "")

    [note] = notifications
    assert note.data["message"] == f"A hidden number called Extension {EXT_OFFICE}."
    assert "data" not in note.data


@pytest.mark.parametrize(
    ("notifications", "number", "button"),
    [
        ({}, "+447911123456", False),
        ({"call_back_kinds": ["national"]}, "+447911123456", False),
        (
            {"call_back_kinds": ["extension", "national", "international"]},
            "+447911123456",
            True,
        ),
        ({}, JOHN, True),
        ({"call_back_kinds": ["extension"]}, JOHN, False),
        ({}, EXT_KITCHEN, True),
        ({"call_back_kinds": ["national"]}, EXT_KITCHEN, False),
    ],
    indirect=["notifications"],
    ids=[
        "abroad-by_default",
        "abroad-national_only",
        "abroad-allowed",
        "national-by_default",
        "national-extension_only",
        "extension-by_default",
        "extension-national_only",
    ],
)
async def test_call_back_only_for_allowed_kinds(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    notifications: list[ServiceCall],
    number: str,
    button: bool,
) -> None:
    """By default extensions and national numbers get Call back; abroad, only if allowed."""
    await async_miss(hass, simulator, number, "Caller")

    [note] = notifications
    assert note.data["message"] == f"Caller ({number}) called Extension {EXT_OFFICE}."
    assert ("data" in note.data) is button


async def test_caller_name_is_shown_as_text(
    hass: HomeAssistant, simulator: VoipNowSimulator, notifications: list[ServiceCall]
) -> None:
    """Markdown in a caller's name makes no link or emphasis in the notification."""
    await async_miss(hass, simulator, JOHN, "*Win* [prize](http://e.vil)")

    [note] = notifications
    assert note.data["message"] == (
        r"\*Win\* \[prize\]\(http://e\.vil\) "
        f"({JOHN}) called Extension {EXT_OFFICE}."
    )


# --- forward when nobody is home ------------------------------------------------------


@pytest.fixture
async def away(hass: HomeAssistant, push_integration: MockConfigEntry) -> None:
    """Home is empty, and the forwarding blueprint watches the office."""
    assert await async_setup_component(hass, "zone", {})
    await hass.async_block_till_done()
    assert hass.states.get("zone.home").state == "0"
    await async_use(
        hass,
        "forward_when_away",
        push_integration,
        send_call_to=MOBILE,
        ring_time={"seconds": 20},
    )


async def async_ring_for(hass: HomeAssistant, seconds: int) -> None:
    """Let time pass while the phone rings."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await async_settle(hass)


@pytest.mark.usefixtures("away")
async def test_forwarded_after_ringing_unanswered(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """Nobody home, nobody answers: after 20 s the call goes to the mobile."""
    call_id = await simulator.incoming_call(EXT_OFFICE, JOHN, "John Doe")
    await async_settle(hass)
    mark = len(simulator.requests)

    await async_ring_for(hass, 10)
    assert posts(simulator, mark) == []
    await async_ring_for(hass, 21)
    await async_runs_done(hass, "forward_when_away")

    [transfer] = [r for r in simulator.requests[mark:] if r.method == "PUT"]
    assert transfer.path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"
    assert transfer.json == {
        "action": "Transfer",
        "sendCallTo": MOBILE,
        "transferFromNumber": EXT_OFFICE,
    }


@pytest.mark.usefixtures("away")
@pytest.mark.parametrize(
    "stop",
    [
        lambda simulator, call_id: simulator.answer_call(call_id),
        lambda simulator, call_id: simulator.hangup_call(call_id, "CANCEL"),
    ],
    ids=["answered", "caller_gave_up"],
)
async def test_not_forwarded_when_the_ringing_stops(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    stop: Callable[[VoipNowSimulator, str], Awaitable[None]],
) -> None:
    """A call answered, or given up by its caller, within the ring time stays."""
    call_id = await simulator.incoming_call(EXT_OFFICE, JOHN, "John Doe")
    await async_settle(hass)
    mark = len(simulator.requests)

    await async_ring_for(hass, 5)
    await stop(simulator, call_id)
    await async_settle(hass)
    await async_ring_for(hass, 30)
    await async_runs_done(hass, "forward_when_away")

    assert posts(simulator, mark) == []


@pytest.mark.usefixtures("away")
async def test_not_forwarded_when_somebody_is_home(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """With someone in the zone, calls ring as usual."""
    hass.states.async_set("zone.home", "1")
    await simulator.incoming_call(EXT_OFFICE, JOHN, "John Doe")
    await async_settle(hass)
    mark = len(simulator.requests)

    await async_ring_for(hass, 30)
    await async_runs_done(hass, "forward_when_away")

    assert posts(simulator, mark) == []


# --- announce the caller ---------------------------------------------------------------


@pytest.fixture
async def speech(
    hass: HomeAssistant,
    push_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> list[ServiceCall]:
    """The announce blueprint on the office, with a test text-to-speech action."""
    spoken = async_mock_service(hass, "tts", "speak")
    await async_use(
        hass,
        "announce_caller",
        push_integration,
        tts_engine="tts.test",
        speakers=["media_player.kitchen", "media_player.living_room"],
        quiet_start="22:00:00",
        quiet_end="07:00:00",
    )
    return spoken


def at(hour: int) -> datetime:
    """Today at an hour of Home Assistant's time zone."""
    return dt_util.now().replace(hour=hour, minute=30, second=0, microsecond=0)


@pytest.mark.parametrize(
    ("hour", "caller", "said"),
    [
        (12, ("5551234", "John Doe"), "Call from John Doe"),
        (12, (JOHN, ""), "Call from + 1 5 5 5 1 2 3 4 5 6 7"),
        (21, ("", ""), "Call from an unknown number"),
        (23, ("5551234", "John Doe"), None),
        (6, ("5551234", "John Doe"), None),
        (7, ("5551234", "John Doe"), "Call from John Doe"),
    ],
)
async def test_announce_the_caller(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    freezer: FrozenDateTimeFactory,
    speech: list[ServiceCall],
    hour: int,
    caller: tuple[str, str],
    said: str | None,
) -> None:
    """Outside quiet hours the caller's name, else the number, is spoken."""
    freezer.move_to(at(hour))

    await simulator.incoming_call(EXT_OFFICE, *caller)
    await async_settle(hass)

    if said is None:
        assert speech == []
        return
    [speak] = speech
    assert speak.data["message"] == said
    assert speak.data["entity_id"] == ["tts.test"]
    assert speak.data["media_player_entity_id"] == [
        "media_player.kitchen",
        "media_player.living_room",
    ]


async def test_announce_only_incoming_calls_of_the_extension(
    hass: HomeAssistant, simulator: VoipNowSimulator, speech: list[ServiceCall]
) -> None:
    """The kitchen's calls and the office's own outgoing calls are not announced."""
    await simulator.incoming_call(EXT_KITCHEN, "5551234", "John Doe")
    await async_settle(hass)  # a listing shows the call
    await simulator.outgoing_call(EXT_OFFICE, "5559876")
    await async_settle(hass)

    assert speech == []
