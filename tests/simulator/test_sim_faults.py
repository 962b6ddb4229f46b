"""Simulator tests: faults, going offline, request log, control API and CLI."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
import time

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout
import pytest

from voipnow_simulator import VoipNowSimulator

from .helpers import EXT1, Api, get_token

LIST = "/uapi/phoneCalls/@me/@self"
ROOT = Path(__file__).resolve().parents[2]


async def test_http_500_and_count(api: Api) -> None:
    """http_500 answers the documented error body, for ``count`` requests."""
    api.sim.inject_fault("http_500", count=2, path_prefix="/uapi/phoneCalls")
    for _ in range(2):
        reply = await api.get(LIST)
        assert (reply.status, reply.body["error"]["code"]) == (
            500,
            "internal_server_error",
        )
    assert (await api.get(LIST)).status == 200
    assert len(api.sim.api_requests()) == 3


async def test_body_faults(api: Api) -> None:
    """malformed_json, html_error and empty_200 break the answer body."""
    api.sim.inject_fault("malformed_json")
    reply = await api.get(LIST)
    assert (reply.status, reply.content_type) == (200, "application/json")
    with pytest.raises(ValueError):
        json.loads(reply.text)
    api.sim.inject_fault("html_error")
    reply = await api.get(LIST)
    assert (reply.status, reply.content_type) == (502, "text/html")
    assert "<html>" in reply.text
    api.sim.inject_fault("empty_200")
    reply = await api.get(LIST)
    assert (reply.status, reply.text) == (200, "")


async def test_delay_fault(api: Api) -> None:
    """A delay fault holds the answer back; a short client timeout gives up."""
    api.sim.inject_fault("delay", delay=0.3)
    start = time.monotonic()
    assert (await api.get(LIST)).status == 200
    assert time.monotonic() - start >= 0.3
    api.sim.inject_fault("delay", delay=30)
    with pytest.raises(TimeoutError):
        async with api.http.get(
            api.sim.url + LIST,
            headers={"Authorization": f"Bearer {api.token}"},
            timeout=ClientTimeout(total=0.2),
        ):
            pass


async def test_disconnect_fault(api: Api) -> None:
    """A disconnect fault closes the connection without an answer."""
    api.sim.inject_fault("disconnect")
    with pytest.raises(ClientError):
        await api.post("/uapi/phoneCalls/@me/simple", {})
    # aiohttp retries an idempotent request once when the connection drops.
    api.sim.inject_fault("disconnect", count=2)
    with pytest.raises(ClientError):
        await api.get(LIST)
    assert len(api.sim.api_requests()) == 3
    assert (await api.get(LIST)).status == 200


async def test_fault_path_prefix_on_token(
    sim: VoipNowSimulator, http: ClientSession
) -> None:
    """A fault aimed at the token endpoint leaves the API alone, and vice versa."""
    token = await get_token(sim, http)
    sim.inject_fault("http_500", count=1, path_prefix="/oauth/token.php")
    api = Api(sim, http, token)
    assert (await api.get(LIST)).status == 200
    async with http.post(
        sim.url + "/oauth/token.php",
        data={"client_id": sim.client_id, "client_secret": sim.client_secret},
    ) as resp:
        assert resp.status == 500
    assert len(sim.token_requests) == 2
    sim.inject_fault("http_500", count=None, path_prefix="/uapi")
    await get_token(sim, http)
    assert (await api.get(LIST)).status == 500
    assert (await api.get(LIST)).status == 500
    sim.clear_faults()
    assert (await api.get(LIST)).status == 200
    with pytest.raises(ValueError):
        sim.inject_fault("meteor")


async def test_offline_online(api: Api) -> None:
    """Offline refuses connections; online again on the same port, same state."""
    sim = api.sim
    call_id = await sim.incoming_call(EXT1, "5551234")
    port = sim.port
    await sim.go_offline()
    with pytest.raises(ClientConnectorError):
        await api.get(LIST)
    await sim.go_online()
    assert sim.port == port
    reply = await api.get(LIST)
    assert [c["id"] for c in reply.body["entry"]] == [call_id]


async def test_request_log(api: Api) -> None:
    """API and token requests are logged with bodies; control requests are not."""
    sim = api.sim
    await api.put(
        f"/uapi/phoneCalls/@me/{EXT1}/ffffffffffffffffffff", {"action": "OnHold"}
    )
    await api.get(LIST, params={"count": "5"})
    async with api.http.get(sim.url + "/_sim/state") as resp:
        assert resp.status == 200
    [token_request] = sim.token_requests
    assert token_request.method == "POST"
    assert token_request.form is not None
    assert token_request.form["grant_type"] == "client_credentials"
    assert [r.method for r in sim.api_requests()] == ["PUT", "GET"]
    [put] = sim.api_requests(method="put")
    assert put.json == {"action": "OnHold"}
    assert put.headers["Authorization"] == f"Bearer {api.token}"
    [get] = sim.api_requests(path_prefix="/uapi/phoneCalls/@me/@self")
    assert get.query == {"count": "5"}
    assert all(not r.path.startswith("/_sim") for r in sim.requests)
    sim.clear_requests()
    assert sim.requests == []


async def test_control_api(api: Api) -> None:
    """The /_sim control endpoints drive calls, faults and tokens."""
    sim, http, base = api.sim, api.http, api.sim.url + "/_sim"
    async with http.post(
        f"{base}/calls/incoming",
        json={"extension": "210", "from_number": "5551234", "caller_name": "Jo"},
    ) as resp:
        call_id = (await resp.json())["id"]
    assert sim.get_call(call_id).caller.name == "Jo"
    for op in ("answer", "hold"):
        async with http.post(f"{base}/calls/{call_id}/{op}") as resp:
            assert resp.status == 200
    assert sim.get_call(call_id).on_hold == {EXT1}
    async with http.post(
        f"{base}/calls/outgoing", json={"extension": EXT1, "to_number": "5559876"}
    ) as resp:
        out_id = (await resp.json())["id"]
    async with http.get(f"{base}/state") as resp:
        state = await resp.json()
    assert [c["id"] for c in state["calls"]] == [call_id, out_id]
    assert state["extensions"][0]["number"] == EXT1
    async with http.post(f"{base}/calls/{call_id}/hangup") as resp:
        assert resp.status == 200
    assert call_id not in sim.calls
    async with http.post(f"{base}/calls/{call_id}/hangup") as resp:
        assert resp.status == 404
    async with http.post(f"{base}/calls/incoming", json={"extension": "9"}) as resp:
        assert resp.status == 404
    async with http.post(f"{base}/calls/incoming", data="junk") as resp:
        assert resp.status == 400
    async with http.post(
        f"{base}/extensions", json={"extension": "0003*219", "name": "New"}
    ) as resp:
        assert resp.status == 200
    assert "0003*219" in sim.extensions

    async with http.post(
        f"{base}/faults", json={"kind": "http_500", "count": 1, "path_prefix": "/uapi"}
    ) as resp:
        assert resp.status == 200
    assert (await api.get(LIST)).status == 500
    async with http.get(f"{base}/requests") as resp:
        log = await resp.json()
    assert log[-1]["path"] == LIST
    async with http.post(f"{base}/tokens/revoke") as resp:
        assert resp.status == 204
    assert (await api.get(LIST)).status == 401


def test_cli_help() -> None:
    """``python -m voipnow_simulator --help`` works."""
    result = subprocess.run(
        [sys.executable, "-m", "voipnow_simulator", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    assert "--client-secret" in result.stdout
    assert "--demo" in result.stdout


def test_cli_runs_and_stops_on_sigterm() -> None:
    """The standalone server prints its URL and stops cleanly on SIGTERM."""
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voipnow_simulator",
            "--port",
            "0",
            "--client-id",
            "cli-id",
            "--extensions",
            "0003*210,0003*211",
            "--demo",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(8)]
        assert lines[0].startswith("VoipNow simulator listening on http://127.0.0.1:")
        assert "cli-id" in "".join(lines)
        assert "0003*212" in "".join(lines)
        # The demo's queue (Sales, 0003*300).
        assert lines[7].split() == ["Queues:", "0003*300"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert proc.stdout.read().rstrip().endswith("VoipNow simulator stopped")


async def test_stop_cancels_pending_deliveries(http: ClientSession) -> None:
    """stop() leaves no task behind even with a delivery in flight."""
    sim = VoipNowSimulator()
    sim.add_extension(EXT1)
    await sim.start()
    sim.pbx.add_subscription(EXT1, 2, 1, "http://127.0.0.1:1/x", 1, None)
    call_id = await sim.incoming_call(EXT1)
    api = Api(sim, http, await get_token(sim, http))
    assert (await api.delete(f"/uapi/phoneCalls/@me/{EXT1}/{call_id}")).status == 200
    await sim.stop()
    await asyncio.sleep(0)
    assert not sim.callbacks.tasks
