"""Tests of the UnifiedAPI client: real HTTP to the simulator and scripted servers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
import logging
from pathlib import Path
import re
import socket
import ssl
import time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
import pytest

from custom_components.voipnow.api import (
    CallAction,
    CallbackMethod,
    CallEventSubscription,
    CallFlow,
    CallStatus,
    PresenceStatus,
    RegistrationStatus,
    SubscriptionEventType,
    VoipNowAuthenticationError,
    VoipNowClient,
    VoipNowConnectionError,
    VoipNowError,
    VoipNowInvalidInputError,
    VoipNowMalformedResponseError,
    VoipNowResponseError,
    VoipNowSSLError,
    VoipNowTimeoutError,
    normalize_url,
    split_caller_id,
    transport as client_module,
)
from custom_components.voipnow.api.requests import transfer_body
from voipnow_simulator import VoipNowSimulator

from .conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    EXT_GARAGE,
    EXT_OFFICE,
    EXT_SALES,
    HOOK_URL,
    OUTSIDE,
    SCRIPTED_TOKEN,
    TIMEOUT,
    FakeClock,
    ScriptedServer,
    json_answer,
    make_client,
    ring,
    text_answer,
)

EMPTY_LISTING = {"entry": [], "startIndex": 0, "totalResults": 0, "itemsPerPage": 0}


def bearer_tokens(sim: VoipNowSimulator) -> list[str]:
    """Return the bearer token of every API request, in order."""
    return [
        r.headers["Authorization"].removeprefix("Bearer ") for r in sim.api_requests()
    ]


@dataclass(frozen=True)
class Operation:
    """One client method, called on an answered call of EXT_OFFICE."""

    method: str
    run: Callable[[VoipNowClient, str], Awaitable[object]]


OPERATIONS: dict[str, Operation] = {
    "transfer": Operation(
        "PUT",
        lambda c, call_id: c.async_transfer_call(
            extension=EXT_OFFICE, phone_call_id=call_id, send_call_to=EXT_SALES
        ),
    ),
    "voicemail": Operation(
        "PUT",
        lambda c, call_id: c.async_transfer_call(
            extension=EXT_OFFICE,
            phone_call_id=call_id,
            send_call_to=EXT_SALES,
            transfer_number=OUTSIDE,
            to_voicemail=True,
        ),
    ),
    "hold": Operation(
        "PUT",
        lambda c, call_id: c.async_call_action(
            CallAction.ON_HOLD,
            extension=EXT_OFFICE,
            phone_call_id=call_id,
            phone_call_view_id="01",
        ),
    ),
    "hangup": Operation(
        "DELETE",
        lambda c, call_id: c.async_hangup_call(
            extension=EXT_OFFICE, phone_call_id=call_id
        ),
    ),
    "make_call": Operation(
        "POST",
        lambda c, _: c.async_make_call(extension=EXT_SALES, destination="5559876"),
    ),
    "subscribe": Operation(
        "POST",
        lambda c, _: c.async_create_call_event_subscription(
            extension=EXT_OFFICE, event_type=SubscriptionEventType.DIAL_IN, url=HOOK_URL
        ),
    ),
    "list_calls": Operation("GET", lambda c, _: c.async_list_calls()),
    "list_extensions": Operation("GET", lambda c, _: c.async_list_extensions()),
}


# --- tokens -------------------------------------------------------------------


async def test_one_token_serves_many_calls(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """One form-encoded token request serves every following API call."""
    await client.async_list_calls()
    await client.async_list_extensions()
    await client.async_list_calls(extension=EXT_OFFICE)
    await client.async_list_call_event_subscriptions(extension=EXT_OFFICE)

    assert len(sim.token_requests) == 1
    token_request = sim.token_requests[0]
    assert token_request.method == "POST"
    assert token_request.form == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "client_credentials",
        "type": "unifiedapi",
        "redirect_uri": f"{sim.url}/ouath/token.php",
    }
    assert len(sim.api_requests()) == 4
    assert len(set(bearer_tokens(sim))) == 1
    assert all(r.headers["Accept"] == "application/json" for r in sim.api_requests())


async def test_concurrent_callers_share_one_token_request(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """Fifty calls gathered on a fresh client wait for one token request."""
    results = await asyncio.gather(*(client.async_list_calls() for _ in range(50)))

    assert results == [[]] * 50
    assert len(sim.token_requests) == 1
    assert len(sim.api_requests("GET")) == 50
    assert len(set(bearer_tokens(sim))) == 1


async def test_authenticate_fetches_a_fresh_token(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """async_authenticate always asks for a token; the next call uses it."""
    await client.async_authenticate()
    await client.async_authenticate()
    await client.async_list_calls()

    assert len(sim.token_requests) == 2
    assert len(sim.api_requests()) == 1
    client.invalidate_token()
    await client.async_list_calls()
    assert len(sim.token_requests) == 3


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_revoked_token_is_replaced_once(
    sim: VoipNowSimulator, client: VoipNowClient, name: str
) -> None:
    """A 401 renews the token once and the same request succeeds on retry."""
    operation = OPERATIONS[name]
    call_id = await ring(sim)
    await client.async_authenticate()
    sim.revoke_tokens()
    sim.clear_requests()

    await operation.run(client, call_id)

    attempts = sim.api_requests(operation.method)
    assert len(attempts) == 2
    assert len(sim.requests) == 3
    assert len(sim.token_requests) == 1
    assert [r.path for r in attempts] == [attempts[0].path] * 2
    assert attempts[0].body_text == attempts[1].body_text
    assert attempts[0].query == attempts[1].query
    old, new = bearer_tokens(sim)
    assert old != new


async def test_concurrent_401s_share_one_renewal(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """Callers refused together wait for one new token, then all succeed."""
    await client.async_authenticate()
    sim.revoke_tokens()
    sim.clear_requests()

    await asyncio.gather(*(client.async_list_calls() for _ in range(10)))

    assert len(sim.token_requests) == 1
    assert len(sim.api_requests()) == 20


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_second_401_is_an_authentication_error(
    sim: VoipNowSimulator, client: VoipNowClient, name: str
) -> None:
    """A 401 with a fresh token raises, and the request is not sent a third time."""
    operation = OPERATIONS[name]
    call_id = await ring(sim)
    # Every token the simulator issues from now on is born expired.
    sim.token_lifetime = 0

    with pytest.raises(VoipNowAuthenticationError) as exc_info:
        await operation.run(client, call_id)

    assert "fresh token" in str(exc_info.value)
    assert len(sim.api_requests(operation.method)) == 2
    assert len(sim.api_requests()) == 2
    assert len(sim.token_requests) == 2


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (3600, 3600.0),
        ("120", 120.0),
        (2, 2.0),
        (7200.5, 7200.5),
        (None, 3600.0),
        ("soon", 3600.0),
        (True, 3600.0),
        (0, 3600.0),
        (-5, 3600.0),
        ("nan", 3600.0),
        ("inf", 3600.0),
        ([60], 3600.0),
    ],
)
async def test_token_renewed_shortly_before_expires_in(
    scripted: ScriptedServer,
    scripted_client: VoipNowClient,
    clock: FakeClock,
    expires_in: Any,
    lifetime: float,
) -> None:
    """A token is renewed a margin before `expires_in` ends (a sane default if odd)."""
    answer: dict[str, Any] = {"access_token": SCRIPTED_TOKEN}
    if expires_in is not None:
        answer["expires_in"] = expires_in
    scripted.token_answer = json_answer(answer)
    scripted.answer = json_answer(EMPTY_LISTING)
    renew_at = lifetime - min(300.0, lifetime / 10)

    await scripted_client.async_list_calls()
    clock.advance(renew_at - min(1.0, renew_at / 10))
    await scripted_client.async_list_calls()
    assert len(scripted.token_requests) == 1

    clock.advance(min(2.0, renew_at / 5))
    await scripted_client.async_list_calls()
    assert len(scripted.token_requests) == 2
    assert len(scripted.api_requests) == 3


async def test_short_token_lifetime_renewed_before_the_pbx_expires_it(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """With a 1 s token the client renews at 0.9 s, before any 401 (real time)."""
    sim.token_lifetime = 1
    await client.async_list_calls()
    await asyncio.sleep(0.95)
    await client.async_list_calls()

    assert len(sim.token_requests) == 2
    assert len(sim.api_requests()) == 2
    assert len(set(bearer_tokens(sim))) == 2


async def test_expired_token_is_renewed(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A token the PBX expired early costs one 401 and one new token."""
    await client.async_list_calls()
    sim.expire_tokens()
    await client.async_list_calls()

    assert len(sim.token_requests) == 2
    assert len(sim.api_requests()) == 3


@pytest.mark.parametrize(
    ("client_id", "client_secret"),
    [
        (CLIENT_ID, "not-the-secret-1234"),
        ("another-app", CLIENT_SECRET),
        ("", ""),
    ],
)
async def test_invalid_client(
    sim: VoipNowSimulator,
    session: aiohttp.ClientSession,
    client_id: str,
    client_secret: str,
) -> None:
    """Rejected credentials raise an authentication error that names no secret."""
    client = VoipNowClient(session, sim.url, client_id, client_secret)

    with pytest.raises(VoipNowAuthenticationError) as exc_info:
        await client.async_list_calls()

    message = str(exc_info.value)
    assert "invalid_client" in message or "invalid_request" in message
    for secret in (client_secret, CLIENT_SECRET):
        if secret:
            assert secret not in message
            assert secret not in repr(exc_info.value)
    assert sim.api_requests() == []
    assert len(sim.token_requests) == 1


async def test_regenerated_secret_fails_after_one_renewal(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A secret regenerated in the panel ends in an authentication error."""
    await client.async_list_calls()
    sim.set_client_secret("a-brand-new-secret")

    with pytest.raises(VoipNowAuthenticationError, match="invalid_client"):
        await client.async_list_calls()

    assert len(sim.api_requests()) == 2
    assert len(sim.token_requests) == 2


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [
        ("http_500", VoipNowResponseError, 500),
        ("html_error", VoipNowResponseError, 502),
        ("malformed_json", VoipNowMalformedResponseError, None),
        ("empty_200", VoipNowMalformedResponseError, None),
    ],
)
async def test_token_endpoint_faults(
    sim: VoipNowSimulator,
    client: VoipNowClient,
    fault: str,
    error: type[VoipNowError],
    status: int | None,
) -> None:
    """A failing token endpoint raises the matching error and sends no API call."""
    sim.inject_fault(fault, path_prefix="/oauth")

    with pytest.raises(error) as exc_info:
        await client.async_list_calls()

    assert type(exc_info.value) is error
    assert getattr(exc_info.value, "status", None) == status
    assert sim.api_requests() == []
    await client.async_list_calls()
    assert len(sim.token_requests) == 2


@pytest.mark.parametrize(
    ("answer", "error", "text"),
    [
        (json_answer({}), VoipNowMalformedResponseError, "no access_token"),
        (json_answer([SCRIPTED_TOKEN]), VoipNowMalformedResponseError, "no access"),
        (json_answer({"access_token": 42}), VoipNowMalformedResponseError, "no acc"),
        (
            json_answer({"access_token": "two words"}),
            VoipNowMalformedResponseError,
            "unusable",
        ),
        (
            json_answer({"access_token": "line\r\nX-Evil: 1"}),
            VoipNowMalformedResponseError,
            "unusable",
        ),
        (
            text_answer("<html>oops</html>", 200, "text/html"),
            VoipNowMalformedResponseError,
            "no access",
        ),
        (
            json_answer({"error": {"code": "access_denied"}}, 403),
            VoipNowAuthenticationError,
            "access_denied",
        ),
        (
            json_answer({"error": "invalid_request"}, 400),
            VoipNowAuthenticationError,
            "invalid_request",
        ),
        (json_answer({"error": ["?"]}, 401), VoipNowAuthenticationError, "401"),
        (text_answer("", 404), VoipNowResponseError, "HTTP 404"),
        (text_answer("", 302), VoipNowResponseError, "HTTP 302"),
    ],
)
async def test_token_answers(
    scripted: ScriptedServer,
    scripted_client: VoipNowClient,
    answer: Any,
    error: type[VoipNowError],
    text: str,
) -> None:
    """Odd token answers raise a client error naming neither secret nor token."""
    scripted.token_answer = answer

    with pytest.raises(error, match=re.escape(text)) as exc_info:
        await scripted_client.async_list_calls()

    assert type(exc_info.value) is error
    assert CLIENT_SECRET not in str(exc_info.value)
    assert "two words" not in str(exc_info.value)
    assert scripted.api_requests == []


async def test_failed_token_request_is_shared_by_waiting_callers(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """Callers queued behind a token request that times out share its error."""
    client = make_client(session, sim.url, request_timeout=TIMEOUT)
    sim.inject_fault("delay", path_prefix="/oauth", delay=TIMEOUT * 2)
    started = time.monotonic()

    results = await asyncio.gather(
        *(client.async_list_calls() for _ in range(10)), return_exceptions=True
    )

    assert time.monotonic() - started < TIMEOUT * 2
    assert all(isinstance(result, VoipNowTimeoutError) for result in results), results
    assert len(sim.token_requests) == 1
    assert sim.api_requests() == []
    # The failure is not remembered: the next call asks again.
    assert await client.async_list_calls() == []
    assert len(sim.token_requests) == 2


# --- transport failures -------------------------------------------------------


@pytest.mark.parametrize("name", ["transfer", "hangup", "make_call", "list_calls"])
async def test_timeout_is_raised_and_never_retried(
    sim: VoipNowSimulator, session: aiohttp.ClientSession, name: str
) -> None:
    """A request the PBX does not answer in time raises once, unrepeated."""
    operation = OPERATIONS[name]
    client = make_client(session, sim.url, request_timeout=TIMEOUT)
    call_id = await ring(sim)
    await client.async_authenticate()
    sim.inject_fault("delay", path_prefix="/uapi", delay=TIMEOUT * 2)
    started = time.monotonic()

    with pytest.raises(VoipNowTimeoutError) as exc_info:
        await operation.run(client, call_id)

    elapsed = time.monotonic() - started
    assert TIMEOUT * 0.95 <= elapsed < TIMEOUT * 2
    assert isinstance(exc_info.value, VoipNowConnectionError)
    assert f"{TIMEOUT:g}s" in str(exc_info.value)
    assert len(sim.api_requests()) == 1
    assert len(sim.api_requests(operation.method)) == 1


async def test_timed_out_transfer_may_still_happen(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """The PBX can act after the client gave up: why a transfer is never resent."""
    client = make_client(session, sim.url, request_timeout=TIMEOUT)
    call_id = await ring(sim)
    sim.inject_fault("delay", path_prefix="/uapi/phoneCalls", delay=TIMEOUT * 1.5)

    with pytest.raises(VoipNowTimeoutError):
        await OPERATIONS["transfer"].run(client, call_id)
    await asyncio.sleep(TIMEOUT)

    assert sim.get_call(call_id).callee.number == EXT_SALES
    assert len(sim.api_requests("PUT")) == 1


async def test_connection_refused(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """A PBX that does not listen raises a connection error; it recovers after."""
    await sim.go_offline()

    with pytest.raises(VoipNowConnectionError) as exc_info:
        await client.async_list_calls()

    assert type(exc_info.value) is VoipNowConnectionError
    assert isinstance(exc_info.value.__cause__, aiohttp.ClientConnectorError)
    assert "127.0.0.1" in str(exc_info.value)
    assert not exc_info.value.maybe_acted
    await sim.go_online()
    assert await client.async_list_calls() == []


class UnknownNameResolver(AbstractResolver):
    """Answer every name as DNS does for `.invalid` names (RFC 6761): unknown."""

    def __init__(self) -> None:
        """Remember the names asked for."""
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Fail like getaddrinfo for a name that does not exist."""
        self.asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        """Nothing to release."""


async def test_dns_failure() -> None:
    """A host name that does not resolve raises a connection error."""
    resolver = UnknownNameResolver()
    connector = aiohttp.TCPConnector(resolver=resolver)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = make_client(session, "voipnow.invalid")
        with pytest.raises(VoipNowConnectionError) as exc_info:
            await client.async_list_calls()

    assert type(exc_info.value) is VoipNowConnectionError
    assert isinstance(exc_info.value.__cause__, aiohttp.ClientConnectorDNSError)
    assert resolver.asked == ["voipnow.invalid"]


async def test_tls_to_a_plain_http_port(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """An https:// URL on a plain-HTTP port: a connection error, not a certificate one.

    Turning off certificate checks would not help here, so the config flow must
    not suggest it.
    """
    client = make_client(session, f"https://127.0.0.1:{sim.port}")

    with pytest.raises(VoipNowConnectionError) as exc_info:
        await client.async_list_calls()

    assert not isinstance(exc_info.value, VoipNowSSLError)
    assert isinstance(exc_info.value.__cause__, aiohttp.ClientSSLError)
    assert sim.requests == []


async def test_untrusted_certificate(
    tls_server: tuple[ScriptedServer, Path], session: aiohttp.ClientSession
) -> None:
    """A self-signed certificate fails verification: an SSL error, nothing sent."""
    server, _ = tls_server
    client = make_client(session, server.url)

    with pytest.raises(VoipNowSSLError) as exc_info:
        await client.async_list_calls()

    assert isinstance(exc_info.value.__cause__, aiohttp.ClientConnectorCertificateError)
    assert server.requests == []


async def test_trusted_certificate(tls_server: tuple[ScriptedServer, Path]) -> None:
    """The same server works once its certificate is trusted (HTTPS end to end)."""
    server, cert = tls_server
    server.answer = json_answer(EMPTY_LISTING)
    context = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=context)
    ) as session:
        client = make_client(session, server.url)
        assert await client.async_list_calls() == []

    assert server.requests == [
        "POST /oauth/token.php",
        "GET /uapi/phoneCalls/@me/@self?count=4999",
    ]


@pytest.mark.parametrize(
    "name", ["transfer", "voicemail", "hold", "hangup", "make_call"]
)
async def test_dropped_action_is_never_resent(
    sim: VoipNowSimulator, client: VoipNowClient, name: str
) -> None:
    """An action whose connection drops before the answer raises and is sent once.

    aiohttp on its own re-sends PUT and DELETE once after a dropped connection
    (it deems them idempotent); for the PBX that would be a second transfer or
    hang-up, so the client opts out.
    """
    operation = OPERATIONS[name]
    call_id = await ring(sim)
    await client.async_authenticate()
    sim.inject_fault("disconnect", count=None, path_prefix="/uapi")

    with pytest.raises(VoipNowConnectionError) as exc_info:
        await operation.run(client, call_id)

    assert type(exc_info.value) is VoipNowConnectionError
    assert "ServerDisconnectedError" in str(exc_info.value)
    assert exc_info.value.maybe_acted
    assert [r.method for r in sim.api_requests()] == [operation.method]


async def test_dropped_listing_is_read_again(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A read whose connection drops once is re-sent by aiohttp and succeeds."""
    await ring(sim)
    sim.inject_fault("disconnect", count=1, path_prefix="/uapi")

    assert len(await client.async_list_calls()) == 1
    assert [r.method for r in sim.api_requests()] == ["GET", "GET"]
    sim.inject_fault("disconnect", count=None, path_prefix="/uapi")
    with pytest.raises(VoipNowConnectionError):
        await client.async_list_calls()


# --- input validation: nothing is sent ------------------------------------------


def _transfer(**kwargs: Any) -> Callable[[VoipNowClient], Awaitable[object]]:
    """Build a transfer with valid defaults and some arguments replaced."""
    args: dict[str, Any] = {
        "extension": EXT_OFFICE,
        "phone_call_id": "b817d2618fe6f1804333",
        "send_call_to": EXT_SALES,
    }
    args.update(kwargs)
    return lambda c: c.async_transfer_call(**args)


def _hold(**kwargs: Any) -> Callable[[VoipNowClient], Awaitable[object]]:
    """Build a hold with valid defaults and some arguments replaced."""
    args: dict[str, Any] = {
        "extension": EXT_OFFICE,
        "phone_call_id": "b817d2618fe6f1804333",
        "phone_call_view_id": "01",
    }
    args.update(kwargs)
    return lambda c: c.async_call_action(CallAction.ON_HOLD, **args)


def _hangup(**kwargs: Any) -> Callable[[VoipNowClient], Awaitable[object]]:
    """Build a hang-up with valid defaults and some arguments replaced."""
    args: dict[str, Any] = {
        "extension": EXT_OFFICE,
        "phone_call_id": "b817d2618fe6f1804333",
    }
    args.update(kwargs)
    return lambda c: c.async_hangup_call(**args)


def _make_call(**kwargs: Any) -> Callable[[VoipNowClient], Awaitable[object]]:
    """Build a make-call with valid defaults and some arguments replaced."""
    args: dict[str, Any] = {"extension": EXT_OFFICE, "destination": "5559876"}
    args.update(kwargs)
    return lambda c: c.async_make_call(**args)


def _subscribe(**kwargs: Any) -> Callable[[VoipNowClient], Awaitable[object]]:
    """Build a subscription with valid defaults and some arguments replaced."""
    args: dict[str, Any] = {
        "extension": EXT_OFFICE,
        "event_type": SubscriptionEventType.HANGUP,
        "url": HOOK_URL,
    }
    args.update(kwargs)
    return lambda c: c.async_create_call_event_subscription(**args)


def _unsubscribe(**kwargs: Any) -> Callable[[VoipNowClient], Awaitable[object]]:
    """Build a subscription delete with valid defaults and some arguments replaced."""
    args: dict[str, Any] = {
        "extension": EXT_OFFICE,
        "event_type": SubscriptionEventType.HANGUP,
        "subscription_id": "12",
    }
    args.update(kwargs)
    return lambda c: c.async_delete_call_event_subscription(**args)


BAD_INPUTS: list[tuple[str, Callable[[VoipNowClient], Awaitable[object]], str]] = [
    ("user word", lambda c: c.async_list_calls(user_id="me"), "user_id"),
    ("user unknown alias", lambda c: c.async_list_calls(user_id="@you"), "user_id"),
    ("user newline", lambda c: c.async_list_calls(user_id="12\n"), "user_id"),
    ("user traversal", lambda c: c.async_list_calls(user_id="../12"), "user_id"),
    ("user empty", lambda c: c.async_list_calls(user_id=""), "user_id"),
    ("user int", lambda c: c.async_list_calls(user_id=12), "user_id"),
    ("user too long", lambda c: c.async_list_calls(user_id="1" * 21), "user_id"),
    ("ext letters", lambda c: c.async_list_calls(extension="abc"), "extension"),
    ("ext newline", lambda c: c.async_list_calls(extension="210\n"), "extension"),
    ("ext slash", lambda c: c.async_list_calls(extension="0003/210"), "extension"),
    ("ext star only", lambda c: c.async_list_calls(extension="***"), "extension"),
    ("ext empty", lambda c: c.async_list_calls(extension=""), "extension"),
    ("ext too long", lambda c: c.async_list_calls(extension="1" * 33), "extension"),
    ("ext None", lambda c: c.async_list_calls(extension=None), "extension"),
    ("ext query", lambda c: c.async_list_calls(extension="210?x=1"), "extension"),
    ("call id dash", _transfer(phone_call_id="b817-d261"), "phone_call_id"),
    ("call id empty", _transfer(phone_call_id=""), "phone_call_id"),
    ("call id slash", _transfer(phone_call_id="../b817"), "phone_call_id"),
    ("call id newline", _hangup(phone_call_id="b817\n"), "phone_call_id"),
    ("call id too long", _hold(phone_call_id="a" * 256), "phone_call_id"),
    ("view id too long", _hold(phone_call_view_id="0" * 256), "phone_call_view_id"),
    (
        "voicemail public",
        _transfer(to_voicemail=True, send_call_to="+15551234", transfer_number=OUTSIDE),
        "send_call_to",
    ),
    (
        "subscription id long",
        _unsubscribe(subscription_id="a" * 256),
        "subscription_id",
    ),
    ("call id int", _hangup(phone_call_id=42), "phone_call_id"),
    ("transfer user", _transfer(user_id="@all"), "user_id"),
    ("transfer ext", _transfer(extension="front desk"), "extension"),
    ("send to empty", _transfer(send_call_to=""), "send_call_to"),
    ("send to letters", _transfer(send_call_to="reception"), "send_call_to"),
    ("send to space", _transfer(send_call_to="555 1234"), "send_call_to"),
    ("send to newline", _transfer(send_call_to="5551234\n"), "send_call_to"),
    ("send to plus", _transfer(send_call_to="+"), "send_call_to"),
    ("send to inner plus", _transfer(send_call_to="40+21"), "send_call_to"),
    ("send to None", _transfer(send_call_to=None), "send_call_to"),
    # Not strings (nor keys of the checks' caches): refused all the same.
    ("transfer user int", _transfer(user_id=12), "user_id"),
    ("transfer ext list", _transfer(extension=["210"]), "extension"),
    ("send to list", _transfer(send_call_to=["210"]), "send_call_to"),
    ("from list", _transfer(transfer_from_number=["210"]), "transfer_from_number"),
    ("from bad", _transfer(transfer_from_number="x"), "transfer_from_number"),
    (
        "from default @self",
        _transfer(extension="@self"),
        "transfer_from_number",
    ),
    ("number bad", _transfer(transfer_number="1-2"), "transfer_number"),
    (
        "voicemail without number",
        _transfer(to_voicemail=True),
        "transfer_number",
    ),
    (
        "voicemail bad from",
        _transfer(to_voicemail=True, transfer_number=OUTSIDE, transfer_from_number="?"),
        "transfer_from_number",
    ),
    ("view id dash", _hold(phone_call_view_id="0-1"), "phone_call_view_id"),
    ("view id empty", _hold(phone_call_view_id=""), "phone_call_view_id"),
    ("view id int", _hold(phone_call_view_id=1), "phone_call_view_id"),
    ("view id newline", _hold(phone_call_view_id="01\n"), "phone_call_view_id"),
    ("make call @self", _make_call(extension="@self"), "extension"),
    ("make call user", _make_call(user_id="owner"), "user_id"),
    ("destination", _make_call(destination="555-1234"), "destination"),
    ("caller id empty", _make_call(caller_id="  "), "caller_id"),
    ("caller id int", _make_call(caller_id=5), "caller_id"),
    ("wait zero", _make_call(wait_for_pickup=0), "wait_for_pickup"),
    ("wait long", _make_call(wait_for_pickup=301), "wait_for_pickup"),
    ("wait bool", _make_call(wait_for_pickup=True), "wait_for_pickup"),
    ("wait text", _make_call(wait_for_pickup="25"), "wait_for_pickup"),
    ("subscribe @self", _subscribe(extension="@self"), "extension"),
    ("subscribe ftp", _subscribe(url="ftp://ha.example.com/hook"), "url"),
    ("subscribe relative", _subscribe(url="/api/webhook/x"), "url"),
    ("subscribe no host", _subscribe(url="https://"), "url"),
    ("subscribe bad host", _subscribe(url="https://ha example.com/"), "url"),
    ("subscribe bad port", _subscribe(url="https://ha.example.com:99999/"), "url"),
    ("subscribe spaces", _subscribe(url=f" {HOOK_URL}"), "url"),
    ("subscribe newline", _subscribe(url=f"{HOOK_URL}\n"), "url"),
    ("subscribe None", _subscribe(url=None), "url"),
    ("subscribe type", _subscribe(event_type=7), "event_type"),
    ("subscribe type text", _subscribe(event_type="0"), "event_type"),
    ("subscribe type bool", _subscribe(event_type=True), "event_type"),
    ("subscribe method", _subscribe(method=3), "method"),
    ("subscribe note", _subscribe(note=5), "note"),
    ("unsubscribe id", _unsubscribe(subscription_id="1/2"), "subscription_id"),
    ("unsubscribe id empty", _unsubscribe(subscription_id=""), "subscription_id"),
    ("unsubscribe type", _unsubscribe(event_type=9), "event_type"),
    ("unsubscribe @self", _unsubscribe(extension="@self"), "extension"),
    (
        "list subscriptions @self",
        lambda c: c.async_list_call_event_subscriptions(extension="@self"),
        "extension",
    ),
    (
        "extensions user",
        lambda c: c.async_list_extensions(user_id="@self"),
        "user_id",
    ),
]


@pytest.mark.parametrize(
    ("call", "field"),
    [pytest.param(call, field, id=label) for label, call, field in BAD_INPUTS],
)
async def test_bad_input_sends_nothing(
    sim: VoipNowSimulator,
    client: VoipNowClient,
    call: Callable[[VoipNowClient], Awaitable[object]],
    field: str,
) -> None:
    """A bad path segment or body value is refused before anything is sent."""
    with pytest.raises(VoipNowInvalidInputError) as exc_info:
        await call(client)

    assert exc_info.value.field == field
    assert isinstance(exc_info.value, ValueError)
    assert sim.requests == []


def test_transfer_bodies_are_not_shared() -> None:
    """Each transfer gets a body of its own, though its checks are cached."""
    fields: dict[str, Any] = {
        "extension": EXT_OFFICE,
        "send_call_to": "0003*211",
        "transfer_from_number": None,
        "transfer_number": None,
        "to_voicemail": False,
    }
    first = transfer_body(**fields)
    first["sendCallTo"] = "999"
    assert transfer_body(**fields) == {
        "action": "Transfer",
        "sendCallTo": "0003*211",
        "transferFromNumber": EXT_OFFICE,
    }


async def test_bad_callback_url_is_not_kept_in_the_error(client: VoipNowClient) -> None:
    """A refused callback URL is a secret: the error does not keep it."""
    url = "ftp://ha.example.com/api/webhook/very-secret-webhook-id"
    with pytest.raises(VoipNowInvalidInputError) as exc_info:
        await _subscribe(url=url)(client)

    assert exc_info.value.value == "<redacted>"
    assert "very-secret" not in str(exc_info.value)
    assert "very-secret" not in repr(exc_info.value)


# --- API error codes --------------------------------------------------------


async def _unknown_call(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Transfer a call the PBX never had."""
    return await OPERATIONS["transfer"].run(client, "deadbeef0123")


async def _to_unknown_extension(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Transfer to an extended number that does not exist."""
    call_id = await ring(sim)
    return await client.async_transfer_call(
        extension=EXT_OFFICE, phone_call_id=call_id, send_call_to="0003*999"
    )


async def _from_a_stranger(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Transfer on behalf of a number that is not in the call."""
    call_id = await ring(sim)
    return await client.async_transfer_call(
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        send_call_to=EXT_SALES,
        transfer_from_number="5550000",
    )


async def _stranger_transferred(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Transfer a party that is not in the call."""
    call_id = await ring(sim)
    return await client.async_transfer_call(
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        send_call_to=EXT_SALES,
        transfer_number="5550000",
    )


async def _voicemail_of_outside(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Send a call to the voicemail of a number that is not an extension."""
    call_id = await ring(sim)
    return await client.async_transfer_call(
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        send_call_to="5550000",
        transfer_number=OUTSIDE,
        to_voicemail=True,
    )


async def _unknown_view(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Hold a party view the call does not have."""
    call_id = await ring(sim)
    return await client.async_call_action(
        CallAction.ON_HOLD,
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        phone_call_view_id="07",
    )


async def _call_itself(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Make an extension call itself."""
    return await client.async_make_call(extension=EXT_OFFICE, destination=EXT_OFFICE)


async def _unknown_subscription(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """Delete a subscription that does not exist."""
    return await client.async_delete_call_event_subscription(
        extension=EXT_OFFICE,
        event_type=SubscriptionEventType.DIAL_IN,
        subscription_id="999",
    )


async def _server_error(client: VoipNowClient, sim: VoipNowSimulator) -> object:
    """List calls while the PBX fails."""
    sim.inject_fault("http_500", path_prefix="/uapi")
    return await client.async_list_calls()


SIM_ERRORS = [
    ("pc_phonecall_invalid", _unknown_call, 400),
    ("pc_sendcallto_invalid", _to_unknown_extension, 400),
    ("pc_transfer_from_number_invalid", _from_a_stranger, 400),
    ("pc_transfer_number_invalid", _stranger_transferred, 400),
    ("pc_sendcallto_invalid", _voicemail_of_outside, 400),
    ("user_invalid", lambda c, s: c.async_list_calls(user_id="99"), 400),
    ("extension_invalid", lambda c, s: c.async_list_calls(extension="0003*999"), 400),
    (
        "extension_invalid",
        lambda c, s: c.async_list_call_event_subscriptions(extension="404"),
        400,
    ),
    ("pc_phonecallviewid_invalid", _unknown_view, 400),
    ("pc_destination_invalid", _call_itself, 400),
    ("pce_id_invalid", _unknown_subscription, 400),
    ("internal_server_error", _server_error, 500),
]


@pytest.mark.parametrize(
    ("code", "call", "status"),
    [
        pytest.param(code, call, status, id=f"{code}-{index}")
        for index, (code, call, status) in enumerate(SIM_ERRORS)
    ],
)
async def test_simulator_error_codes(
    sim: VoipNowSimulator,
    client: VoipNowClient,
    code: str,
    call: Callable[[VoipNowClient, VoipNowSimulator], Awaitable[object]],
    status: int,
) -> None:
    """Each error the PBX answers surfaces with its HTTP status and code."""
    with pytest.raises(VoipNowResponseError) as exc_info:
        await call(client, sim)

    assert type(exc_info.value) is VoipNowResponseError
    assert exc_info.value.status == status
    assert exc_info.value.code == code
    assert str(exc_info.value).endswith(f"({code})")
    assert len(sim.api_requests()) == 1


@pytest.mark.parametrize(
    ("answer", "status", "code", "text"),
    [
        (
            json_answer({"error": {"code": "fields_invalid", "message": "Bad"}}, 400),
            400,
            "fields_invalid",
            "failed: Bad (fields_invalid)",
        ),
        (
            json_answer({"error": {"code": "count_invalid"}}, 400),
            400,
            "count_invalid",
            "HTTP 400",
        ),
        (
            json_answer({"error": {"code": "filterby_invalid", "message": " "}}, 400),
            400,
            "filterby_invalid",
            "HTTP 400 (filterby_invalid)",
        ),
        (
            json_answer({"error": {"code": "request_not_implemented"}}, 501),
            501,
            "request_not_implemented",
            "HTTP 501",
        ),
        (json_answer({"error": {"code": 4042}}, 404), 404, "4042", "(4042)"),
        (json_answer({"error": {"code": True}}, 400), 400, None, "HTTP 400"),
        (json_answer({"error": "not_found"}, 404), 404, "not_found", "(not_found)"),
        (json_answer({"error": None}, 409), 409, None, "HTTP 409"),
        (json_answer(["error"], 400), 400, None, "HTTP 400"),
        (text_answer("<h1>Bad Gateway</h1>", 502, "text/html"), 502, None, "HTTP 502"),
        (text_answer("", 503), 503, None, "HTTP 503"),
        (text_answer("", 301), 301, None, "HTTP 301"),
    ],
)
async def test_error_answers(
    scripted: ScriptedServer,
    scripted_client: VoipNowClient,
    answer: Any,
    status: int,
    code: str | None,
    text: str,
) -> None:
    """Documented and odd error answers become one error type with status and code."""
    scripted.answer = answer

    with pytest.raises(VoipNowResponseError) as exc_info:
        await scripted_client.async_list_calls()

    assert type(exc_info.value) is VoipNowResponseError
    assert exc_info.value.status == status
    assert exc_info.value.code == code
    assert text in str(exc_info.value)
    assert str(exc_info.value).startswith("GET /uapi/phoneCalls/@me/@self ")
    assert len(scripted.api_requests) == 1


async def test_access_denied_twice_is_an_authentication_error(
    scripted: ScriptedServer, scripted_client: VoipNowClient
) -> None:
    """401 access_denied after a renewal raises VoipNowAuthenticationError."""
    scripted.answer = json_answer(
        {"error": {"code": "access_denied", "message": "Denied"}}, 401
    )

    with pytest.raises(VoipNowAuthenticationError):
        await scripted_client.async_list_calls()

    assert len(scripted.api_requests) == 2
    assert len(scripted.token_requests) == 2


@pytest.mark.parametrize("name", ["transfer", "list_calls"])
async def test_html_error_page(
    sim: VoipNowSimulator, client: VoipNowClient, name: str
) -> None:
    """An HTML error page from a proxy is a response error with its status."""
    call_id = await ring(sim)
    sim.inject_fault("html_error", path_prefix="/uapi")

    with pytest.raises(VoipNowResponseError) as exc_info:
        await OPERATIONS[name].run(client, call_id)

    assert exc_info.value.status == 502
    assert exc_info.value.code is None
    assert "<html>" not in str(exc_info.value)


@pytest.mark.parametrize("fault", ["malformed_json", "empty_200"])
async def test_unreadable_listing(
    sim: VoipNowSimulator, client: VoipNowClient, fault: str
) -> None:
    """A listing that is cut off or not JSON is malformed, never an empty list."""
    await ring(sim)
    sim.inject_fault(fault, path_prefix="/uapi")

    with pytest.raises(VoipNowMalformedResponseError) as exc_info:
        await client.async_list_calls()

    assert exc_info.value.status == 200


@pytest.mark.parametrize("fault", ["malformed_json", "empty_200"])
async def test_unreadable_answer_to_an_action(
    sim: VoipNowSimulator, client: VoipNowClient, fault: str
) -> None:
    """A 2xx the client cannot read still counts as done: it must not be retried."""
    call_id = await ring(sim)
    sim.inject_fault(fault, path_prefix="/uapi")

    assert await OPERATIONS["transfer"].run(client, call_id) is True
    sim.inject_fault(fault, path_prefix="/uapi")
    assert await OPERATIONS["make_call"].run(client, call_id) is None
    sim.inject_fault(fault, path_prefix="/uapi")
    assert await OPERATIONS["subscribe"].run(client, call_id) is None
    assert len(sim.api_requests()) == 3


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ('"just text"', "not an object"),
        ("[1, 2]", "not an object"),
        ('{"entry": "oops"}', "neither a list nor an object"),
        ('{"entry": [{"id": ["x"]}]}', "phoneCall.id is not a string"),
        ('{"entry": [{"extension": "0003*210"}]}', "phoneCall has no id"),
        ('{"entry": [{"id": "a1"}], "totalResults": "many"}', "totalResults"),
        ('{"entry": [{"id": "a1", "phoneCallView": 5}]}', "phoneCallView"),
        ('{"entry": [{"id": "a1", "phoneCallView": [{"source": {}}]}]}', "source"),
        ("<html>", "not JSON"),
    ],
)
async def test_malformed_listing_never_raises_key_or_type_error(
    scripted: ScriptedServer, scripted_client: VoipNowClient, body: str, text: str
) -> None:
    """A listing of the wrong shape raises VoipNowMalformedResponseError only."""
    scripted.answer = text_answer(body)

    with pytest.raises(VoipNowMalformedResponseError, match=text):
        await scripted_client.async_list_calls()


# --- phone calls ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        pytest.param(
            {},
            {
                "action": "Transfer",
                "sendCallTo": EXT_SALES,
                "transferFromNumber": EXT_OFFICE,
            },
            id="transfer-defaults",
        ),
        pytest.param(
            {"transfer_from_number": EXT_OFFICE, "transfer_number": OUTSIDE},
            {
                "action": "Transfer",
                "sendCallTo": EXT_SALES,
                "transferFromNumber": EXT_OFFICE,
                "transferNumber": OUTSIDE,
            },
            id="transfer-all-fields",
        ),
        pytest.param(
            {"send_call_to": "+40215550000"},
            {
                "action": "Transfer",
                "sendCallTo": "+40215550000",
                "transferFromNumber": EXT_OFFICE,
            },
            id="transfer-public-number",
        ),
        pytest.param(
            {"to_voicemail": True, "transfer_number": OUTSIDE},
            {
                "action": "TransferToVoicemail",
                "sendCallTo": EXT_SALES,
                "transferNumber": OUTSIDE,
            },
            id="voicemail",
        ),
        pytest.param(
            {
                "to_voicemail": True,
                "transfer_number": OUTSIDE,
                "transfer_from_number": EXT_OFFICE,
            },
            {
                "action": "TransferToVoicemail",
                "sendCallTo": EXT_SALES,
                "transferFromNumber": EXT_OFFICE,
                "transferNumber": OUTSIDE,
            },
            id="voicemail-with-from",
        ),
    ],
)
async def test_transfer_body_and_path(
    sim: VoipNowSimulator,
    client: VoipNowClient,
    kwargs: dict[str, Any],
    body: dict[str, str],
) -> None:
    """Transfers PUT exactly the documented body to the call's path."""
    call_id = await ring(sim)

    result = await client.async_transfer_call(
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        **{"send_call_to": EXT_SALES, **kwargs},
    )

    (request,) = sim.api_requests()
    assert request.method == "PUT"
    assert request.path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"
    assert request.query == {}
    assert request.json == body
    assert request.headers["Content-Type"] == "application/json"
    assert result is True


async def test_transfer_moves_the_call(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A transfer answered 200 moves the call: it now rings elsewhere."""
    call_id = await ring(sim)

    result = await client.async_transfer_call(
        user_id=sim.user_id,
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        send_call_to=EXT_SALES,
    )

    assert result is True
    assert sim.api_requests()[0].path == f"/uapi/phoneCalls/12/{EXT_OFFICE}/{call_id}"
    (call,) = await client.async_list_calls()
    assert call.id == call_id
    assert [view.extension for view in call.views] == [EXT_SALES]
    assert call.views[0].status is CallStatus.RINGING
    assert call.views[0].caller_name == "Jane Doe"


async def test_transfer_to_voicemail_reaches_it(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """TransferToVoicemail ends the call in the chosen extension's voicemail."""
    call_id = await ring(sim)

    await OPERATIONS["voicemail"].run(client, call_id)

    assert call_id not in sim.calls
    assert sim.voicemails[0]["extension"] == EXT_SALES
    assert sim.voicemails[0]["caller_number"] == OUTSIDE


async def test_transfer_of_an_ended_call_is_none(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """204 (the call ended before the transfer) says nothing was done."""
    call_id = await ring(sim)
    await sim.hangup_call(call_id)

    assert await OPERATIONS["transfer"].run(client, call_id) is False
    assert await OPERATIONS["hold"].run(client, call_id) is False


@pytest.mark.parametrize("quirks", [False, True])
async def test_transfer_accepted_202(
    sim: VoipNowSimulator, client: VoipNowClient, quirks: bool
) -> None:
    """The documented 202 with a short body is a success."""
    sim.transfer_accepted_202 = True
    sim.quirks = quirks
    call_id = await ring(sim)

    assert await OPERATIONS["transfer"].run(client, call_id) is True
    assert [view.extension for view in (await client.async_list_calls())[0].views] == [
        EXT_SALES
    ]


async def test_list_calls_reads_every_page(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """25 calls in pages of 10 take three requests with startIndex and count."""
    client = make_client(session, sim.url, calls_page_size=10)
    ids = {
        await ring(sim, from_number=f"55500{i:02d}", answer=False) for i in range(25)
    }

    calls = await client.async_list_calls()

    assert {call.id for call in calls} == ids
    assert len(calls) == 25
    assert [r.query for r in sim.api_requests()] == [
        {"count": "10"},
        {"count": "10", "startIndex": "10"},
        {"count": "10", "startIndex": "20"},
    ]


async def test_list_calls_beyond_the_simulator_page_size(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """More calls than the documented default page (20) come in one request."""
    sim.set_page_size(5)
    for i in range(23):
        await ring(sim, from_number=f"55501{i:02d}", answer=False)

    calls = await client.async_list_calls()

    assert len(calls) == 23
    (request,) = sim.api_requests()
    assert request.path == "/uapi/phoneCalls/@me/@self"
    assert request.query == {"count": "4999"}


@pytest.mark.parametrize("quirks", [False, True])
async def test_list_calls_parses_both_spellings(
    sim: VoipNowSimulator, client: VoipNowClient, quirks: bool
) -> None:
    """Strings or numbers, list or keyed `entry`, callerId or callerID: one model."""
    sim.quirks = quirks
    answered = await ring(sim)
    ringing = await sim.outgoing_call(EXT_SALES, "5559876")
    local = await sim.incoming_call(EXT_SALES, from_number=EXT_OFFICE)

    calls = {call.id: call for call in await client.async_list_calls()}

    assert set(calls) == {answered, ringing, local}
    incoming = calls[answered]
    assert incoming.extension == EXT_OFFICE
    assert incoming.owner_id == "12"
    assert incoming.owner_name == "Simulated Organization"
    assert incoming.published is not None
    assert incoming.published.tzinfo is not None
    assert incoming.answered is not None
    (view,) = incoming.views
    assert view.id == "01"
    assert view.extension == EXT_OFFICE
    assert view.source == (OUTSIDE,)
    assert view.destination == (EXT_OFFICE,)
    assert view.caller_id == f"Jane Doe <{OUTSIDE}>"
    assert (view.caller_name, view.caller_number) == ("Jane Doe", OUTSIDE)
    assert view.status is CallStatus.ON_CALL
    assert view.flow is CallFlow.INCOMING_PUBLIC
    assert view.is_answered
    assert not view.on_hold
    (out_view,) = calls[ringing].views
    assert out_view.status is CallStatus.OTHER_SIDE_RINGING
    assert out_view.flow is CallFlow.OUTGOING_PUBLIC
    assert not out_view.is_answered
    assert calls[ringing].answered is None
    assert [v.flow for v in calls[local].views] == [CallFlow.LOCAL] * 2
    assert [v.id for v in calls[local].views] == ["00", "01"]
    assert calls[local].views_of("210")[0].status is CallStatus.OTHER_SIDE_RINGING
    assert calls[local].views_of(EXT_SALES)[0].status is CallStatus.RINGING


@pytest.mark.parametrize("quirks", [False, True])
async def test_list_calls_of_one_extension(
    sim: VoipNowSimulator, client: VoipNowClient, quirks: bool
) -> None:
    """Listing one extension asks for its path and returns only its calls."""
    sim.quirks = quirks
    mine = await ring(sim)
    await ring(sim, EXT_SALES, "5550001")

    calls = await client.async_list_calls(extension=EXT_OFFICE)

    assert [call.id for call in calls] == [mine]
    assert sim.api_requests()[0].path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}"


@pytest.mark.parametrize("empty_204", [False, True])
async def test_empty_listing(
    sim: VoipNowSimulator, client: VoipNowClient, empty_204: bool
) -> None:
    """No calls, as an empty page or as 204, is an empty list."""
    sim.empty_listing_204 = empty_204

    assert await client.async_list_calls() == []
    assert len(sim.api_requests()) == 1


@pytest.mark.parametrize(
    ("pages", "expected", "requests"),
    [
        pytest.param(
            [
                {"entry": [{"id": "a1"}], "paging": {"next": "x"}},
                {"entry": [{"id": "a2"}], "paging": {"prev": "x"}},
            ],
            ["a1", "a2"],
            ["count=4999", "count=4999&startIndex=1"],
            id="paging-next-without-total",
        ),
        pytest.param(
            [{"entry": [{"id": "a1"}], "totalResults": "3"}, {"entry": []}],
            ["a1"],
            ["count=4999", "count=4999&startIndex=1"],
            id="short-page-then-empty",
        ),
        pytest.param(
            [{"entry": {"a1": {"id": "a1"}, "a2": {"id": "a2"}}}],
            ["a1", "a2"],
            ["count=4999"],
            id="keyed-entry",
        ),
        pytest.param(
            [{"entry": {"id": "a1", "extension": EXT_OFFICE}}],
            ["a1"],
            ["count=4999"],
            id="single-entry-object",
        ),
        pytest.param([[{"id": "a1"}]], ["a1"], ["count=4999"], id="bare-list"),
        pytest.param([{"totalResults": 0}], [], ["count=4999"], id="entry-omitted"),
        pytest.param([{"entry": None}], [], ["count=4999"], id="entry-null"),
    ],
)
async def test_listing_shapes_and_paging(
    scripted: ScriptedServer,
    scripted_client: VoipNowClient,
    pages: list[Any],
    expected: list[str],
    requests: list[str],
) -> None:
    """Paging follows totalResults or paging.next and stops on a short page."""
    remaining = list(pages)

    async def answer(request: web.Request) -> web.StreamResponse:
        """Answer the next scripted page."""
        return web.json_response(remaining.pop(0))

    scripted.answer = answer

    calls = await scripted_client.async_list_calls()

    assert [call.id for call in calls] == expected
    assert scripted.api_requests == [
        f"GET /uapi/phoneCalls/@me/@self?{query}" for query in requests
    ]


async def test_endless_paging_is_cut_off(
    scripted: ScriptedServer, scripted_client: VoipNowClient
) -> None:
    """A server that always claims more pages is stopped after MAX_PAGES."""
    scripted.answer = json_answer({"entry": [{"id": "a1"}], "totalResults": 10**9})

    with pytest.raises(VoipNowMalformedResponseError, match="Too many pages"):
        await scripted_client.async_list_calls()

    assert len(scripted.api_requests) == client_module.MAX_PAGES


async def test_listing_past_the_largest_start_index_is_refused(
    scripted: ScriptedServer, session: aiohttp.ClientSession
) -> None:
    """Offsets stop at 5000 ("List CDR"): a longer listing fails, never a 400."""
    page = [{"id": f"c{index}"} for index in range(1000)]
    scripted.answer = json_answer({"entry": page, "totalResults": 10**6})
    listing = make_client(session, scripted.url, calls_page_size=1000)

    with pytest.raises(VoipNowMalformedResponseError, match="start index of 5000"):
        await listing.async_list_calls()

    # 0, 1000, ... 5000: the last start index a server takes.
    assert len(scripted.api_requests) == 6
    assert scripted.api_requests[-1].endswith("startIndex=5000")


async def test_oversized_answer_is_refused(
    sim: VoipNowSimulator, client: VoipNowClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer announcing more than MAX_BODY_BYTES is refused."""
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 2000)
    for i in range(10):
        await ring(sim, from_number=f"55502{i:02d}")

    with pytest.raises(VoipNowMalformedResponseError, match="too large"):
        await client.async_list_calls()


@pytest.mark.parametrize(("chunks", "fits"), [(3, True), (6, False)])
async def test_chunked_answer_size_is_counted(
    scripted: ScriptedServer,
    scripted_client: VoipNowClient,
    monkeypatch: pytest.MonkeyPatch,
    chunks: int,
    fits: bool,
) -> None:
    """A chunked answer (no Content-Length) is read up to MAX_BODY_BYTES only."""
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 1000)

    async def answer(request: web.Request) -> web.StreamResponse:
        """Stream a JSON listing padded with spaces, 200 bytes a chunk."""
        response = web.StreamResponse()
        response.content_type = "application/json"
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'{"entry": []' + b" " * 188)
        for _ in range(chunks - 2):
            await response.write(b" " * 200)
        await response.write(b" " * 199 + b"}")
        await response.write_eof()
        return response

    scripted.answer = answer

    if fits:
        assert await scripted_client.async_list_calls() == []
    else:
        with pytest.raises(VoipNowMalformedResponseError, match="too large"):
            await scripted_client.async_list_calls()


async def test_base_path_is_kept_encoded(
    scripted: ScriptedServer, session: aiohttp.ClientSession
) -> None:
    """A PBX behind a path prefix gets token and API requests under that prefix."""
    scripted.answer = json_answer(EMPTY_LISTING)
    client = make_client(session, f"{scripted.url}/my%20pbx/uapi/")

    assert await client.async_list_calls() == []
    assert scripted.requests == [
        "POST /my%20pbx/oauth/token.php",
        "GET /my%20pbx/uapi/phoneCalls/@me/@self?count=4999",
    ]


# --- extensions -------------------------------------------------------------------


@pytest.mark.parametrize("quirks", [False, True])
async def test_list_extensions(
    sim: VoipNowSimulator, client: VoipNowClient, quirks: bool
) -> None:
    """Presence lists every extension with its status and registration."""
    sim.quirks = quirks
    await ring(sim, EXT_SALES, answer=False)
    await ring(sim, EXT_GARAGE)

    extensions = {ext.number: ext for ext in await client.async_list_extensions()}

    assert sim.api_requests()[0].path == "/uapi/extensions/@me/@self/presence"
    assert set(extensions) == {EXT_OFFICE, EXT_SALES, EXT_GARAGE}
    office = extensions[EXT_OFFICE]
    assert office.status is PresenceStatus.ONLINE
    assert office.registered
    (registration,) = office.registrations
    assert registration.status is RegistrationStatus.REGISTERED
    assert registration.agent == "Yealink T46U"
    assert registration.expires is not None
    assert registration.expires.tzinfo is not None
    assert extensions[EXT_SALES].status is PresenceStatus.RINGING
    garage = extensions[EXT_GARAGE]
    assert garage.status is PresenceStatus.BUSY
    assert not garage.registered
    assert garage.registrations[0].status is RegistrationStatus.NOT_REGISTERED
    assert garage.registrations[0].expires is None


# --- make a call, hang up, hold ---------------------------------------------------


async def test_make_call(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """Making a call POSTs the documented body and returns the new call's id."""
    call_id = await client.async_make_call(
        extension=EXT_OFFICE,
        destination="5559876",
        caller_id=" Front desk <0003*210> ",
        wait_for_pickup=25,
    )

    assert call_id in sim.calls
    assert sim.get_call(call_id).callee.number == "5559876"
    (request,) = sim.api_requests()
    assert request.method == "POST"
    assert request.path == "/uapi/phoneCalls/@me/simple"
    assert request.query == {"waitForPickup": "25"}
    body = request.json
    nonce = body.pop("nonce")
    assert re.fullmatch(r"[0-9a-f]{16}", nonce)
    assert body == {
        "extension": EXT_OFFICE,
        "phoneCallView": [
            {
                "source": [EXT_OFFICE],
                "destination": ["5559876"],
                "callerId": "Front desk <0003*210>",
            }
        ],
    }


async def test_make_call_minimal(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """Without caller id or wait, neither is sent; every call has its own nonce."""
    first = await client.async_make_call(extension=EXT_SALES, destination=EXT_OFFICE)
    second = await client.async_make_call(
        user_id="12", extension=EXT_OFFICE, destination="+40215550000"
    )

    assert first != second
    assert {first, second} <= set(sim.calls)
    one, two = sim.api_requests()
    assert one.query == {}
    assert one.json["phoneCallView"] == [
        {"source": [EXT_SALES], "destination": [EXT_OFFICE]}
    ]
    assert two.path == "/uapi/phoneCalls/12/simple"
    assert one.json["nonce"] != two.json["nonce"]


async def test_make_call_answer_without_id(
    scripted: ScriptedServer, scripted_client: VoipNowClient
) -> None:
    """A make-call answer without a readable call is None, not an error."""
    scripted.answer = json_answer([{"extension": EXT_OFFICE}])
    assert (
        await scripted_client.async_make_call(
            extension=EXT_OFFICE, destination="5559876"
        )
        is None
    )
    scripted.answer = json_answer([])
    assert (
        await scripted_client.async_make_call(
            extension=EXT_OFFICE, destination="5559876"
        )
        is None
    )
    scripted.answer = json_answer({"id": "c0ffee", "extension": EXT_OFFICE})
    assert (
        await scripted_client.async_make_call(
            extension=EXT_OFFICE, destination="5559876"
        )
        == "c0ffee"
    )


async def test_hangup(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """Hanging up DELETEs the call's own path; the PBX says it hung up (200)."""
    call_id = await ring(sim)

    assert await OPERATIONS["hangup"].run(client, call_id) is True

    assert call_id not in sim.calls
    (request,) = sim.api_requests()
    assert request.method == "DELETE"
    assert request.path == f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}"
    assert request.query == {}
    assert request.body_text == ""


async def test_hangup_of_an_ended_call(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A 204 means there was nothing to hang up: the client says so."""
    call_id = await ring(sim)
    await sim.hangup_call(call_id)

    assert await OPERATIONS["hangup"].run(client, call_id) is False


async def test_hold_and_unhold(sim: VoipNowSimulator, client: VoipNowClient) -> None:
    """OnHold and OffHold PUT the party view id; the listing shows the hold."""
    call_id = await ring(sim)

    assert await OPERATIONS["hold"].run(client, call_id) is True
    (held,) = await client.async_list_calls()
    assert sim.get_call(call_id).held_by == EXT_OFFICE
    released = await client.async_call_action(
        CallAction.OFF_HOLD,
        extension=EXT_OFFICE,
        phone_call_id=call_id,
        phone_call_view_id="01",
    )
    (after,) = await client.async_list_calls()

    assert held.views[0].on_hold
    assert held.views[0].holder
    assert released is True
    assert not after.views[0].on_hold
    assert sim.get_call(call_id).held_by is None
    assert [(r.method, r.path, r.json) for r in sim.api_requests("PUT")] == [
        (
            "PUT",
            f"/uapi/phoneCalls/@me/{EXT_OFFICE}/{call_id}",
            {"action": action, "phoneCallViewId": "01"},
        )
        for action in ("OnHold", "OffHold")
    ]


# --- PhoneCallEvents subscriptions ------------------------------------------------


async def test_subscription_lifecycle(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """Subscriptions are created, listed and deleted with the documented shapes."""
    await client.async_create_call_event_subscription(
        extension=EXT_OFFICE,
        event_type=SubscriptionEventType.DIAL_IN,
        url=HOOK_URL,
        note="home-assistant",
    )
    await client.async_create_call_event_subscription(
        extension=EXT_OFFICE,
        event_type=SubscriptionEventType.HANGUP,
        url=HOOK_URL,
        method=CallbackMethod.GET,
    )
    listed = await client.async_list_call_event_subscriptions(extension=EXT_OFFICE)
    created, plain = listed
    await client.async_delete_call_event_subscription(
        extension=EXT_OFFICE,
        event_type=SubscriptionEventType.DIAL_IN,
        subscription_id=created.id,
    )

    assert created == CallEventSubscription(
        id=created.id,
        type=SubscriptionEventType.DIAL_IN,
        method=CallbackMethod.POST,
        url=HOOK_URL,
        active=True,
        note="home-assistant",
    )
    assert plain.method is CallbackMethod.GET
    assert plain.note is None
    assert list(sim.subscriptions) == [plain.id]
    create, create_plain, listing, delete = sim.api_requests()
    events = f"/uapi/extensions/@me/{EXT_OFFICE}/phoneCallEvents"
    assert (create.method, create.path) == ("POST", f"{events}/")
    assert create.json == {
        "type": "0",
        "method": "1",
        "url": HOOK_URL,
        "status": "1",
        "note": "home-assistant",
    }
    assert create_plain.json == {
        "type": "2",
        "method": "0",
        "url": HOOK_URL,
        "status": "1",
    }
    assert (listing.method, listing.path) == ("GET", events)
    assert (delete.method, delete.path) == ("DELETE", f"{events}/0/{created.id}")
    assert HOOK_URL not in repr(created)


# --- URL, construction, secrets ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "base_url", "host"),
    [
        ("voip.example.com", "https://voip.example.com", "voip.example.com"),
        ("  voip.example.com  ", "https://voip.example.com", "voip.example.com"),
        ("https://voip.example.com/", "https://voip.example.com", "voip.example.com"),
        (
            "https://voip.example.com/uapi",
            "https://voip.example.com",
            "voip.example.com",
        ),
        (
            "https://voip.example.com/uapi/",
            "https://voip.example.com",
            "voip.example.com",
        ),
        (
            "HTTPS://VoIP.Example.COM/UAPI",
            "https://voip.example.com",
            "voip.example.com",
        ),
        (
            "https://voip.example.com/oauth/token.php",
            "https://voip.example.com",
            "voip.example.com",
        ),
        (
            "https://voip.example.com:443",
            "https://voip.example.com",
            "voip.example.com",
        ),
        (
            "https://voip.example.com:8443/uapi",
            "https://voip.example.com:8443",
            "voip.example.com:8443",
        ),
        (
            "voip.example.com:8443",
            "https://voip.example.com:8443",
            "voip.example.com:8443",
        ),
        ("http://voip.example.com", "http://voip.example.com", "voip.example.com"),
        (
            "http://voip.example.com:8080/pbx/uapi",
            "http://voip.example.com:8080/pbx",
            "voip.example.com:8080",
        ),
        ("http://192.0.2.10:8080", "http://192.0.2.10:8080", "192.0.2.10:8080"),
        ("https://[2001:db8::1]/", "https://[2001:db8::1]", "[2001:db8::1]"),
        (
            "https://[2001:db8::1]:8443/",
            "https://[2001:db8::1]:8443",
            "[2001:db8::1]:8443",
        ),
        ("pbx_1.lan", "https://pbx_1.lan", "pbx_1.lan"),
    ],
)
async def test_url_normalisation(
    session: aiohttp.ClientSession, url: str, base_url: str, host: str
) -> None:
    """What users type becomes the server's base URL."""
    client = VoipNowClient(session, url, CLIENT_ID, CLIENT_SECRET)

    assert client.base_url == base_url
    assert client.host == host
    assert str(normalize_url(url)).rstrip("/") == base_url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        None,
        42,
        "ftp://voip.example.com",
        "https://",
        "https://voip example.com",
        "https://voip.example.com:99999",
        "https://user:pass@voip.example.com",
        "https://voip.example.com/?debug=1",
        "https://voip.example.com/#top",
        "https://-voip.example.com",
        "https://voip..example.com",
        "https://[2001:db8::1",
        "mailto:pbx@example.com",
    ],
)
def test_invalid_url(url: Any) -> None:
    """A URL that cannot be a VoipNow server is refused locally."""
    with pytest.raises(VoipNowInvalidInputError) as exc_info:
        normalize_url(url)

    assert exc_info.value.field == "url"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"request_timeout": 0}, "request_timeout"),
        ({"request_timeout": -1.0}, "request_timeout"),
        ({"request_timeout": float("inf")}, "request_timeout"),
        ({"request_timeout": float("nan")}, "request_timeout"),
        ({"request_timeout": True}, "request_timeout"),
        ({"request_timeout": "10"}, "request_timeout"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 5001}, "page_size"),
        ({"page_size": True}, "page_size"),
        ({"page_size": 10.0}, "page_size"),
        ({"calls_page_size": 0}, "calls_page_size"),
        ({"calls_page_size": 5001}, "calls_page_size"),
        ({"url": "not a url"}, "url"),
    ],
)
async def test_invalid_client_options(
    session: aiohttp.ClientSession, kwargs: dict[str, Any], field: str
) -> None:
    """Options out of range are refused when the client is built."""
    options: dict[str, Any] = {"url": "voip.example.com", **kwargs}
    url = options.pop("url")

    with pytest.raises(VoipNowInvalidInputError) as exc_info:
        VoipNowClient(session, url, CLIENT_ID, CLIENT_SECRET, **options)

    assert exc_info.value.field == field


async def test_secrets_never_leak(
    sim: VoipNowSimulator,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the App secret nor any token shows in logs, errors or repr."""
    caplog.set_level(logging.DEBUG)
    client = make_client(session, sim.url, request_timeout=TIMEOUT)
    errors: list[BaseException] = []

    async def attempt(call: Awaitable[object]) -> None:
        """Run a call, keeping its error."""
        try:
            await call
        except VoipNowError as err:
            errors.append(err)

    call_id = await ring(sim)
    await client.async_list_calls()
    sim.revoke_tokens()
    await client.async_list_extensions()
    await attempt(_unknown_call(client, sim))
    await attempt(_to_unknown_extension(client, sim))
    sim.inject_fault("delay", path_prefix="/uapi", delay=TIMEOUT * 2)
    await attempt(OPERATIONS["transfer"].run(client, call_id))
    sim.inject_fault("html_error", path_prefix="/uapi")
    await attempt(client.async_list_calls())
    sim.inject_fault("malformed_json", path_prefix="/oauth")
    client.invalidate_token()
    await attempt(client.async_list_calls())
    sim.token_lifetime = 0
    await attempt(client.async_list_calls())
    sim.set_client_secret("rotated-secret-5e6f")
    await attempt(client.async_list_calls())
    await attempt(_subscribe(url="ftp://hook.example/" + CLIENT_SECRET)(client))
    await sim.go_offline()
    await attempt(client.async_list_calls())

    tokens = set(bearer_tokens(sim))
    assert len(tokens) >= 4
    assert len(errors) == 9
    texts = [caplog.text, repr(client), str(client)]
    for err in errors:
        texts += [str(err), repr(err), str(err.__cause__), repr(err.__cause__)]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert CLIENT_SECRET not in text
        assert "rotated-secret-5e6f" not in text
        for token in tokens:
            assert token not in text
    assert "/uapi/phoneCalls" in caplog.text
    assert repr(client) == f"VoipNowClient(url='{sim.url}/')"


# --- documented variants of the subscription API ------------------------------


@pytest.mark.parametrize("refusal", [404, 405, 501, 400])
async def test_subscription_type_in_the_path(
    sim: VoipNowSimulator, client: VoipNowClient, refusal: int
) -> None:
    """A v5 server wants the type in the path: learnt once, then used directly."""
    sim.modes.update({"subscription_path": "path", "v5_refusal_status": refusal})

    for kind in (SubscriptionEventType.DIAL_IN, SubscriptionEventType.HANGUP):
        await client.async_create_call_event_subscription(
            extension=EXT_OFFICE, event_type=kind, url=HOOK_URL
        )

    events = f"/uapi/extensions/@me/{EXT_OFFICE}/phoneCallEvents"
    assert [r.path for r in sim.api_requests("POST")] == [
        f"{events}/",
        f"{events}/0",
        f"{events}/2",
    ]
    assert client.event_type_in_path is True
    assert sorted(sub.type for sub in sim.subscriptions.values()) == [0, 2]


async def test_unknown_event_type_is_refused_as_documented(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A 3.x server refuses type 3 with `pcet_type_invalid`; the body form stays."""
    sim.modes.update({"event_types": [0, 1, 2]})

    with pytest.raises(VoipNowResponseError) as exc_info:
        await client.async_create_call_event_subscription(
            extension=EXT_OFFICE,
            event_type=SubscriptionEventType.ANSWER_IN,
            url=HOOK_URL,
        )

    assert exc_info.value.code == "pcet_type_invalid"
    assert client.event_type_in_path is False
    assert len(sim.api_requests("POST")) == 1


async def test_long_ids_are_used_as_they_are(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """Object ids of up to 255 characters reach every path they belong in."""
    sim.modes.update({"long_ids": True})
    call_id = await ring(sim)
    await client.async_create_call_event_subscription(
        extension=EXT_OFFICE, event_type=SubscriptionEventType.HANGUP, url=HOOK_URL
    )
    (sub,) = await client.async_list_call_event_subscriptions(extension=EXT_OFFICE)

    assert 200 <= len(call_id) <= 255
    assert 200 <= len(sub.id) <= 255
    assert await OPERATIONS["hold"].run(client, call_id) is True
    await client.async_delete_call_event_subscription(
        extension=EXT_OFFICE,
        event_type=SubscriptionEventType.HANGUP,
        subscription_id=sub.id,
    )
    assert await OPERATIONS["hangup"].run(client, call_id) is True
    assert sim.subscriptions == {}


@pytest.mark.parametrize("zone", ["Europe/Bucharest", "America/New_York"])
async def test_dates_without_zone_read_in_the_servers_zone(
    sim: VoipNowSimulator, session: aiohttp.ClientSession, zone: str
) -> None:
    """A server writing local times without a zone: the client places them."""
    sim.modes.update({"naive_dates": True, "time_zone": zone})
    client = make_client(session, sim.url, time_zone=ZoneInfo(zone))
    await ring(sim)

    (call,) = await client.async_list_calls()

    published = sim.call_json(next(iter(sim.calls.values())))["published"]
    assert datetime.fromisoformat(published).tzinfo is None
    assert call.published is not None
    assert call.published.tzinfo == ZoneInfo(zone)
    # The zone-less time, read in the server's zone, is now.
    assert abs((datetime.now(UTC) - call.published).total_seconds()) < 60


async def test_one_deadline_for_a_whole_collection(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """Pages that each come in time still fail once the whole listing is too slow."""
    client = make_client(
        session, sim.url, calls_page_size=1, request_timeout=5, collection_timeout=0.6
    )
    for number in range(4):
        await ring(sim, from_number=f"555000{number}", answer=False)
    sim.inject_fault("delay", count=None, path_prefix="/uapi/phoneCalls", delay=0.25)

    with pytest.raises(VoipNowTimeoutError) as err:
        await client.async_list_calls()

    assert "took over 0.6s" in str(err.value)
    # It gave up on the third page, well before the pages' own timeouts.
    assert len(sim.api_requests("GET")) < 4
    sim.clear_faults()
    await sim.go_offline()
    await sim.go_online()


def test_huge_caller_id_is_cut_before_parsing() -> None:
    """A 16,000-character caller id is read as its first characters only."""
    huge = "A" * 16_000 + " <5551234>"

    name, number = split_caller_id(huge)

    assert name == "A" * 64
    assert number is None
