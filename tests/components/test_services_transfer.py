"""Tests for the `voipnow.transfer_call` action against the simulated PBX."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import VoipNowSimulator

PUBLIC_TARGET = "+15557654321"
# The transfer most tests ask for: the office's call to the kitchen.
TRANSFER = {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN}


def call_path(call_id: str, user_id: str = "@me") -> str:
    """The PhoneCall resource of the office extension's call."""
    return f"/uapi/phoneCalls/{user_id}/{EXT_OFFICE}/{call_id}"


async def async_transfer_fails(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    data: dict[str, Any] | None = None,
    error: type[HomeAssistantError] = ServiceValidationError,
) -> tuple[HomeAssistantError, int]:
    """Transfer the office's call (to the kitchen unless `data` says otherwise).

    It must fail with `error`; return it and the requests' mark before it.
    """
    return await async_act_fails(
        hass, simulator, "transfer_call", {**TRANSFER, **(data or {})}, error
    )


def _blind(
    case: str,
    send_call_to: str,
    sent_as: str,
    *,
    extension: str = EXT_OFFICE,
    user_id: str = "@me",
) -> Any:
    """A blind transfer of the office's call: the action's data, its PUT's body."""
    data = {"extension": extension, "send_call_to": send_call_to}
    if user_id != "@me":
        data["user_id"] = user_id
    body = {
        "action": "Transfer",
        "sendCallTo": sent_as,
        "transferFromNumber": EXT_OFFICE,
    }
    return pytest.param(data, user_id, body, id=case)


@pytest.mark.parametrize(
    ("data", "user_id", "body"),
    [
        _blind("to_extension", EXT_KITCHEN, EXT_KITCHEN),
        _blind("to_public_number", PUBLIC_TARGET, PUBLIC_TARGET),
        _blind("tel_uri", "tel:+1 (555) 765-4321", PUBLIC_TARGET),
        _blind("short_extension", "211", "211", extension="210"),
        _blind("numeric_user_id", EXT_KITCHEN, EXT_KITCHEN, user_id="12"),
        pytest.param(
            {
                "extension": EXT_OFFICE,
                "send_call_to": EXT_KITCHEN,
                "transfer_from_number": EXT_OFFICE,
                "transfer_number": CALLER,
            },
            "@me",
            {
                "action": "Transfer",
                "sendCallTo": EXT_KITCHEN,
                "transferFromNumber": EXT_OFFICE,
                "transferNumber": CALLER,
            },
            id="explicit_parties",
        ),
        pytest.param(
            {
                "extension": EXT_OFFICE,
                "send_call_to": EXT_KITCHEN,
                "to_voicemail": True,
            },
            "@me",
            {
                "action": "TransferToVoicemail",
                "sendCallTo": EXT_KITCHEN,
                "transferNumber": CALLER,
            },
            id="to_voicemail",
        ),
        pytest.param(
            {
                "extension": EXT_OFFICE,
                "send_call_to": "211",
                "to_voicemail": True,
                "transfer_number": CALLER,
                "transfer_from_number": "210",
            },
            "@me",
            {
                "action": "TransferToVoicemail",
                "sendCallTo": "211",
                "transferFromNumber": "210",
                "transferNumber": CALLER,
            },
            id="to_voicemail_explicit_parties",
        ),
    ],
)
async def test_transfer(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    data: dict[str, Any],
    user_id: str,
    body: dict[str, str],
) -> None:
    """The active call is transferred with exactly one PUT of the documented body."""
    assert hass.states.get(OFFICE_CALL_STATE).state == "on_call"
    response, put = await async_act_once(hass, simulator, "transfer_call", data)

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert put.method == "PUT"
    assert put.path == call_path(call_id, user_id)
    assert put.query == {}
    assert put.json == body
    # The office left the call: the sensor shows it without waiting for a poll.
    assert await async_state(hass, OFFICE_CALL_STATE) == "idle"


async def test_transfer_with_phone_call_id(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """An explicit phone_call_id picks one of several calls of the extension."""
    ringing = await simulator.incoming_call(EXT_OFFICE, "5556666")
    call_id = await async_active_call(hass, simulator, entry)
    data = {
        "extension": EXT_OFFICE,
        "phone_call_id": call_id,
        "send_call_to": EXT_GARAGE,
    }

    response, put = await async_act_once(hass, simulator, "transfer_call", data)

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert put.path == call_path(call_id)
    assert simulator.get_call(call_id).callee.number == EXT_GARAGE
    assert simulator.get_call(ringing).callee.number == EXT_OFFICE


async def test_transfer_shows_the_new_state_at_once(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """Right after a transfer both extensions show it, without any time passing."""

    await async_act(
        hass, "transfer_call", {"extension": "210", "send_call_to": EXT_KITCHEN}
    )
    await hass.async_block_till_done()

    assert hass.states.get(OFFICE_CALL_STATE).state == "idle"
    kitchen = hass.states.get(KITCHEN_CALL_STATE)
    assert kitchen.state == "ringing"
    assert kitchen.attributes["phone_call_id"] == call_id
    assert kitchen.attributes["remote_number"] == CALLER


async def test_transfer_to_voicemail_reaches_the_mailbox(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A voicemail transfer leaves the caller in the target extension's mailbox."""

    await async_act(
        hass,
        "transfer_call",
        {"extension": EXT_OFFICE, "send_call_to": EXT_KITCHEN, "to_voicemail": True},
    )

    [voicemail] = simulator.voicemails
    assert voicemail["call_id"] == call_id
    assert voicemail["extension"] == EXT_KITCHEN
    assert voicemail["caller_number"] == CALLER


async def test_transfer_answered_with_202(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """The short `202 Accepted` answer of the wiki's example is a success too."""
    simulator.transfer_accepted_202 = True
    call_id = await async_active_call(hass, simulator, entry)

    response = await async_act(hass, "transfer_call", TRANSFER)

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert simulator.get_call(call_id).callee.number == EXT_KITCHEN


@pytest.mark.usefixtures("call_id")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("send_call_to", "abc"),
        ("send_call_to", "+1-555"),
        ("send_call_to", "0003*211/../x"),
        ("transfer_number", "x"),
        ("transfer_from_number", "210 "),
        ("transfer_from_number", "+"),
    ],
)
async def test_malformed_number(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    field: str,
    value: str,
) -> None:
    """A malformed number is refused before anything, even a token, is sent."""

    err, mark = await async_transfer_fails(hass, simulator, {field: value})

    assert_invalid_field(err, field, value)
    assert sent(simulator, mark) == []


@pytest.mark.usefixtures("call_id")
async def test_voicemail_to_public_number_refused(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A voicemail box is an extension: a `+` public number is refused locally."""

    err, mark = await async_transfer_fails(
        hass, simulator, {"send_call_to": PUBLIC_TARGET, "to_voicemail": True}
    )

    assert err.translation_key == "voicemail_needs_extension"
    assert PUBLIC_TARGET in message(err)
    assert "send_call_to" in message(err)
    assert sent(simulator, mark) == []


async def test_voicemail_to_bare_public_number_refused_by_pbx(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A public number without `+` looks like an extension; the PBX refuses it."""

    err, mark = await async_transfer_fails(
        hass, simulator, {"send_call_to": "5559999", "to_voicemail": True}
    )

    assert err.translation_key == "pc_sendcallto_invalid"
    assert "send_call_to" in message(err)
    assert len(sent(simulator, mark, "PUT")) == 1
    assert simulator.get_call(call_id).callee.number == EXT_OFFICE


async def test_voicemail_of_an_anonymous_caller_needs_transfer_number(
    hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
) -> None:
    """Without a known other party, a voicemail transfer asks for transfer_number."""
    await async_active_call(hass, simulator, entry, caller="")
    assert hass.states.get(OFFICE_CALL_STATE).attributes["remote_number"] is None

    err, mark = await async_transfer_fails(hass, simulator, {"to_voicemail": True})

    assert err.translation_key == "transfer_number_required"
    assert "transfer_number" in message(err)
    assert sent(simulator, mark) == []


@pytest.mark.usefixtures("call_id")
async def test_voicemail_of_a_call_not_seen_yet_needs_transfer_number(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A phone_call_id the coordinator has not seen has no known other party."""
    unseen = await simulator.incoming_call(EXT_OFFICE, "5556666")
    data = {"phone_call_id": unseen, "to_voicemail": True}

    err, mark = await async_transfer_fails(hass, simulator, data)

    assert err.translation_key == "transfer_number_required"
    assert sent(simulator, mark) == []

    # With the party given, the call the coordinator did not know goes through.
    await async_act(
        hass, "transfer_call", {**TRANSFER, **data, "transfer_number": "5556666"}
    )
    assert [vm["call_id"] for vm in simulator.voicemails] == [unseen]


@pytest.mark.usefixtures("call_id")
async def test_pbx_no_longer_knows_the_extension(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """An extension removed on the PBX since the last poll is `extension_invalid`."""
    simulator.remove_extension(EXT_OFFICE)

    err, mark = await async_transfer_fails(hass, simulator)

    assert err.translation_key == "extension_invalid"
    assert message(err) == "The PBX does not know this extension (`extension`)"
    assert len(sent(simulator, mark, "PUT")) == 1


async def test_call_ended_meanwhile(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A call that ended since the last poll: the PBX answers 204, the user learns why."""
    await simulator.hangup_call(call_id)
    assert hass.states.get(OFFICE_CALL_STATE).state == "on_call"

    err, mark = await async_transfer_fails(hass, simulator, error=HomeAssistantError)

    assert err.translation_key == "call_ended"
    assert message(err) == f"Call {call_id} ended before the PBX could act on it"
    assert len(sent(simulator, mark, "PUT")) == 1
    # What the sensor showed was stale: it catches up at once.
    assert await async_state(hass, OFFICE_CALL_STATE) == "idle"


@pytest.mark.parametrize(
    ("fault", "status"), [("http_500", "500"), ("html_error", "502")]
)
async def test_server_error_is_not_retried(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    call_id: str,
    fault: str,
    status: str,
) -> None:
    """A 5xx answer is a runtime error, and exactly one PUT reached the PBX."""
    simulator.inject_fault(fault, count=None, path_prefix=call_path(call_id))

    err, mark = await async_transfer_fails(hass, simulator, error=HomeAssistantError)

    assert err.translation_key == "request_failed"
    assert f"HTTP {status}" in message(err)
    assert len(sent(simulator, mark, "PUT")) == 1
    assert simulator.get_call(call_id).callee.number == EXT_OFFICE


@pytest.mark.usefixtures("call_id")
async def test_pbx_offline(hass: HomeAssistant, simulator: VoipNowSimulator) -> None:
    """An unreachable PBX is a runtime error that says so."""
    await simulator.go_offline()

    err, _ = await async_transfer_fails(hass, simulator, error=HomeAssistantError)

    assert err.translation_key == "cannot_connect"
    assert message(err).startswith("Could not reach the PBX: ")


async def test_timeout_is_not_retried(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PBX that answers too late: one PUT, a runtime error, no second attempt."""
    entry.runtime_data.calls.client.request_timeout = 0.3
    call_id = await async_active_call(hass, simulator, entry)
    simulator.inject_fault(
        "delay", count=None, path_prefix=call_path(call_id), delay=30
    )

    err, mark = await async_transfer_fails(hass, simulator, error=HomeAssistantError)

    # The PUT left: the PBX may have acted, and the user is told so.
    assert err.translation_key == "outcome_unknown"
    assert "Timeout" in message(err)
    assert "may have carried out" in message(err)
    assert len(sent(simulator, mark, "PUT")) == 1
    # Release the delayed request before the test ends.
    await simulator.go_offline()
    await simulator.wait_callbacks()


async def test_dropped_connection_is_not_retried(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A connection dropped after the PUT arrived: one PUT, no second attempt."""
    simulator.inject_fault("disconnect", path_prefix=call_path(call_id))

    err, mark = await async_transfer_fails(hass, simulator, error=HomeAssistantError)

    assert err.translation_key == "outcome_unknown"
    # aiohttp would resend a PUT on a dropped connection: the PBX may have acted.
    assert len(sent(simulator, mark, "PUT")) == 1
    # What the PBX did is listed again at once.
    await hass.async_block_till_done()
    assert len(sent(simulator, mark, "GET")) == 1


@pytest.mark.usefixtures("call_id")
async def test_transfer_twice_in_a_row_sends_one(
    hass: HomeAssistant, simulator: VoipNowSimulator
) -> None:
    """A second transfer right after the first, before any re-list: refused, one PUT."""
    mark = len(simulator.requests)
    data = {"extension": EXT_OFFICE, "send_call_to": PUBLIC_TARGET}

    await hass.services.async_call("voipnow", "transfer_call", data, blocking=True)
    # No waiting: the re-list the first transfer started has not run yet.
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call("voipnow", "transfer_call", data, blocking=True)

    assert err.value.translation_key == "no_active_call"
    assert len(sent(simulator, mark, "PUT")) == 1
    await hass.async_block_till_done()


async def test_concurrent_transfers_of_one_call_send_one(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """Two automations transferring the same call at once: one PUT, one refusal."""
    mark = len(simulator.requests)
    data = {"extension": EXT_OFFICE, "phone_call_id": call_id}

    results = await asyncio.gather(
        async_act(hass, "transfer_call", {**data, "send_call_to": PUBLIC_TARGET}),
        async_act(hass, "transfer_call", {**data, "send_call_to": EXT_KITCHEN}),
        return_exceptions=True,
    )

    assert results[0] == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    assert isinstance(results[1], ServiceValidationError)
    assert results[1].translation_key == "call_busy"
    assert len(sent(simulator, mark, "PUT")) == 1
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("said", "action", "target"),
    [
        ("Reception", "Transfer", EXT_KITCHEN),
        ("reception", "Transfer", EXT_KITCHEN),
        ("Garage voicemail", "TransferToVoicemail", EXT_GARAGE),
    ],
)
async def test_send_call_to_a_target_by_name(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    said: str,
    action: str,
    target: str,
) -> None:
    """`send_call_to` may name a transfer target from the options."""
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            "transfer_targets": [
                {"name": "Reception", "number": EXT_KITCHEN, "voicemail": False},
                {"name": "Garage voicemail", "number": EXT_GARAGE, "voicemail": True},
            ],
        },
    )
    await hass.async_block_till_done()
    call_id = await async_active_call(hass, simulator, entry)
    mark = len(simulator.requests)

    await async_act(
        hass, "transfer_call", {"extension": EXT_OFFICE, "send_call_to": said}
    )

    [put] = sent(simulator, mark, "PUT")
    assert put.path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"
    assert put.json["action"] == action
    assert put.json["sendCallTo"] == target


async def test_revoked_token_is_renewed_once(
    hass: HomeAssistant, simulator: VoipNowSimulator, call_id: str
) -> None:
    """A revoked token: one new token, the PUT sent again once, and it succeeds."""
    simulator.revoke_tokens()
    mark = len(simulator.requests)

    response = await async_act(hass, "transfer_call", TRANSFER)

    assert response == {"phone_call_id": call_id, "extension": EXT_OFFICE}
    first, token, second = sent(simulator, mark)
    assert (first.method, token.method, second.method) == ("PUT", "POST", "PUT")
    assert first.path == second.path == call_path(call_id)
    assert first.json == second.json
    assert token in simulator.token_requests
    assert first.headers["Authorization"] != second.headers["Authorization"]
    assert simulator.get_call(call_id).callee.number == EXT_KITCHEN


async def test_rejected_credentials_start_reauth(
    hass: HomeAssistant,
    simulator: VoipNowSimulator,
    entry: MockConfigEntry,
    call_id: str,
) -> None:
    """A 401 that a new token cannot cure asks the user for the App secret."""
    simulator.set_client_secret("regenerated-secret")

    err, mark = await async_transfer_fails(hass, simulator, error=HomeAssistantError)

    assert err.translation_key == "auth_failed"
    assert "App secret" in message(err)
    assert len(sent(simulator, mark, "PUT")) == 1
    assert simulator.get_call(call_id).callee.number == EXT_OFFICE
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == entry.entry_id
