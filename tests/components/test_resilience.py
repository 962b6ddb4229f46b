"""Resilience: malformed answers, a flapping PBX, concurrent actions, callback bursts.

Everything runs against the simulator on loopback; the PBX's misbehaviour is
injected with its fault injection (`custom` faults serve any status and body).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
import json
import logging
import random
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    get_scheduled_timer_handles,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.const import DOMAIN, EVENT_CALL
from custom_components.voipnow.diagnostics import async_get_config_entry_diagnostics
from tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    EXT_GARAGE,
    EXT_KITCHEN,
    EXT_OFFICE,
    async_load,
)
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    CALLS_PATH,
    GARAGE_CALL_STATE,
    KITCHEN_CALL_STATE,
    OFFICE_CALL_STATE,
    OFFICE_REGISTERED,
    PUSH_SCAN_INTERVAL,
    async_poll,
    async_state,
)
from .push_helpers import (
    async_ours,
    async_serve_internal,
    async_setup_push,
    base_url,
    push_entry,
)

TOKEN_PATH = "/oauth/token.php"
EXTENSIONS = (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE)
NINE_MIB = 9 * 1024 * 1024

# --- a corpus of answers to the calls listing that cannot be used -----------

_CALL = {
    "id": "c0ffee",
    "extension": EXT_OFFICE,
    "phoneCallView": [{"id": "00", "extension": EXT_OFFICE, "status": "5"}],
}


def _json(data: Any) -> bytes:
    """Encode a JSON answer."""
    return json.dumps(data).encode()


# (status, body, content type, chunked): each one fails the update.
UNUSABLE: dict[str, tuple[int, bytes, str, bool]] = {
    "not_json": (200, b"all calls are fine", "text/plain", False),
    "truncated_json": (200, b'{"entry": [{"id": "c0', "application/json", False),
    "html_200": (200, b"<html><body>Login</body></html>", "text/html", False),
    "html_502": (502, b"<html><h1>502 Bad Gateway</h1></html>", "text/html", False),
    "html_503_as_json": (503, b"<html>busy</html>", "application/json", False),
    "empty_200": (200, b"", "application/json", False),
    "whitespace_200": (200, b" \r\n\t ", "application/json", False),
    "json_string": (200, _json("entry"), "application/json", False),
    "json_number": (200, _json(42), "application/json", False),
    "json_true": (200, _json(True), "application/json", False),
    "json_null": (200, b"null", "application/json", False),
    "entry_string": (200, _json({"entry": "none"}), "application/json", False),
    "entry_number": (200, _json({"entry": 3}), "application/json", False),
    "entry_of_numbers": (200, _json({"entry": [1, 2, 3]}), "application/json", False),
    "entry_of_nulls": (200, _json({"entry": [None]}), "application/json", False),
    "list_of_strings": (200, _json(["c0ffee"]), "application/json", False),
    "call_without_id": (
        200,
        _json({"entry": [{"phoneCallView": []}]}),
        "application/json",
        False,
    ),
    "call_id_as_object": (
        200,
        _json({"entry": [{**_CALL, "id": {"value": "c0ffee"}}]}),
        "application/json",
        False,
    ),
    "views_as_string": (
        200,
        _json({"entry": [{**_CALL, "phoneCallView": "00"}]}),
        "application/json",
        False,
    ),
    "view_source_as_object": (
        200,
        _json({"entry": [{**_CALL, "phoneCallView": [{"id": "00", "source": {}}]}]}),
        "application/json",
        False,
    ),
    "total_results_garbage": (
        200,
        _json({"entry": [_CALL], "totalResults": "many"}),
        "application/json",
        False,
    ),
    "total_results_infinite": (
        200,
        b'{"entry": [' + _json(_CALL) + b'], "totalResults": Infinity}',
        "application/json",
        False,
    ),
    "deeply_nested": (200, b"[" * 100_000 + b"]" * 100_000, "application/json", False),
    "huge_with_length": (200, b" " * NINE_MIB, "application/json", False),
    "huge_chunked": (
        200,
        b"[" + b"0," * (NINE_MIB // 2) + b"0]",
        "application/json",
        True,
    ),
    "error_with_odd_fields": (
        500,
        _json({"error": {"code": 7, "message": ["not", "text"]}}),
        "application/json",
        False,
    ),
}

# Odd but readable answers: the update succeeds and the call is shown.
TOLERATED: dict[str, bytes] = {
    "entry_as_object": _json({"entry": {"c0ffee": _CALL}}),
    "status_garbage": _json(
        {
            "entry": [
                {
                    **_CALL,
                    "phoneCallView": [
                        {**_CALL["phoneCallView"][0], "status": "garbage"}
                    ],
                }
            ]
        }
    ),
    "numbers_as_numbers": _json(
        {
            "entry": [
                {
                    **_CALL,
                    "phoneCallView": [{"id": 0, "extension": EXT_OFFICE, "status": 5}],
                }
            ]
        }
    ),
    "unknown_fields": _json({"entry": [{**_CALL, "x": [1, {"y": None}]}], "z": 1}),
}


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the log records that carry a traceback or name an unexpected error.

    aiohttp's access log is left out: on newer aiohttp it cannot format the
    time of a request while freezegun holds the clock (Home Assistant's HTTP
    server, not the integration).
    """
    return [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name != "aiohttp.access"
        and (record.exc_info or "Unexpected error" in record.getMessage())
    ]


@pytest.mark.parametrize(
    "fault",
    [
        dict(zip(("status", "body", "content_type", "chunked"), answer, strict=True))
        for answer in UNUSABLE.values()
    ],
    ids=UNUSABLE,
)
async def test_malformed_calls_listing_fails_cleanly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: VoipNowSimulator,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, Any],
) -> None:
    """An unusable calls listing fails the update, entities go unavailable, then recover."""
    simulator.inject_fault("custom", count=None, path_prefix=CALLS_PATH, **fault)

    await async_poll(hass, freezer)
    await async_poll(hass, freezer)

    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE
    assert hass.states.get(OFFICE_REGISTERED).state == STATE_UNAVAILABLE
    assert init_integration.state is ConfigEntryState.LOADED
    assert _tracebacks(caplog) == []
    assert [r.levelno for r in caplog.records if r.levelno >= logging.ERROR] == [
        logging.ERROR
    ]

    simulator.clear_faults()
    await simulator.incoming_call(EXT_OFFICE)
    await async_poll(hass, freezer)

    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    assert hass.states.get(OFFICE_REGISTERED).state == "on"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("body", TOLERATED.values(), ids=TOLERATED)
async def test_odd_calls_listing_is_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    """An odd but readable calls listing updates the sensor with a valid state."""
    simulator.inject_fault("custom", count=None, path_prefix=CALLS_PATH, body=body)

    await async_poll(hass, freezer)

    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.state in state.attributes["options"]
    assert state.state != "idle"
    assert state.attributes["phone_call_id"] == "c0ffee"
    assert hass.states.get(KITCHEN_CALL_STATE).state == "idle"
    assert _tracebacks(caplog) == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html>oauth</html>", id="not_json"),
        pytest.param(_json({"token_type": "Bearer"}), id="no_token"),
        pytest.param(_json({"access_token": 12345}), id="token_as_number"),
        pytest.param(
            _json({"access_token": "abc\r\nX-Evil: 1"}), id="token_with_newline"
        ),
    ],
)
async def test_malformed_token_answer_fails_cleanly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: VoipNowSimulator,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
) -> None:
    """An unusable token answer fails the update cleanly; a good one recovers."""
    simulator.inject_fault("custom", count=None, path_prefix=TOKEN_PATH, body=body)
    simulator.revoke_tokens()

    await async_poll(hass, freezer)

    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE
    assert _tracebacks(caplog) == []

    simulator.clear_faults()
    await async_poll(hass, freezer)
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"


@pytest.mark.parametrize(
    "lifetime",
    [b"1" + b"0" * 400, b"Infinity", b"-1", b"1e999", b'"soon"', b"[]"],
    ids=["huge", "infinite", "negative", "overflowing", "text", "list"],
)
async def test_odd_token_lifetime_is_tolerated(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    simulator: VoipNowSimulator,
    caplog: pytest.LogCaptureFixture,
    lifetime: bytes,
) -> None:
    """A good token with an absurd `expires_in` is used with the usual lifetime."""
    simulator.revoke_tokens()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{simulator.url}{TOKEN_PATH}",
            data={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "grant_type": "client_credentials",
            },
        ) as resp,
    ):
        token = (await resp.json())["access_token"]
    body = b'{"access_token": "%s", "expires_in": %s}' % (token.encode(), lifetime)
    simulator.inject_fault("custom", count=None, path_prefix=TOKEN_PATH, body=body)
    mark = len(simulator.token_requests)
    await simulator.incoming_call(EXT_OFFICE)

    await async_poll(hass, freezer)
    await async_poll(hass, freezer)

    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    assert len(simulator.token_requests) == mark + 1
    assert _tracebacks(caplog) == []


# --- a flapping PBX -----------------------------------------------------------


def _left_over(
    tasks_before: set[asyncio.Task[Any]],
    timers_before: set[asyncio.TimerHandle],
    hass: HomeAssistant,
) -> list[object]:
    """Return the tasks and timers started since, aiohttp's keep-alive aside.

    Connections to the simulator and to Home Assistant's HTTP server stay
    open for reuse; their housekeeping belongs to aiohttp, not to the entry.
    """

    def aiohttp_own(func: Any) -> bool:
        return getattr(func, "__module__", "").startswith("aiohttp")

    tasks = [
        task
        for task in asyncio.all_tasks() - tasks_before
        if not task.done()
        and task is not asyncio.current_task()
        and "/aiohttp/" not in task.get_coro().cr_code.co_filename  # type: ignore[union-attr]
    ]
    timers = [
        handle
        for handle in set(get_scheduled_timer_handles(hass.loop)) - timers_before
        if not handle.cancelled() and not aiohttp_own(handle._callback)  # type: ignore[attr-defined]
    ]
    return [*tasks, *timers]


def _records(caplog: pytest.LogCaptureFixture, text: str, level: int) -> int:
    """Count the integration's log records of one level that contain a text."""
    return sum(
        1
        for record in caplog.records
        if record.name.startswith("custom_components.voipnow")
        and record.levelno == level
        and text in record.getMessage()
    )


async def test_flapping_pbx(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Outages of every kind: each logged once, states right after, nothing left over."""
    caplog.set_level(logging.INFO)
    await async_serve_internal(hass, hass_client_no_auth)
    tasks_before = asyncio.all_tasks()
    timers_before = set(get_scheduled_timer_handles(hass.loop))
    entry = push_entry(simulator)
    await async_load(hass, entry, background=True)
    # The client gives up on the PBX after 0.3 s instead of 10 s.
    entry.runtime_data.calls.client.request_timeout = 0.3
    assert len(await async_ours(hass, simulator)) == 15
    office_call = await simulator.incoming_call(EXT_OFFICE)
    await simulator.answer_call(office_call)
    assert await async_state(hass, OFFICE_CALL_STATE, background=True) == "on_call"

    async def polls(count: int = 3, *, slow: bool = False) -> list[str]:
        seen = []
        for _ in range(count):
            sent = len(simulator.requests)
            freezer.tick(PUSH_SCAN_INTERVAL)
            async_fire_time_changed(hass)
            if slow:
                # The clock is frozen: let the request leave, then time it out.
                while len(simulator.requests) == sent:  # noqa: ASYNC110
                    await asyncio.sleep(0)
                freezer.tick(timedelta(seconds=0.5))
                async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)
            seen.append(hass.states.get(OFFICE_CALL_STATE).state)
        return seen

    # 1. The PBX is gone, and loses its tokens meanwhile; the call ends unseen.
    simulator.block_callbacks()
    await simulator.go_offline()
    assert await polls() == [STATE_UNAVAILABLE] * 3
    simulator.revoke_tokens()
    await simulator.hangup_call(office_call)
    assert await polls() == [STATE_UNAVAILABLE] * 3
    await simulator.go_online()
    simulator.block_callbacks(False)
    assert await polls(1) == ["idle"]

    # 2. Answers come after the client gave up waiting.
    simulator.inject_fault("delay", count=None, path_prefix="/uapi", delay=2.0)
    assert await polls(slow=True) == [STATE_UNAVAILABLE] * 3
    simulator.clear_faults()
    assert await polls(1) == ["idle"]

    # 3. The calls listing fails while the PBX still calls back: a call rings.
    simulator.inject_fault("http_500", count=None, path_prefix=CALLS_PATH)
    assert await polls(2) == [STATE_UNAVAILABLE] * 2
    kitchen_call = await simulator.incoming_call(EXT_KITCHEN)
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.revoke_tokens()
    assert await polls(2) == [STATE_UNAVAILABLE] * 2
    simulator.clear_faults()
    assert await polls(2) == ["idle"] * 2

    assert hass.states.get(KITCHEN_CALL_STATE).state == "ringing"
    assert hass.states.get(GARAGE_CALL_STATE).state == "idle"
    assert simulator.get_call(kitchen_call).callee.number == EXT_KITCHEN
    assert len(await async_ours(hass, simulator)) == 15
    assert len(simulator.api_requests("POST", "/uapi/extensions/")) == 15
    # Once per outage for the calls; the history logs apart, once per outage
    # it saw (it reads the PBX after calls end, and every 5 minutes).
    assert _records(caplog, "Error fetching voipnow 127", logging.ERROR) == 3
    assert _records(caplog, "Fetching voipnow 127", logging.INFO) == 3
    assert _records(caplog, "Error fetching voipnow history", logging.ERROR) <= 3
    assert _tracebacks(caplog) == []

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert _left_over(tasks_before, timers_before, hass) == []


# --- many actions at once -------------------------------------------------------

MANY = 50


def _many_extensions(count: int) -> list[str]:
    """Return `count` extension numbers besides the fixture's three."""
    return [f"0003*{300 + index}" for index in range(count)]


@pytest.mark.parametrize("token", ["forgotten", "revoked"])
async def test_concurrent_transfers_share_one_token(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    mock_config_entry: MockConfigEntry,
    token: str,
) -> None:
    """Fifty transfers at once: one PUT each, one token request, each answer to its caller."""
    extensions = _many_extensions(MANY)
    for number in extensions:
        simulator.add_extension(number)
    calls = []
    for index, number in enumerate(extensions):
        call_id = await simulator.incoming_call(number, f"55590{index:02d}")
        await simulator.answer_call(call_id)
        calls.append(call_id)
    await async_load(hass, mock_config_entry, background=True)
    if token == "forgotten":
        mock_config_entry.runtime_data.calls.client.invalidate_token()
    else:
        simulator.revoke_tokens()
    simulator.clear_requests()

    responses = await asyncio.gather(
        *(
            hass.services.async_call(
                DOMAIN,
                "transfer_call",
                {
                    "extension": number,
                    "phone_call_id": call_id,
                    "send_call_to": extensions[(index + 1) % MANY],
                },
                blocking=True,
                return_response=True,
            )
            for index, (number, call_id) in enumerate(
                zip(extensions, calls, strict=True)
            )
        )
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert responses == [
        {"phone_call_id": call_id, "extension": number}
        for number, call_id in zip(extensions, calls, strict=True)
    ]
    assert len(simulator.token_requests) == 1
    puts = simulator.api_requests("PUT")
    refused = MANY if token == "revoked" else 0
    assert len(puts) == MANY + refused
    # Each call was acted on once (a refused request never reached it).
    assert Counter(request.path for request in puts) == {
        f"/uapi/phoneCalls/@me/{number}/{call_id}": 1 + (token == "revoked")
        for number, call_id in zip(extensions, calls, strict=True)
    }
    for index, call_id in enumerate(calls):
        assert (
            simulator.get_call(call_id).callee.number == extensions[(index + 1) % MANY]
        )
    # The refreshes the 50 actions ask for coalesce: one listing at a time, the
    # actions that finish meanwhile share the next one (not 50 listings).
    assert len(simulator.api_requests("GET", "/uapi/phoneCalls/")) <= MANY // 2
    assert hass.states.get("sensor.extension_0003_300_call_state").state == "ringing"


# --- a burst of callbacks ----------------------------------------------------------

BURST_VALID = 500


def _invalid_callbacks(
    target: str, webhook_path: str
) -> list[tuple[str, bytes, str, int]]:
    """Return (URL, body, content type, expected status) of refused callbacks."""
    bad_marker = target.replace("ha_event=dial_in", "ha_event=bogus")
    form = "application/x-www-form-urlencoded"
    kinds = [
        (bad_marker, b"CallID=1", form, 400),
        (target, b"%%%", form, 400),
        (target, b"{not json", "application/json", 400),
        (target, b"[1, 2]", "application/json", 400),
        (target, b"\xff\xfe\xfd", form, 400),
        (target, b"x" * (17 * 1024), form, 413),
        # The bare URL is accepted (a PBX may drop the query): it only
        # wakes a listing.
        (webhook_path, b"CallID=1", form, 200),
    ]
    return [kinds[index % len(kinds)] for index in range(1000 - BURST_VALID)]


async def test_webhook_burst(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A thousand callbacks at once: valid ones handled once, others refused.

    What each callback costs is measured by the benchmarks (scripts/bench).
    """
    entry = push_entry(simulator)
    client = await async_setup_push(hass, hass_client_no_auth, entry)
    events: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_CALL, lambda event: events.append(dict(event.data)))
    # The PBX rings 500 times; its callbacks are held back and replayed at once.
    simulator.block_callbacks()
    call_ids = [
        await simulator.incoming_call(EXTENSIONS[index % 3], f"5557{index:04d}")
        for index in range(BURST_VALID)
    ]
    valid = [
        (str(URL(sent.url).relative()), sent.params)
        for sent in simulator.callbacks_dropped
        if "ha_event=dial_in" in sent.url
    ]
    assert len(valid) == BURST_VALID
    target = valid[0][0]
    invalid = _invalid_callbacks(target, URL(target).path)
    requests: list[tuple[str, Any, str | None, int]] = [
        (url, params, None, 200) for url, params in valid
    ] + list(invalid)
    random.Random(1000).shuffle(requests)

    async def send(
        session: aiohttp.ClientSession, request: tuple[str, Any, str | None, int]
    ) -> int:
        url, body, content_type, _ = request
        headers = {"Content-Type": content_type} if content_type else None
        async with session.post(url, data=body, headers=headers) as resp:
            await resp.read()
            return resp.status

    async with aiohttp.ClientSession(base_url(client)) as session:
        statuses = await asyncio.gather(
            *(send(session, request) for request in requests)
        )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert statuses == [expected for *_, expected in requests]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    bare = sum(url == URL(target).path for url, *_ in invalid)
    assert diagnostics["push"]["callbacks_received"] == BURST_VALID + bare
    incoming = [
        event["phone_call_id"] for event in events if event["type"] == "incoming_call"
    ]
    assert sorted(incoming) == sorted(call_ids)
    assert [event for event in events if event["type"] != "incoming_call"] == []
    assert hass.states.get(OFFICE_CALL_STATE).attributes["call_count"] == 167
    assert _tracebacks(caplog) == []
