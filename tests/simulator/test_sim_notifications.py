"""The simulator's API Notifications socket, as VNUAPI30 describes it."""

from __future__ import annotations

import asyncio
import hashlib
import json

from aiohttp import ClientSession, WSMsgType, WSServerHandshakeError
import pytest

from voipnow_simulator import VoipNowSimulator
from voipnow_simulator.notifications import ODD_SHAPES


async def _device_id(sim: VoipNowSimulator, http: ClientSession) -> str:
    """Get a token for the App and derive the documented deviceId from it."""
    async with http.post(
        f"{sim.url}/oauth/token.php",
        data={
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "grant_type": "client_credentials",
        },
    ) as resp:
        token = (await resp.json())["access_token"]
    return hashlib.sha1((sim.client_id + token).encode()).hexdigest()


def _url(sim: VoipNowSimulator, device: str, instance: str = "abc") -> str:
    """The socket's URL with its two documented parameters."""
    return f"{sim.url}/hubgetsb/ws/?deviceId={device}&instanceId={instance}"


async def test_documented_envelope_on_a_call_change(
    sim: VoipNowSimulator, http: ClientSession
) -> None:
    """101 with the `notification` subprotocol; a ring sends the envelope."""
    number = next(iter(sim.extensions))
    url = _url(sim, await _device_id(sim, http))
    async with http.ws_connect(url, protocols=("notification",)) as ws:
        assert ws.protocol == "notification"
        await sim.incoming_call(number)
        message = await asyncio.wait_for(ws.receive_json(), 5)
        assert set(message) == {"timestamp", "class", "content"}
        assert message["timestamp"] > 10**15  # microseconds
        call = next(iter(sim.calls))
        await sim.hold_call(call, number)
        held = await asyncio.wait_for(ws.receive_json(), 5)
        assert held["content"]["type"] == "hold"
    await sim.notifications.wait()
    assert sim.notifications.accepted[0].instance_id == "abc"


@pytest.mark.parametrize(
    "case", ["org_level", "wrong_device", "no_instance", "expired"]
)
async def test_401_not_authorized(
    sim: VoipNowSimulator, http: ClientSession, case: str
) -> None:
    """Not user level, a wrong deviceId, no instanceId, or a dead token: 401."""
    device = await _device_id(sim, http)
    url = _url(sim, device)
    if case == "org_level":
        sim.notifications.configure(user_level=False)
    elif case == "wrong_device":
        url = _url(sim, "0" * 40)
    elif case == "no_instance":
        url = _url(sim, device, "")
    else:
        sim.expire_tokens()
    with pytest.raises(WSServerHandshakeError) as info:
        await http.ws_connect(url, protocols=("notification",))
    assert info.value.status == 401
    assert sim.notifications.refused == [401]


async def test_plain_get_is_not_upgraded(
    sim: VoipNowSimulator, http: ClientSession
) -> None:
    """A GET without the WebSocket headers gets 400."""
    async with http.get(_url(sim, await _device_id(sim, http))) as resp:
        assert resp.status == 400


@pytest.mark.parametrize(
    ("mode", "check"),
    [
        ("non_json", lambda m: m.type is WSMsgType.TEXT and m.data.endswith("{")),
        (
            "odd",
            lambda m: (
                (json.loads(m.data) if m.type is WSMsgType.TEXT else ...) in ODD_SHAPES
                or m.type is WSMsgType.BINARY
            ),
        ),
        (
            "drop",
            lambda m: m.type in (WSMsgType.CLOSED, WSMsgType.ERROR, WSMsgType.CLOSE),
        ),
    ],
)
async def test_modes(
    sim: VoipNowSimulator, http: ClientSession, mode: str, check: object
) -> None:
    """Each mode changes what a call change does to the socket."""
    number = next(iter(sim.extensions))
    async with http.ws_connect(
        _url(sim, await _device_id(sim, http)), protocols=("notification",)
    ) as ws:
        async with http.post(f"{sim.url}/_sim/notifications", json={"mode": mode}) as r:
            assert (await r.json())["mode"] == mode
        await sim.incoming_call(number)
        message = await asyncio.wait_for(ws.receive(), 5)
        assert check(message)  # type: ignore[operator]


async def test_silent_mode_and_control_api(
    sim: VoipNowSimulator, http: ClientSession
) -> None:
    """Silent: nothing is sent; the control API shows and changes the settings."""
    number = next(iter(sim.extensions))
    async with http.ws_connect(
        _url(sim, await _device_id(sim, http)), protocols=("notification",)
    ) as ws:
        async with http.post(
            f"{sim.url}/_sim/notifications", json={"mode": "silent"}
        ) as resp:
            assert await resp.json() == {
                "user_level": True,
                "mode": "silent",
                "open": 1,
            }
        await sim.incoming_call(number)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.receive(), 0.2)
        async with http.post(f"{sim.url}/_sim/notifications", json={"drop": True}):
            pass
        message = await asyncio.wait_for(ws.receive(), 5)
        assert message.type in (WSMsgType.CLOSED, WSMsgType.ERROR, WSMsgType.CLOSE)
    with pytest.raises(ValueError, match="mode"):
        sim.notifications.configure(mode="loud")
    with pytest.raises(TypeError):
        sim.notifications.configure(user_level="yes")  # type: ignore[arg-type]
