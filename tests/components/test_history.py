"""Call history from the PBX's CDR: missed-call badges, the last call, the actions.

Everything runs against the simulator's CDR, over HTTP, as a user sees it:
sensor states, buttons, actions and the CDR requests the PBX received.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.voipnow.call_event import signal_entry_call_event
from custom_components.voipnow.const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE, async_load
from voipnow_simulator import VoipNowSimulator

from .helpers import OFFICE_CALL_STATE, async_poll
from .push_helpers import async_settle, async_setup_push, push_entry

OFFICE_MISSED = "sensor.extension_0003_210_missed_calls"
KITCHEN_MISSED = "sensor.extension_0003_211_missed_calls"
OFFICE_LAST_CALL = "sensor.extension_0003_210_last_call"
OFFICE_CLEAR = "button.extension_0003_210_clear_missed_calls"
CDR_PATH = "/uapi/cdr"


def cdr_requests(simulator: VoipNowSimulator) -> int:
    """Count the CDR requests the PBX received."""
    return len(simulator.api_requests("GET", CDR_PATH))


def missed(hass: HomeAssistant, entity_id: str = OFFICE_MISSED) -> str:
    """The missed-call count a dashboard shows."""
    return hass.states.get(entity_id).state


async def async_missed_call(
    simulator: VoipNowSimulator,
    extension: str = EXT_OFFICE,
    number: str = "5551234",
    name: str = "John Doe",
) -> str:
    """Ring an extension and let the caller give up."""
    call_id = await simulator.incoming_call(extension, number, name)
    await simulator.hangup_call(call_id)
    return call_id


async def async_history_refresh(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> str:
    """Let the five minutes between two CDR reads pass; the office's missed count."""
    await async_poll(hass, freezer, timedelta(minutes=5, seconds=1))
    return missed(hass)


async def async_history(hass: HomeAssistant, **data: Any) -> list[dict[str, Any]]:
    """Run `voipnow.get_call_history` and return its calls."""
    response = await hass.services.async_call(
        DOMAIN, "get_call_history", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return list(response["calls"])


# --- the missed-call badge -----------------------------------------------------


async def test_missed_calls_count_from_events_and_clear(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Each missed call counts once (event, then CDR); the button clears it.

    A call too short for any listing to show fires no event: only the CDR
    counts it.
    """
    await async_setup_push(hass, hass_client_no_auth, push_entry(simulator))
    assert missed(hass) == "0"
    await async_missed_call(simulator, EXT_KITCHEN)
    await async_settle(hass)
    assert missed(hass, KITCHEN_MISSED) == "0"

    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    await simulator.hangup_call(call_id)
    await async_settle(hass)
    assert missed(hass) == "1"
    state = hass.states.get(OFFICE_MISSED)
    assert state.attributes["remote_number"] == "5551234"
    assert state.attributes["caller_name"] == "John Doe"
    assert state.attributes["last_missed"] is not None

    # The CDR shows the same call: still one.
    assert await async_history_refresh(hass, freezer) == "1"
    # An answered call is not missed.
    answered = await simulator.incoming_call(EXT_OFFICE, "5559876", "Jane Roe")
    await async_settle(hass)
    await simulator.answer_call(answered)
    await simulator.hangup_call(answered)
    await async_settle(hass)
    assert await async_history_refresh(hass, freezer) == "1"
    assert missed(hass, KITCHEN_MISSED) == "1"
    last = hass.states.get(OFFICE_LAST_CALL)
    assert last.attributes["outcome"] == "answered"
    assert last.attributes["caller_name"] == "Jane Roe"

    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: OFFICE_CLEAR}, blocking=True
    )
    assert missed(hass) == "0"
    assert hass.states.get(OFFICE_MISSED).attributes["last_missed"] is None
    assert await async_history_refresh(hass, freezer) == "0"


async def test_calls_ended_by_one_poll_all_show(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Calls of several extensions that end between two polls all count at once."""
    garage_missed = "sensor.extension_0003_212_missed_calls"
    calls = {}
    for extension in (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE):
        calls[extension] = await simulator.incoming_call(extension, "5551234")
    await async_poll(hass, freezer)
    before = cdr_requests(simulator)
    # The kitchen answers; the others give up. One poll sees all three end.
    await simulator.answer_call(calls[EXT_KITCHEN])
    for call_id in calls.values():
        await simulator.hangup_call(call_id)
    await async_poll(hass, freezer)

    # Shown from the poll itself, before the CDR is read again.
    assert cdr_requests(simulator) == before
    assert missed(hass) == "1"
    assert missed(hass, garage_missed) == "1"
    assert hass.states.get(garage_missed).attributes["remote_number"] == "5551234"
    # One CDR read for the whole burst: it counts nothing twice, and tells
    # what polling could not see (the kitchen answered between two polls).
    await async_poll(hass, freezer, timedelta(seconds=20))
    assert cdr_requests(simulator) == before + 1
    assert (missed(hass), missed(hass, garage_missed)) == ("1", "1")
    assert missed(hass, KITCHEN_MISSED) == "0"


@pytest.mark.parametrize("extension", [EXT_OFFICE, "210", None])
async def test_clear_action(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    extension: str | None,
) -> None:
    """The action clears one extension's badge, or every extension's."""
    await async_missed_call(simulator, EXT_OFFICE)
    await async_missed_call(simulator, EXT_KITCHEN)
    await async_history_refresh(hass, freezer)
    assert (missed(hass), missed(hass, KITCHEN_MISSED)) == ("1", "1")

    await hass.services.async_call(
        DOMAIN,
        "clear_missed_calls",
        {"extension": extension} if extension else {},
        blocking=True,
    )

    assert missed(hass) == "0"
    assert missed(hass, KITCHEN_MISSED) == ("1" if extension else "0")


async def test_clear_answers_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The action has no response to give: asking for one is refused."""
    assert (
        hass.services.supports_response(DOMAIN, "clear_missed_calls")
        is SupportsResponse.NONE
    )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "clear_missed_calls", {}, blocking=True, return_response=True
        )


async def test_clear_unknown_extension(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Clearing an extension the PBX does not have is a clear error."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "clear_missed_calls", {"extension": "0003*999"}, blocking=True
        )

    assert err.value.translation_key == "unknown_extension"


async def test_missed_while_home_assistant_was_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Calls missed while Home Assistant was down count once it is back, once."""
    await async_missed_call(simulator)
    assert await async_history_refresh(hass, freezer) == "1"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    # Away: two more missed calls, and an answered one.
    freezer.tick(timedelta(hours=2))
    await async_missed_call(simulator, number="5550199", name="")
    freezer.tick(timedelta(minutes=1))
    await async_missed_call(simulator, number="+40215550100", name="Acme Corp")
    freezer.tick(timedelta(minutes=1))
    answered = await simulator.incoming_call(EXT_OFFICE, "5559876")
    await simulator.answer_call(answered)
    await simulator.hangup_call(answered)
    # A record the PBX wrote for a call that came in before the restart.
    simulator.add_cdr_record(
        EXT_OFFICE,
        "5550142",
        name="Dr. Ada Lovelace",
        started=dt_util.utcnow() - timedelta(minutes=30),
        disposition=1,
    )

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()

    assert missed(hass) == "4"
    state = hass.states.get(OFFICE_MISSED)
    assert state.attributes["caller_name"] == "Acme Corp"
    assert state.attributes["remote_number"] == "+40215550100"
    # Read again: nothing is counted twice.
    assert await async_history_refresh(hass, freezer) == "4"
    assert hass.states.get(OFFICE_LAST_CALL).attributes["outcome"] == "answered"


async def test_a_busy_pbx_is_written_at_most_every_five_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """A call missed every minute: the counts are written every 5 minutes, not each time.

    Clearing the badge is written at once, and an unloading entry writes what
    is pending.
    """
    entry = push_entry(simulator)
    await async_setup_push(hass, hass_client_no_auth, entry)
    key = f"{DOMAIN}.history.{entry.entry_id}"
    written: list[tuple[int, int]] = []
    for minute in range(1, 13):
        call_id = await simulator.incoming_call(EXT_OFFICE, f"55500{minute:02d}")
        await async_settle(hass)
        await simulator.hangup_call(call_id)
        await async_settle(hass)
        await async_poll(hass, freezer, timedelta(minutes=1))
        stored = hass_storage.get(key, {}).get("data", {}).get("extensions", {})
        count = len(stored.get(EXT_OFFICE, {}).get("missed", []))
        if not written or written[-1][1] != count:
            written.append((minute, count))
    assert missed(hass) == "12"
    # The first call is written 5 minutes after it, with those that came
    # meanwhile; the next call 5 minutes after it.
    assert written == [(1, 0), (5, 5), (10, 10)]

    def stored_missed() -> int:
        return len(hass_storage[key]["data"]["extensions"][EXT_OFFICE]["missed"])

    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: OFFICE_CLEAR}, blocking=True
    )
    await async_poll(hass, freezer, timedelta(seconds=1))
    assert stored_missed() == 0
    call_id = await simulator.incoming_call(EXT_OFFICE, "5550100")
    await async_settle(hass)
    await simulator.hangup_call(call_id)
    await async_settle(hass)
    assert missed(hass) == "1"
    assert stored_missed() == 0

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert stored_missed() == 1


async def test_a_busy_outage_is_read_in_full(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """More records than the CDR's offsets reach (5000 + a page) all count, once."""
    await async_history_refresh(hass, freezer)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    # A day away, and a busy one: a missed call every 12 seconds.
    freezer.tick(timedelta(days=1))
    now = dt_util.utcnow()
    for index in range(6000):
        simulator.add_cdr_record(
            EXT_OFFICE,
            f"555{index:05d}",
            started=now - timedelta(seconds=12 * index + 60),
        )

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()

    assert missed(hass) == "6000"
    starts = [
        int(r.query.get("startIndex", "0"))
        for r in simulator.api_requests("GET", CDR_PATH)
    ]
    assert max(starts) <= 5000
    # Read again: nothing is counted twice.
    assert await async_history_refresh(hass, freezer) == "6000"


async def test_missed_before_the_entry_existed_do_not_count(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A new entry starts at zero: old records are history, not a badge."""
    simulator.add_cdr_record(
        EXT_OFFICE, "5551234", started=dt_util.utcnow() - timedelta(hours=3)
    )
    await async_load(hass, mock_config_entry)

    assert missed(hass) == "0"
    assert hass.states.get(OFFICE_LAST_CALL).state != "unknown"


# --- what it costs the PBX ----------------------------------------------------------


@pytest.mark.parametrize("with_calls", [False, True])
async def test_cdr_request_budget(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    with_calls: bool,
) -> None:
    """Every 5 minutes, and once shortly after a burst of ended calls; no more."""
    await async_setup_push(hass, hass_client_no_auth, push_entry(simulator))
    start = cdr_requests(simulator)
    bursts = 0
    for minute in range(60):
        if with_calls and minute % 10 == 3:
            # A burst: three calls end within a few seconds.
            before = cdr_requests(simulator)
            for extension in (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE):
                await async_missed_call(simulator, extension)
            await async_settle(hass)
            # Nothing at once: the burst may go on.
            assert cdr_requests(simulator) == before
            await async_poll(hass, freezer, timedelta(seconds=20))
            # One read for the whole burst.
            assert cdr_requests(simulator) == before + 1
            bursts += 1
            await async_poll(hass, freezer, timedelta(seconds=40))
            continue
        await async_poll(hass, freezer, timedelta(minutes=1))

    made = cdr_requests(simulator) - start
    # A read after a burst stands in for the five-minute one it comes before.
    assert 12 <= made <= 12 + bursts
    if with_calls:
        assert missed(hass) == str(bursts)
        assert missed(hass, KITCHEN_MISSED) == str(bursts)


# --- a PBX without the CDR service ----------------------------------------------------


@pytest.mark.parametrize("status", [404, 501])
async def test_pbx_without_cdr(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    """Only the history entities are unavailable; calls and actions work."""
    simulator.set_modes(cdr_available=False, cdr_missing_status=status)
    await async_load(hass, mock_config_entry)

    assert hass.states.get(OFFICE_MISSED).state == STATE_UNAVAILABLE
    assert hass.states.get(OFFICE_LAST_CALL).state == STATE_UNAVAILABLE
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    await hass.services.async_call(
        DOMAIN, "hangup_call", {"extension": EXT_OFFICE}, blocking=True
    )
    assert call_id not in simulator.calls
    for _ in range(3):
        await async_history_refresh(hass, freezer)
    failures = [
        record
        for record in caplog.records
        if "call history" in record.getMessage() and record.levelname == "ERROR"
    ]
    assert len(failures) == 1
    with pytest.raises(Exception, match=r"call history|refused"):
        await async_history(hass)


# --- get_call_history -------------------------------------------------------------------


@pytest.fixture
async def history(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> dict[str, str]:
    """Four finished calls a minute apart: missed, answered, outgoing, missed."""
    ids = {"missed": await async_missed_call(simulator)}
    freezer.tick(timedelta(minutes=1))
    answered = await simulator.incoming_call(EXT_OFFICE, "5559876", "Jane Roe")
    await simulator.answer_call(answered)
    await simulator.hangup_call(answered)
    freezer.tick(timedelta(minutes=1))
    outgoing = await simulator.outgoing_call(EXT_OFFICE, "+15551234567")
    await simulator.answer_call(outgoing)
    await simulator.hangup_call(outgoing)
    freezer.tick(timedelta(minutes=1))
    ids["kitchen"] = await async_missed_call(simulator, EXT_KITCHEN, "5550199", "")
    freezer.tick(timedelta(minutes=1))
    return ids


@pytest.mark.usefixtures("history")
async def test_call_history_default(hass: HomeAssistant) -> None:
    """The last 24 hours, newest first, each call as its extension saw it."""
    calls = await async_history(hass)

    # The CDR's dispositions have no "cancelled": the caller who gave up is
    # a call nobody answered.
    assert [(c["extension"], c["direction"], c["outcome"]) for c in calls] == [
        (EXT_KITCHEN, "incoming", "no_answer"),
        (EXT_OFFICE, "outgoing", "answered"),
        (EXT_OFFICE, "incoming", "answered"),
        (EXT_OFFICE, "incoming", "no_answer"),
    ]
    assert set(calls[0]) == {
        "started",
        "answered",
        "extension",
        "direction",
        "remote_number",
        "caller_name",
        "outcome",
    }
    assert calls[1]["remote_number"] == "+15551234567"
    assert calls[2]["caller_name"] == "Jane Roe"
    assert calls[2]["answered"] is not None
    assert calls[3]["answered"] is None


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"outcome": "missed"}, [(EXT_KITCHEN, "5550199"), (EXT_OFFICE, "5551234")]),
        (
            {"outcome": "answered"},
            [(EXT_OFFICE, "+15551234567"), (EXT_OFFICE, "5559876")],
        ),
        ({"direction": "outgoing"}, [(EXT_OFFICE, "+15551234567")]),
        (
            {"extension": "210", "direction": "incoming"},
            [(EXT_OFFICE, "5559876"), (EXT_OFFICE, "5551234")],
        ),
        ({"extension": EXT_KITCHEN}, [(EXT_KITCHEN, "5550199")]),
        ({"limit": 1}, [(EXT_KITCHEN, "5550199")]),
        ({"outcome": "missed", "extension": EXT_GARAGE}, []),
    ],
)
async def test_call_history_filters(
    hass: HomeAssistant, data: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """Each filter narrows the answer."""
    calls = await async_history(hass, **data)

    assert [(c["extension"], c["remote_number"]) for c in calls] == expected


@pytest.mark.usefixtures("history")
async def test_call_history_period(hass: HomeAssistant) -> None:
    """`since` and `until` bound the period (nothing an hour from now)."""
    later = dt_util.now() + timedelta(hours=1)

    assert (
        await async_history(hass, since=later, until=later + timedelta(hours=1)) == []
    )
    assert len(await async_history(hass, since=dt_util.now() - timedelta(hours=1))) == 4


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"limit": 0}, "vol"),
        ({"limit": 201}, "vol"),
        ({"outcome": "lost"}, "vol"),
        ({"direction": "sideways"}, "vol"),
        ({"since": "yesterday"}, "vol"),
        ({"extension": "0003*999"}, "unknown_extension"),
        ({"extension": "abc"}, "invalid_field"),
        (
            {
                "since": "2026-11-30T12:00:00+00:00",
                "until": "2026-11-30T11:00:00+00:00",
            },
            "invalid_period",
        ),
    ],
)
async def test_call_history_bad_input(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    error: str,
) -> None:
    """Bad input gets a clear error, and nothing is asked of the PBX."""
    before = cdr_requests(simulator)

    with pytest.raises(Exception) as err:
        await async_history(hass, **data)

    if error == "vol":
        assert (
            "voluptuous" in type(err.value).__module__
            or "Invalid" in type(err.value).__name__
            or "probatio" in type(err.value).__module__
        )
    else:
        assert isinstance(err.value, ServiceValidationError)
        assert err.value.translation_key == error
    assert cdr_requests(simulator) == before


async def test_unload_drops_a_pending_show(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A call that ends as the entry unloads asks for no CDR read afterwards."""
    before = cdr_requests(simulator)
    async_dispatcher_send(
        hass,
        signal_entry_call_event(init_integration.entry_id),
        {
            ATTR_CONFIG_ENTRY_ID: init_integration.entry_id,
            "extension": EXT_OFFICE,
            "type": "missed",
            "first_seen": dt_util.utcnow().isoformat(),
            "direction": "incoming",
            "phone_call_id": "4242",
            "remote_number": "5551234",
        },
    )
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    await async_poll(hass, freezer, timedelta(minutes=1))

    assert cdr_requests(simulator) == before
