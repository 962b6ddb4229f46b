"""How the benchmarks reach the integration: entries, timers, HTTP, simulators.

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
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
import threading
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_URL,
    CONF_VERIFY_SSL,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import storage
from homeassistant.setup import async_setup_component
from homeassistant.util.async_ import get_scheduled_timer_handles
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from voipnow_simulator import VoipNowSimulator

# The integration as Home Assistant knows it: its domain, and the option the
# options flow stores for push (config entries carry it, not the code).
DOMAIN = "voipnow"
OPTION_PUSH = "push_transport"
OPTION_SCAN_INTERVAL = "scan_interval"
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


def extension_numbers(count: int, first: int = 1000) -> list[str]:
    """Return `count` extension numbers of the simulated organization."""
    return [f"0003*{first + index}" for index in range(count)]


def entity_id(domain: str, extension: str, key: str) -> str:
    """Return the entity id Home Assistant gives one entity of an extension."""
    return f"{domain}.extension_{extension.replace('*', '_')}_{key}"


def new_simulator(extensions: int, first: int = 1000) -> VoipNowSimulator:
    """Build a simulator of the benchmark's App with `extensions` extensions."""
    sim = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for number in extension_numbers(extensions, first):
        sim.add_extension(number)
    return sim


class ThreadedSimulator:
    """A simulator on its own event loop in a thread, driven by its Python API.

    Poll CPU is measured on Home Assistant's thread alone
    (`time.thread_time`): the PBX's work must not be counted, yet the
    benchmark must change thousands of calls between polls, which the
    control API would do one HTTP request at a time.
    """

    def __init__(self, extensions: int, first: int = 1000) -> None:
        """Create the thread's loop; nothing runs yet."""
        self.sim = new_simulator(extensions, first)
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


def make_entry(
    url: str,
    *,
    push: bool = False,
    name: str = "",
    scan_interval: int = 0,
    transport: str = "",
) -> MockConfigEntry:
    """Return a config entry for the simulator's App, as the config flow makes it.

    `name` tells apart entries of several simulators in one Home Assistant;
    `scan_interval` (seconds) is the polling interval of the options flow.
    """
    # Push by webhook (what most of these benchmarks measure) or none; the
    # notification socket's figures name their `transport` (`socket`).
    options: dict[str, Any] = {
        OPTION_PUSH: transport or ("webhook" if push else "polling")
    }
    if scan_interval:
        options[OPTION_SCAN_INTERVAL] = scan_interval
    return MockConfigEntry(
        domain=DOMAIN,
        title=name or "127.0.0.1",
        unique_id=UNIQUE_ID + name,
        data={
            CONF_URL: url,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
            CONF_VERIFY_SSL: True,
        },
        options=options,
        minor_version=2,
    )


async def async_add_entry(
    hass: HomeAssistant,
    url: str,
    *,
    push: bool = False,
    name: str = "",
    scan_interval: int = 0,
) -> MockConfigEntry:
    """Add a config entry for the simulator at `url` and set it up."""
    entry = make_entry(url, push=push, name=name, scan_interval=scan_interval)
    entry.add_to_hass(hass)
    loaded = await hass.config_entries.async_setup(entry.entry_id)
    # On a machine so busy that a request times out, try again (twice).
    for _ in range(2):
        if loaded or entry.state is not ConfigEntryState.SETUP_RETRY:
            break
        loaded = await hass.config_entries.async_reload(entry.entry_id)
    assert loaded, (entry.state, entry.reason)
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


async def async_run_refresh(
    hass: HomeAssistant, entry: MockConfigEntry, interval: timedelta
) -> int:
    """Run now the refresh timer of one entry's coordinator with this interval.

    Home Assistant's `DataUpdateCoordinator` schedules its next refresh as a
    timer of the loop; the coordinator is known by its public `config_entry`
    and `update_interval`. Timers of other entries, and the entry's other
    coordinators, do not run. Wait for what it starts; return how many ran.
    """
    due = []
    for handle in get_scheduled_timer_handles(hass.loop):
        owner = getattr(handle._callback, "__self__", None)
        if (
            not handle.cancelled()
            and getattr(owner, "config_entry", None) is entry
            and getattr(owner, "update_interval", None) == interval
        ):
            due.append(handle)
    for handle in due:
        handle._run()  # as the harness fires timers
        handle.cancel()
    await hass.async_block_till_done(wait_background_tasks=True)
    return len(due)


def forget_storage_writes() -> None:
    """Drop what the harness's storage mock recorded of the writes so far.

    The harness writes files through a mock, and a mock keeps the arguments
    of every call: every version of every file written (over the 24-hour
    figure's day, gigabytes of the history's saves).
    """
    reset = getattr(storage.Store._async_write_data, "reset_mock", None)
    if reset is not None:
        reset()


def available(hass: HomeAssistant, entity: str) -> bool:
    """Tell whether an entity's state is there and not unavailable."""
    state = hass.states.get(entity)
    return state is not None and state.state != STATE_UNAVAILABLE


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


type MakeThreadedSimulator = Callable[..., Awaitable[ThreadedSimulator]]
type MakeExternalSimulator = Callable[[int], Awaitable[ExternalSimulator]]


def held_callback(sim: VoipNowSimulator, marker: str) -> tuple[str, dict[str, str]]:
    """Return the last held-back callback of one kind: path and form."""
    sent = next(
        s for s in reversed(sim.callbacks_dropped) if f"ha_event={marker}" in s.url
    )
    return str(URL(sent.url).relative()), sent.params
