"""Setup: loading a config entry, against a bare integration and bare requests.

*Scale*: an entry of 1,000 extensions (quick run: 400) against the bare integration of
`minimal.py` creating as many devices and entities in the same platforms,
both in the same `hass`, unloaded and set up again in alternation (each goes
first every other round); the time runs from `async_setup` until Home
Assistant has settled. *Small*: an entry of 3 extensions against its token
request and two listings sent bare (no target).
"""

from __future__ import annotations

import gc
import time

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import mock_config_flow

from custom_components.voipnow.api.const import CALLS_PAGE_SIZE, DEFAULT_PAGE_SIZE

from .harness import (
    CALLS_PATH,
    PRESENCE_PATH,
    MakeExternalSimulator,
    Record,
    async_add_entry,
    async_fetch_token,
)
from .measure import median, profiled, rounds
from .minimal import MINIMAL, MinimalFlow, add_minimal

EXTENSIONS = 3
ROUNDS = rounds(20, 8)
# Fewer in the quick run: the ratio barely depends on the size.
SCALE_EXTENSIONS = rounds(1000, 400)
SCALE_ROUNDS = rounds(8, 3)
# The platforms our extensions have entities in (queues add selects: none here).
PLATFORMS = ("binary_sensor", "button", "event", "sensor", "switch")


async def bench_setup_time(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Entry setup (token, extensions, calls, entities) over the same requests bare."""
    sim = await make_external_simulator(EXTENSIONS)
    session = async_get_clientsession(hass)

    async def bare() -> float:
        start = time.perf_counter()
        token = await async_fetch_token(session, sim.url)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        # The counts the integration asks.
        for path, count in (
            (PRESENCE_PATH, DEFAULT_PAGE_SIZE),
            (CALLS_PATH, CALLS_PAGE_SIZE),
        ):
            async with session.get(
                f"{sim.url}{path}", params={"count": str(count)}, headers=headers
            ) as resp:
                await resp.json()
        return time.perf_counter() - start

    start = time.perf_counter()
    entry = await async_add_entry(hass, sim.url)
    cold = time.perf_counter() - start
    warm: list[float] = []
    bares: list[float] = []
    gc.collect()
    for _ in range(ROUNDS):
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        bares.append(await bare())
        start = time.perf_counter()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        warm.append(time.perf_counter() - start)
        assert entry.state is ConfigEntryState.LOADED

    bench(
        "setup_time",
        extensions=EXTENSIONS,
        entities=len(hass.states.async_all()),
        cold_ms=cold * 1e3,
        warm_median_ms=median(warm) * 1e3,
        bare_median_ms=median(bares) * 1e3,
        ratio=median(warm) / median(bares),
    )


async def _timed_setup(hass: HomeAssistant, entry: ConfigEntry) -> float:
    """Unload an entry, then time setting it up until Home Assistant settled."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    gc.collect()
    start = time.perf_counter()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    spent = time.perf_counter() - start
    assert entry.state is ConfigEntryState.LOADED
    return spent


async def bench_setup_scale(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Setting up 1,000 extensions (quick: 400) against a bare integration's entities."""
    sim = await make_external_simulator(SCALE_EXTENSIONS)
    for domain in PLATFORMS:
        assert await async_setup_component(hass, domain, {})
    ours = await async_add_entry(hass, sim.url)
    per_domain = {
        domain: len(hass.states.async_entity_ids(domain)) for domain in PLATFORMS
    }
    minimal = add_minimal(hass, SCALE_EXTENSIONS, per_domain)
    times: dict[str, list[float]] = {"ours": [], "minimal": []}
    with mock_config_flow(MINIMAL, MinimalFlow):
        assert await hass.config_entries.async_setup(minimal.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        # Warm up once each, then alternate.
        await _timed_setup(hass, ours)
        await _timed_setup(hass, minimal)
        with profiled("setup_scale"):
            for index in range(SCALE_ROUNDS):
                order = ("ours", "minimal") if index % 2 else ("minimal", "ours")
                for name in order:
                    entry = ours if name == "ours" else minimal
                    times[name].append(await _timed_setup(hass, entry))
    entities = sum(per_domain.values())
    assert len(hass.states.async_all()) >= 2 * entities
    bench(
        "setup_scale",
        extensions=SCALE_EXTENSIONS,
        entities=entities,
        rounds=SCALE_ROUNDS,
        ours_median_ms=median(times["ours"]) * 1e3,
        minimal_median_ms=median(times["minimal"]) * 1e3,
        ratio=median(times["ours"]) / median(times["minimal"]),
    )
