"""The integration against each documented variant of a real VoipNow server.

Every test runs the integration in a real `hass` against the simulator in the
mode that plays one variant the UnifiedAPI pages document (or contradict
themselves about), and checks what a user sees: states, events, errors and
the requests the PBX received.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.voipnow.const import DOMAIN
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE, async_load
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    KITCHEN_CALL_STATE,
    OFFICE_CALL_STATE,
    PUSH_SCAN_INTERVAL,
    SUBSCRIBE_RETRY,
    async_poll,
    async_state,
    calls_requests,
)
from .push_helpers import (
    OFFICE_CALL_EVENT,
    async_answer_and_hang_up,
    async_ours,
    async_settle,
    async_setup_push,
    bus_types,
    push_entry,
    record_bus_events,
    record_fired,
)

EVENTS_PREFIX = "/uapi/extensions/@me/0003"


async def async_push(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    **modes: Any,
) -> MockConfigEntry:
    """Set up push against the simulator playing the given server variant."""
    if modes:
        simulator.set_modes(**modes)
    entry = push_entry(simulator)
    await async_setup_push(hass, hass_client_no_auth, entry)
    return entry


def ours_warned(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the integration's warnings and errors."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.voipnow")
        and record.levelno >= logging.WARNING
    ]


def outcomes(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """Return (type, outcome) of the bus events, in order."""
    return [(event["type"], event.get("outcome")) for event in events]


# --- 1. onHold, ringing, parked are dates; holder says who held ----------------


async def test_hold_is_a_date_and_holder_says_who(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A call on hold shows `on_hold` for both parties, with who put it there."""
    entry = await async_push(hass, simulator, hass_client_no_auth)
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await simulator.answer_call(call_id)
    await simulator.hold_call(call_id, EXT_KITCHEN)

    await entry.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()

    listing = simulator.call_json(simulator.get_call(call_id))
    assert all(isinstance(view["onHold"], str) for view in listing["phoneCallView"])
    office = hass.states.get(OFFICE_CALL_STATE)
    kitchen = hass.states.get(KITCHEN_CALL_STATE)
    assert (office.state, office.attributes["held_by_extension"]) == ("on_hold", False)
    assert (kitchen.state, kitchen.attributes["held_by_extension"]) == ("on_hold", True)

    await simulator.unhold_call(call_id)
    await entry.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()
    office = hass.states.get(OFFICE_CALL_STATE)
    assert office.state == "on_call"
    assert "held_by_extension" not in office.attributes


async def test_unknown_status_with_a_ringing_date_is_ringing(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A view with status 0 and the documented `ringing` date rings."""
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    body = simulator.call_json(simulator.get_call(call_id))
    for view in body["phoneCallView"]:
        view["status"] = "0"
    simulator.inject_fault(
        "custom",
        path_prefix="/uapi/phoneCalls",
        body=f'{{"entry": [{_json(body)}], "totalResults": 1}}',
    )

    await init_integration.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()

    assert body["phoneCallView"][0]["ringing"]
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"


def _json(data: Any) -> str:
    """Write JSON for a scripted answer."""
    import json

    return json.dumps(data)


# --- 2. a 3.x server documents event types 0-2 only ------------------------------


async def test_server_with_event_types_0_to_2(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Types 3 and 4 refused as documented: no failure, no warning, asked once."""
    entry = await async_push(
        hass, simulator, hass_client_no_auth, event_types=[0, 1, 2]
    )

    assert sorted(sub.type for sub in await async_ours(hass, simulator)) == [
        0,
        0,
        0,
        1,
        1,
        1,
        2,
        2,
        2,
    ]
    assert ours_warned(caplog) == []
    assert issue_registry.issues == {}
    push = entry.runtime_data.calls.push
    assert push is not None
    assert push.as_diagnostics()["event_types"] == [0, 1, 2]
    assert push.as_diagnostics()["failed_extensions"] == []
    # Types 3 and 4 were asked for once (for the first extension), not again.
    posts = len(simulator.api_requests("POST", EVENTS_PREFIX))
    assert posts == 9 + 2

    # Push counts as working: a call's callbacks slow polling to once a minute.
    events = record_bus_events(hass)
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    await simulator.answer_call(call_id)  # no answer callback on this server
    await simulator.hangup_call(call_id)  # CallStatus ANSWER
    await async_settle(hass)
    assert outcomes(events) == [
        ("incoming_call", None),
        ("answered", None),
        ("ended", "answered"),
    ]
    polls = calls_requests(simulator)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert calls_requests(simulator) == polls
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)
    assert calls_requests(simulator) == polls + 1

    # Hours later, still not asked again until a reload.
    await async_poll(hass, freezer, SUBSCRIBE_RETRY * 3)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.api_requests("POST", EVENTS_PREFIX)) == posts
    assert ours_warned(caplog) == []


async def test_answer_learnt_from_polling_on_a_3x_server(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without answer callbacks, the next listing shows the call answered."""
    await async_push(hass, simulator, hass_client_no_auth, event_types=[0, 1, 2])
    states = record_fired(hass, OFFICE_CALL_EVENT)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    await simulator.answer_call(call_id)

    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)

    assert [s.attributes["event_type"] for s in states] == ["incoming_call", "answered"]
    assert hass.states.get(OFFICE_CALL_STATE).state == "on_call"


# --- 3. the hangup's CallStatus says how the call ended ----------------------------


@pytest.mark.parametrize(
    ("end", "event", "outcome"),
    [
        ("hangup", "missed", "cancelled"),
        ("reject", "missed", "busy"),
        ("ring_out", "missed", "no_answer"),
        ("congestion", "missed", "failed"),
        ("chanunavail", "missed", "failed"),
    ],
)
async def test_how_an_unanswered_call_ended(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    end: str,
    event: str,
    outcome: str,
) -> None:
    """Every `missed` carries the outcome the hangup callback gave."""
    await async_push(hass, simulator, hass_client_no_auth)
    events = record_bus_events(hass)
    states = record_fired(hass, OFFICE_CALL_EVENT)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)

    if end == "hangup":
        await simulator.hangup_call(call_id)
    elif end == "reject":
        await simulator.reject_call(call_id)
    elif end == "ring_out":
        await simulator.ring_out(call_id)
    else:
        await simulator.fail_call(call_id, end.upper())
    await async_settle(hass)

    assert outcomes(events) == [("incoming_call", None), (event, outcome)]
    assert states[-1].attributes["outcome"] == outcome


async def test_answered_between_two_listings_with_its_answer_lost(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The answer callback is lost: the hangup's ANSWER says it was answered."""
    await async_push(hass, simulator, hass_client_no_auth)
    events = record_bus_events(hass)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    simulator.block_callbacks()
    await simulator.answer_call(call_id)
    simulator.block_callbacks(False)

    await simulator.hangup_call(call_id)
    await async_settle(hass)

    assert outcomes(events) == [
        ("incoming_call", None),
        ("answered", None),
        ("ended", "answered"),
    ]


async def test_legacy_server_says_answer_or_unknown(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An older server says only ANSWER or UNKNOWN: unanswered is `unknown`."""
    await async_push(hass, simulator, hass_client_no_auth, hangup_status="legacy")
    events = record_bus_events(hass)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)

    await simulator.reject_call(call_id)
    await async_settle(hass)

    assert outcomes(events) == [("incoming_call", None), ("missed", "unknown")]


# --- 4. only the view says this extension answered ---------------------------------


@pytest.mark.parametrize("modes", [{}, {"event_types": [0, 1, 2]}])
async def test_picked_up_elsewhere_is_not_missed(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    modes: dict[str, Any],
) -> None:
    """A colleague picks up: the ringing phone ends `answered_elsewhere`."""
    entry = await async_push(hass, simulator, hass_client_no_auth, **modes)
    events = record_bus_events(hass)
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)

    await simulator.pickup_call(call_id, EXT_KITCHEN)
    await async_settle(hass)
    await entry.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()

    office = [
        (e["type"], e.get("outcome")) for e in events if e["extension"] == EXT_OFFICE
    ]
    assert office == [("incoming_call", None), ("ended", "answered_elsewhere")]
    assert "missed" not in bus_types(events)
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    assert hass.states.get(KITCHEN_CALL_STATE).state == "on_call"


async def test_ring_group_answered_between_listings_by_polling(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Polling only: the call moved to an answering colleague between listings."""
    events = record_bus_events(hass)
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer)

    await simulator.pickup_call(call_id, EXT_KITCHEN)
    await async_poll(hass, freezer)

    def of(extension: str) -> list[tuple[str, str | None]]:
        return outcomes([e for e in events if e["extension"] == extension])

    assert of(EXT_OFFICE) == [
        ("incoming_call", None),
        ("ended", "answered_elsewhere"),
    ]
    assert of(EXT_KITCHEN) == [("incoming_call", None), ("answered", None)]


# --- 5. hanging up a call that already ended ----------------------------------------


@pytest.mark.parametrize(
    ("domain", "service", "target"),
    [
        (DOMAIN, "hangup_call", {"extension": EXT_OFFICE}),
        (
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: "button.extension_0003_210_hang_up"},
        ),
    ],
    ids=["action", "button"],
)
async def test_hangup_of_an_ended_call_says_so(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    domain: str,
    service: str,
    target: dict[str, str],
) -> None:
    """DELETE answers 204: the action and the button say the call had ended."""
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await init_integration.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()
    # The PBX ends it; Home Assistant has not listed the calls since.
    simulator.block_callbacks()
    await simulator.hangup_call(call_id)
    if domain == DOMAIN:
        target = {**target, "phone_call_id": call_id}

    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(domain, service, target, blocking=True)

    assert err.value.translation_key == "call_ended"
    (delete,) = simulator.api_requests("DELETE")
    assert delete.path.endswith(call_id)
    assert await async_state(hass, OFFICE_CALL_STATE, background=True) == "idle"


# --- 6. ids of up to 255 characters ----------------------------------------------


async def test_long_ids_everywhere(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Long call and subscription ids: actions work and removal cleans up."""
    entry = await async_push(hass, simulator, hass_client_no_auth, long_ids=True)
    assert len(simulator.subscriptions) == 15
    assert all(len(sub.id) >= 200 for sub in simulator.subscriptions.values())
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    assert len(call_id) >= 200

    await hass.services.async_call(
        DOMAIN,
        "hangup_call",
        {"extension": EXT_OFFICE, "phone_call_id": call_id},
        blocking=True,
    )
    assert call_id not in simulator.calls

    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.subscriptions == {}


# --- 7. dates without a zone ----------------------------------------------------------


async def test_dates_without_zone_are_kept(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Zone-less dates are read in Home Assistant's time zone, never dropped."""
    await hass.config.async_set_time_zone("Europe/Bucharest")
    simulator.set_modes(naive_dates=True, time_zone="Europe/Bucharest")
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await simulator.answer_call(call_id)
    await async_load(hass, mock_config_entry)

    (call,) = mock_config_entry.runtime_data.calls.data.calls
    assert call.published is not None
    assert call.published.tzinfo == ZoneInfo("Europe/Bucharest")
    assert abs(datetime.now(ZoneInfo("UTC")) - call.published) < timedelta(minutes=1)
    assert hass.states.get(OFFICE_CALL_STATE).state == "on_call"


# --- 8. newer servers put the event type in the path -------------------------------------


@pytest.mark.parametrize("refusal", [404, 405, 501, 400])
async def test_v5_server_wants_the_type_in_the_path(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    refusal: int,
) -> None:
    """The 3.x form is tried once; the v5 form is then used for everything."""
    entry = await async_push(
        hass,
        simulator,
        hass_client_no_auth,
        subscription_path="path",
        v5_refusal_status=refusal,
    )

    assert len(await async_ours(hass, simulator)) == 15
    posts = [r.path for r in simulator.api_requests("POST", EVENTS_PREFIX)]
    assert len(posts) == 16
    assert posts[0].endswith("/phoneCallEvents/")
    assert all(not path.endswith("/") for path in posts[1:])
    assert entry.runtime_data.calls.push.as_diagnostics()["event_type_in_path"] is True
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_GARAGE)
    await async_settle(hass)
    assert bus_types(events) == ["incoming_call"]


# --- 9. and 10. callback spellings, ids, and whose caller id -------------------------------


@pytest.mark.parametrize("spelling", ["CallerIDName", "CallerIDNam"])
async def test_caller_name_under_both_spellings(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    spelling: str,
) -> None:
    """Whichever spelling the callbacks use, the caller's name is the listing's."""
    simulator.block_callbacks()
    await async_push(hass, simulator, hass_client_no_auth, caller_name_param=spelling)
    simulator.block_callbacks(False)
    events = record_bus_events(hass)

    await simulator.incoming_call(EXT_OFFICE, "5551234", "Acme Corp")
    await async_settle(hass)

    assert simulator.callbacks_sent[-1].params[spelling] == "Acme Corp"
    assert events[0]["caller_name"] == "Acme Corp"
    assert events[0]["caller_id"] == "Acme Corp <5551234>"


@pytest.fixture
async def events(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> list[dict[str, Any]]:
    """Push from a PBX whose callbacks name calls by their own CallID.

    The bus events from then on.
    """
    await async_push(
        hass, simulator, hass_client_no_auth, callback_call_ids="different"
    )
    return record_bus_events(hass)


async def test_callback_ids_other_than_the_call_id(
    hass: HomeAssistant, simulator: VoipNowSimulator, events: list[dict[str, Any]]
) -> None:
    """Callbacks name calls by their own CallID: each event fires once, listed."""
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    assert simulator.callbacks_sent[-1].params["CallID"] != call_id

    seen = await async_answer_and_hang_up(hass, simulator, call_id)

    assert seen == ["on_call", "idle"]

    assert outcomes(events) == [
        ("incoming_call", None),
        ("answered", None),
        ("ended", "answered"),
    ]
    # Events carry the PhoneCall id, never a callback's.
    assert [e["phone_call_id"] for e in events] == [call_id] * 3


async def test_actions_take_the_id_of_the_first_event(
    hass: HomeAssistant, simulator: VoipNowSimulator, events: list[dict[str, Any]]
) -> None:
    """An automation acting on the ring event's id reaches the listed call."""
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    pushed_id = events[0]["phone_call_id"]
    assert pushed_id == call_id
    mark = len(simulator.requests)

    await hass.services.async_call(
        DOMAIN,
        "transfer_call",
        {"extension": EXT_OFFICE, "phone_call_id": pushed_id, "send_call_to": "211"},
        blocking=True,
    )

    [put] = [r for r in simulator.requests[mark:] if r.method == "PUT"]
    assert put.path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"
    assert put.json["sendCallTo"] == "211"


async def test_answered_outgoing_call_with_other_callback_ids(
    hass: HomeAssistant, simulator: VoipNowSimulator, events: list[dict[str, Any]]
) -> None:
    """An outgoing call answered by the other party (event type 4), end to end."""
    call_id = await simulator.outgoing_call(EXT_OFFICE, "5559876")
    await async_settle(hass)
    assert hass.states.get(OFFICE_CALL_STATE).state == "dialing"

    seen = await async_answer_and_hang_up(hass, simulator, call_id)

    assert seen == ["on_call", "idle"]

    assert outcomes(events) == [
        ("outgoing_call", None),
        ("answered", None),
        ("ended", "answered"),
    ]
    answers = [c for c in simulator.callbacks_sent if "answer_out" in c.url]
    assert answers and answers[0].params["CallID"] != call_id


async def test_outgoing_call_never_shows_the_extensions_own_caller_id(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Both views carry the caller's id: the caller's sensor does not show it."""
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await simulator.answer_call(call_id)
    await init_integration.runtime_data.calls.async_refresh()
    await hass.async_block_till_done()

    views = simulator.call_json(simulator.get_call(call_id))["phoneCallView"]
    assert len({view.get("callerId") or view.get("callerID") for view in views}) == 1
    office = hass.states.get(OFFICE_CALL_STATE)
    kitchen = hass.states.get(KITCHEN_CALL_STATE)
    assert office.attributes["remote_number"] == EXT_KITCHEN
    assert office.attributes["caller_id"] is None
    assert kitchen.attributes["remote_number"] == EXT_OFFICE
    assert kitchen.attributes["caller_id"] is not None
