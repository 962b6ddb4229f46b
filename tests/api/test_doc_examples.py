"""The client reads every JSON example the UnifiedAPI pages print, and writes like them.

The examples are in tests/fixtures/uapi/ (one file per example, its page in
the `.source.txt` beside it). Answers are served by the simulator exactly as
printed, so the client reads them over HTTP; requests the client sends are
compared with the documented request bodies, key by key and type by type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.voipnow.api import (
    CallAction,
    CallFlow,
    CallStatus,
    PhoneCall,
    PresenceStatus,
    RegistrationStatus,
    SubscriptionEventType,
    VoipNowClient,
    VoipNowResponseError,
)
from custom_components.voipnow.api.models import CallEventSubscription, Extension
from voipnow_simulator import VoipNowSimulator

from .conftest import EXT_OFFICE, EXT_SALES, HOOK_URL, OUTSIDE, ring

FIXTURES = Path(__file__).parents[1] / "fixtures" / "uapi"


def example(name: str) -> Any:
    """Return one documented example."""
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))


def serve(sim: VoipNowSimulator, path: str, body: Any, status: int = 200) -> None:
    """Make the next request under `path` answer `body` as printed."""
    sim.inject_fault("custom", path_prefix=path, status=status, body=json.dumps(body))


def test_every_example_is_used() -> None:
    """Each fixture is read by a test of this module (no example is forgotten)."""
    source = Path(__file__).read_text("utf-8")
    names = sorted(path.stem for path in FIXTURES.glob("*.json"))

    assert names
    assert [name for name in names if f'"{name}"' not in source] == []


@pytest.mark.parametrize(
    "name",
    [
        "phonecall_resource_vnuapi30",
        "phonecall_getting_started_vnuapi30",
        "phonecalls_transfer_followup_get_vnuapi30",
    ],
)
async def test_listed_phone_calls(
    sim: VoipNowSimulator, client: VoipNowClient, name: str
) -> None:
    """A listing made of the documented PhoneCall examples reads in full."""
    call = example(name)
    serve(sim, "/uapi/phoneCalls", {"entry": [call], "totalResults": 1})

    (parsed,) = await client.async_list_calls()

    assert parsed.id == call["id"]
    assert len(parsed.views) == len(call["phoneCallView"])
    assert all(view.status is not CallStatus.UNKNOWN for view in parsed.views)
    assert [view.flow is not CallFlow.UNKNOWN for view in parsed.views] == [
        "flow" in raw for raw in call["phoneCallView"]
    ]
    assert parsed.published is not None
    for raw, view in zip(call["phoneCallView"], parsed.views, strict=True):
        assert view.ringing is ("ringing" in raw)
        assert view.caller_id == (raw.get("callerId") or raw.get("callerID"))


def test_resource_example_is_ringing_with_both_callers_ids() -> None:
    """The resource page's call rings, and both views show the caller's id."""
    call = PhoneCall.from_dict(example("phonecall_resource_vnuapi30"))

    assert {view.caller_id for view in call.views} == {call.views[0].caller_id}
    assert any(view.ringing for view in call.views)


def test_getting_started_dates_keep_their_offsets() -> None:
    """Its `answered` (+03:00) and `published` (+02:00) are read as written."""
    raw = example("phonecall_getting_started_vnuapi30")
    call = PhoneCall.from_dict(raw)

    assert call.answered is not None and call.published is not None
    assert call.answered.isoformat() == raw["answered"]
    assert call.published.isoformat() == raw["published"]


async def test_transfer_answer_202(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """The page's `202 Accepted` with `link.self` is a success."""
    call_id = await ring(sim)
    serve(
        sim,
        "/uapi/phoneCalls",
        example("phonecalls_transfer_response_vnuapi30"),
        status=202,
    )

    assert (
        await client.async_transfer_call(
            extension=EXT_OFFICE, phone_call_id=call_id, send_call_to=EXT_SALES
        )
        is True
    )


async def test_presence_example(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """The documented presence (status and registration as strings) reads."""
    raw = example("presence_resource_vnuapi30")
    serve(sim, "/uapi/extensions", {"entry": [raw]})

    (extension,) = await client.async_list_extensions()

    assert extension == Extension.from_dict(raw)
    assert extension.number == raw["extension"]
    assert extension.status is PresenceStatus(int(raw["status"]))
    assert extension.registrations[0].status is RegistrationStatus(
        int(raw["registration"][0]["registration"])
    )


async def test_phone_call_event_example(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """The documented PhoneCallEvent (type, method, status as strings) reads."""
    raw = example("phonecallevent_resource_vnuapi30")
    serve(sim, f"/uapi/extensions/@me/{EXT_OFFICE}/phoneCallEvents", {"entry": [raw]})

    (sub,) = await client.async_list_call_event_subscriptions(extension=EXT_OFFICE)

    assert sub == CallEventSubscription.from_dict(raw)
    assert sub.id == raw["id"]
    assert sub.type is SubscriptionEventType(int(raw["type"]))
    assert sub.active is (raw["status"] == "1")


@pytest.mark.parametrize("name", ["cdr_list_vnuapi30"])
def test_cdr_example_records_are_phone_calls(name: str) -> None:
    """The CDR's records (keyed by id, parties as plain strings) read as calls."""
    raw = example(name)
    records = [PhoneCall.from_dict(entry) for entry in raw["entry"].values()]

    assert [record.id for record in records] == list(raw["entry"])
    assert all(record.views for record in records)
    assert all(
        isinstance(view.source, tuple) for record in records for view in record.views
    )
    assert example("cdr_phonecallstat_vnuapi30")


def test_queue_agent_example_shape() -> None:
    """The documented QueueAgent: number and status as strings."""
    agent = example("queueagent_resource_vnuapi30")

    assert isinstance(agent["agentNumber"], str)
    assert agent["status"] in {"0", "1", "2"}
    assert example("queueagents_update_request_vnuapi30") == {"status": "1"}


@pytest.mark.parametrize(
    ("name", "status"),
    [("error_example_vnuapi30", 401), ("error_format_v5", 400)],
)
async def test_error_examples(
    sim: VoipNowSimulator, client: VoipNowClient, name: str, status: int
) -> None:
    """The documented error bodies give the code (whatever it is) to the caller."""
    raw = example(name)
    serve(sim, "/uapi/phoneCalls", raw, status=status if status != 401 else 403)

    with pytest.raises(VoipNowResponseError) as exc_info:
        await client.async_list_calls()

    assert exc_info.value.code == raw["error"]["code"]


def same_shape(sent: Any, documented: Any, path: str = "") -> list[str]:
    """Say where a body we send differs in keys or JSON types from the docs."""
    if isinstance(documented, dict):
        if not isinstance(sent, dict):
            return [f"{path}: not an object"]
        problems = [f"{path}.{key}: missing" for key in documented if key not in sent]
        for key in documented.keys() & sent.keys():
            problems += same_shape(sent[key], documented[key], f"{path}.{key}")
        return problems
    if isinstance(documented, list):
        if not isinstance(sent, list) or not sent:
            return [f"{path}: not a list"]
        return same_shape(sent[0], documented[0], f"{path}[0]")
    if type(sent) is not type(documented):
        return [f"{path}: {type(sent).__name__} for {type(documented).__name__}"]
    return []


async def test_requests_look_like_the_documented_ones(
    sim: VoipNowSimulator, client: VoipNowClient, session: aiohttp.ClientSession
) -> None:
    """Transfer, hold, make call and subscribe send the documented keys and types."""
    call_id = await ring(sim)
    await client.async_transfer_call(
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        send_call_to="+15557654321",
        transfer_number=OUTSIDE,
    )
    call_id = await ring(sim)
    await client.async_call_action(
        CallAction.ON_HOLD,
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        phone_call_view_id="01",
    )
    await client.async_call_action(
        CallAction.OFF_HOLD,
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        phone_call_view_id="01",
    )
    await client.async_make_call(
        extension=EXT_OFFICE, destination="5353535", caller_id="John Doe <4242425>"
    )
    await client.async_create_call_event_subscription(
        extension=EXT_OFFICE,
        event_type=SubscriptionEventType.DIAL_IN,
        url=HOOK_URL,
        note="note",
    )

    sent = [r.json for r in sim.api_requests() if r.method in ("PUT", "POST")]
    documented = [
        example("phonecalls_transfer_request_vnuapi30"),
        example("phonecalls_onhold_request_vnuapi30"),
        example("phonecalls_offhold_request_vnuapi30"),
        example("phonecalls_simple_request_vnuapi30"),
        example("phonecallevents_create_request_vnuapi30"),
    ]
    assert [same_shape(s, d) for s, d in zip(sent, documented, strict=True)] == [[]] * 5
    # An update sends only the fields it changes (documented example).
    assert set(example("phonecallevents_update_request_vnuapi30")) <= {
        "type",
        "method",
        "url",
        "status",
        "note",
    }
