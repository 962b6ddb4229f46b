"""Fixtures of the benchmarks: simulators and Home Assistant's surfaces.

How the benchmarks reach the integration is in `harness.py` (entries,
timers, HTTP, simulators); rounds, profiles and memory traces in
`measure.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import json
import logging
import os
from pathlib import Path
import signal
import sys
from typing import Any

import aiohttp
import pytest

# The folder Home Assistant loads custom integrations from: imported first,
# so that the harness's own `custom_components` folder does not shadow it.
import custom_components  # noqa: F401
from voipnow_simulator import VoipNowSimulator

from .harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    ExternalSimulator,
    MakeExternalSimulator,
    MakeSimulator,
    MakeThreadedSimulator,
    Record,
    ThreadedSimulator,
    extension_numbers,
    new_simulator,
)
from .measure import RESULTS, RESULTS_ENV


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


@pytest.fixture(autouse=True)
def production_log_levels() -> Iterator[None]:
    """Log as Home Assistant does in production: no access log line per request.

    Home Assistant's bootstrap turns aiohttp's access log down to warnings;
    the test harness does not, and a line per callback would be measured.
    (`python -m benchmarks` also runs pytest without its logging plugin,
    which keeps every record it sees.)
    """
    access = logging.getLogger("aiohttp.access")
    level = access.level
    access.setLevel(logging.WARNING)
    yield
    access.setLevel(level)


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


@pytest.fixture
async def make_simulator(socket_enabled: None) -> AsyncIterator[MakeSimulator]:
    """Start simulators on Home Assistant's loop, stopped after the benchmark.

    For counting requests; timing uses a simulator elsewhere (see below).
    """
    started: list[VoipNowSimulator] = []

    async def make(extensions: int) -> VoipNowSimulator:
        sim = new_simulator(extensions)
        await sim.start(host="127.0.0.1", port=0)
        started.append(sim)
        return sim

    yield make
    for sim in started:
        await sim.stop()


@pytest.fixture
async def make_threaded_simulator(
    socket_enabled: None,
) -> AsyncIterator[MakeThreadedSimulator]:
    """Start simulators in threads, stopped (and joined) after the benchmark."""
    started: list[ThreadedSimulator] = []

    async def make(extensions: int, first: int = 1000) -> ThreadedSimulator:
        threaded = ThreadedSimulator(extensions, first)
        await threaded.start()
        started.append(threaded)
        return threaded

    yield make
    for threaded in started:
        await threaded.stop()


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
