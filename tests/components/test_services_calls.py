"""Tests for `voipnow.make_call`, `hangup_call`, `hold_call` and `unhold_call`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.core import Context, HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.script import Script
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from tests.components.helpers import KITCHEN_CALL_STATE, OFFICE_CALL_STATE, async_state
from tests.components.test_services import (
    CALLER,
    assert_invalid_field,
    async_act,
    async_act_fails,
    async_act_once,
    async_active_call,
    message,
    sent,
)
from tests.conftest import EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

MAKE_CALL_PATH = "/uapi/phoneCalls/@me/simple"
# The call most make_call tests place: from the office to an outside number.
MAKE_CALL = {"extension": EXT_OFFICE, "destination": "5550001"}


def call_path(call_id: str, user_id: str = "@me", extension: str = EXT_OFFICE) -> str:
    """The PhoneCall resource of an extension's call."""
    return f"/uapi/phoneCalls/{user_id}/{extension}/{call_id}"


# --- make_call ------------------------------------------------------------------


async def test_template_keeps_the_plus_through_a_tel_uri(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """A templated number loses its `+`; written as `tel:` it is dialled as is."""
    mark = len(simulator.requests)

    for destination in ("{{ remote_number }}", "tel:{{ remote_number }}"):
        sequence = cv.SCRIPT_SCHEMA(
            [
                {
                    "action": "voipnow.make_call",
                    "data": {"extension": EXT_OFFICE, "destination": destination},
                }
            ]
        )
        script = Script(hass, sequence, "Call back", "test")
        await script.async_run({"remote_number": "+15551234567"}, Context())

    posts = [
        r.json["phoneCallView"][0]["destination"] for r in sent(simulator, mark, "POST")
    ]
    assert posts == [["15551234567"], ["+15551234567"]]


@pytest.mark.parametrize(
    ("data", "query", "view"),
    [
        pytest.param(
            {"extension": EXT_OFFICE, "destination": "+15551234567"},
            {},
            {"source": [EXT_OFFICE], "destination": ["+15551234567"]},
            id="minimal",
        ),
        pytest.param(
            {
                "extension": "210",
                "destination": "+15551234567",
                "caller_id": "Home <5551234>",
                "wait_for_pickup": 25,
            },
            {"waitForPickup": "25"},
            {
                "source": [EXT_OFFICE],
                "destination": ["+15551234567"],
                "callerId": "Home <5551234>",
            },
            id="all_fields",
        ),
        pytest.param(
            {"extension": EXT_OFFICE, "destination": EXT_KITCHEN, "user_id": "12"},
            {},
            {"source": [EXT_OFFICE], "destination": [EXT_KITCHEN]},
            id="to_extension",
        ),
        pytest.param(
            {"extension": EXT_OFFICE, "destination": "TEL:+1-555-123.4567"},
            {},
            {"source": [EXT_OFFICE], "destination": ["+15551234567"]},
            id="tel_uri",
        ),
    ],
)
async def test_make_call(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    data: dict[str, Any],
    query: dict[str, str],
    view: dict[str, Any],
) -> None:
    """One POST of the documented body places the call and returns its id."""
    mark = len(simulator.requests)

    response = await async_act(hass, "make_call", data)

    [post] = sent(simulator, mark)
    user_id = data.get("user_id", "@me")
    assert (post.method, post.path) == ("POST", f"/uapi/phoneCalls/{user_id}/simple")
    assert post.query == query
    nonce = post.json.pop("nonce")
    assert isinstance(nonce, str)
    assert len(nonce) >= 8
    assert post.json == {"extension": EXT_OFFICE, "phoneCallView": [view]}
    [call_id] = simulator.calls
    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    await hass.async_block_till_done()
    office = hass.states.get(OFFICE_CALL_STATE)
    assert office.state == "dialing"
    assert office.attributes["phone_call_id"] == call_id


async def test_make_call_nonce_differs_per_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """Every call carries a fresh nonce, so the PBX never merges two of them."""
    mark = len(simulator.requests)

    for destination in ("5550001", "5550002"):
        await async_act(
            hass, "make_call", {"extension": EXT_OFFICE, "destination": destination}
        )

    first, second = sent(simulator, mark, "POST")
    assert first.json["nonce"] != second.json["nonce"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("destination", "abc"),
        ("destination", "+1-555"),
        ("destination", "5550001&x=1"),
        ("user_id", "@admin"),
        ("extension", "0003*21a"),
        ("extension", "@self"),
    ],
)
async def test_make_call_malformed_field(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    field: str,
    value: str,
) -> None:
    """A malformed field is refused before anything, even a token, is sent."""
    err, mark = await async_act_fails(
        hass, simulator, "make_call", {**MAKE_CALL, field: value}
    )

    assert_invalid_field(err, field, value)
    assert sent(simulator, mark) == []


@pytest.mark.parametrize("wait_for_pickup", [0, 301, "soon"])
async def test_make_call_wait_for_pickup_out_of_range(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    wait_for_pickup: Any,
) -> None:
    """wait_for_pickup outside 1..300 seconds fails the schema; nothing is sent."""
    mark = len(simulator.requests)

    with pytest.raises(vol.Invalid, match="wait_for_pickup"):
        await async_act(
            hass,
            "make_call",
            {**MAKE_CALL, "wait_for_pickup": wait_for_pickup},
        )

    assert sent(simulator, mark) == []


async def test_make_call_server_error_is_not_retried(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """A 5xx answer is a runtime error, after exactly one POST."""
    simulator.inject_fault("http_500", count=None, path_prefix=MAKE_CALL_PATH)
    err, mark = await async_act_fails(
        hass, simulator, "make_call", MAKE_CALL, HomeAssistantError
    )

    assert err.translation_key == "request_failed"
    assert "HTTP 500" in message(err)
    assert len(sent(simulator, mark, "POST")) == 1


# --- hangup_call ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "user_id"),
    [
        pytest.param({}, "@me", id="only_call"),
        pytest.param({"extension": "210"}, "@me", id="short_extension"),
        pytest.param({"user_id": "12"}, "12", id="numeric_user_id"),
    ],
)
async def test_hangup_call(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    extra: dict[str, str],
    user_id: str,
) -> None:
    """One DELETE of the call's own resource ends it; the sensor shows it at once."""
    response, delete = await async_act_once(
        hass, simulator, "hangup_call", {"extension": EXT_OFFICE, **extra}
    )

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert (delete.method, delete.path) == ("DELETE", call_path(call_id, user_id))
    assert delete.query == {}
    assert simulator.calls == {}
    assert await async_state(hass, OFFICE_CALL_STATE) == "idle"


async def test_hangup_one_of_several_calls(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """With phone_call_id, only that call ends; the extension's other call stays."""
    other = await simulator.incoming_call(EXT_OFFICE, "5556666")
    call_id = await async_active_call(hass, simulator, entry)
    mark = len(simulator.requests)

    await async_act(
        hass, "hangup_call", {"extension": EXT_OFFICE, "phone_call_id": call_id}
    )

    [delete] = sent(simulator, mark)
    assert delete.path == call_path(call_id)
    assert list(simulator.calls) == [other]
    assert await async_state(hass, OFFICE_CALL_STATE) == "ringing"


async def test_hangup_unknown_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A phone_call_id the PBX never had is a validation error naming it."""
    data = {"extension": EXT_OFFICE, "phone_call_id": "0123456789abcdef0123"}

    err, mark = await async_act_fails(hass, simulator, "hangup_call", data)

    assert err.translation_key == "pc_phonecall_invalid"
    assert "`phone_call_id`" in message(err)
    assert len(sent(simulator, mark, "DELETE")) == 1
    assert list(simulator.calls) == [call_id]


async def test_hangup_server_error_is_not_retried(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A 5xx answer to the DELETE is a runtime error, after exactly one DELETE."""
    simulator.inject_fault("http_500", count=None, path_prefix=call_path(call_id))
    err, mark = await async_act_fails(
        hass, simulator, "hangup_call", {"extension": EXT_OFFICE}, HomeAssistantError
    )

    assert err.translation_key == "request_failed"
    assert len(sent(simulator, mark, "DELETE")) == 1
    assert list(simulator.calls) == [call_id]


# --- hold_call / unhold_call ------------------------------------------------------


async def async_act_during_put(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    data: dict[str, Any],
    meanwhile: Callable[[], Awaitable[None]],
) -> ServiceResponse:
    """Hold a call while the PBX holds back the PUT briefly and changes meanwhile."""
    path = call_path(call_id)
    simulator.inject_fault("delay", path_prefix=path, delay=0.5)
    task = hass.async_create_task(async_act(hass, "hold_call", data))
    # The simulator records a request as it arrives, before the delay.
    for _ in range(300):
        if simulator.api_requests("PUT", path):
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the PUT never reached the PBX")
    await meanwhile()
    return await task


async def test_hold_and_resume_incoming_call(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """Hold, then resume at once: each PUT names the extension's view, each shows."""
    mark = len(simulator.requests)

    response = await async_act(hass, "hold_call", {"extension": "210"})
    await hass.async_block_till_done()

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert hass.states.get(OFFICE_CALL_STATE).state == "on_hold"

    response = await async_act(hass, "unhold_call", {"extension": "210"})
    await hass.async_block_till_done()

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert hass.states.get(OFFICE_CALL_STATE).state == "on_call"
    hold, resume = sent(simulator, mark, "PUT")
    assert hold.path == resume.path == call_path(call_id)
    # The office was called: its view is the callee's, "01".
    assert hold.json == {"action": "OnHold", "phoneCallViewId": "01"}
    assert resume.json == {"action": "OffHold", "phoneCallViewId": "01"}


async def test_hold_reads_the_view_from_the_pbx_first(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """Before the PUT, the extension's calls are listed for its current view."""
    mark = len(simulator.requests)

    await async_act(hass, "hold_call", {"extension": EXT_OFFICE, "user_id": "12"})

    listing, put = sent(simulator, mark)
    assert (listing.method, listing.path) == (
        "GET",
        f"/uapi/phoneCalls/12/{EXT_OFFICE}",
    )
    assert (put.method, put.path) == ("PUT", call_path(call_id, "12"))


async def test_hold_outgoing_call_of_local_caller(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """The caller's view is "00"; both sides show on hold, and who held it."""
    call_id = await simulator.outgoing_call(EXT_OFFICE, EXT_KITCHEN)
    await simulator.answer_call(call_id)
    await entry.runtime_data.calls.async_refresh()
    mark = len(simulator.requests)

    await async_act(
        hass, "hold_call", {"extension": EXT_OFFICE, "phone_call_id": call_id}
    )
    await hass.async_block_till_done()

    [put] = sent(simulator, mark, "PUT")
    assert put.json == {"action": "OnHold", "phoneCallViewId": "00"}
    assert simulator.get_call(call_id).held_by == EXT_OFFICE
    # A call on hold is on hold for both parties (every view has `onHold`);
    # `holder` says which one put it there.
    office = hass.states.get(OFFICE_CALL_STATE)
    kitchen = hass.states.get(KITCHEN_CALL_STATE)
    assert (office.state, office.attributes["held_by_extension"]) == ("on_hold", True)
    assert (kitchen.state, kitchen.attributes["held_by_extension"]) == (
        "on_hold",
        False,
    )


async def test_hold_after_the_parties_changed_places(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """After a transfer since the last poll, the office is held, not the kitchen."""
    # The outside caller hands the office over to the kitchen: the office is
    # now the caller (view "00") and view "01", once the office's, the kitchen's.
    await simulator.transfer_call(call_id, EXT_KITCHEN, CALLER)
    await simulator.answer_call(call_id)
    mark = len(simulator.requests)

    await async_act(hass, "hold_call", {"extension": EXT_OFFICE})

    [put] = sent(simulator, mark, "PUT")
    assert put.json == {"action": "OnHold", "phoneCallViewId": "00"}
    assert simulator.get_call(call_id).on_hold == {EXT_OFFICE}


@pytest.mark.usefixtures("call_id")
@pytest.mark.parametrize("action", ["hold_call", "unhold_call"])
async def test_hold_call_not_polled_yet(
    hass: HomeAssistant, simulator: VoipNowSimulator, action: str
) -> None:
    """A phone_call_id the coordinator has not seen yet works: the PBX knows it."""
    new = await simulator.incoming_call(EXT_OFFICE, "5556666")
    await simulator.answer_call(new)
    mark = len(simulator.requests)

    response = await async_act(
        hass, action, {"extension": EXT_OFFICE, "phone_call_id": new}
    )

    assert response == {"phone_call_id": new, "extension": EXT_OFFICE}
    [put] = sent(simulator, mark, "PUT")
    assert put.path == call_path(new)
    assert put.json["phoneCallViewId"] == "01"


@pytest.mark.usefixtures("call_id")
@pytest.mark.parametrize("action", ["hold_call", "unhold_call"])
async def test_hold_call_the_extension_does_not_have(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    action: str,
) -> None:
    """A phone_call_id that is not one of the extension's calls sends no PUT."""
    kitchen_call = await async_active_call(
        hass, simulator, entry, extension=EXT_KITCHEN, caller="5556666"
    )
    data = {"extension": EXT_OFFICE, "phone_call_id": kitchen_call}

    err, mark = await async_act_fails(hass, simulator, action, data)

    assert err.translation_key == "call_not_found"
    assert message(err) == f"Extension {EXT_OFFICE} has no call {kitchen_call}"
    assert sent(simulator, mark, "PUT") == []
    assert simulator.get_call(kitchen_call).on_hold == set()


@pytest.mark.parametrize("action", ["hold_call", "unhold_call"])
async def test_hold_call_ended_since_last_poll(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    action: str,
) -> None:
    """A call that ended since the last poll: no PUT, the user learns it ended."""
    await simulator.hangup_call(call_id)
    err, mark = await async_act_fails(
        hass, simulator, action, {"extension": EXT_OFFICE}, HomeAssistantError
    )

    assert err.translation_key == "call_ended"
    assert call_id in message(err)
    assert sent(simulator, mark, "PUT") == []
    assert await async_state(hass, OFFICE_CALL_STATE) == "idle"


async def test_hold_call_ended_during_the_put(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A call that ends while the PUT travels: the PBX answers 204, `call_ended`."""

    async def hang_up() -> None:
        """End the call on the PBX."""
        await simulator.hangup_call(call_id)

    with pytest.raises(HomeAssistantError) as err:
        await async_act_during_put(
            hass, simulator, call_id, {"extension": EXT_OFFICE}, hang_up
        )

    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == "call_ended"
    assert len(simulator.api_requests("PUT", call_path(call_id))) == 1
    assert await async_state(hass, OFFICE_CALL_STATE) == "idle"


async def test_hold_view_gone_during_the_put(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A view that vanishes while the PUT travels is a validation error, not a retry."""

    async def hand_over() -> None:
        """Let the caller hand the office to an outside number: view "01" goes."""
        await simulator.transfer_call(call_id, "5557777", CALLER)

    with pytest.raises(ServiceValidationError) as err:
        await async_act_during_put(
            hass, simulator, call_id, {"extension": EXT_OFFICE}, hand_over
        )

    assert err.value.translation_key == "pc_phonecallviewid_invalid"
    assert "`phone_call_id`" in message(err.value)
    assert len(simulator.api_requests("PUT", call_path(call_id))) == 1
    assert simulator.get_call(call_id).on_hold == set()


@pytest.mark.parametrize(
    ("path", "method"),
    [
        pytest.param(f"/uapi/phoneCalls/@me/{EXT_OFFICE}", "GET", id="listing"),
        pytest.param("/uapi/phoneCalls/@me/0003*210/", "PUT", id="action"),
    ],
)
async def test_hold_server_error_is_not_retried(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    path: str,
    method: str,
) -> None:
    """A 5xx answer to the listing or the PUT is a runtime error; one try each."""
    simulator.inject_fault("http_500", count=None, path_prefix=path)
    err, mark = await async_act_fails(
        hass, simulator, "hold_call", {"extension": EXT_OFFICE}, HomeAssistantError
    )

    assert err.translation_key == "request_failed"
    assert len(sent(simulator, mark, method)) == 1
    assert len(sent(simulator, mark, "PUT")) == (method == "PUT")
    assert simulator.get_call(call_id).on_hold == set()
