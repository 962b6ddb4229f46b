"""Tests of the UnifiedAPI models: defensive parsing of every shape seen or feared."""

from __future__ import annotations

from dataclasses import MISSING, fields
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from multidict import MultiDict
import pytest

from custom_components.voipnow.api import (
    CallbackMethod,
    CallEndStatus,
    CallEventPayload,
    CallEventSubscription,
    CallFlow,
    CallStatus,
    Extension,
    PhoneCall,
    PhoneCallView,
    PresenceStatus,
    Registration,
    RegistrationStatus,
    SubscriptionEventType,
    VoipNowMalformedResponseError,
    same_extension,
    short_extension,
    split_caller_id,
)
from custom_components.voipnow.api.parse import collection_entries

PLUS_3 = timezone(timedelta(hours=3))

# The List PhoneCall example of the Transfer PhoneCall page, as documented.
DOCUMENTED_CALL: dict[str, Any] = {
    "id": "b817d2618fe6f1804333",
    "extension": "0003*210",
    "ownerId": "3",
    "ownerName": "Default Organization",
    "answered": "2012-06-27T16:08:55+03:00",
    "published": "2012-06-27T16:08:50+02:00",
    "phoneCallView": [
        {
            "id": "01",
            "extension": "0003*210",
            "answered": "2012-06-27T16:08:55+03:00",
            "status": "5",
            "callerId": "John Doe <3235742879>",
            "source": ["0003*210"],
            "destination": ["3235742879"],
        }
    ],
    "link": {
        "self": "https://x.x.x.x//uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333"
    },
}


def view(**fields: Any) -> dict[str, Any]:
    """Return a minimal PhoneCallView with some fields set."""
    return {"id": "01", "extension": "0003*210", **fields}


def test_documented_phone_call() -> None:
    """The documented PhoneCall example parses into typed fields."""
    call = PhoneCall.from_dict(DOCUMENTED_CALL)

    assert call == PhoneCall(
        id="b817d2618fe6f1804333",
        extension="0003*210",
        owner_id="3",
        owner_name="Default Organization",
        published=datetime(2012, 6, 27, 16, 8, 50, tzinfo=timezone(timedelta(hours=2))),
        answered=datetime(2012, 6, 27, 16, 8, 55, tzinfo=PLUS_3),
        views=(
            PhoneCallView(
                id="01",
                extension="0003*210",
                source=("0003*210",),
                destination=("3235742879",),
                caller_id="John Doe <3235742879>",
                status=CallStatus.ON_CALL,
                flow=CallFlow.UNKNOWN,
                answered=datetime(2012, 6, 27, 16, 8, 55, tzinfo=PLUS_3),
                is_answered=True,
                ringing=False,
                on_hold=False,
                parked=False,
            ),
        ),
    )
    assert call.views[0].caller_name == "John Doe"
    assert call.views[0].caller_number == "3235742879"


def test_quirky_phone_call() -> None:
    """Numbers as numbers, callerID, Z dates, `links` and a keyed view object parse."""
    call = PhoneCall.from_dict(
        {
            "id": 4711,
            "extension": 210,
            "ownerId": 3,
            "published": "2012-06-27T13:08:50Z",
            "phoneCallView": {
                "00": {"id": "00", "extension": "0003*211", "status": 4, "flow": 2},
                "01": {
                    "id": 1,
                    "extension": "0003*210",
                    "status": 3,
                    "flow": "2",
                    "callerID": "Office <0003*211>",
                    "source": "0003*211",
                    "destination": [210],
                    "ringing": "1",
                },
            },
            "links": {"self": "https://pbx/uapi/phoneCalls/12/210/4711"},
        }
    )

    assert (call.id, call.extension, call.owner_id) == ("4711", "210", "3")
    assert call.published == datetime(2012, 6, 27, 13, 8, 50, tzinfo=UTC)
    first, second = call.views
    assert (first.id, first.status, first.flow) == (
        "00",
        CallStatus.OTHER_SIDE_RINGING,
        CallFlow.LOCAL,
    )
    assert second.id == "1"
    assert second.caller_id == "Office <0003*211>"
    assert second.source == ("0003*211",)
    assert second.destination == ("210",)
    assert second.status is CallStatus.RINGING
    assert second.ringing
    assert call.views_of("210") == (second,)
    assert call.views_of("0003*211") == (first,)


def test_minimal_phone_call() -> None:
    """Null fields are omitted: a call with only an id is fine."""
    call = PhoneCall.from_dict({"id": " a1 "})

    assert call == PhoneCall(id="a1", extension=None)
    assert call.views_of("210") == ()


@pytest.mark.parametrize(
    ("views", "ids"),
    [
        (None, []),
        ([], []),
        ({}, []),
        (view(status="5"), ["01"]),
        ({"x": view(id="00"), "y": view()}, ["00", "01"]),
        ([view(id="00"), view()], ["00", "01"]),
        ([{}], [""]),
    ],
)
def test_phone_call_view_shapes(views: Any, ids: list[str]) -> None:
    """Views come as a list, an object keyed by id, or one bare object."""
    call = PhoneCall.from_dict({"id": "a1", "phoneCallView": views})

    assert [v.id for v in call.views] == ids


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (None, "phoneCall is not an object"),
        ([DOCUMENTED_CALL], "phoneCall is not an object"),
        ("b817d2618fe6f1804333", "phoneCall is not an object"),
        (42, "phoneCall is not an object"),
        ({}, "phoneCall has no id"),
        ({"extension": "0003*210"}, "phoneCall has no id"),
        ({"id": ""}, "phoneCall has no id"),
        ({"id": "   "}, "phoneCall has no id"),
        ({"id": True}, "phoneCall.id is not a string"),
        ({"id": 1.5}, "phoneCall.id is not a string"),
        ({"id": ["a1"]}, "phoneCall.id is not a string"),
        ({"id": {"value": "a1"}}, "phoneCall.id is not a string"),
        ({"id": "a1", "extension": False}, "phoneCall.extension is not a string"),
        ({"id": "a1", "ownerName": {"en": "x"}}, "phoneCall.ownerName is not"),
        ({"id": "a1", "ownerId": [3]}, "phoneCall.ownerId is not a string"),
        ({"id": "a1", "phoneCallView": "01"}, "neither a list nor an object"),
        ({"id": "a1", "phoneCallView": 5}, "neither a list nor an object"),
        ({"id": "a1", "phoneCallView": [5]}, "phoneCallView is not an object"),
        ({"id": "a1", "phoneCallView": ["01"]}, "phoneCallView is not an object"),
        ({"id": "a1", "phoneCallView": [view(id=True)]}, "phoneCallView.id is not"),
        ({"id": "a1", "phoneCallView": [view(callerId=True)]}, "callerId is not"),
        ({"id": "a1", "phoneCallView": [view(callerID=[1])]}, "callerID is not"),
        ({"id": "a1", "phoneCallView": [view(extension=2.5)]}, "extension is not"),
        ({"id": "a1", "phoneCallView": [view(source={})]}, "source is not a list"),
        ({"id": "a1", "phoneCallView": [view(source=True)]}, "source is not a list"),
        ({"id": "a1", "phoneCallView": [view(source=[None])]}, "holds a non-string"),
        ({"id": "a1", "phoneCallView": [view(destination=[True])]}, "non-string"),
        ({"id": "a1", "phoneCallView": [view(destination=[["x"]])]}, "non-string"),
    ],
)
def test_malformed_phone_call(raw: Any, text: str) -> None:
    """A call of the wrong shape raises VoipNowMalformedResponseError, nothing else."""
    with pytest.raises(VoipNowMalformedResponseError, match=text) as exc_info:
        PhoneCall.from_dict(raw)

    assert str(exc_info.value).startswith("Malformed answer: ")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("5", CallStatus.ON_CALL),
        (5, CallStatus.ON_CALL),
        (" 3 ", CallStatus.RINGING),
        ("0", CallStatus.UNKNOWN),
        (1, CallStatus.OFF_HOOK),
        ("2", CallStatus.TRYING),
        ("4", CallStatus.OTHER_SIDE_RINGING),
        (9, CallStatus.UNKNOWN),
        (-1, CallStatus.UNKNOWN),
        ("RINGING", CallStatus.UNKNOWN),
        ("", CallStatus.UNKNOWN),
        ("5.0", CallStatus.UNKNOWN),
        (5.0, CallStatus.UNKNOWN),
        (True, CallStatus.UNKNOWN),
        ([5], CallStatus.UNKNOWN),
        (None, CallStatus.UNKNOWN),
    ],
)
def test_call_status_values(status: Any, expected: CallStatus) -> None:
    """Status is a number or a numeric string; anything else is UNKNOWN."""
    parsed = PhoneCallView.from_dict(view(status=status))

    assert parsed.status is expected


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        ("2", CallFlow.LOCAL),
        (4, CallFlow.OUTGOING_PUBLIC),
        ("8", CallFlow.INCOMING_PUBLIC),
        ("16", CallFlow.UNKNOWN),
        ("in", CallFlow.UNKNOWN),
        (None, CallFlow.UNKNOWN),
        (False, CallFlow.UNKNOWN),
    ],
)
def test_call_flow_values(flow: Any, expected: CallFlow) -> None:
    """Flow 2/4/8 is local/outgoing/incoming; others are UNKNOWN."""
    assert PhoneCallView.from_dict(view(flow=flow)).flow is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Documented: a date when set, the field missing otherwise.
        ("2012-06-27T16:08:55+03:00", True),
        ("2012-06-27T13:08:55Z", True),
        ("2012-06-27T16:08:55", True),
        # Any other value is set too, whatever its format.
        ("not a date", True),
        (True, True),
        (1, True),
        ("yes", True),
        ("no", True),
        # Empty or false-like values mean not set.
        (None, False),
        ("", False),
        ("  ", False),
        (False, False),
        (0, False),
        ("0", False),
        ("false", False),
    ],
)
def test_view_dates_are_present_or_absent(value: Any, expected: bool) -> None:
    """`onHold`, `ringing`, `parked`, `recording` are dates: present means yes."""
    parsed = PhoneCallView.from_dict(
        view(onHold=value, ringing=value, parked=value, recording=value)
    )

    assert (parsed.on_hold, parsed.ringing, parsed.parked, parsed.recording) == (
        expected,
    ) * 4


def test_view_without_dates() -> None:
    """A view that omits the dates is not ringing, on hold, parked or recorded."""
    parsed = PhoneCallView.from_dict(view())

    assert not (parsed.on_hold or parsed.ringing or parsed.parked or parsed.recording)
    assert not parsed.holder


@pytest.mark.parametrize(
    ("holder", "expected"),
    [(1, True), ("1", True), (0, False), ("0", False), ("2", False), (None, False)],
)
def test_view_holder(holder: Any, expected: bool) -> None:
    """`holder` 1 (a Number, or its string) says this party put the call on hold."""
    parsed = PhoneCallView.from_dict(
        view(onHold="2012-06-27T16:08:55+03:00", holder=holder)
    )

    assert parsed.holder is expected


@pytest.mark.parametrize(
    ("answered", "moment", "is_answered"),
    [
        (
            "2012-06-27T16:08:55+03:00",
            datetime(2012, 6, 27, 16, 8, 55, tzinfo=PLUS_3),
            True,
        ),
        (
            "2012-06-27T13:08:55Z",
            datetime(2012, 6, 27, 13, 8, 55, tzinfo=UTC),
            True,
        ),
        (
            " 2012-06-27T13:08:55.250Z ",
            datetime(2012, 6, 27, 13, 8, 55, 250000, tzinfo=UTC),
            True,
        ),
        (
            "2012-06-27T16:08:55+0300",
            datetime(2012, 6, 27, 16, 8, 55, tzinfo=PLUS_3),
            True,
        ),
        # Unparsable, zone-less or odd dates are absent, but still mean "answered".
        # XML Schema dateTime makes the zone optional: kept, in the given zone.
        ("2012-06-27T16:08:55", datetime(2012, 6, 27, 16, 8, 55, tzinfo=UTC), True),
        ("2012-06-27 16:08:55", datetime(2012, 6, 27, 16, 8, 55, tzinfo=UTC), True),
        ("2012-06-27", datetime(2012, 6, 27, tzinfo=UTC), True),
        ("yesterday", None, True),
        ("2012-13-45T99:00:00Z", None, True),
        (1340802535, None, True),
        (True, None, True),
        ("1", None, True),
        # Nothing, zero or empty: not answered.
        ("", None, False),
        ("0", None, False),
        (0, None, False),
        (False, None, False),
        (None, None, False),
    ],
)
def test_answered_dates(
    answered: Any, moment: datetime | None, is_answered: bool
) -> None:
    """Dates with Z, an offset, no zone or garbage never break parsing."""
    parsed = PhoneCallView.from_dict(view(answered=answered))
    call = PhoneCall.from_dict(
        {"id": "a1", "answered": answered, "published": answered}
    )

    assert parsed.answered == moment
    assert parsed.is_answered is is_answered
    assert call.answered == moment
    assert call.published == moment


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {
                "extension": "0003*001",
                "status": "1",
                "registration": [
                    {
                        "agent": "Yealink",
                        "registration": "1",
                        "expire": "2030-01-01T00:00:00Z",
                    }
                ],
            },
            Extension(
                number="0003*001",
                status=PresenceStatus.ONLINE,
                registrations=(
                    Registration(
                        agent="Yealink",
                        status=RegistrationStatus.REGISTERED,
                        expires=datetime(2030, 1, 1, tzinfo=UTC),
                    ),
                ),
            ),
        ),
        (
            {"extension": 210, "status": 3, "registration": {"registration": -2}},
            Extension(
                number="210",
                status=PresenceStatus.BUSY,
                registrations=(
                    Registration(
                        agent=None, status=RegistrationStatus.EXPIRED, expires=None
                    ),
                ),
            ),
        ),
        (
            {
                "extension": "0003*002",
                "status": "busy",
                "name": "Sales",
                "registration": {
                    "a": {"registration": "2", "expire": "soon"},
                    "b": {"registration": "-1"},
                },
            },
            Extension(
                number="0003*002",
                status=PresenceStatus.UNKNOWN,
                name="Sales",
                registrations=(
                    Registration(
                        agent=None, status=RegistrationStatus.NOT_NEEDED, expires=None
                    ),
                    Registration(
                        agent=None,
                        status=RegistrationStatus.NOT_REGISTERED,
                        expires=None,
                    ),
                ),
            ),
        ),
        (
            {"extension": "0003*003", "extensionName": "Hall", "registration": None},
            Extension(number="0003*003", status=PresenceStatus.UNKNOWN, name="Hall"),
        ),
        (
            {
                "extension": "0003*004",
                "status": 9,
                "name": "",
                "registration": [{"registration": "7"}, {}],
            },
            Extension(
                number="0003*004",
                status=PresenceStatus.UNKNOWN,
                registrations=(
                    Registration(
                        agent=None, status=RegistrationStatus.UNKNOWN, expires=None
                    ),
                )
                * 2,
            ),
        ),
    ],
)
def test_extension_shapes(raw: dict[str, Any], expected: Extension) -> None:
    """Presence entries parse with registrations as a list, an object or keyed."""
    assert Extension.from_dict(raw) == expected


@pytest.mark.parametrize(
    ("statuses", "registered"),
    [
        ([], False),
        (["1"], True),
        (["2"], True),
        (["-1"], False),
        (["-2"], False),
        (["0"], False),
        (["-1", "1"], True),
    ],
)
def test_extension_registered(statuses: list[str], registered: bool) -> None:
    """An extension is registered when a device is, or needs no registration."""
    extension = Extension.from_dict(
        {
            "extension": "0003*001",
            "registration": [{"registration": status} for status in statuses],
        }
    )

    assert extension.registered is registered


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("0003*001", "presence is not an object"),
        ({}, "presence has no extension"),
        ({"extension": ""}, "presence has no extension"),
        ({"extension": True}, "presence.extension is not a string"),
        ({"extension": "1", "registration": "1"}, "neither a list nor an object"),
        ({"extension": "1", "registration": ["1"]}, "registration is not an object"),
        ({"extension": "1", "registration": [{"agent": 5.5}]}, "agent is not"),
        ({"extension": "1", "name": ["Sales"]}, "presence.name is not a string"),
    ],
)
def test_malformed_extension(raw: Any, text: str) -> None:
    """A presence entry of the wrong shape is malformed."""
    with pytest.raises(VoipNowMalformedResponseError, match=text):
        Extension.from_dict(raw)


@pytest.mark.parametrize(
    ("raw", "kind", "method", "active"),
    [
        (
            {"type": "0", "method": "1", "status": "1"},
            SubscriptionEventType.DIAL_IN,
            CallbackMethod.POST,
            True,
        ),
        (
            {"type": 4, "method": 0, "status": 0},
            SubscriptionEventType.ANSWER_OUT,
            CallbackMethod.GET,
            False,
        ),
        ({"type": "2"}, SubscriptionEventType.HANGUP, CallbackMethod.POST, True),
        (
            {"type": "9", "method": "7", "status": "2"},
            None,
            CallbackMethod.POST,
            False,
        ),
        ({"type": "dial-in", "status": "on"}, None, CallbackMethod.POST, False),
        ({"type": True}, None, CallbackMethod.POST, True),
        ({}, None, CallbackMethod.POST, True),
    ],
)
def test_subscription_values(
    raw: dict[str, Any],
    kind: SubscriptionEventType | None,
    method: CallbackMethod,
    active: bool,
) -> None:
    """Subscription codes parse from strings or numbers; unknown ones are tolerated."""
    sub = CallEventSubscription.from_dict(
        {"id": "7", "url": "https://ha.example/hook", **raw}
    )

    assert (sub.type, sub.method, sub.active) == (kind, method, active)


def test_subscription_repr_hides_url() -> None:
    """A subscription's URL (the webhook secret) is not in its repr."""
    sub = CallEventSubscription.from_dict(
        {
            "id": 7,
            "type": "3",
            "url": "https://ha.example/api/webhook/s3cr3t",
            "note": "ha",
        }
    )

    assert sub.id == "7"
    assert sub.url == "https://ha.example/api/webhook/s3cr3t"
    assert sub.note == "ha"
    assert "s3cr3t" not in repr(sub)
    assert "ANSWER_IN" in repr(sub)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (None, "phoneCallEvent is not an object"),
        ({"type": "0"}, "phoneCallEvent has no id"),
        ({"id": "1", "url": ["https://x"]}, "phoneCallEvent.url is not a string"),
        ({"id": "1", "note": False}, "phoneCallEvent.note is not a string"),
    ],
)
def test_malformed_subscription(raw: Any, text: str) -> None:
    """A subscription of the wrong shape is malformed."""
    with pytest.raises(VoipNowMalformedResponseError, match=text):
        CallEventSubscription.from_dict(raw)


def test_subscription_without_url() -> None:
    """A subscription listed without its URL has an empty one."""
    assert CallEventSubscription.from_dict({"id": "1"}).url == ""


@pytest.mark.parametrize(
    ("payload", "count"),
    [
        ([], 0),
        ([{"id": "a"}, {"id": "b"}], 2),
        ({"entry": [{"id": "a"}]}, 1),
        ({"entry": {"a": {"id": "a"}, "b": {"id": "b"}}}, 2),
        ({"entry": {"id": "a", "extension": "210"}}, 1),
        ({"entry": {}}, 0),
        ({"entry": None}, 0),
        ({"totalResults": 0}, 0),
        ({"id": "a"}, 0),
    ],
)
def test_collection_entries(payload: Any, count: int) -> None:
    """Collections are a list, `entry` as a list, keyed object or lone object."""
    assert len(collection_entries(payload, "calls")) == count


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ("entry", "calls is not an object"),
        (7, "calls is not an object"),
        (None, "calls is not an object"),
        ({"entry": "a"}, "calls.entry is neither a list nor an object"),
        ({"entry": 3}, "calls.entry is neither a list nor an object"),
    ],
)
def test_malformed_collection(payload: Any, text: str) -> None:
    """A collection of the wrong shape is malformed."""
    with pytest.raises(VoipNowMalformedResponseError, match=text):
        collection_entries(payload, "calls")


@pytest.mark.parametrize(
    ("caller_id", "expected"),
    [
        ("John Doe <3334444>", ("John Doe", "3334444")),
        ('"John Doe" <3334444>', ("John Doe", "3334444")),
        ("  Jane   <  5551234 >  ", ("Jane", "5551234")),
        ("<3334444>", (None, "3334444")),
        ("Office <0003*210>", ("Office", "0003*210")),
        ("John Doe <>", ("John Doe", None)),
        ("<>", (None, None)),
        ("3334444", (None, "3334444")),
        (" +40215550000 ", (None, "+40215550000")),
        ("0003*210", (None, "0003*210")),
        ("Anonymous", ("Anonymous", None)),
        ("John Doe", ("John Doe", None)),
        ("Jane <555", ("Jane <555", None)),
        ("", (None, None)),
        ("   ", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_caller_id(
    caller_id: str | None, expected: tuple[str | None, str | None]
) -> None:
    """Caller ids split into name and number; a bare word is a name."""
    assert split_caller_id(caller_id) == expected


def test_caller_properties() -> None:
    """A view exposes the parts of its caller id."""
    parsed = PhoneCallView.from_dict(view(callerId="Anonymous"))

    assert (parsed.caller_name, parsed.caller_number) == ("Anonymous", None)
    assert PhoneCallView.from_dict(view()).caller_number is None


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("0003*210", "210", True),
        ("210", "0003*210", True),
        ("0003*210", "0003*210", True),
        ("210", "210", True),
        ("*210", "210", True),
        ("0003*210", "0004*210", False),
        ("0003*210", "0003*211", False),
        ("210", "211", False),
        ("210", "1210", False),
        ("210", "", False),
        ("", "210", False),
        ("", "", False),
    ],
)
def test_same_extension(left: str, right: str, same: bool) -> None:
    """Short and extended numbers of one extension match; others never do."""
    assert same_extension(left, right) is same


@pytest.mark.parametrize(
    ("number", "short"),
    [("0003*210", "210"), ("210", "210"), ("1*2*3", "3"), ("", "")],
)
def test_short_extension(number: str, short: str) -> None:
    """The short form is the part after the last `*`."""
    assert short_extension(number) == short


def test_call_event_payload_ignores_key_case() -> None:
    """Parameter names are matched whatever their case; others are ignored."""
    payload = CallEventPayload.from_params(
        MultiDict(
            [
                ("callid", "b817d2618fe6f1804333"),
                ("CALLERIDNUM", "5551234"),
                ("CallerIdName", " Jane Doe "),
                ("CalledDID", ""),
                ("calledextension", "0003*210"),
                ("CalledNumber", 210),
                ("callflow", "in"),
                ("CallStatus", "calling"),
                ("Extra", "ignored"),
            ]
        )
    )

    assert payload == CallEventPayload(
        call_id="b817d2618fe6f1804333",
        caller_number="5551234",
        caller_name="Jane Doe",
        called_number="210",
        flow="IN",
        end_status=None,
        calling=True,
        called_extension="0003*210",
    )


def test_call_event_payload_of_odd_values() -> None:
    """Values that are not text are ignored."""
    payload = CallEventPayload.from_params(
        {"CallID": ["a", "b"], "CallerIDNum": True, "CallFlow": None}
    )

    # Every field without a default is None; the others keep their defaults.
    required = [
        field.name for field in fields(CallEventPayload) if field.default is MISSING
    ]
    assert payload == CallEventPayload(**dict.fromkeys(required))


@pytest.mark.parametrize("spelling", ["CallerIDName", "CallerIDNam", "calleridnam"])
def test_call_event_payload_caller_name_spellings(spelling: str) -> None:
    """The caller name comes under both documented spellings."""
    payload = CallEventPayload.from_params({spelling: "Acme Corp"})

    assert payload.caller_name == "Acme Corp"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ANSWER", CallEndStatus.ANSWER),
        ("answer", CallEndStatus.ANSWER),
        ("BUSY", CallEndStatus.BUSY),
        ("NOANSWER", CallEndStatus.NOANSWER),
        ("NO ANSWER", CallEndStatus.NOANSWER),
        ("CANCEL", CallEndStatus.CANCEL),
        ("CONGESTION", CallEndStatus.CONGESTION),
        ("CHANUNAVAIL", CallEndStatus.CHANUNAVAIL),
        ("UNKNOWN", CallEndStatus.UNKNOWN),
        ("SOMETHING NEW", CallEndStatus.UNKNOWN),
        ("CALLING", None),
        ("", None),
    ],
)
def test_call_event_payload_end_status(
    status: str, expected: CallEndStatus | None
) -> None:
    """`CallStatus` says how a call ended; CALLING (a dial event) says nothing."""
    assert CallEventPayload.from_params({"CallStatus": status}).end_status is expected


def test_call_event_payload_is_cleaned() -> None:
    """Control characters go, names are cut to 64 and numbers to 32 characters."""
    payload = CallEventPayload.from_params(
        {
            "CallerIDName": "Evil\x00\x1b[31m\u202eCorp" + "x" * 500,
            "CallerIDNum": "+4021\n5550100" + "9" * 100,
            "CalledNumber": "\t210\r\n",
            "CallID": "a" * 1000,
        }
    )

    assert payload.caller_name is not None
    assert payload.caller_name.startswith("Evil[31mCorp")
    assert len(payload.caller_name) == 64
    assert payload.caller_number is not None
    assert payload.caller_number.startswith("+4021 5550100")
    assert len(payload.caller_number) == 32
    assert payload.called_number == "210"
    assert payload.call_id == "a" * 255


def test_dates_without_zone_are_read_in_the_given_zone() -> None:
    """A zone-less date is the server's local time: read in the zone given."""
    call = PhoneCall.from_dict(
        {
            "id": "a1",
            "published": "2012-06-27T16:08:50",
            "answered": "2012-06-27T13:08:55Z",
            "phoneCallView": [view(answered="2012-06-27T16:08:55")],
        },
        PLUS_3,
    )

    assert call.published == datetime(2012, 6, 27, 16, 8, 50, tzinfo=PLUS_3)
    # A date with a zone keeps its own.
    assert call.answered == datetime(2012, 6, 27, 13, 8, 55, tzinfo=UTC)
    assert call.views[0].answered == datetime(2012, 6, 27, 16, 8, 55, tzinfo=PLUS_3)


@pytest.mark.parametrize("spelling", ["links", "link"])
def test_phone_call_link_spellings(spelling: str) -> None:
    """`links.self` (documented) and `link.self` (the transfer page) both parse."""
    call = PhoneCall.from_dict({"id": "a1", spelling: {"self": "https://x/uapi/y"}})

    assert call.id == "a1"
