"""Fixtures of the benchmarks: the simulator, entries and a results recorder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
import json
import os
from pathlib import Path
import signal
import sys
from typing import Any

import aiohttp
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voipnow.const import CONF_PUSH, DOMAIN
from tests.conftest import CLIENT_ID, CLIENT_SECRET, UNIQUE_ID
from voipnow_simulator import VoipNowSimulator

# Where `python -m benchmarks` wants the results (a JSON file).
RESULTS_ENV = "VOIPNOW_BENCH_JSON"
RESULTS: dict[str, Any] = {}

type Record = Callable[..., None]
type MakeSimulator = Callable[[int], Awaitable[VoipNowSimulator]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components/ in every benchmark."""


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Measure with the event loop as it runs in production, not in debug mode.

    Home Assistant's test harness turns debug mode on, which records a stack
    trace for every task and callback: it would dwarf what is measured.
    """
    asyncio.get_running_loop().set_debug(False)


@pytest.fixture
def bench() -> Record:
    """Record the figures of one benchmark under a name."""

    def record(name: str, **values: Any) -> None:
        RESULTS[name] = values

    return record


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write every recorded figure for the renderer."""
    if path := os.environ.get(RESULTS_ENV):
        Path(path).write_text(json.dumps(RESULTS, indent=2, sort_keys=True))


def extension_numbers(count: int) -> list[str]:
    """Return `count` extension numbers of the simulated organization."""
    return [f"0003*{1000 + index}" for index in range(count)]


@pytest.fixture
async def make_simulator(socket_enabled: None) -> AsyncIterator[MakeSimulator]:
    """Start simulators with a number of extensions, stopped after the benchmark."""
    started: list[VoipNowSimulator] = []

    async def make(extensions: int) -> VoipNowSimulator:
        sim = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        for number in extension_numbers(extensions):
            sim.add_extension(number)
        await sim.start(host="127.0.0.1", port=0)
        started.append(sim)
        return sim

    yield make
    for sim in started:
        await sim.stop()


@dataclass
class ExternalSimulator:
    """A simulator in its own process, steered through its control API.

    Timing benchmarks use it: a PBX served on Home Assistant's own event loop
    would put the PBX's work into the figures (a real PBX is elsewhere).
    """

    url: str
    session: aiohttp.ClientSession

    async def control(self, method: str, path: str, data: Any = None) -> Any:
        """Call the control API and return its JSON answer."""
        async with self.session.request(
            method, f"{self.url}/_sim/{path}", json=data
        ) as resp:
            resp.raise_for_status()
            return await resp.json() if resp.status != 204 else None

    async def answered_call(self, extension: str, caller: str) -> str:
        """Ring an extension from outside and answer; return the call id."""
        call = await self.control(
            "POST", "calls/incoming", {"extension": extension, "from_number": caller}
        )
        await self.control("POST", f"calls/{call['id']}/answer")
        return str(call["id"])

    async def requests(self) -> list[dict[str, Any]]:
        """Return the simulator's request log."""
        return list(await self.control("GET", "requests"))


type MakeExternalSimulator = Callable[[int], Awaitable[ExternalSimulator]]


@pytest.fixture
async def make_external_simulator(
    socket_enabled: None,
) -> AsyncIterator[MakeExternalSimulator]:
    """Start simulators as processes (`python -m voipnow_simulator`)."""
    processes: list[asyncio.subprocess.Process] = []
    session = aiohttp.ClientSession()

    async def make(extensions: int) -> ExternalSimulator:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "voipnow_simulator",
            "--port",
            "0",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--extensions",
            ",".join(extension_numbers(extensions)),
            stdout=asyncio.subprocess.PIPE,
        )
        processes.append(process)
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        return ExternalSimulator(line.rsplit(" ", 1)[-1].strip(), session)

    yield make
    await session.close()
    for process in processes:
        process.send_signal(signal.SIGTERM)
        await process.communicate()


async def async_add_entry(
    hass: HomeAssistant,
    sim: VoipNowSimulator | ExternalSimulator,
    *,
    push: bool = False,
) -> MockConfigEntry:
    """Add a config entry for the simulator's App and set it up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data={
            CONF_URL: sim.url,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            CONF_VERIFY_SSL: True,
        },
        options={CONF_PUSH: push},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


def median(values: list[float]) -> float:
    """Return the median of some measurements."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile (`share` between 0 and 1)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
