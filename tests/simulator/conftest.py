"""Fixtures for the simulator's own tests: a running simulator and a receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib

from aiohttp import ClientSession, ClientTimeout, web
import pytest

from voipnow_simulator import VoipNowSimulator

from .helpers import CLIENT_ID, CLIENT_SECRET, EXT1, EXT2, Api, Receiver, get_token


@pytest.fixture(autouse=True)
def loopback_sockets(request: pytest.FixtureRequest) -> None:
    """Allow real sockets: Home Assistant's test plugin disables them.

    Connections stay limited to 127.0.0.1 by its ``socket_allow_hosts``.
    """
    # Without pytest-socket, sockets are allowed anyway.
    with contextlib.suppress(pytest.FixtureLookupError):
        request.getfixturevalue("socket_enabled")


@pytest.fixture
async def sim() -> AsyncIterator[VoipNowSimulator]:
    """Run a simulator with two extensions on a free loopback port."""
    simulator = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    simulator.add_extension(EXT1, name="Office")
    simulator.add_extension(EXT2, name="Sales")
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    """A plain aiohttp client session."""
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        yield session


@pytest.fixture
async def api(sim: VoipNowSimulator, http: ClientSession) -> Api:
    """A raw API helper holding a valid token."""
    return Api(sim, http, await get_token(sim, http))


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A callback receiver on a free loopback port."""
    recv = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recv.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recv.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield recv
    await runner.cleanup()
    await asyncio.sleep(0)
