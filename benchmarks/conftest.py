"""Fixtures of the benchmarks: simulators, entries, Home Assistant's surfaces.

The benchmarks reach the integration only as Home Assistant and a PBX do:
config entries, actions (`hass.services`), states, the event bus, the
webhook behind Home Assistant's HTTP server, the polling timer; and the
simulator through its public API and request log. Nothing here imports the
integration's modules or patches them, so a restructuring inside
`custom_components/voipnow` cannot break a benchmark that still measures
the same behaviour.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
import cProfile
from dataclasses import dataclass
from datetime import timedelta
import gc
import json
import logging
import os
from pathlib import Path
import signal
import sys
import threading
import tracemalloc
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient
from homeassistant.components import webhook
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

# The folder Home Assistant loads custom integrations from: imported first,
# so that the harness's own `custom_components` folder does not shadow it.
import custom_components  # noqa: F401
from voipnow_simulator import VoipNowSimulator

# Where `python -m benchmarks` wants the results (a JSON file), and whether
# this is the short run of CI (`--quick`: fewer rounds, same figures).
RESULTS_ENV = "VOIPNOW_BENCH_JSON"
QUICK_ENV = "VOIPNOW_BENCH_QUICK"
QUICK = os.environ.get(QUICK_ENV) == "1"
PROFILE_ENV = "VOIPNOW_BENCH_PROFILE"
RESULTS: dict[str, Any] = {}

# The integration as Home Assistant knows it: its domain, and the option the
# options flow stores for push (config entries carry it, not the code).
DOMAIN = "voipnow"
OPTION_PUSH = "push_transport"
CLIENT_ID = "bench-app-id"
CLIENT_SECRET = "bench-app-secret"  # noqa: S105 - the simulator's fake App
UNIQUE_ID = f"bench.example.test_{CLIENT_ID}"
TOKEN_PATH = "/oauth/token.php"  # noqa: S105 - a path, not a secret
CALLS_PATH = "/uapi/phoneCalls/@me/@self"
PRESENCE_PATH = "/uapi/extensions/@me/@self/presence"
# Just past the polling interval without push (10 s): fires the next poll,
# and no timer of anything slower (the call history's, for one).
PAST_NEXT_POLL = timedelta(seconds=11)

type Record = Callable[..., None]
type MakeSimulator = Callable[[int], Awaitable[VoipNowSimulator]]


@contextmanager
def profiled(name: str) -> Iterator[None]:
    """Profile a block into `$VOIPNOW_BENCH_PROFILE/<name>.prof` when asked.

    `python -m benchmarks --profile DIR` sets it: where the time goes, with
    the figures that show how much there is.
    """
    folder = os.environ.get(PROFILE_ENV)
    if not folder:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        Path(folder).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(Path(folder) / f"{name}.prof")


# Allocations of the harness, not of Home Assistant: pytest keeps every log
# record it captures, the harness's storage keeps a decoded copy of every
# file Home Assistant writes (a delayed save may fall into any measurement),
# and tracemalloc's own bookkeeping.
_NOT_HOME_ASSISTANT = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "*/logging/__init__.py"),
    tracemalloc.Filter(False, "*/_pytest/*"),
    tracemalloc.Filter(
        False, "*/pytest_homeassistant_custom_component/common.py", all_frames=True
    ),
)
# Frames kept per allocation: enough to see the harness's storage above the
# JSON decoder; many more for the profile.
_FRAMES = 3
_PROFILE_FRAMES = 30
_OURS = f"custom_components/{DOMAIN}/"


class MemoryTrace:
    """What a block allocates and still holds, by `tracemalloc`.

    With `--profile`, each measurement also writes where the memory is held:
    by the innermost frame in the integration when there is one (what it
    asked for, even inside Home Assistant), else by the allocating line.
    """

    def __init__(self, name: str) -> None:
        """Name the measurement (the profile's file name)."""
        self.name = name
        self.folder = os.environ.get(PROFILE_ENV)

    def __enter__(self) -> MemoryTrace:
        """Start tracing from a collected heap."""
        gc.collect()
        tracemalloc.start(_PROFILE_FRAMES if self.folder else _FRAMES)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop tracing."""
        tracemalloc.stop()

    def held(self, label: str = "") -> int:
        """Return the bytes allocated since the start and still held.

        With a label, the profile (if asked for) is written under it.
        """
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces(_NOT_HOME_ASSISTANT)
        held = sum(trace.size for trace in snapshot.traces)
        if self.folder and label:
            self._write_profile(snapshot, held, label)
        return held

    def _write_profile(
        self, snapshot: tracemalloc.Snapshot, held: int, label: str
    ) -> None:
        """Write the 30 places holding the most memory."""
        by_site: dict[str, int] = {}
        for trace in snapshot.traces:
            frames = list(reversed(trace.traceback))
            ours = next((f for f in frames if _OURS in f.filename), None)
            site = f"{frames[0].filename}:{frames[0].lineno}"
            if ours is not None and ours is not frames[0]:
                site = f"{ours.filename}:{ours.lineno} (allocated in {site})"
            elif ours is None:
                site = f"[not ours] {site}"
            by_site[site] = by_site.get(site, 0) + trace.size
        top = sorted(by_site.items(), key=lambda item: -item[1])[:40]
        lines = [f"{self.name} {label}: {held / 1024:.0f} KiB held"]
        lines += [f"{size / 1024:10.1f} KiB  {site}" for site, size in top]
        path = Path(self.folder or ".") / f"{self.name}{label and '_' + label}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


async def traced(
    hass: HomeAssistant, name: str, work: Callable[[], Awaitable[None]]
) -> int:
    """Return the bytes `work` allocated and still holds once Home Assistant settled."""
    with MemoryTrace(name) as trace:
        await work()
        await hass.async_block_till_done(wait_background_tasks=True)
        return trace.held("held")


def rounds(full: int, quick: int) -> int:
    """Return how many rounds to measure: fewer in the quick run."""
    return quick if QUICK else full


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


def extension_numbers(count: int) -> list[str]:
    """Return `count` extension numbers of the simulated organization."""
    return [f"0003*{1000 + index}" for index in range(count)]


def entity_id(domain: str, extension: str, key: str) -> str:
    """Return the entity id Home Assistant gives one entity of an extension."""
    return f"{domain}.extension_{extension.replace('*', '_')}_{key}"


def new_simulator(extensions: int) -> VoipNowSimulator:
    """Build a simulator of the benchmark's App with `extensions` extensions."""
    sim = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for number in extension_numbers(extensions):
        sim.add_extension(number)
    return sim


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


class ThreadedSimulator:
    """A simulator on its own event loop in a thread, driven by its Python API.

    Poll CPU is measured on Home Assistant's thread alone
    (`time.thread_time`): the PBX's work must not be counted, yet the
    benchmark must change thousands of calls between polls, which the
    control API would do one HTTP request at a time.
    """

    def __init__(self, extensions: int) -> None:
        """Create the thread's loop; nothing runs yet."""
        self.sim = new_simulator(extensions)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="bench-simulator", daemon=True
        )

    @property
    def url(self) -> str:
        """The simulator's base URL."""
        return self.sim.url

    async def run[T](self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run a coroutine of the simulator on its loop and wait for it."""
        future = asyncio.run_coroutine_threadsafe(work(), self.loop)
        return await asyncio.wrap_future(future)

    async def start(self) -> None:
        """Start the thread and listen on a free loopback port."""
        self.thread.start()
        await self.run(lambda: self.sim.start(host="127.0.0.1", port=0))

    async def stop(self) -> None:
        """Stop listening, then stop and join the thread."""
        await self.run(self.sim.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.get_running_loop().run_in_executor(None, self.thread.join)
        self.loop.close()


type MakeThreadedSimulator = Callable[[int], Awaitable[ThreadedSimulator]]


@pytest.fixture
async def make_threaded_simulator(
    socket_enabled: None,
) -> AsyncIterator[MakeThreadedSimulator]:
    """Start simulators in threads, stopped (and joined) after the benchmark."""
    started: list[ThreadedSimulator] = []

    async def make(extensions: int) -> ThreadedSimulator:
        threaded = ThreadedSimulator(extensions)
        await threaded.start()
        started.append(threaded)
        return threaded

    yield make
    for threaded in started:
        await threaded.stop()


@dataclass
class ExternalSimulator:
    """A simulator in its own process, steered through its control API.

    Timing benchmarks use it: a PBX served on Home Assistant's own event loop
    (or thread, with the GIL) would put the PBX's work into the figures; a
    real PBX is elsewhere.
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

    async def ring(self, extension: str, caller: str) -> str:
        """Ring an extension from outside; return the call id."""
        call = await self.control(
            "POST", "calls/incoming", {"extension": extension, "from_number": caller}
        )
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


async def async_fetch_token(session: aiohttp.ClientSession, url: str) -> str:
    """Get a token of the benchmark's App from the PBX's public token endpoint."""
    async with session.post(
        f"{url}{TOKEN_PATH}",
        data={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    ) as resp:
        resp.raise_for_status()
        return str((await resp.json())["access_token"])


def make_entry(url: str, *, push: bool = False) -> MockConfigEntry:
    """Return a config entry for the simulator's App, as the config flow makes it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=UNIQUE_ID,
        data={
            CONF_URL: url,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            CONF_VERIFY_SSL: True,
        },
        # Push by webhook (what these benchmarks measure) or none; the
        # notification socket has its own tests.
        options={OPTION_PUSH: "webhook" if push else "polling"},
        minor_version=2,
    )


async def async_add_entry(
    hass: HomeAssistant, url: str, *, push: bool = False
) -> MockConfigEntry:
    """Add a config entry for the simulator at `url` and set it up."""
    entry = make_entry(url, push=push)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def async_serve_http(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """Serve Home Assistant's HTTP API on loopback; return a client of it.

    The PBX reaches Home Assistant's internal URL (a PBX on the local network).
    """
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    assert isinstance(client, TestClient)
    hass.config.internal_url = base_url(client)
    return client


def base_url(client: TestClient) -> str:
    """Return the URL of the HTTP server a test client talks to."""
    return f"http://127.0.0.1:{client.server.port}"


async def async_poll(hass: HomeAssistant) -> None:
    """Run now what the loop's timers would run in the next polling interval.

    The coordinator's next poll is one of them; wait for what they start.
    The harness's `async_fire_time_changed` does the same with two patches
    per timer, which would be counted as the poll's CPU.
    """
    deadline = hass.loop.time() + PAST_NEXT_POLL.total_seconds()
    for handle in list(get_scheduled_timer_handles(hass.loop)):
        if not handle.cancelled() and handle.when() <= deadline:
            handle._run()  # as the harness fires timers
            handle.cancel()
    await hass.async_block_till_done(wait_background_tasks=True)


def available(hass: HomeAssistant, entity: str) -> bool:
    """Tell whether an entity's state is there and not unavailable."""
    state = hass.states.get(entity)
    return state is not None and state.state != STATE_UNAVAILABLE


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


def register_bare_webhook(hass: HomeAssistant, webhook_id: str) -> str:
    """Register a webhook that only reads the form: a callback's least cost.

    Return its path.
    """

    async def _bare(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        await request.post()
        return web.Response(status=200)

    webhook.async_register(hass, "bench", "bare", webhook_id, _bare)
    return webhook.async_generate_path(webhook_id)


def add_size_ratios(results: dict[str, dict[str, float]], *keys: str) -> None:
    """Give each size its cost per extension over the smallest size's, per key.

    For each `<key>_us_per_extension`, `<key>_ratio`.
    """
    base = results[min(results, key=int)]
    for row in results.values():
        for key in keys:
            per_extension = f"{key}_us_per_extension"
            row[f"{key}_ratio"] = row[per_extension] / base[per_extension]
