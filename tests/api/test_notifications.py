"""The API Notifications socket against the simulator and a scripted server."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import aiohttp
import pytest

from custom_components.voipnow.api import (
    NOT_JSON,
    NotificationSocket,
    VoipNowAuthenticationError,
    VoipNowClient,
    VoipNowConnectionError,
    VoipNowNotificationsRefusedError,
    device_id,
)
from voipnow_simulator import VoipNowSimulator

from .conftest import CLIENT_ID, EXT_OFFICE, ScriptedServer, make_client, text_answer


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Only warn: aiohttp 3.14 may re-arm a closed WebSocket's heartbeat timer.

    A data frame read just before `close()` schedules a heartbeat reset that
    runs after it; the timer then finds the socket closed and does nothing.
    """
    return True


def _socket(client: VoipNowClient) -> NotificationSocket:
    """Return the App's socket (the App ID is the OAuth client id)."""
    return client.notifications(CLIENT_ID)


async def _next(socket: NotificationSocket) -> Any:
    """Return the next message, or fail after a while."""
    async with asyncio.timeout(5):
        async for message in socket.messages():
            return message
    raise AssertionError("closed")  # pragma: no cover


def test_device_id_is_sha1_of_app_id_and_token() -> None:
    """The documented derivation: SHA-1 of the App ID followed by the token, hex."""
    assert device_id("app", "tok") == hashlib.sha1(b"apptok").hexdigest()


async def test_user_level_app_gets_a_message_per_call_change(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """Connected with the current token: a call rings, a message comes."""
    await client.async_list_calls()
    socket = _socket(client)
    await socket.async_connect()
    assert socket.connected
    assert len(sim.token_requests) == 1  # the listing's token, not one of its own
    connection = sim.notifications.accepted[-1]
    assert connection.device_id in sim.notifications.device_ids()
    assert connection.instance_id
    assert 0 < socket.renew_in <= 3600
    await sim.incoming_call(EXT_OFFICE)
    message = await _next(socket)
    assert set(message) == {"timestamp", "class", "content"}
    assert isinstance(message["timestamp"], int)
    await socket.async_close()
    assert not socket.connected


async def test_renew_connects_with_a_new_token(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """`renew` asks for a newer token: a new deviceId."""
    socket = _socket(client)
    await socket.async_connect()
    await socket.async_connect(renew=True)
    first, second = sim.notifications.accepted
    assert first.device_id != second.device_id
    assert len(sim.token_requests) == 2
    assert len(sim.notifications.open) <= 1
    await socket.async_close()


@pytest.mark.parametrize(("user_level", "device"), [(False, None), (True, "0" * 40)])
async def test_refused_with_401(
    sim: VoipNowSimulator,
    session: aiohttp.ClientSession,
    user_level: bool,
    device: str | None,
) -> None:
    """An organization-level App, or a wrong deviceId: 401, and no URL in the error."""
    sim.notifications.configure(user_level=user_level)
    client = make_client(session, sim.url)
    socket = _socket(client)
    if device is not None:
        sim.revoke_tokens()
        await client.async_authenticate()
        sim.revoke_tokens()
    with pytest.raises(VoipNowNotificationsRefusedError) as info:
        await socket.async_connect()
    assert info.value.status == 401
    assert sim.notifications.refused == [401]
    assert "deviceId" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


async def test_not_json_and_odd_shapes_are_yielded_as_such(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A message that is not JSON is NOT_JSON; others come as decoded."""
    socket = _socket(client)
    await socket.async_connect()
    sim.notifications.send_raw("not json {")
    assert await _next(socket) is NOT_JSON
    sim.notifications.send_raw([1, 2], binary=True)
    assert await _next(socket) is NOT_JSON
    sim.notifications.send_raw([1, 2])
    assert await _next(socket) == [1, 2]
    await socket.async_close()


async def test_drop_raises_connection_error(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """A cut connection ends the messages with VoipNowConnectionError."""
    socket = _socket(client)
    await socket.async_connect()
    sim.notifications.drop()
    with pytest.raises(VoipNowConnectionError):
        await _next(socket)
    await socket.async_close()


async def test_messages_of_a_closed_socket(client: VoipNowClient) -> None:
    """Reading before connecting is a connection error."""
    with pytest.raises(VoipNowConnectionError):
        await _next(_socket(client))


@pytest.mark.parametrize("status", [404, 200])
async def test_no_upgrade_is_refused(
    scripted: ScriptedServer, scripted_client: VoipNowClient, status: int
) -> None:
    """A server without the service (404) or that does not upgrade (200)."""
    scripted.answer = text_answer("nope", status=status)
    with pytest.raises(VoipNowNotificationsRefusedError) as info:
        await _socket(scripted_client).async_connect()
    assert info.value.status == status
    assert "deviceId" not in str(info.value)
    assert scripted.api_requests[0].startswith("GET /hubgetsb/ws/?deviceId=")


async def test_unreachable_is_a_connection_error(
    sim: VoipNowSimulator, client: VoipNowClient
) -> None:
    """The PBX went away after the token: a connection error without the URL."""
    await client.async_authenticate()
    await sim.go_offline()
    with pytest.raises(VoipNowConnectionError) as info:
        await _socket(client).async_connect()
    assert "deviceId" not in str(info.value)
    assert info.value.__cause__ is None


async def test_refused_credentials_are_not_retried(
    sim: VoipNowSimulator, session: aiohttp.ClientSession
) -> None:
    """Refused App credentials: the token source's error, no socket attempt."""
    client = VoipNowClient(session, sim.url, CLIENT_ID, "wrong")
    with pytest.raises(VoipNowAuthenticationError):
        await _socket(client).async_connect()
    assert sim.notifications.refused == []
    assert sim.notifications.accepted == []
