"""Memory: what 1,000 (and 5,000) extensions hold after setup, against a bare integration.

Both are measured the same way, each on a fresh `hass` with the same
platforms already loaded: `tracemalloc` counts what setting up the config
entry allocated and still holds once Home Assistant has settled. The
baseline is the bare integration of `minimal.py`, with the same number of
devices and of entities in the same platforms. 5,000 extensions: full run
only.
"""

from __future__ import annotations

import gc

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.translation import async_load_integrations
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import mock_config_flow

from .harness import DOMAIN, MakeExternalSimulator, Record, async_add_entry
from .measure import LARGE, LARGE_FITS, MOST_EXTENSIONS, QUICK, RESULTS, rounds, traced
from .minimal import MINIMAL, MinimalFlow, add_minimal

EXTENSIONS = rounds(1000, 400)
# The platforms our extensions have entities in (queues add selects: none here).
PLATFORMS = ("binary_sensor", "button", "event", "sensor", "switch")


async def _load_platforms(hass: HomeAssistant) -> None:
    """Load what both integrations share before anything is measured."""
    for domain in PLATFORMS:
        assert await async_setup_component(hass, domain, {})
    async_get_clientsession(hass)
    await hass.async_block_till_done()


async def _ours(
    hass: HomeAssistant,
    make_external_simulator: MakeExternalSimulator,
    bench: Record,
    name: str,
    extensions: int,
) -> None:
    """Memory held by an entry of `extensions` extensions (idle PBX, polling)."""
    sim = await make_external_simulator(extensions)
    await _load_platforms(hass)
    # Code and translations are loaded once per Home Assistant, not per extension.
    integration = await async_get_integration(hass, DOMAIN)
    await integration.async_get_component()
    await integration.async_get_platforms(PLATFORMS)
    await async_load_integrations(hass, {DOMAIN})

    async def set_up() -> None:
        await async_add_entry(hass, sim.url)

    held = await traced(hass, f"{name}_voipnow", set_up)
    per_domain = {
        domain: len(hass.states.async_entity_ids(domain)) for domain in PLATFORMS
    }
    bench(
        name,
        extensions=extensions,
        devices=extensions,
        entities=sum(per_domain.values()),
        entities_per_domain=per_domain,
        held_bytes=held,
        bytes_per_extension=held / extensions,
    )


async def bench_memory_per_extension(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Memory held by an entry of 1000 extensions (idle PBX, polling)."""
    await _ours(
        hass, make_external_simulator, bench, "memory_per_extension", EXTENSIONS
    )


async def bench_memory_baseline(hass: HomeAssistant, bench: Record) -> None:
    """Memory held by the same devices and entities of a bare integration."""
    await _minimal(hass, bench, "memory_per_extension", "memory_baseline", EXTENSIONS)


async def _minimal(
    hass: HomeAssistant, bench: Record, ours_name: str, name: str, extensions: int
) -> None:
    ours = RESULTS.get(ours_name, {}).get("entities_per_domain")
    per_domain: dict[str, int] = ours or dict.fromkeys(PLATFORMS, extensions)
    await _load_platforms(hass)
    entry = add_minimal(hass, extensions, per_domain)

    async def set_up() -> None:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    with mock_config_flow(MINIMAL, MinimalFlow):
        held = await traced(hass, name, set_up)
    entities = len(hass.states.async_all())
    gc.collect()
    bench(
        name,
        extensions=extensions,
        entities=entities,
        held_bytes=held,
        bytes_per_extension=held / extensions,
    )


def _skip_unless_large() -> None:
    """Skip a 5,000-extension figure in the quick run, or where they cannot show."""
    if QUICK:
        pytest.skip("5,000 extensions: full run only")
    if not LARGE_FITS:
        pytest.skip(f"an entry shows at most {MOST_EXTENSIONS} extensions here")


async def bench_memory_large(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Memory held by an entry of 5,000 extensions (full run only)."""
    _skip_unless_large()
    await _ours(hass, make_external_simulator, bench, "memory_large", LARGE)


async def bench_memory_large_baseline(hass: HomeAssistant, bench: Record) -> None:
    """Memory held by a bare integration's entities for 5,000 extensions."""
    _skip_unless_large()
    await _minimal(hass, bench, "memory_large", "memory_large_baseline", LARGE)
