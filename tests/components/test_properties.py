"""Property-based tests of the actions' inputs (hypothesis).

Whatever an automation passes to `voipnow.transfer_call`, `hangup_call` or
`make_call` is either refused before anything is sent (the action's schema, or
a `ServiceValidationError`), or becomes exactly one well-formed request to the
PBX. No other exception type escapes.

Hypothesis drives a synchronous test function, while Home Assistant runs on
the test's event loop: the examples run in a worker thread and hand each
action to the loop. One Home Assistant serves every example of a test; the
PBX is reset and its request log cleared before each example.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from hypothesis import HealthCheck, event, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.voipnow.api.numbers import (
    OBJECT_ID_RE as CALL_ID_RE,
    PHONE_NUMBER_RE,
    USER_ID_RE,
)
from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.errors import API_FIELD_ERRORS
from tests.conftest import EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import RecordedRequest, VoipNowSimulator

from .helpers import CALLS_PATH, PRESENCE_PATH

CALLER = "5551234"
# Stands for the id of the call the PBX has in each example.
THE_CALL = "<the call>"
EXTENSIONS = (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE)
TRANSFER_KEYS = {"action", "sendCallTo", "transferFromNumber", "transferNumber"}

# Values that have broken path and body building elsewhere.
AWKWARD = [
    "",
    " ",
    "\t",
    "\n",
    "/",
    "..",
    "../..",
    "./210",
    "210/..",
    "0003*210/../211",
    "%2F",
    "%00",
    "\x00",
    "210\x00",
    "210\n",
    " 210",
    "210 ",
    "@self",
    "@me",
    "@viewer",
    "@owner",
    "@me/..",
    "+",
    "*",
    "**",
    "+*",
    "*+1",
    "++1",
    "0003*210?x=1",
    "0003*210#top",
    "0003*210;x",
    "٢١٠",  # Arabic-Indic digits: digits to `\d`, not to the PBX
    "\uff12\uff11\uff10",  # fullwidth digits
    "1" * 33,
    "2" * 64,
    "3" * 65,
    "+1" + "5" * 40,
    "9" * 300,
    "🙂",
    "None",
    "null",
    "true",
]
_ALPHABET = "0123456789*+@./ %\n\t#?-"
_noise = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(alphabet=_ALPHABET, max_size=40),
    st.text(max_size=80),
)


def _inputs(
    good: dict[str, st.SearchStrategy[Any]],
    required: tuple[str, ...],
    awkward: dict[str, st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Action data: good values, some fields left out, up to three spoilt.

    Spoiling a few fields of otherwise good data reaches every check, and
    leaves enough examples that pass them all to show what is sent.
    """
    spoilers = dict.fromkeys(good, _noise) | (awkward or {})

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        data = {
            name: draw(values)
            for name, values in good.items()
            if name in required or draw(st.booleans())
        }
        for name in draw(st.sets(st.sampled_from(sorted(good)), max_size=3)):
            data[name] = draw(spoilers[name])
        return data

    return build()


EXTENSION = st.sampled_from([EXT_OFFICE, "210", EXT_OFFICE, EXT_KITCHEN, "0003*999"])
CALL_ID = st.one_of(
    st.just(THE_CALL),
    st.just(THE_CALL),
    st.from_regex(r"[A-Za-z0-9]{1,64}", fullmatch=True),
)
NUMBER = st.sampled_from(
    [EXT_KITCHEN, "211", EXT_GARAGE, "+15557654321", CALLER, EXT_OFFICE]
)
USER_ID = st.sampled_from(["@me", "12", "@viewer", "@owner", "13", "9" * 20])

TRANSFER_DATA = _inputs(
    {
        "extension": EXTENSION,
        "send_call_to": NUMBER,
        "phone_call_id": CALL_ID,
        "transfer_number": NUMBER,
        "transfer_from_number": NUMBER,
        "to_voicemail": st.booleans(),
        "user_id": USER_ID,
    },
    required=("extension", "send_call_to"),
    awkward={"to_voicemail": st.one_of(st.sampled_from(["yes", "off", 1]), _noise)},
)
HANGUP_DATA = _inputs(
    {"extension": EXTENSION, "phone_call_id": CALL_ID, "user_id": USER_ID},
    required=("extension",),
)
MAKE_CALL_DATA = _inputs(
    {
        "extension": EXTENSION,
        "destination": st.sampled_from(["5559999", "+15550001", EXT_KITCHEN, "211"]),
        "caller_id": st.sampled_from(["Front desk", "Bob <5551>"]),
        "wait_for_pickup": st.integers(1, 300),
        "user_id": USER_ID,
    },
    required=("extension", "destination"),
    awkward={
        "caller_id": st.one_of(st.just(" "), st.text(max_size=140)),
        "wait_for_pickup": st.one_of(
            st.integers(-1000, 1000), st.sampled_from(["12", " 30 ", "1e2"]), _noise
        ),
    },
)

EXAMPLES = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)

type Outcome = dict[str, Any] | Exception


def _run_in_thread(
    hass: HomeAssistant, examples: Callable[[], None]
) -> Awaitable[None]:
    """Run hypothesis in a worker thread while the test's loop serves the actions."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hypothesis")

    async def run() -> None:
        try:
            await hass.loop.run_in_executor(pool, examples)
        finally:
            pool.shutdown(wait=True)

    return run()


class ActionRunner:
    """Run one action per example against a PBX with one answered call."""

    def __init__(
        self, hass: HomeAssistant, simulator: VoipNowSimulator, entry: MockConfigEntry
    ) -> None:
        """Remember where the actions go."""
        self.hass = hass
        self.simulator = simulator
        self.entry = entry
        # How the examples ended: sent to the PBX or refused before.
        self.seen: Counter[str] = Counter()

    async def _async_run(
        self, action: str, data: dict[str, Any]
    ) -> tuple[str, Outcome, list[RecordedRequest]]:
        """Reset the PBX, run the action once, and collect what reached the PBX."""
        for call_id in list(self.simulator.calls):
            await self.simulator.hangup_call(call_id)
        call_id = await self.simulator.incoming_call(EXT_OFFICE, CALLER)
        await self.simulator.answer_call(call_id)
        await self.entry.runtime_data.calls.async_refresh()
        await self.hass.async_block_till_done()
        self.simulator.clear_requests()
        data = {
            key: call_id if value == THE_CALL else value for key, value in data.items()
        }
        outcome: Outcome
        try:
            outcome = await self.hass.services.async_call(
                DOMAIN, action, data, blocking=True, return_response=True
            )  # type: ignore[assignment]
        except (vol.Invalid, HomeAssistantError) as err:
            outcome = err
        await self.hass.async_block_till_done()
        # What polling asks (the refresh after an action) is not the action.
        sent = [
            request
            for request in self.simulator.requests
            if not (
                request.method == "GET" and request.path in (CALLS_PATH, PRESENCE_PATH)
            )
        ]
        return call_id, outcome, sent

    def run(
        self, action: str, data: dict[str, Any]
    ) -> tuple[str, Outcome, list[RecordedRequest]]:
        """Run one example from the worker thread, on the test's loop."""
        return asyncio.run_coroutine_threadsafe(
            self._async_run(action, data), self.hass.loop
        ).result(timeout=30)

    def check(self, outcome: Outcome, sent: list[RecordedRequest]) -> None:
        """Check an example's outcome and count how it ended."""
        _check_outcome(outcome, sent)
        kind = getattr(outcome, "translation_key", None) or type(outcome).__name__
        event(f"{len(sent)} request(s): {kind}")
        self.seen["sent" if sent else "refused"] += 1

    def assert_both_seen(self) -> None:
        """Some examples were refused and some reached the PBX."""
        assert self.seen["sent"] > 0 and self.seen["refused"] > 0, self.seen


def _check_outcome(outcome: Outcome, sent: list[RecordedRequest]) -> None:
    """Refused before sending, or one request whose answer reaches the caller."""
    assert len(sent) <= 1, [(r.method, r.path) for r in sent]
    if not sent:
        assert isinstance(outcome, vol.Invalid | ServiceValidationError), outcome
        if isinstance(outcome, ServiceValidationError):
            assert outcome.translation_domain == DOMAIN
            assert outcome.translation_key not in API_FIELD_ERRORS
        return
    if isinstance(outcome, ServiceValidationError):
        # Only the PBX's own verdict on a field, never a local check after sending.
        assert outcome.translation_key in API_FIELD_ERRORS, outcome.translation_key
    elif isinstance(outcome, Exception):
        assert isinstance(outcome, HomeAssistantError), outcome
        assert outcome.translation_domain == DOMAIN


def _call_path(request: RecordedRequest) -> tuple[str, str, str]:
    """Split `/uapi/phoneCalls/{user}/{extension}/{id}` into valid segments."""
    parts = request.path.split("/")
    assert parts[:3] == ["", "uapi", "phoneCalls"] and len(parts) == 6, request.path
    user, extension, call_id = parts[3:]
    assert USER_ID_RE.fullmatch(user), user
    assert extension in EXTENSIONS, extension
    assert CALL_ID_RE.fullmatch(call_id), call_id
    return user, extension, call_id


def _is_number(value: Any) -> bool:
    """Tell whether a body value is a phone number the API accepts."""
    return isinstance(value, str) and PHONE_NUMBER_RE.fullmatch(value) is not None


@pytest.fixture
def runner(
    hass: HomeAssistant, simulator: VoipNowSimulator, init_integration: MockConfigEntry
) -> ActionRunner:
    """Run actions against the loaded entry, one example at a time."""
    return ActionRunner(hass, simulator, init_integration)


type Check = Callable[[dict[str, Any], str, Outcome, RecordedRequest], None]


def _check_transfer(
    data: dict[str, Any], call_id: str, outcome: Outcome, request: RecordedRequest
) -> None:
    """A well-formed transfer: its body's numbers, the call it names."""
    _, extension, path_call_id = _call_path(request)
    assert request.query == {}
    body = request.json
    assert isinstance(body, dict) and set(body) <= TRANSFER_KEYS, body
    assert body["action"] in ("Transfer", "TransferToVoicemail")
    assert body["sendCallTo"] == data["send_call_to"]
    assert all(_is_number(value) for key, value in body.items() if key != "action")
    if isinstance(outcome, dict):
        assert outcome == {"phone_call_id": path_call_id, "extension": extension}
        assert path_call_id == call_id


def _check_make_call(
    data: dict[str, Any], call_id: str, outcome: Outcome, request: RecordedRequest
) -> None:
    """A well-formed MakeCall: one source, one number to call."""
    parts = request.path.split("/")
    assert parts[:3] == ["", "uapi", "phoneCalls"] and len(parts) == 5
    assert USER_ID_RE.fullmatch(parts[3]) and parts[4] == "simple"
    assert set(request.query) <= {"waitForPickup"}
    if "waitForPickup" in request.query:
        assert 1 <= int(request.query["waitForPickup"]) <= 300
    body = request.json
    assert isinstance(body, dict)
    assert set(body) == {"extension", "phoneCallView", "nonce"}
    assert body["extension"] in EXTENSIONS
    (view,) = body["phoneCallView"]
    assert set(view) <= {"source", "destination", "callerId"}
    assert view["source"] == [body["extension"]]
    assert len(view["destination"]) == 1 and _is_number(view["destination"][0])
    if "callerId" in view:
        assert view["callerId"] == view["callerId"].strip() != ""
    if isinstance(outcome, dict):
        assert outcome["extension"] == body["extension"]


def _check_hangup(
    data: dict[str, Any], call_id: str, outcome: Outcome, request: RecordedRequest
) -> None:
    """A well-formed hang-up: the call's own resource, never all calls."""
    _, extension, path_call_id = _call_path(request)
    assert set(request.query) <= {"phoneNumber"}
    assert request.body_text == ""
    if isinstance(outcome, dict):
        assert outcome == {"phone_call_id": path_call_id, "extension": extension}
    if data.get("phone_call_id") in (None, THE_CALL):
        # Without an id the extension's only call is meant, never all of them.
        assert path_call_id == call_id


@pytest.mark.parametrize(
    ("action", "inputs", "method", "check"),
    [
        ("transfer_call", TRANSFER_DATA, "PUT", _check_transfer),
        ("make_call", MAKE_CALL_DATA, "POST", _check_make_call),
        ("hangup_call", HANGUP_DATA, "DELETE", _check_hangup),
    ],
    ids=["transfer_call", "make_call", "hangup_call"],
)
async def test_action_inputs(
    hass: HomeAssistant,
    runner: ActionRunner,
    action: str,
    inputs: st.SearchStrategy[dict[str, Any]],
    method: str,
    check: Check,
) -> None:
    """Any input of an action is refused unsent, or is one well-formed request.

    `check` reads that request, given the example's data, the call's id and
    the outcome.
    """

    @EXAMPLES
    @given(data=inputs)
    def examples(data: dict[str, Any]) -> None:
        call_id, outcome, sent = runner.run(action, data)
        runner.check(outcome, sent)
        if not sent:
            return
        (request,) = sent
        assert request.method == method
        check(data, call_id, outcome, request)

    await _run_in_thread(hass, examples)
    runner.assert_both_seen()
