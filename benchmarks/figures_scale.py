"""Figures of growth: poll and CDR refresh cost by size, rows and checks."""

from __future__ import annotations

from typing import Any

from .targets import CDR_STEP, POLL_STEP
from .verdicts import Check, Results, Row, mark

KINDS = ("steady", "changing")


def _steps(results: Results, name: str) -> list[dict[str, Any]]:
    return list(results[name]["steps"])


def _one_write(results: Results) -> bool:
    return all(
        row["writes_one_change"] == 1 and row["writes_no_change"] == 0
        for row in results["poll_cost"]["sizes"].values()
    )


def _one_calls_request(results: Results) -> bool:
    return all(
        row["calls_requests_per_poll"] == 1
        for row in results["poll_cost"]["sizes"].values()
    )


def poll_rows(results: Results) -> list[Row]:
    """Per-extension poll CPU, each size over the next smaller; counts."""
    sizes = results["poll_cost"]["sizes"]
    rows: list[Row] = [
        (
            (
                f"Poll CPU per extension, {kind}, {step['large']:,} vs "
                f"{step['small']:,} extensions ({step['rounds']} interleaved rounds)"
            ),
            f"{step[f'large_{kind}_us']:.1f} µs",
            f"{step[f'small_{kind}_us']:.1f} µs",
            f"**{step[f'{kind}_ratio']:.2f}x**",
            f"<= {POLL_STEP}x",
            mark(step[f"{kind}_ratio"] <= POLL_STEP),
        )
        for step in _steps(results, "poll_cost")
        for kind in KINDS
    ]
    rows.append(
        (
            f"States written, one call put on hold ({', '.join(sizes)} extensions)",
            ", ".join(str(row["writes_one_change"]) for row in sizes.values()),
            "nothing changed: "
            + ", ".join(str(row["writes_no_change"]) for row in sizes.values()),
            "",
            "1 (and 0)",
            mark(_one_write(results)),
        )
    )
    rows.append(
        (
            f"Calls requests per poll ({', '.join(sizes)} extensions)",
            ", ".join(f"{row['calls_requests_per_poll']:g}" for row in sizes.values()),
            "",
            "",
            "1",
            mark(_one_calls_request(results)),
        )
    )
    return rows


def poll_checks(results: Results) -> list[Check]:
    """Each growth step of both kinds; the counts."""
    checks = [
        Check(
            f"poll cost per extension ({kind}), {step['large']} vs {step['small']} "
            f"<= {POLL_STEP}x",
            step[f"{kind}_ratio"],
            POLL_STEP,
        )
        for step in _steps(results, "poll_cost")
        for kind in KINDS
    ]
    checks.append(Check.count("one state written for one change", _one_write(results)))
    checks.append(
        Check.count(
            "one calls request per poll at every size", _one_calls_request(results)
        )
    )
    return checks


def poll_table(results: Results) -> list[str]:
    """The poll cost of each size, as a Markdown table."""
    lines = [
        "Poll cost by size (CPU of Home Assistant's thread per poll; per extension):",
        "",
        "| Extensions | Calls | Steady | per ext. | Changing | per ext. |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["poll_cost"]["sizes"].values():
        cells = (
            f"{row['extensions']:,}",
            f"{row['calls']:,}",
            f"{row['steady_ms']:.2f} ms",
            f"{row['steady_us_per_extension']:.1f} µs",
            f"{row['changing_ms']:.2f} ms",
            f"{row['changing_us_per_extension']:.1f} µs",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def cdr_rows(results: Results) -> list[Row]:
    """Per-record CDR refresh CPU, the larger size over the smaller."""
    sizes = results["cdr_refresh_cost"]["sizes"]
    rows: list[Row] = []
    for step in _steps(results, "cdr_refresh_cost"):
        small, large = sizes[str(step["small"])], sizes[str(step["large"])]
        rows.append(
            (
                (
                    f"CDR refresh CPU per record, {large['extensions']:,} vs "
                    f"{small['extensions']:,} extensions ({large['records']:,} vs "
                    f"{small['records']:,} records; {large['pages']} vs "
                    f"{small['pages']} pages; {step['rounds']} interleaved rounds)"
                ),
                (
                    f"{step['large_steady_us']:.2f} µs "
                    f"({large['steady_ms']:.0f} ms per refresh)"
                ),
                (
                    f"{step['small_steady_us']:.2f} µs "
                    f"({small['steady_ms']:.0f} ms per refresh)"
                ),
                f"**{step['steady_ratio']:.2f}x**",
                f"<= {CDR_STEP}x",
                mark(step["steady_ratio"] <= CDR_STEP),
            )
        )
        rows.append(
            (
                "... first refresh (every record new, states written)",
                f"{large['first_us_per_record']:.2f} µs ({large['first_ms']:.0f} ms)",
                f"{small['first_us_per_record']:.2f} µs ({small['first_ms']:.0f} ms)",
                f"{large['first_us_per_record'] / small['first_us_per_record']:.2f}x",
                "",
                "",
            )
        )
    return rows


def cdr_checks(results: Results) -> list[Check]:
    """The per-record growth of the steady refresh."""
    return [
        Check(
            f"CDR refresh cost per record, {step['large']} vs {step['small']} "
            f"extensions <= {CDR_STEP}x",
            step["steady_ratio"],
            CDR_STEP,
        )
        for step in _steps(results, "cdr_refresh_cost")
    ]
