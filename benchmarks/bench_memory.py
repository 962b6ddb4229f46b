"""Memory: what 1000 extensions hold after setup, against an integration that does nothing.

Both are measured the same way, each on a fresh `hass` with the same
platforms already loaded: `tracemalloc` counts what setting up the config
entry allocated and still holds once Home Assistant has settled. The
baseline is a minimal integration defined here, with the same number of
devices and of entities in the same platforms, each a plain `Entity` with a
device and a name and no behaviour: what Home Assistant itself keeps for
that many devices, entities, registry entries and states.
"""

from __future__ import annotations

import gc
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.translation import async_load_integrations
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_config_flow,
    mock_integration,
    mock_platform,
)

from .conftest import (
    DOMAIN,
    RESULTS,
    MakeExternalSimulator,
    Record,
    async_add_entry,
    rounds,
    traced,
)

EXTENSIONS = rounds(1000, 400)
PLATFORMS = ("binary_sensor", "button", "event", "sensor")
MINIMAL = "bench_minimal"


async def _load_platforms(hass: HomeAssistant) -> None:
    """Load what both integrations share before anything is measured."""
    for domain in PLATFORMS:
        assert await async_setup_component(hass, domain, {})
    async_get_clientsession(hass)
    await hass.async_block_till_done()


async def bench_memory_per_extension(
    hass: HomeAssistant, make_external_simulator: MakeExternalSimulator, bench: Record
) -> None:
    """Memory held by an entry of 1000 extensions (idle PBX, polling)."""
    sim = await make_external_simulator(EXTENSIONS)
    await _load_platforms(hass)
    # Code and translations are loaded once per Home Assistant, not per extension.
    integration = await async_get_integration(hass, DOMAIN)
    await integration.async_get_component()
    await integration.async_get_platforms(PLATFORMS)
    await async_load_integrations(hass, {DOMAIN})

    async def set_up() -> None:
        await async_add_entry(hass, sim.url)

    held = await traced(hass, "memory_voipnow", set_up)
    per_domain = {
        domain: len(hass.states.async_entity_ids(domain)) for domain in PLATFORMS
    }
    bench(
        "memory_per_extension",
        extensions=EXTENSIONS,
        devices=EXTENSIONS,
        entities=sum(per_domain.values()),
        entities_per_domain=per_domain,
        held_bytes=held,
        bytes_per_extension=held / EXTENSIONS,
    )


class MinimalEntity(Entity):
    """An entity with a device, a name and a unique id, and nothing else."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, device: str, key: str) -> None:
        """Name the entity after its key, on the device of `device`."""
        self._attr_unique_id = f"{device}_{key}"
        self._attr_name = key
        self._attr_device_info = DeviceInfo(
            identifiers={(MINIMAL, device)}, name=f"Device {device}"
        )


class MinimalFlow(ConfigFlow):
    """The config flow Home Assistant requires of an integration with entries."""


def _minimal_platform(domain: str, per_device: int) -> MockPlatform:
    """A platform adding `per_device` entities to each device."""

    async def async_setup_entry(
        hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
    ) -> None:
        async_add_entities(
            MinimalEntity(f"device_{index}", f"{domain}_{number}")
            for index in range(EXTENSIONS)
            for number in range(per_device)
        )

    return MockPlatform(async_setup_entry=async_setup_entry)


async def bench_memory_baseline(hass: HomeAssistant, bench: Record) -> None:
    """Memory held by the same devices and entities of a do-nothing integration."""
    ours = RESULTS.get("memory_per_extension", {}).get("entities_per_domain")
    per_domain: dict[str, int] = ours or dict.fromkeys(PLATFORMS, EXTENSIONS)
    platforms = [domain for domain, count in per_domain.items() if count]

    async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, platforms)
        return True

    mock_integration(hass, MockModule(MINIMAL, async_setup_entry=async_setup_entry))
    mock_platform(hass, f"{MINIMAL}.config_flow")
    for domain in platforms:
        mock_platform(
            hass,
            f"{MINIMAL}.{domain}",
            _minimal_platform(domain, per_domain[domain] // EXTENSIONS),
        )
    await _load_platforms(hass)
    entry = MockConfigEntry(domain=MINIMAL, title="minimal")
    entry.add_to_hass(hass)

    async def set_up() -> None:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    with mock_config_flow(MINIMAL, MinimalFlow):
        held = await traced(hass, "memory_minimal", set_up)
    entities = len(hass.states.async_all())
    gc.collect()
    ours_held: Any = RESULTS.get("memory_per_extension", {}).get("held_bytes")
    bench(
        "memory_baseline",
        extensions=EXTENSIONS,
        entities=entities,
        held_bytes=held,
        bytes_per_extension=held / EXTENSIONS,
        ratio=ours_held / held if ours_held else None,
    )
