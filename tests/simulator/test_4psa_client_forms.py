"""Every request form 4PSA's own UnifiedAPI client sends gets a documented answer.

The table replays, method for method, the URL, query and body that the
vendor's client builds (repository ``4psa/mcp-voipnow``, folder
``calls/src/tools/``; each row names its file). That client ends every path
with ``/``, always sends ``count=20&startIndex=0`` on reads (also of a single
resource) and leaves out unset body fields (``JSON.stringify`` drops
``undefined``). Real servers answer it; the simulator must too: never a 404
or a 400 for a form a real server takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from voipnow_simulator import VoipNowSimulator

from .helpers import EXT1, EXT2, Api, Reply

EXT3 = "0003*212"
QUEUE = "0003*300"
READ = {"count": "20", "startIndex": "0"}
HOOK = "http://127.0.0.1:9/hook"


@dataclass(frozen=True)
class Form:
    """One request as 4PSA's client sends it and the answer it must get."""

    source: str  # the file of calls/src/tools/ that builds it
    method: str
    path: str  # {call} and {sub} stand for a live call and subscription
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    setup: str = "ringing"  # the call's state: ringing, answered, parked, recording
    status: int = 200
    shape: str = "collection"  # what a 200 carries (see `check_shape`)


def _put(source: str, body: dict[str, Any], setup: str = "answered") -> Form:
    """A PhoneCall action, as every phone-calls-update-*.ts sends it."""
    return Form(
        source,
        "PUT",
        f"/uapi/phoneCalls/@me/{EXT1}/{{call}}/",
        body=body,
        setup=setup,
        shape="call",
    )


EVENTS = f"/uapi/extensions/@me/{EXT1}/phoneCallEvents/"
FORMS = [
    # phone-calls-list.ts: "{userId}/{extension}/" [+ "{phoneCallId}/"]
    Form("phone-calls-list.ts", "GET", f"/uapi/phoneCalls/@me/{EXT1}/", READ),
    Form("phone-calls-list.ts", "GET", "/uapi/phoneCalls/@me/@self/", READ),
    Form(
        "phone-calls-list.ts",
        "GET",
        f"/uapi/phoneCalls/@me/{EXT1}/",
        {**READ, "sortOrder": "descending", "fields": "id,published"},
    ),
    Form(
        "phone-calls-list.ts",
        "GET",
        f"/uapi/phoneCalls/@me/{EXT1}/{{call}}/",
        READ,
        shape="call",
    ),
    # phone-calls-create.ts: "{userId}/{type}/", query waitForPickup...
    Form(
        "phone-calls-create.ts",
        "POST",
        "/uapi/phoneCalls/@me/simple/",
        {"waitForPickup": "25", "callDuration": "120"},
        {
            "extension": EXT2,
            "phoneCallView": [
                {
                    "source": [EXT2],
                    "destination": ["5553333"],
                    "callerId": "John Doe <0003*211>",
                }
            ],
            "nonce": "MTIzNDU2",
        },
        shape="calls",
    ),
    # The other two kinds of call that client makes: not simulated, and
    # answered as servers answer an operation they do not implement.
    *(
        Form(
            "phone-calls-create.ts",
            "POST",
            f"/uapi/phoneCalls/@me/{kind}/",
            {"waitForPickup": "25"},
            {
                "extension": EXT2,
                "phoneCallView": [{"source": [EXT2], "destination": ["5553333"]}],
            },
            status=501,
        )
        for kind in ("conferenceInvite", "callback")
    ),
    # phone-calls-delete.ts: "{userId}/{extension}/" [+ "{id}/"], ?phoneNumber
    Form(
        "phone-calls-delete.ts",
        "DELETE",
        f"/uapi/phoneCalls/@me/{EXT1}/{{call}}/",
        shape="ids",
    ),
    Form(
        "phone-calls-delete.ts",
        "DELETE",
        f"/uapi/phoneCalls/@me/{EXT1}/",
        {"phoneNumber": "5551234"},
        shape="ids",
    ),
    # phone-calls-update-*.ts: PUT "{userId}/{extension}/{phoneCallId}/"
    _put(
        "phone-calls-update-transfer-tovoicemail.ts",
        {
            "action": "Transfer",
            "sendCallTo": EXT2,
            "transferFromNumber": EXT1,
            "transferNumber": "5551234",
        },
    ),
    _put(
        "phone-calls-update-transfer-tovoicemail.ts",
        {"action": "TransferToVoicemail", "sendCallTo": EXT2, "transferNumber": EXT1},
        setup="ringing",
    ),
    _put(
        "phone-calls-update-onhold-offhold.ts",
        {"action": "OnHold", "phoneCallViewId": "01"},
    ),
    _put(
        "phone-calls-update-onhold-offhold.ts",
        {"action": "OffHold", "phoneCallViewId": "01"},
    ),
    _put(
        "phone-calls-update-park-unpark.ts",
        {"action": "Park", "phoneCallViewId": "01", "maxInParking": 180},
    ),
    _put(
        "phone-calls-update-park-unpark.ts",
        {
            "action": "UnPark",
            "phoneCallViewId": "01",
            "sendCallTo": EXT3,
            "waitForPickup": "25",
        },
        setup="parked",
    ),
    _put(
        "phone-calls-update-pickup-bargein.ts",
        {
            "action": "PickUp",
            "phoneCallViewId": "01",
            "sendCallTo": EXT3,
            "waitForPickup": "25",
        },
        setup="ringing",
    ),
    *(
        _put(
            f"phone-calls-update-{name}.ts",
            {
                "action": action,
                "sendCallTo": EXT3,
                "callerId": "Supervisor <0003*212>",
                "waitForPickup": "25",
                "phoneCallViewId": "01",
                **extra,
            },
        )
        for name, action, extra in (
            ("pickup-bargein", "BargeIn", {}),
            ("monitor", "Monitor", {}),
            ("whisper", "Whisper", {"private": "0"}),
        )
    ),
    _put(
        "phone-calls-update-start-stop-recording.ts",
        {"action": "StartRecording", "phoneCallViewId": "01", "format": "wav"},
    ),
    _put(
        "phone-calls-update-start-stop-recording.ts",
        {"action": "StopRecording", "phoneCallViewId": "01"},
        setup="recording",
    ),
    # extensions-phone-call-events-*.ts: ".../phoneCallEvents/" [+ "{type}/" [+ "{id}/"]]
    Form(
        "extensions-phone-call-events-create.ts",
        "POST",
        EVENTS,
        body={"type": "1", "method": "1", "url": HOOK, "status": "1"},
        shape="subscription",
    ),
    Form("extensions-phone-call-events-list.ts", "GET", EVENTS, READ),
    Form("extensions-phone-call-events-list.ts", "GET", EVENTS + "0/", READ),
    Form(
        "extensions-phone-call-events-list.ts",
        "GET",
        EVENTS + "0/{sub}/",
        READ,
        shape="subscription",
    ),
    # The client spells the sort parameter "sortOder": servers ignore it.
    Form(
        "extensions-phone-call-events-list.ts",
        "GET",
        EVENTS,
        {**READ, "filterBy": "type", "filterValue": "0", "sortOder": "ascending"},
    ),
    Form(
        "extensions-phone-call-events-update.ts",
        "PUT",
        EVENTS + "0/{sub}/",
        body={"method": "1", "url": HOOK, "status": "0"},
        shape="subscription",
    ),
    Form("extensions-phone-call-events-delete.ts", "DELETE", EVENTS, shape="ids"),
    Form(
        "extensions-phone-call-events-delete.ts", "DELETE", EVENTS + "0/", shape="ids"
    ),
    Form(
        "extensions-phone-call-events-delete.ts",
        "DELETE",
        EVENTS + "0/{sub}/",
        shape="ids",
    ),
    # extensions-presence-list.ts: "{userId}/{extension}/presence/"
    Form(
        "extensions-presence-list.ts",
        "GET",
        "/uapi/extensions/@me/@self/presence/",
        READ,
    ),
    Form(
        "extensions-presence-list.ts",
        "GET",
        f"/uapi/extensions/@me/{EXT1}/presence/",
        READ,
    ),
    Form(
        "extensions-presence-list.ts",
        "GET",
        "/uapi/extensions/@me/@self/presence/",
        {
            **READ,
            "filterBy": "extension",
            "filterOp": "startsWith",
            "filterValue": "0003*21",
            "sortOrder": "descending",
        },
    ),
    # extensions-queue-agents-*.ts: "{userId}/{queue}/queue/agents/" [+ "{agent}/"]
    Form(
        "extensions-queue-agents-list.ts",
        "GET",
        f"/uapi/extensions/@me/{QUEUE}/queue/agents/",
        {**READ, "filterBy": "status", "filterOp": "equals", "filterValue": "1"},
    ),
    Form(
        "extensions-queue-agents-list.ts",
        "GET",
        f"/uapi/extensions/@me/{QUEUE}/queue/agents/{EXT1}/",
        READ,
        shape="any",
    ),
    Form(
        "extensions-queue-agents-update.ts",
        "PUT",
        f"/uapi/extensions/@me/{QUEUE}/queue/agents/{EXT1}/",
        body={"status": "2"},
        shape="any",
    ),
    # cdr-list.ts: "/uapi/cdr/" [+ "{ownerId}/"], local dates without a zone
    Form("cdr-list.ts", "GET", "/uapi/cdr/", READ),
    Form(
        "cdr-list.ts",
        "GET",
        "/uapi/cdr/12/",
        {
            **READ,
            "startDate": "2024-10-05T00:00:00",
            "saveStartDate": "2024-10-05T00:00:00",
            "source": EXT1,
            "sortOrder": "descending",
        },
    ),
    # faxes-create.ts: POST "/uapi/faxes/{userId}/{extension}" (multipart)
    Form("faxes-create.ts", "POST", f"/uapi/faxes/@me/{EXT1}", status=501),
]


async def _prepare(sim: VoipNowSimulator, api: Api, setup: str) -> dict[str, str]:
    """Create what the path names: a call in the wanted state, a subscription."""
    sim.add_extension(EXT3, name="Supervisor")
    sim.add_queue(QUEUE, "Sales", {EXT1: 1, EXT2: 0})
    call_id = await sim.incoming_call(EXT1, from_number="5551234")
    if setup != "ringing":
        await sim.answer_call(call_id)
    if setup in ("parked", "recording"):
        action = "Park" if setup == "parked" else "StartRecording"
        reply = await api.put(
            f"/uapi/phoneCalls/@me/{EXT1}/{call_id}",
            {"action": action, "phoneCallViewId": "01"},
        )
        assert reply.status == 200, reply.text
    sub = sim.pbx.add_subscription(EXT1, 0, 1, HOOK, 1, None)
    return {"call": call_id, "sub": sub.id}


def check_shape(reply: Reply, shape: str) -> None:
    """Assert the documented body of a 200."""
    body = reply.body
    if shape == "collection":
        assert isinstance(body["entry"], list | dict)
        assert {"startIndex", "totalResults", "itemsPerPage"} <= set(body)
    elif shape == "call":
        assert isinstance(body["id"], str)
        assert body["phoneCallView"] or body["id"]
    elif shape == "calls":
        assert isinstance(body, list)
        assert isinstance(body[0]["id"], str)
    elif shape == "ids":
        assert isinstance(body, list)
        assert body
        assert all(isinstance(item["id"], str) for item in body)
    elif shape == "subscription":
        assert isinstance(body["id"], str)
        assert body["url"] == HOOK
    else:
        assert body is not None


@pytest.mark.parametrize(
    "form",
    FORMS,
    ids=[f"{f.method} {f.path.split('/uapi/')[1]} ({f.source})" for f in FORMS],
)
async def test_4psa_client_form(sim: VoipNowSimulator, api: Api, form: Form) -> None:
    """The request as 4PSA's client builds it gets the documented answer."""
    ids = await _prepare(sim, api, form.setup)
    path = form.path.format(**ids)
    if form.method == "POST" and form.path.startswith("/uapi/faxes/"):
        reply = await api.request(
            "POST", path, data={"request": '{"recipients": ["0003*211"]}'}
        )
    else:
        reply = await api.request(
            form.method, path, json_body=form.body, params=form.query or None
        )

    assert reply.status == form.status, reply.text
    if form.status == 200:
        check_shape(reply, form.shape)
    else:
        assert reply.body["error"]["code"] == "request_not_implemented"


async def test_single_reads_take_count_and_start_index(
    sim: VoipNowSimulator, api: Api
) -> None:
    """A single call read with count/startIndex is the call, not a page of it."""
    ids = await _prepare(sim, api, "ringing")

    plain = await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{ids['call']}")
    paged = await api.get(f"/uapi/phoneCalls/@me/{EXT1}/{ids['call']}/", params=READ)

    assert paged.status == plain.status == 200
    assert paged.body["id"] == plain.body["id"] == ids["call"]
    assert "entry" not in paged.body
