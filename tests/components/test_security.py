"""Attacks that must fail: toll fraud, forged callbacks, floods, lock-outs.

Who may do what: an action with no user (automations, scripts) or from an
administrator may call any number; other users reach only the PBX's
extensions and the transfer targets. Whoever learns the callback URL can post
to it: a callback is only a hint the PBX's listing must confirm.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
import logging
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    UnknownUser,
)
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.voipnow.const import (
    CONF_ALLOW_ANY_NUMBER,
    CONF_TRANSFER_TARGETS,
    DOMAIN,
)
from custom_components.voipnow.tracker import MAX_PENDING_HINTS
from tests.conftest import EXT_KITCHEN, EXT_OFFICE, simulator_entry
from voipnow_simulator import VoipNowSimulator

from .helpers import (
    OFFICE_CALL_STATE,
    PUSH_SCAN_INTERVAL,
    async_poll,
    async_ring,
    async_run_as,
)
from .push_helpers import (
    OFFICE_CALL_EVENT,
    async_settle,
    bus_types,
    leaks,
    push_entry,
    record_bus_events,
    record_fired,
    webhook_target,
)

PREMIUM = "+19005550100"
MOBILE = "+15551234567"
TARGETS = [{"name": "Mobile", "number": MOBILE, "voicemail": False}]


@pytest.fixture
def mock_config_entry(simulator: VoipNowSimulator) -> MockConfigEntry:
    """The simulator's entry (polling) with one public transfer target."""
    return simulator_entry(simulator, {CONF_TRANSFER_TARGETS: TARGETS})


# --- toll fraud ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("transfer_call", {"send_call_to": PREMIUM}, "send_call_to"),
        ("make_call", {"destination": PREMIUM}, "destination"),
        (
            "make_call",
            {"destination": EXT_KITCHEN, "caller_id": f"Bank <{PREMIUM}>"},
            "caller_id",
        ),
    ],
)
async def test_non_admin_cannot_reach_other_numbers(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    hass_user: MockUser,
    action: str,
    data: dict[str, Any],
    field: str,
) -> None:
    """A user who is not an administrator is refused, and nothing is sent."""
    await async_ring(hass, simulator, init_integration)

    with pytest.raises(ServiceValidationError) as err:
        await async_run_as(hass, hass_user, action, {"extension": EXT_OFFICE, **data})

    assert err.value.translation_key == "number_not_allowed"
    assert err.value.translation_placeholders["field"] == field
    assert simulator.api_requests() == []


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("transfer_call", {"send_call_to": EXT_KITCHEN}),
        ("transfer_call", {"send_call_to": "211"}),
        ("transfer_call", {"send_call_to": MOBILE}),
        ("transfer_call", {"send_call_to": "Mobile"}),
        ("make_call", {"destination": MOBILE}),
        ("make_call", {"destination": EXT_KITCHEN, "caller_id": "Office"}),
    ],
)
async def test_non_admin_reaches_extensions_and_targets(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    hass_user: MockUser,
    action: str,
    data: dict[str, Any],
) -> None:
    """The PBX's extensions and the targets an administrator chose stay open."""
    await async_ring(hass, simulator, init_integration)

    await async_run_as(hass, hass_user, action, {"extension": EXT_OFFICE, **data})

    assert len(simulator.api_requests("PUT") + simulator.api_requests("POST")) == 1


@pytest.mark.parametrize("who", ["admin", "automation", "option"])
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("transfer_call", {"send_call_to": PREMIUM}),
        ("make_call", {"destination": PREMIUM, "caller_id": f"Home <{PREMIUM}>"}),
    ],
)
async def test_any_number_for_admins_automations_or_by_option(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
    hass_admin_user: MockUser,
    hass_user: MockUser,
    who: str,
    action: str,
    data: dict[str, Any],
) -> None:
    """Administrators and automations keep every freedom; the option gives it all."""
    await async_ring(hass, simulator, init_integration)
    user: MockUser | None = {"admin": hass_admin_user, "automation": None}.get(
        who, hass_user
    )
    if who == "option":
        hass.config_entries.async_update_entry(
            init_integration,
            options={**init_integration.options, CONF_ALLOW_ANY_NUMBER: True},
        )
        await hass.async_block_till_done()
        simulator.clear_requests()

    await async_run_as(hass, user, action, {"extension": EXT_OFFICE, **data})

    (sent,) = simulator.api_requests("PUT") + simulator.api_requests("POST")
    assert PREMIUM in sent.body_text


async def test_unknown_user_is_restricted(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A context naming a user that does not exist is refused, as Home Assistant does."""
    await async_ring(hass, simulator, init_integration)

    with pytest.raises(UnknownUser):
        await hass.services.async_call(
            DOMAIN,
            "transfer_call",
            {"extension": EXT_OFFICE, "send_call_to": PREMIUM},
            blocking=True,
            context=Context(user_id="0" * 32),
        )
    assert simulator.api_requests() == []


# --- forged callbacks ----------------------------------------------------------------


def target(simulator: VoipNowSimulator, kind: int) -> str:
    """The office's callback URL of one event type, as found in the VoipNow panel."""
    return webhook_target(simulator, EXT_OFFICE, kind)


@pytest.mark.parametrize(
    "forged",
    [
        {},
        {"CallID": ""},
        {"CallID": "not-a-call-we-know"},
    ],
    ids=["no_call_id", "empty_call_id", "unknown_call_id"],
)
async def test_forged_hangup_cannot_end_a_listed_call(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    http: TestClient,
    forged: dict[str, str],
) -> None:
    """A hangup or answer naming no known call fires nothing and ends nothing."""
    call_id = await simulator.incoming_call(EXT_OFFICE, "5551234", "John Doe")
    await async_settle(hass)
    events = record_bus_events(hass)

    for kind in (2, 3):
        response = await http.post(
            target(simulator, kind), data={**forged, "CallStatus": "BUSY"}
        )
        assert response.status == 200
    await async_settle(hass)

    assert events == []
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"
    # The real call's real events still fire.
    await simulator.answer_call(call_id)
    await async_settle(hass)
    await simulator.hangup_call(call_id)
    await async_settle(hass)
    assert [(e["type"], e.get("outcome")) for e in events] == [
        ("answered", None),
        ("ended", "answered"),
    ]


async def test_forged_hangup_of_a_known_call_still_listed(
    hass: HomeAssistant, simulator: VoipNowSimulator, http: TestClient
) -> None:
    """Even with the right CallID, a call the PBX still lists stays live."""
    call_id = await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    events = record_bus_events(hass)

    await http.post(
        target(simulator, 2), data={"CallID": call_id, "CallStatus": "CANCEL"}
    )
    await http.post(target(simulator, 3), data={"CallID": call_id})
    await async_settle(hass)

    assert events == []
    assert hass.states.get(OFFICE_CALL_STATE).state == "ringing"


async def test_caller_names_are_cleaned_before_anyone_sees_them(
    hass: HomeAssistant, simulator: VoipNowSimulator, http: TestClient
) -> None:
    """A forged ring shows nothing; a listed caller name is cleaned and capped."""
    events = record_bus_events(hass)
    name = "Ignore previous instructions\x00\x1b[2J\u202e" + "A" * 500

    await http.post(
        target(simulator, 0),
        data={
            "CallID": "forged1",
            "CallerIDNum": "+40215550100" + "9" * 100,
            "CallerIDName": name,
            "Extra": "x" * 1000,
        },
    )
    await async_settle(hass)
    # The PBX lists no such call: nothing fires, nothing rings.
    assert events == []
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"

    await simulator.incoming_call(EXT_OFFICE, "+40215550100", name)
    await async_settle(hass)

    (event,) = events
    assert len(event["caller_name"]) == 64
    assert event["caller_name"].startswith("Ignore previous instructions[2J")
    assert "\x00" not in event["caller_id"] and "\u202e" not in event["caller_id"]
    state = hass.states.get(OFFICE_CALL_STATE)
    assert state.attributes["caller_id"] == event["caller_id"]


@pytest.mark.parametrize("method", ["GET", "PUT"])
async def test_webhook_takes_posts_only(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    http: TestClient,
    method: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Subscriptions call with POST: anything else is 405, and nothing happens."""
    events = record_bus_events(hass)
    url = URL(target(simulator, 0)).update_query({"CallID": "x", "CallerIDNum": "1"})

    response = await http.request(method, str(url))

    assert response.status == 405
    assert events == []
    webhook_id = hass.config_entries.async_entries(DOMAIN)[0].data["webhook_id"]
    # Refused by the integration, not by the webhook component, which would
    # warn with the webhook id (the secret) in the message.
    assert leaks(caplog, webhook_id) == []


async def test_deeply_nested_json_is_refused_quietly(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    http: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """15,000 `[` as JSON: a 4xx, no traceback, no error in the log."""
    response = await http.post(
        target(simulator, 0),
        data="[" * 15000,
        headers={"Content-Type": "application/json"},
    )

    assert 400 <= response.status < 500
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


# --- outages: bounded memory, no stale floods ------------------------------------------


async def test_callbacks_during_an_outage_announce_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    http: TestClient,
) -> None:
    """While the API fails, callbacks wait for no one: back online, nothing fires.

    None of these calls was ever listed: no `missed`, no badge, no history.
    """
    await simulator.go_offline()
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)
    assert hass.states.get(OFFICE_CALL_STATE).state == STATE_UNAVAILABLE
    events = record_bus_events(hass)
    fired = record_fired(hass, OFFICE_CALL_EVENT)
    for number in range(MAX_PENDING_HINTS + 25):
        call = {"CallID": f"c{number}", "CallerIDNum": f"555{number:04d}"}
        await http.post(target(simulator, 0), data=call)
        await http.post(target(simulator, 2), data={**call, "CallStatus": "CANCEL"})
    await async_settle(hass)

    await simulator.go_online()
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)

    assert events == []
    assert fired == []
    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    assert hass.states.get("sensor.extension_0003_210_missed_calls").state == "0"


async def test_no_token_request_after_the_app_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: VoipNowSimulator,
    http: TestClient,
) -> None:
    """After a refusal, no timer, callback or button asks for a token again."""
    simulator.set_client_secret("regenerated")
    await async_poll(hass, freezer, PUSH_SCAN_INTERVAL)
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    tokens = len(simulator.token_requests)

    await http.post(target(simulator, 0), data={"CallID": "x1", "CallerIDNum": "1"})
    await async_settle(hass)
    for _ in range(3):
        await async_poll(hass, freezer, timedelta(minutes=5))
    with contextlib.suppress(HomeAssistantError):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.extension_0003_210_hang_up"},
            blocking=True,
        )

    assert len(simulator.token_requests) == tokens


# --- plain HTTP ----------------------------------------------------------------------


async def test_plain_http_external_url_raises_a_repair(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    hass_client_no_auth: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A plain-HTTP external URL to a PBX off the LAN: the secret travels in clear."""
    from unittest.mock import patch

    from .push_helpers import async_serve_http, base_url

    client = await async_serve_http(hass, hass_client_no_auth)
    hass.config.external_url = base_url(client)
    entry = push_entry(simulator)
    entry.add_to_hass(hass)
    with patch("custom_components.voipnow.push_url.is_local_url", return_value=False):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    issue = issue_registry.async_get_issue(
        DOMAIN, f"insecure_callback_url_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "insecure_callback_url"
    # Push still works; the user is told, not cut off.
    events = record_bus_events(hass)
    await simulator.incoming_call(EXT_OFFICE)
    await async_settle(hass)
    assert bus_types(events) == ["incoming_call"]
