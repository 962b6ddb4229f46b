"""Figures of memory and setup: rows and checks."""

from __future__ import annotations

from collections.abc import Callable

from .targets import (
    DAY_MEMORY_GROWTH,
    FLOOD_MEMORY_GROWTH,
    FLOOD_TIME_GROWTH,
    MEMORY_OVER_MINIMAL,
    SETUP_OVER_MINIMAL,
)
from .verdicts import Check, Results, Row, mark


def _memory_ratio(results: Results, ours: str, base: str) -> float:
    return float(results[ours]["held_bytes"] / results[base]["held_bytes"])


def memory_rows(ours_key: str, base_key: str) -> Callable[[Results], list[Row]]:
    """Rows of memory per extension against the bare integration's."""

    def rows(results: Results) -> list[Row]:
        ours, minimal = results[ours_key], results[base_key]
        ratio = _memory_ratio(results, ours_key, base_key)
        return [
            (
                (
                    f"Memory per extension after setup ({ours['extensions']:,} "
                    f"extensions, {ours['entities']:,} entities)"
                ),
                f"{ours['bytes_per_extension'] / 1024:.1f} KiB",
                (
                    f"bare integration {minimal['bytes_per_extension'] / 1024:.1f} "
                    f"KiB ({minimal['entities']:,} entities)"
                ),
                f"**{ratio:.2f}x**",
                f"<= {MEMORY_OVER_MINIMAL}x",
                mark(ratio <= MEMORY_OVER_MINIMAL),
            )
        ]

    return rows


def memory_checks(ours_key: str, base_key: str) -> Callable[[Results], list[Check]]:
    """The memory ratio of one size."""

    def checks(results: Results) -> list[Check]:
        size = results[ours_key]["extensions"]
        return [
            Check(
                f"memory per extension ({size} extensions) <= "
                f"{MEMORY_OVER_MINIMAL}x a bare integration",
                _memory_ratio(results, ours_key, base_key),
                MEMORY_OVER_MINIMAL,
            )
        ]

    return checks


def setup_scale_rows(results: Results) -> list[Row]:
    """Setting up many extensions against a bare integration."""
    setup = results["setup_scale"]
    return [
        (
            (
                f"Entry setup, {setup['extensions']:,} extensions "
                f"({setup['entities']:,} entities, {setup['rounds']} interleaved rounds)"
            ),
            f"{setup['ours_median_ms']:.0f} ms median",
            f"bare integration {setup['minimal_median_ms']:.0f} ms",
            f"**{setup['ratio']:.2f}x**",
            f"<= {SETUP_OVER_MINIMAL}x",
            mark(setup["ratio"] <= SETUP_OVER_MINIMAL),
        )
    ]


def setup_scale_checks(results: Results) -> list[Check]:
    """The setup ratio."""
    return [
        Check(
            f"setup of many extensions <= {SETUP_OVER_MINIMAL}x a bare integration",
            results["setup_scale"]["ratio"],
            SETUP_OVER_MINIMAL,
        )
    ]


def setup_rows(results: Results) -> list[Row]:
    """A small entry's setup against its requests sent bare (no target)."""
    setup = results["setup_time"]
    return [
        (
            (
                f"Entry setup ({setup['extensions']} extensions, "
                f"{setup['entities']} entities)"
            ),
            (
                f"{setup['warm_median_ms']:.1f} ms median "
                f"(first: {setup['cold_ms']:.0f} ms)"
            ),
            f"bare token + 2 listings {setup['bare_median_ms']:.1f} ms",
            f"{setup['ratio']:.1f}x",
            "",
            "",
        )
    ]


def day_rows(results: Results) -> list[Row]:
    """Memory after a simulated day against after its first hours."""
    day = results["memory_day"]
    return [
        (
            (
                f"Memory held after {day['hours']} simulated hours "
                f"({day['calls']:,} calls over {day['extensions']} extensions, push on)"
            ),
            f"{day['late_bytes'] / 1024:.0f} KiB",
            (
                f"after {day['early_hours']} hours: {day['early_bytes'] / 1024:.0f} "
                f"KiB ({day['early_calls']:,} calls)"
            ),
            f"**{day['ratio']:.2f}x**",
            f"<= {DAY_MEMORY_GROWTH}x",
            mark(day["ratio"] <= DAY_MEMORY_GROWTH),
        )
    ]


def day_checks(results: Results) -> list[Check]:
    """The day's memory growth."""
    return [
        Check(
            f"memory after 24 simulated hours <= {DAY_MEMORY_GROWTH}x after 3",
            results["memory_day"]["ratio"],
            DAY_MEMORY_GROWTH,
        )
    ]


def flood_rows(results: Results) -> list[Row]:
    """Outage flood: memory, work per callback, backlog."""
    flood = results["outage_flood"]
    return [
        (
            (
                f"Outage flood: memory held after {flood['callbacks']:,} callbacks "
                f"({flood['extensions']} extensions)"
            ),
            f"{flood['late_bytes'] / 1024:.0f} KiB",
            (
                f"after {flood['early_callbacks']:,}: "
                f"{flood['early_bytes'] / 1024:.0f} KiB "
                f"(after {flood['middle_callbacks']:,}: "
                f"{flood['middle_bytes'] / 1024:.0f} KiB, "
                f"{flood['late_bytes'] / flood['middle_bytes']:.2f}x from there)"
            ),
            f"**{flood['memory_ratio']:.2f}x**",
            f"<= {FLOOD_MEMORY_GROWTH}x",
            mark(flood["memory_ratio"] <= FLOOD_MEMORY_GROWTH),
        ),
        (
            "Outage flood: work per callback, last 1,000 vs first 1,000",
            (
                f"{flood['last_cpu_us']:.0f} µs CPU median "
                f"({flood['last_cpu_us'] / flood['last_reference_us']:.1f}x "
                "a do-nothing webhook's)"
            ),
            (
                f"first: {flood['first_cpu_us']:.0f} µs "
                f"({flood['first_cpu_us'] / flood['first_reference_us']:.1f}x); "
                f"unscaled {flood['raw_time_ratio']:.2f}x; under tracemalloc"
            ),
            f"**{flood['time_ratio']:.2f}x**",
            f"<= {FLOOD_TIME_GROWTH}x",
            mark(flood["time_ratio"] <= FLOOD_TIME_GROWTH),
        ),
        (
            "Outage flood: events once the PBX is back, per extension",
            "bus: " + ", ".join(str(n) for n in flood["bus_events_after"].values()),
            "event entities: "
            + ", ".join(str(n) for n in flood["entity_events_after"].values()),
            "",
            f"<= {flood['cap']}",
            mark(flood["max_events_after"] <= flood["cap"]),
        ),
    ]


def flood_checks(results: Results) -> list[Check]:
    """Flood memory and time growth; the backlog (a count)."""
    flood = results["outage_flood"]
    return [
        Check(
            f"outage flood memory <= {FLOOD_MEMORY_GROWTH}x",
            flood["memory_ratio"],
            FLOOD_MEMORY_GROWTH,
        ),
        Check(
            f"outage flood time per callback <= {FLOOD_TIME_GROWTH}x",
            flood["time_ratio"],
            FLOOD_TIME_GROWTH,
        ),
        Check.count(
            f"outage flood backlog <= {flood['cap']} events per extension",
            flood["max_events_after"] <= flood["cap"],
        ),
    ]
