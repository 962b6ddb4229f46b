"""The benchmarks' verdicts: a figure over its target fails the run.

`scripts/bench` judges each figure against its target; these tests check that
judgement itself, on recorded results (no benchmark runs here): a slowed
build (a ratio over its target) fails the full run, and fails the quick run
once beyond the noise margin; a missed count fails both; a figure that was
not measured fails, except the full run's own figures in a quick run.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from benchmarks.figures import FIGURES
from benchmarks.figures_socket import flood_bound
from benchmarks.markdown import render_section, update_document
from benchmarks.targets import (
    ACTION_OVER_BARE,
    PHONEBOOK_LOOKUP_OVER_DICT,
    POLL_STEP,
    SOCKET_EXTRA_MS,
)
from benchmarks.verdicts import NOISE_MARGIN, Check, Figure, evaluate

ENV = {
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "line": "Python 3.13.0 / Home Assistant 2025.4.4",
    "key": "python-3.13.0-ha-2025.4.4",
    "cpu": "CPU",
    "cores": "2",
    "python": "3.13.0 (CPython)",
    "homeassistant": "2025.4.4",
    "aiohttp": "3.11.16",
    "os": "Linux",
    "date": "2026-12-07 04:00 UTC",
}


def _memory(extensions: int, held: int) -> dict[str, Any]:
    entities = extensions * 7
    return {
        "extensions": extensions,
        "entities": entities,
        "entities_per_domain": {"sensor": entities},
        "held_bytes": held,
        "bytes_per_extension": held / extensions,
    }


def _poll_size(size: int) -> dict[str, Any]:
    return {
        "extensions": size,
        "calls": size // 2,
        "steady_ms": size * 0.03,
        "changing_ms": size * 0.09,
        "steady_us_per_extension": 30.0,
        "changing_us_per_extension": 90.0,
        "writes_one_change": 1,
        "writes_no_change": 0,
        "calls_requests_per_poll": 1.0,
    }


def _step(small: int, large: int, ratio: float) -> dict[str, Any]:
    return {
        "small": small,
        "large": large,
        "rounds": 6,
        "small_steady_us": 30.0,
        "large_steady_us": 30.0 * ratio,
        "small_changing_us": 90.0,
        "large_changing_us": 90.0 * ratio,
        "steady_ratio": ratio,
        "changing_ratio": ratio,
    }


def _cdr_size(size: int) -> dict[str, Any]:
    return {
        "extensions": size,
        "records": size * 5,
        "missed": size * 3,
        "pages": max(1, size // 100),
        "rounds": 4,
        "first_ms": size * 0.26,
        "steady_ms": size * 0.22,
        "first_us_per_record": 52.0,
        "steady_us_per_record": 44.0,
    }


# The notification socket's and the phonebook's figures (#22, #24).
SOCKET_AND_PHONEBOOK: dict[str, Any] = {
    "socket_event": {
        "rounds": 200,
        "event_median_ms": 1.0,
        "event_p95_ms": 2.0,
        "listing_median_ms": 0.5,
        "listing_p95_ms": 0.6,
        "extra_median_ms": 0.5,
        "extra_p95_ms": 1.4,
    },
    "socket_flood": {
        "messages": 1000,
        "received": 999,
        "ignored_not_json": 370,
        "reconnects": 1,
        "seconds": 2.7,
        "listings": 3,
        "events": [["incoming_call", "0003*1001"]],
        "expected_events": [["incoming_call", "0003*1001"]],
        "unconfirmed_states": 0,
        "confirmed_states": 3,
    },
    "phonebook_lookup": {
        "contacts": 10_000,
        "rounds": 10,
        "lookup_ns": 30.0,
        "dict_read_ns": 28.0,
        "ratio": 30 / 28,
        "small_dict_read_ns": 20.0,
        "small_ratio": 1.5,
        "unknown_ns": 150.0,
        "unknown_ratio": 150 / 28,
        "bytes_per_contact": 900.0,
    },
    "phonebook_load": {
        "contacts": 10_000,
        "load_s": 0.9,
        "load_us_per_contact": 90.0,
        "longest_loop_block_ms": 6.0,
    },
}


def results(*, full: bool = True) -> dict[str, Any]:
    """Results of a run meeting every target (the full run's, or the quick's)."""
    recorded: dict[str, Any] = {
        "action_overhead": {
            "rounds": 300,
            "action_median_us": 600.0,
            "action_p90_us": 800.0,
            "bare_median_us": 500.0,
            "bare_p90_us": 700.0,
            "floor_median_us": 580.0,
            "floor_p90_us": 780.0,
            "ratio": 1.2,
            "floor_ratio": 1.03,
            "floor_over_bare": 1.16,
        },
        "push_latency": {
            "callbacks": 200,
            "state_median_ms": 1.1,
            "state_p99_ms": 2.0,
            "event_median_ms": 1.1,
            "event_p99_ms": 2.0,
            "answer_median_ms": 1.4,
            "bare_median_ms": 0.8,
            "bare_p99_ms": 0.9,
            "ratio": 1.75,
            "ended_median_ms": 1.9,
            "ended_p99_ms": 2.3,
        },
        "callback_event": {
            "rounds": 200,
            "event_median_ms": 3.0,
            "event_p95_ms": 5.0,
            "listing_median_ms": 1.0,
            "listing_p95_ms": 1.5,
            "extra_median_ms": 2.0,
            "extra_p95_ms": 3.5,
        },
        "poll_cost": {
            "sizes": {str(size): _poll_size(size) for size in (100, 1000, 5000)},
            "steps": [_step(100, 1000, 0.9), _step(1000, 5000, 1.1)],
        },
        "requests_per_poll": {
            "sizes": {
                size: {
                    "cycles": 12,
                    "calls_requests": 12,
                    "presence_requests": 2,
                    "token_requests": 0,
                    "all_requests": 14,
                }
                for size in ("10", "100")
            }
        },
        "tokens_per_actions": {
            "actions": 1000,
            "puts": 1000,
            "token_requests": 1,
            "token_lifetime_s": 3600,
        },
        "subscriptions_after_restarts": {
            "restarts": 10,
            "extensions": 3,
            "after_restarts": 15,
            "expected": 15,
            "created_during_restarts": 0,
            "deleted_during_restarts": 0,
        },
        "cdr_refresh_cost": {
            "sizes": {str(size): _cdr_size(size) for size in (100, 1000)},
            "steps": [
                {
                    "small": 100,
                    "large": 1000,
                    "rounds": 8,
                    "small_steady_us": 44.0,
                    "large_steady_us": 45.0,
                    "steady_ratio": 45 / 44,
                }
            ],
        },
        "requests_per_refresh": {
            "counts": {
                str(queues): {
                    "queues": queues,
                    "cycles": 12,
                    "requests_per_refresh": 1.17 + queues,
                    "extra_requests": 12 * queues,
                    "extra_per_queue": 1.0,
                }
                for queues in (0, 1, 10)
            }
        },
        "memory_per_extension": _memory(1000, 64_000_000),
        "memory_baseline": _memory(1000, 48_000_000),
        "memory_large": _memory(5000, 320_000_000),
        "memory_large_baseline": _memory(5000, 240_000_000),
        "memory_day": {
            "hours": 24,
            "early_hours": 3,
            "extensions": 100,
            "calls": 14_400,
            "early_calls": 1_800,
            "early_bytes": 2_000_000,
            "late_bytes": 2_050_000,
            "ratio": 1.025,
        },
        "outage_flood": {
            "extensions": 3,
            "callbacks": 20_000,
            "early_callbacks": 3_000,
            "early_bytes": 410_000,
            "middle_callbacks": 10_000,
            "middle_bytes": 413_000,
            "late_bytes": 401_000,
            "memory_ratio": 0.98,
            "first_cpu_us": 4500.0,
            "last_cpu_us": 4200.0,
            "first_reference_us": 3200.0,
            "last_reference_us": 3000.0,
            "time_ratio": 1.0,
            "raw_time_ratio": 0.94,
            "cap": 50,
            "bus_events_after": {"a": 50, "b": 50, "c": 50},
            "entity_events_after": {"a": 50, "b": 50, "c": 50},
            "max_events_after": 50,
        },
        "setup_scale": {
            "extensions": 1000,
            "entities": 7000,
            "rounds": 8,
            "ours_median_ms": 2600.0,
            "minimal_median_ms": 2000.0,
            "ratio": 1.3,
        },
        "setup_time": {
            "extensions": 3,
            "entities": 21,
            "cold_ms": 24.0,
            "warm_median_ms": 9.7,
            "bare_median_ms": 2.3,
            "ratio": 4.2,
        },
    }
    recorded.update(copy.deepcopy(SOCKET_AND_PHONEBOOK))
    if not full:
        for name in ("memory_large", "memory_large_baseline", "memory_day"):
            del recorded[name]
        poll = recorded["poll_cost"]
        del poll["sizes"]["5000"]
        poll["steps"] = poll["steps"][:1]
    return recorded


@pytest.mark.parametrize("quick", [False, True])
def test_every_target_met(quick: bool) -> None:
    """Results within every target: nothing missed, every figure has rows."""
    verdict = evaluate(FIGURES, results(full=not quick), quick=quick)
    assert verdict.missed == []
    assert verdict.failed == []
    assert not any(row[1] == "not measured" for row in verdict.rows)


def test_slowed_action_fails_the_full_run() -> None:
    """An action slowed past its target fails the full run, named."""
    slowed = results()
    slowed["action_overhead"]["ratio"] = ACTION_OVER_BARE * 1.05
    verdict = evaluate(FIGURES, slowed, quick=False)
    assert verdict.failed == [f"action overhead <= {ACTION_OVER_BARE}x a bare PUT"]
    body, _ = render_section(ENV, slowed, quick=False)
    assert "**missed**" in body
    assert "Targets missed: action overhead" in body


def test_quick_run_margin() -> None:
    """Quick: a ratio within the margin is reported; beyond it, the run fails."""
    for full in (False, True):
        within = results(full=full)
        within["poll_cost"]["steps"][0]["steady_ratio"] = POLL_STEP * 1.2
        verdict = evaluate(FIGURES, within, quick=not full)
        assert len(verdict.missed) == 1
        assert verdict.missed[0].startswith("poll cost per extension (steady)")
        # The full run fails on it; the quick run reports it.
        assert verdict.failed == (verdict.missed if full else [])

    beyond = results(full=False)
    beyond["poll_cost"]["steps"][0]["changing_ratio"] = POLL_STEP * 1.3
    verdict = evaluate(FIGURES, beyond, quick=True)
    assert verdict.failed == verdict.missed
    assert len(verdict.failed) == 1


def test_missed_count_fails_the_quick_run() -> None:
    """A count is exact: one more calls request per poll fails either run."""
    for quick in (True, False):
        extra = results(full=not quick)
        extra["poll_cost"]["sizes"]["1000"]["calls_requests_per_poll"] = 2.0
        verdict = evaluate(FIGURES, extra, quick=quick)
        assert verdict.failed == ["one calls request per poll at every size"]


def test_not_measured() -> None:
    """A missing figure fails; the full run's own figures only in the full run."""
    quick = results(full=False)
    verdict = evaluate(FIGURES, quick, quick=True)
    assert verdict.failed == []
    shown = {row[0]: row[1] for row in verdict.rows}
    assert shown["memory after 24 simulated hours"] == "full run only"
    assert evaluate(FIGURES, quick, quick=False).failed == [
        (
            "memory per extension, 5,000 extensions (not measured: memory_large, "
            "memory_large_baseline)"
        ),
        "memory after 24 simulated hours (not measured: memory_day)",
    ]
    broken = results(full=False)
    del broken["callback_event"]
    assert evaluate(FIGURES, broken, quick=True).failed == [
        "callback to call event (not measured: callback_event)"
    ]


def test_five_thousand_extensions_where_an_entry_shows_fewer() -> None:
    """Where an entry shows fewer (Home Assistant 2026), their figure does not apply.

    Where it shows them, a missing figure still fails the full run.
    """
    fewer = results(full=False)
    fewer["memory_day"] = results()["memory_day"]
    verdict = evaluate(FIGURES, fewer, quick=False, most_extensions=1000)
    assert verdict.failed == []
    shown = {row[0]: row[1] for row in verdict.rows}
    assert shown["memory per extension, 5,000 extensions"] == (
        "not applicable: an entry shows 1,000 extensions"
    )
    missing = (
        "memory per extension, 5,000 extensions (not measured: memory_large, "
        "memory_large_baseline)"
    )
    for most in (None, 5000):
        verdict = evaluate(FIGURES, fewer, quick=False, most_extensions=most)
        assert verdict.failed == [missing]


def test_check() -> None:
    """The margin applies to ratios in the quick run only."""
    ratio = Check("ratio", 1.5 * 1.2, 1.5)
    assert not ratio.met
    assert ratio.fails(quick=False)
    assert not ratio.fails(quick=True)
    assert Check("ratio", 1.5 * NOISE_MARGIN * 1.01, 1.5).fails(quick=True)
    assert Check("ratio", 1.5, 1.5).met
    assert Check.count("count", ok=False).fails(quick=True)
    assert not Check.count("count", ok=True).fails(quick=False)
    figure = Figure(
        needs=("x",),
        rows=lambda r: [("x", "", "", "", "", "")],
        checks=lambda r: [Check("x", r["x"]["v"], 1.0)],
    )
    assert evaluate((figure,), {"x": {"v": 1.3}}, quick=True).failed == ["x"]
    assert evaluate((figure,), {"x": {"v": 1.2}}, quick=True).failed == []


def test_document_names_commit_and_version(tmp_path: Path) -> None:
    """The full run's section names the commit and Home Assistant's version."""
    body, _ = render_section(ENV, results(), quick=False)
    document = tmp_path / "benchmarks.md"
    document.write_text("old\n<!-- bench:notes -->\n## Notes\n\nkept\n")
    update_document(document, ENV, body)
    text = document.read_text()
    assert f"Commit: {ENV['commit']}; Home Assistant 2025.4.4; full run" in text
    assert text.rstrip().endswith("kept")
    assert text.count("<!-- bench:section python-3.13.0-ha-2025.4.4 -->") == 1
    again = copy.deepcopy(ENV)
    again["commit"] = "f" * 40
    update_document(document, again, render_section(again, results(), quick=False)[0])
    text = document.read_text()
    assert text.count("<!-- bench:section python-3.13.0-ha-2025.4.4 -->") == 1
    assert "f" * 40 in text and ENV["commit"] not in text


@pytest.mark.parametrize("quick", [False, True])
def test_socket_flood_counts_fail_any_run(quick: bool) -> None:
    """One listing over the gate's bound, or an unconfirmed event, fails either run."""
    bound = flood_bound(results())
    over = results(full=not quick)
    over["socket_flood"]["listings"] = bound + 1
    assert evaluate(FIGURES, over, quick=quick).failed == [
        "socket flood: calls listings within the gate's bound"
    ]
    within = results(full=not quick)
    within["socket_flood"]["listings"] = bound
    assert evaluate(FIGURES, within, quick=quick).failed == []

    forged = results(full=not quick)
    forged["socket_flood"]["events"].append(["incoming_call", "0003*1002"])
    assert evaluate(FIGURES, forged, quick=quick).failed == [
        "socket flood: no event or state a listing did not confirm"
    ]
    written = results(full=not quick)
    written["socket_flood"]["unconfirmed_states"] = 1
    assert evaluate(FIGURES, written, quick=quick).failed == [
        "socket flood: no event or state a listing did not confirm"
    ]
    unseen = results(full=not quick)
    unseen["socket_flood"]["events"] = []
    unseen["socket_flood"]["confirmed_states"] = 0
    assert evaluate(FIGURES, unseen, quick=quick).failed == [
        "socket flood: no event or state a listing did not confirm"
    ]


def test_socket_latency_and_phonebook_lookup_targets() -> None:
    """The socket's p95 over the listing and the phonebook's lookup ratio are judged."""
    slow = results()
    slow["socket_event"]["extra_p95_ms"] = SOCKET_EXTRA_MS + 1
    assert evaluate(FIGURES, slow, quick=False).failed == [
        f"socket notification to call event, p95 over the listing <= {SOCKET_EXTRA_MS} ms"
    ]
    lookup = results()
    lookup["phonebook_lookup"]["ratio"] = PHONEBOOK_LOOKUP_OVER_DICT * 1.1
    name = f"phonebook lookup <= {PHONEBOOK_LOOKUP_OVER_DICT}x a plain dict read"
    assert evaluate(FIGURES, lookup, quick=False).failed == [name]
    # Within the quick run's margin: reported, not failed.
    quick = results(full=False)
    quick["phonebook_lookup"]["ratio"] = PHONEBOOK_LOOKUP_OVER_DICT * 1.1
    verdict = evaluate(FIGURES, quick, quick=True)
    assert (verdict.missed, verdict.failed) == ([name], [])
