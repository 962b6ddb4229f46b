"""Call queues: requests per refresh cycle with 0, 1 and 10 queues."""

from __future__ import annotations

from collections import Counter

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from voipnow_simulator import VoipNowSimulator

from .harness import (
    CALLS_PATH,
    PRESENCE_PATH,
    MakeSimulator,
    Record,
    available,
    entity_id,
    extension_numbers,
    make_entry,
)
from .measure import rounds

QUEUE_COUNTS = (0, 1, 10)
EXTENSIONS = 10
# The polling interval without push; the queues are listed on the same one.
SCAN_INTERVAL_S = 10
CYCLES = rounds(12, 6)
# The option the options flow stores the queues under (the entry carries it).
OPTION_QUEUES = "queues"
# Agent status in the PBX: logged out, online.
LOGGED_OUT, ONLINE = 0, 1
# A queue's agents: /uapi/extensions/@me/<queue>/queue/agents
AGENTS_PATH = "/queue/agents"


def _queues(count: int) -> list[tuple[str, str]]:
    """Return the number and name of `count` call queues."""
    return [(f"0003*{300 + index}", f"Bench {index}") for index in range(count)]


def _online_sensor(name: str) -> str:
    """Return the entity id of a queue's agents-online count."""
    return f"sensor.queue_{name.lower().replace(' ', '_')}_agents_online"


def _agents(extensions: list[str], index: int) -> tuple[str, str]:
    """Return the two agents of queue `index`: one online, one logged out."""
    return extensions[index % len(extensions)], extensions[
        (index + 1) % len(extensions)
    ]


def _add_queues(
    sim: VoipNowSimulator, extensions: list[str], queues: list[tuple[str, str]]
) -> None:
    """Set the queues up on the PBX, as its panel would."""
    for index, (number, name) in enumerate(queues):
        online, logged_out = _agents(extensions, index)
        sim.add_queue(number, name, {online: ONLINE, logged_out: LOGGED_OUT})


def _queue_entry(url: str, queues: list[tuple[str, str]]) -> MockConfigEntry:
    """Return the benchmark's entry with the queues named in its options."""
    entry = make_entry(url)
    return MockConfigEntry(
        domain=entry.domain,
        title=entry.title,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        options={
            **entry.options,
            OPTION_QUEUES: [
                {"name": name, "number": number} for number, name in queues
            ],
        },
    )


async def _cycle(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let one polling interval pass, by Home Assistant's timer."""
    freezer.tick(SCAN_INTERVAL_S)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _online_counts(hass: HomeAssistant, queues: list[tuple[str, str]]) -> set[str]:
    """Return the agents-online counts the queues' sensors show."""
    states = [hass.states.get(_online_sensor(name)) for _, name in queues]
    return {state.state if state else "missing" for state in states}


async def _measure(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    freezer: FrozenDateTimeFactory,
    count: int,
) -> dict[str, float]:
    """Count the requests of CYCLES refresh cycles with `count` queues."""
    sim = await make_simulator(EXTENSIONS)
    extensions = extension_numbers(EXTENSIONS)
    queues = _queues(count)
    _add_queues(sim, extensions, queues)
    entry = _queue_entry(sim.url, queues)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _online_counts(hass, queues) == ({"1"} if queues else set())
    sim.clear_requests()
    for cycle in range(CYCLES):
        if cycle == CYCLES - 1:
            # Each queue's second agent logs in on the phone: shown by the
            # next refresh (queues have no events).
            for index, (number, _) in enumerate(queues):
                sim.set_agent_status(number, _agents(extensions, index)[1], ONLINE)
        await _cycle(hass, freezer)
    assert available(hass, entity_id("sensor", extensions[0], "call_state"))
    assert _online_counts(hass, queues) == ({"2"} if queues else set())
    agent_requests = [r for r in sim.api_requests("GET") if AGENTS_PATH in r.path]
    # Each queue's agents listed once per cycle.
    listed = Counter(
        r.path.split(AGENTS_PATH)[0].rsplit("/", 1)[-1] for r in agent_requests
    )
    assert listed == dict.fromkeys((number for number, _ in queues), CYCLES)
    result: dict[str, float] = {
        "queues": count,
        "cycles": CYCLES,
        "all_requests": len(sim.requests),
        "agent_requests": len(agent_requests),
        "calls_requests": len(sim.api_requests("GET", CALLS_PATH)),
        "presence_requests": len(sim.api_requests("GET", PRESENCE_PATH)),
        "token_requests": len(sim.token_requests),
    }
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    return result


async def bench_requests_per_refresh(
    hass: HomeAssistant,
    make_simulator: MakeSimulator,
    freezer: FrozenDateTimeFactory,
    bench: Record,
) -> None:
    """Requests the PBX gets per refresh cycle with 0, 1 and 10 call queues."""
    results = {
        str(count): await _measure(hass, make_simulator, freezer, count)
        for count in QUEUE_COUNTS
    }
    none = results["0"]
    for row in results.values():
        row["requests_per_refresh"] = row["all_requests"] / row["cycles"]
        # Same cycles and the same PBX but for the queues: what they add.
        row["extra_requests"] = row["all_requests"] - none["all_requests"]
        if row["queues"]:
            row["extra_per_queue"] = row["extra_requests"] / (
                row["queues"] * row["cycles"]
            )
    bench("requests_per_refresh", counts=results)
