"""Turn benchmark results into the sections of docs/benchmarks.md.

`FIGURES` is the target table: each figure renders its rows and checks its
targets from the results one run recorded. A figure whose results are
missing fails its targets (a benchmark that did not run measured nothing),
except the figures still `PENDING`: those have a place in the report and a
target, and show "not measured yet" until their benchmark exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
import os
from pathlib import Path
import platform
import re
import statistics
import subprocess
import sys
from typing import Any

IMPORT_RUNS = 7
# Names the commit measured when the tree is not a git checkout.
COMMIT_ENV = "VOIPNOW_BENCH_COMMIT"
INTEGRATION = "custom_components.voipnow"
BASELINE_MODULE = "homeassistant.helpers.update_coordinator"
# Per-extension cost may grow this much from 10 to 1000 extensions and still
# count as linear: noise and garbage collection on a shared machine; anything
# quadratic shows as tens of times.
LINEAR_TOLERANCE = 1.5
ACTION_OVER_BARE = 1.3
ACTION_OVER_FLOOR = 1.10
PUSH_MEDIAN_MS = 10
MEMORY_OVER_MINIMAL = 1.5
FLOOD_MEMORY_GROWTH = 1.2
FLOOD_TIME_GROWTH = 1.5

HEADER = """# Benchmarks

Written by `scripts/bench` (`python -m benchmarks`); do not edit the sections
between the `bench:` markers by hand, they are replaced on the next run of the
same Python and Home Assistant line. Each figure is a ratio or a count against a
baseline measured in the same run on the same machine, so figures compare
across machines; the normal test suite asserts no timing at all. CI runs
`scripts/bench --quick` on both lines (fewer rounds, nothing written) and fails
when a target is missed.

The benchmarks reach the integration only as Home Assistant and a PBX do:
config entries, actions (`hass.services`), states, the event bus, the polling
timer, the webhook behind Home Assistant's HTTP server; the PBX is the
simulator, driven and counted through its public API and request log. Nothing
imports or patches the integration's modules.

How each figure is measured (`benchmarks/bench_*.py`):

- **Action overhead**: median time of `voipnow.transfer_call` through
  `hass.services.async_call(..., blocking=True)`, each on a fresh ringing call
  the integration has listed, against (a) the same Transfer PUT sent bare with
  Home Assistant's shared session and a token from the PBX's token endpoint,
  and (b) Home Assistant's floor: an action registered by the benchmark on the
  same `hass` (a three-field schema) that sends that PUT with the shared
  session and returns the call id. The three are interleaved round by round;
  the PBX is the simulator in its own process. The listing an action starts
  runs after the caller has its answer and is waited for outside the timing.
- **Push latency**: a dial-in callback POSTed to Home Assistant's real HTTP
  server, until the `call_state` sensor shows `ringing` and the call event
  entity fires `incoming_call` (`time.perf_counter`), against a POST to a
  webhook that does nothing. A hangup callback is only a hint: its way to the
  `missed` event goes through a listing and is shown apart.
- **Poll cost**: CPU time of Home Assistant's thread (`time.thread_time`) for
  one timer-driven poll (HTTP, parsing, call states, call events, entity
  updates), per extension, for 10, 100 and 1000 extensions with half of them
  in a call; the simulator runs in a thread of its own. *Steady*: nothing
  changed; *changing*: half the extensions hang up or get a new call. One call
  put on hold must write exactly one state.
- **Requests**: counted by the simulator: per timer-driven poll cycle, for
  setup and 1000 actions within one token lifetime, subscriptions after 10
  reloads with push. *Call queues*: every request per timer-driven refresh
  cycle with 0, 1 and 10 queues named in the entry's options (2 agents each,
  one of whom logs in on the PBX before the last cycle: the queue's online
  count must show it); what the queues add, per queue and cycle.
- **CDR refresh cost**: CPU time of Home Assistant's thread for one
  timer-driven read of the call history (the CDR, all its pages, parsing,
  counting, entity updates), per extension, for 100 and 1000 extensions with
  the same 5000 records in the window it reads (half or more of them missed
  calls, some outgoing); the simulator runs in a thread of its own. Every missed-calls
  sensor must show its extension's missed records. *Steady*: the records
  read again (median); *first*: every record new, states written (once).
  The history's save, 5 s later, is left out (the harness's storage would
  be counted with it).
- **Memory**: `tracemalloc`, what setting up an entry of 1000 extensions
  allocated and still holds once Home Assistant settled, against a minimal
  integration defined in the benchmark with the same number of devices and
  of entities per platform (plain `Entity` objects with a device, a name and a
  unique id), each on a fresh `hass` with the platforms already loaded.
- **Outage flood**: with the PBX's API down and push on, 20,000 callbacks
  (10,000 calls: dial-in and hangup, over 3 extensions) POSTed one after the
  other to the webhook through Home Assistant's HTTP server; the memory held
  after 3,000 (every bound reached: 50 calls per extension, 1,024 ended calls
  remembered) and after 20,000 callbacks (`tracemalloc`, harness allocations
  left out), and the time per callback of the last 1,000 against the first
  1,000 (under `tracemalloc`). Then the PBX comes back and the events fired by
  the next poll are counted, per extension.
- **Setup**: loading the config entry (token, extensions, calls, the entities
  of every extension) against a bare token request plus the two listings.
- **Import**: `python -X importtime`, cumulative time of importing the
  integration over importing `homeassistant.helpers.update_coordinator`, each in
  a fresh interpreter (median of 7); also the integration imported after that
  module, and the time spent in the integration's own modules.

The event loop runs without asyncio's debug mode (Home Assistant's test harness
turns it on; it records a stack for every task and callback).
`python -m benchmarks --profile DIR` also writes where the time (cProfile) and
the memory (`tracemalloc`, by the integration's line that asked for it) go.
"""

NOTES_MARKER = "<!-- bench:notes -->"
DEFAULT_NOTES = f"""{NOTES_MARKER}
## Notes

(Hand-written; kept by `scripts/bench`.)
"""

type Row = tuple[str, str, str, str, str, str]
type Results = dict[str, Any]


def cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo, else what platform knows."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def commit(root: Path) -> str:
    """Name the commit measured, and whether the integration had local changes."""
    if named := os.environ.get(COMMIT_ENV):
        return named
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "custom_components"],  # noqa: S607
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (with local changes)" if changed else head


def environment(root: Path) -> dict[str, str]:
    """Describe the machine, the software versions and the commit."""
    python = platform.python_version()
    ha = version("homeassistant")
    return {
        "commit": commit(root),
        "line": f"Python {python} / Home Assistant {ha}",
        "key": f"python-{python}-ha-{ha}",
        "cpu": cpu_model(),
        "cores": str(os.cpu_count() or "?"),
        "python": f"{python} ({platform.python_implementation()})",
        "homeassistant": ha,
        "aiohttp": version("aiohttp"),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


_IMPORT_LINE = re.compile(
    r"^import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)\s*$", re.MULTILINE
)


def _cumulative_us(stderr: str, module: str) -> int:
    """Return the cumulative import time of a module from -X importtime output."""
    found = [
        int(match.group(2))
        for match in _IMPORT_LINE.finditer(stderr)
        if match.group(3) == module
    ]
    if not found:
        raise SystemExit(f"bench: no import time for {module}")
    return max(found)


def _own_us(stderr: str, package: str) -> int:
    """Return the import time spent in a package's own modules (self times)."""
    return sum(
        int(match.group(1))
        for match in _IMPORT_LINE.finditer(stderr)
        if match.group(3) == package or match.group(3).startswith(f"{package}.")
    )


def _import_us(root: Path, code: str, module: str, runs: int) -> tuple[float, float]:
    """Median cumulative and own import time of a module, in fresh interpreters."""
    measured = []
    for _ in range(runs + 1):
        done = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-X", "importtime", "-c", code],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        measured.append(
            (_cumulative_us(done.stderr, module), _own_us(done.stderr, module))
        )
    # The first run may compile bytecode: leave it out.
    return (
        statistics.median(run[0] for run in measured[1:]),
        statistics.median(run[1] for run in measured[1:]),
    )


def import_times(root: Path, runs: int = IMPORT_RUNS) -> dict[str, float]:
    """Measure the integration's import time against the coordinator helper's."""
    integration, own = _import_us(root, f"import {INTEGRATION}", INTEGRATION, runs)
    baseline, _ = _import_us(root, f"import {BASELINE_MODULE}", BASELINE_MODULE, runs)
    marginal, _ = _import_us(
        root, f"import {BASELINE_MODULE}; import {INTEGRATION}", INTEGRATION, runs
    )
    return {
        "runs": runs,
        "integration_ms": integration / 1e3,
        "baseline_ms": baseline / 1e3,
        "marginal_ms": marginal / 1e3,
        "own_ms": own / 1e3,
        "ratio": integration / baseline,
    }


def _mark(ok: bool | None) -> str:
    """Show whether a target is met."""
    if ok is None:
        return ""
    return "met" if ok else "**missed**"


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One figure of the report: its rows and the targets it checks."""

    # The results it needs (recorded by `bench(name, ...)`).
    needs: tuple[str, ...]
    rows: Callable[[Results], list[Row]]
    # Target name -> whether it is met; empty for figures without a target.
    checks: Callable[[Results], dict[str, bool]] = lambda results: {}
    # Named in the report when the results are missing.
    title: str = ""


def _action_rows(results: Results) -> list[Row]:
    action = results["action_overhead"]
    return [
        (
            f"Action overhead (`transfer_call`, {action['rounds']} rounds)",
            (
                f"{action['action_median_us']:.0f} µs median "
                f"(p90 {action['action_p90_us']:.0f})"
            ),
            (
                f"bare PUT {action['bare_median_us']:.0f} µs "
                f"(p90 {action['bare_p90_us']:.0f})"
            ),
            f"**{action['ratio']:.2f}x**",
            f"<= {ACTION_OVER_BARE}x",
            _mark(action["ratio"] <= ACTION_OVER_BARE),
        ),
        (
            "... over Home Assistant's floor (an action that only sends the PUT)",
            "same",
            (
                f"floor {action['floor_median_us']:.0f} µs "
                f"(p90 {action['floor_p90_us']:.0f}; "
                f"{action['floor_over_bare']:.2f}x the bare PUT)"
            ),
            f"**{action['floor_ratio']:.2f}x**",
            f"<= {ACTION_OVER_FLOOR:.2f}x",
            _mark(action["floor_ratio"] <= ACTION_OVER_FLOOR),
        ),
    ]


def _action_checks(results: Results) -> dict[str, bool]:
    action = results["action_overhead"]
    return {
        f"action overhead <= {ACTION_OVER_BARE}x a bare PUT": action["ratio"]
        <= ACTION_OVER_BARE,
        f"action overhead <= {ACTION_OVER_FLOOR:.2f}x Home Assistant's floor": action[
            "floor_ratio"
        ]
        <= ACTION_OVER_FLOOR,
    }


def _push_rows(results: Results) -> list[Row]:
    push = results["push_latency"]
    return [
        (
            f"Push: dial-in callback to sensor state ({push['callbacks']} callbacks)",
            (
                f"{push['state_median_ms']:.2f} ms median, "
                f"p99 {push['state_p99_ms']:.2f} ms"
            ),
            "",
            "",
            f"median < {PUSH_MEDIAN_MS} ms",
            _mark(push["state_median_ms"] < PUSH_MEDIAN_MS),
        ),
        (
            "Push: dial-in callback to event entity fired",
            (
                f"{push['event_median_ms']:.2f} ms median, "
                f"p99 {push['event_p99_ms']:.2f} ms"
            ),
            "",
            "",
            "",
            "",
        ),
        (
            "Push: dial-in callback answered",
            f"{push['answer_median_ms']:.2f} ms median",
            (
                f"bare webhook {push['bare_median_ms']:.2f} ms "
                f"(p99 {push['bare_p99_ms']:.2f})"
            ),
            f"{push['ratio']:.2f}x",
            "",
            "",
        ),
        (
            "Push: hangup callback to `missed` event (through a listing)",
            (
                f"{push['ended_median_ms']:.2f} ms median, "
                f"p99 {push['ended_p99_ms']:.2f} ms"
            ),
            "",
            "",
            "",
            "",
        ),
    ]


def _push_checks(results: Results) -> dict[str, bool]:
    return {
        f"push latency median < {PUSH_MEDIAN_MS} ms": results["push_latency"][
            "state_median_ms"
        ]
        < PUSH_MEDIAN_MS
    }


def _largest(results: Results) -> dict[str, Any]:
    poll = results["poll_cost"]["sizes"]
    return dict(poll[max(poll, key=int)])


def _poll_rows(results: Results) -> list[Row]:
    poll = results["poll_cost"]["sizes"]
    largest = _largest(results)
    rows: list[Row] = [
        (
            f"Poll cost per extension, {kind}, {largest['extensions']} vs 10",
            f"{largest[f'{kind}_us_per_extension']:.1f} µs",
            f"{poll['10'][f'{kind}_us_per_extension']:.1f} µs",
            f"{largest[f'{kind}_ratio']:.2f}x",
            f"<= {LINEAR_TOLERANCE}x (linear)",
            _mark(largest[f"{kind}_ratio"] <= LINEAR_TOLERANCE),
        )
        for kind in ("steady", "changing")
    ]
    rows.append(
        (
            f"States written, one call put on hold ({', '.join(poll)} extensions)",
            ", ".join(str(row["writes_one_change"]) for row in poll.values()),
            "nothing changed: "
            + ", ".join(str(row["writes_no_change"]) for row in poll.values()),
            "",
            "1 (and 0)",
            _mark(_one_write(results)),
        )
    )
    return rows


def _one_write(results: Results) -> bool:
    return all(
        row["writes_one_change"] == 1 and row["writes_no_change"] == 0
        for row in results["poll_cost"]["sizes"].values()
    )


def _poll_checks(results: Results) -> dict[str, bool]:
    largest = _largest(results)
    return {
        "poll cost no worse than linear (steady)": largest["steady_ratio"]
        <= LINEAR_TOLERANCE,
        "poll cost no worse than linear (changing)": largest["changing_ratio"]
        <= LINEAR_TOLERANCE,
        "one state written for one change": _one_write(results),
    }


def _one_request(results: Results) -> bool:
    return all(
        row["calls_requests"] == row["cycles"] and row["token_requests"] == 0
        for row in results["requests_per_poll"]["sizes"].values()
    )


def _request_rows(results: Results) -> list[Row]:
    requests = results["requests_per_poll"]["sizes"]
    tokens = results["tokens_per_actions"]
    subs = results["subscriptions_after_restarts"]
    r10, r100 = requests["10"], requests["100"]
    return [
        (
            f"Calls requests per poll cycle ({r10['cycles']} cycles)",
            f"100 extensions: {r100['calls_requests'] / r100['cycles']:.2f}",
            f"10 extensions: {r10['calls_requests'] / r10['cycles']:.2f}",
            (
                f"presence {r100['presence_requests']}/{r100['cycles']}, "
                f"tokens {r100['token_requests']}"
            ),
            "1",
            _mark(_one_request(results)),
        ),
        (
            f"Token requests for setup and {tokens['actions']} actions",
            f"{tokens['token_requests']} ({tokens['puts']} PUTs)",
            f"token lifetime {tokens['token_lifetime_s']} s",
            "",
            "1",
            _mark(tokens["token_requests"] == 1),
        ),
        (
            f"Subscriptions after {subs['restarts']} reloads (push on)",
            (
                f"{subs['after_restarts']} ({subs['created_during_restarts']} created, "
                f"{subs['deleted_during_restarts']} deleted meanwhile)"
            ),
            f"{subs['extensions']} extensions x 5",
            "",
            str(subs["expected"]),
            _mark(subs["after_restarts"] == subs["expected"]),
        ),
    ]


def _request_checks(results: Results) -> dict[str, bool]:
    subs = results["subscriptions_after_restarts"]
    return {
        "one calls request per poll cycle": _one_request(results),
        "one token request for setup and 1000 actions": results["tokens_per_actions"][
            "token_requests"
        ]
        == 1,
        "subscriptions = extensions x 5 after 10 reloads": subs["after_restarts"]
        == subs["expected"],
    }


def _memory_rows(results: Results) -> list[Row]:
    ours, minimal = results["memory_per_extension"], results["memory_baseline"]
    ratio = ours["held_bytes"] / minimal["held_bytes"]
    return [
        (
            (
                f"Memory per extension after setup ({ours['extensions']} extensions, "
                f"{ours['entities']} entities)"
            ),
            f"{ours['bytes_per_extension'] / 1024:.1f} KiB",
            (
                f"minimal integration {minimal['bytes_per_extension'] / 1024:.1f} KiB "
                f"({minimal['entities']} entities)"
            ),
            f"**{ratio:.2f}x**",
            f"<= {MEMORY_OVER_MINIMAL}x",
            _mark(ratio <= MEMORY_OVER_MINIMAL),
        )
    ]


def _memory_checks(results: Results) -> dict[str, bool]:
    ours, minimal = results["memory_per_extension"], results["memory_baseline"]
    return {
        f"memory per extension <= {MEMORY_OVER_MINIMAL}x a minimal integration": ours[
            "held_bytes"
        ]
        / minimal["held_bytes"]
        <= MEMORY_OVER_MINIMAL
    }


def _flood_rows(results: Results) -> list[Row]:
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
            _mark(flood["memory_ratio"] <= FLOOD_MEMORY_GROWTH),
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
            _mark(flood["time_ratio"] <= FLOOD_TIME_GROWTH),
        ),
        (
            "Outage flood: events once the PBX is back, per extension",
            "bus: " + ", ".join(str(n) for n in flood["bus_events_after"].values()),
            "event entities: "
            + ", ".join(str(n) for n in flood["entity_events_after"].values()),
            "",
            f"<= {flood['cap']}",
            _mark(flood["max_events_after"] <= flood["cap"]),
        ),
    ]


def _flood_checks(results: Results) -> dict[str, bool]:
    flood = results["outage_flood"]
    return {
        f"outage flood memory <= {FLOOD_MEMORY_GROWTH}x": flood["memory_ratio"]
        <= FLOOD_MEMORY_GROWTH,
        f"outage flood time per callback <= {FLOOD_TIME_GROWTH}x": flood["time_ratio"]
        <= FLOOD_TIME_GROWTH,
        f"outage flood backlog <= {flood['cap']} events per extension": flood[
            "max_events_after"
        ]
        <= flood["cap"],
    }


def _setup_rows(results: Results) -> list[Row]:
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


def _import_rows(results: Results) -> list[Row]:
    imports = results["import_time"]
    return [
        (
            "Import of the integration",
            (
                f"{imports['integration_ms']:.0f} ms (after the coordinator helper: "
                f"{imports['marginal_ms']:.0f} ms; its own modules: "
                f"{imports['own_ms']:.0f} ms)"
            ),
            f"`{BASELINE_MODULE}` {imports['baseline_ms']:.0f} ms",
            f"{imports['ratio']:.2f}x",
            "",
            "",
        )
    ]


def _cdr_sizes(results: Results) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the smallest and the largest size of the CDR refresh figure."""
    sizes = results["cdr_refresh_cost"]["sizes"]
    return dict(sizes[min(sizes, key=int)]), dict(sizes[max(sizes, key=int)])


def _cdr_rows(results: Results) -> list[Row]:
    small, large = _cdr_sizes(results)
    return [
        (
            (
                f"CDR refresh CPU per extension, {large['extensions']} vs "
                f"{small['extensions']} extensions ({large['records']} records, "
                f"{large['pages']} pages)"
            ),
            (
                f"{large['steady_us_per_extension']:.1f} µs "
                f"({large['steady_ms']:.1f} ms per refresh)"
            ),
            (
                f"{small['steady_us_per_extension']:.1f} µs "
                f"({small['steady_ms']:.1f} ms per refresh)"
            ),
            f"{large['steady_ratio']:.2f}x",
            f"<= {LINEAR_TOLERANCE}x (linear)",
            _mark(large["steady_ratio"] <= LINEAR_TOLERANCE),
        ),
        (
            "... first refresh (every record new, states written)",
            f"{large['first_us_per_extension']:.1f} µs ({large['first_ms']:.1f} ms)",
            f"{small['first_us_per_extension']:.1f} µs ({small['first_ms']:.1f} ms)",
            f"{large['first_ratio']:.2f}x",
            "",
            "",
        ),
    ]


def _cdr_checks(results: Results) -> dict[str, bool]:
    _, large = _cdr_sizes(results)
    return {
        "CDR refresh cost no worse than linear": large["steady_ratio"]
        <= LINEAR_TOLERANCE
    }


def _queue_extra_ok(results: Results) -> bool:
    """Whether each queue adds at most one request per refresh cycle."""
    return all(
        row["extra_requests"] <= row["queues"] * row["cycles"]
        for row in results["requests_per_refresh"]["counts"].values()
    )


def _queue_rows(results: Results) -> list[Row]:
    counts = results["requests_per_refresh"]["counts"]
    most = counts[max(counts, key=int)]
    per_queue = ", ".join(
        f"{row['queues']}: {row['extra_per_queue']:.2f}"
        for row in counts.values()
        if row["queues"]
    )
    return [
        (
            (
                f"Requests per refresh with {', '.join(list(counts)[:-1])} and "
                f"{list(counts)[-1]} call queues ({most['cycles']} cycles)"
            ),
            ", ".join(f"{row['requests_per_refresh']:.2f}" for row in counts.values()),
            f"extra per queue and refresh with {per_queue}",
            f"**{most['extra_per_queue']:.2f}**",
            "at most 1 more per queue",
            _mark(_queue_extra_ok(results)),
        )
    ]


def _queue_checks(results: Results) -> dict[str, bool]:
    return {"at most 1 more request per queue per refresh": _queue_extra_ok(results)}


def _pending(title: str, target: str) -> Callable[[Results], list[Row]]:
    """Rows of a figure whose benchmark is still to be written."""
    return lambda results: [(title, "not measured yet", "", "", target, "pending")]


# The target table, in the report's order.
FIGURES: tuple[Figure, ...] = (
    Figure(needs=("action_overhead",), rows=_action_rows, checks=_action_checks),
    Figure(needs=("push_latency",), rows=_push_rows, checks=_push_checks),
    Figure(needs=("poll_cost",), rows=_poll_rows, checks=_poll_checks),
    Figure(
        needs=(
            "requests_per_poll",
            "tokens_per_actions",
            "subscriptions_after_restarts",
        ),
        rows=_request_rows,
        checks=_request_checks,
    ),
    Figure(
        needs=("memory_per_extension", "memory_baseline"),
        rows=_memory_rows,
        checks=_memory_checks,
    ),
    Figure(needs=("outage_flood",), rows=_flood_rows, checks=_flood_checks),
    Figure(
        needs=("cdr_refresh_cost",),
        title="CDR refresh cost",
        rows=_cdr_rows,
        checks=_cdr_checks,
    ),
    Figure(
        needs=("requests_per_refresh",),
        title="requests per refresh with call queues",
        rows=_queue_rows,
        checks=_queue_checks,
    ),
    # --- Hooks for figures still to come -------------------------------
    # A benchmark records its results with `bench("<name>", ...)`; then give
    # the figure `needs=("<name>",)`, rows and checks like the ones above.
    # Until it exists, a figure with `rows=_pending(title, target)` and its
    # name in PENDING shows "not measured yet".
    Figure(needs=("setup_time",), rows=_setup_rows),
    Figure(needs=("import_time",), rows=_import_rows),
)
PENDING: frozenset[str] = frozenset()

# Targets that are counts: the same on any machine, so a quick run (CI) fails
# on them. The others are times and memory, measured in few rounds on a
# machine that may be busy: a quick run reports their misses, the full run
# (`scripts/bench`) fails on them.
EXACT_TARGETS: tuple[str, ...] = (
    "one state written",
    "one calls request",
    "one token request",
    "subscriptions =",
    "outage flood backlog",
    "at most 1 more request per queue",
)


def is_exact(target: str) -> bool:
    """Tell whether a missed target is a count, or a figure was not measured."""
    return "not measured" in target or target.startswith(EXACT_TARGETS)


def evaluate(results: Results) -> tuple[list[Row], list[str]]:
    """Return the rows of every figure and the targets missed."""
    rows: list[Row] = []
    missed: list[str] = []
    for figure in FIGURES:
        absent = [name for name in figure.needs if name not in results]
        if absent and set(figure.needs) <= PENDING:
            rows += figure.rows(results)
            continue
        if absent:
            name = figure.title or ", ".join(figure.needs)
            rows.append((name, "not measured", "", "", "", _mark(False)))
            missed.append(f"{name} (not measured: {', '.join(absent)})")
            continue
        rows += figure.rows(results)
        missed += [name for name, ok in figure.checks(results).items() if not ok]
    return rows, missed


def _row(cells: tuple[str, ...]) -> str:
    """Render one table row."""
    return "| " + " | ".join(cells) + " |"


def render_section(env: dict[str, str], results: Results) -> tuple[str, list[str]]:
    """Render one line's section; return it and the targets it missed."""
    rows, missed = evaluate(results)
    lines = [
        f"## {env['line']}",
        "",
        f"- Machine: {env['cpu']}, {env['cores']} cores ({env['os']})",
        (
            f"- Python {env['python']}, Home Assistant {env['homeassistant']}, "
            f"aiohttp {env['aiohttp']}"
        ),
        f"- Date: {env['date']}, commit {env['commit']}",
        "",
        "| Measure | Result | Baseline | Figure | Target | |",
        "| --- | --- | --- | --- | --- | --- |",
        *map(_row, rows),
    ]
    if "poll_cost" in results:
        lines += [
            "",
            "Poll cost by size (CPU per poll; per extension; ratio to 10 extensions):",
            "",
            (
                "| Extensions | Calls | Steady | per ext. | ratio | Changing "
                "| per ext. | ratio |"
            ),
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(
                _row(
                    (
                        str(row["extensions"]),
                        str(row["calls"]),
                        f"{row['steady_ms']:.2f} ms",
                        f"{row['steady_us_per_extension']:.1f} µs",
                        f"{row['steady_ratio']:.2f}",
                        f"{row['changing_ms']:.2f} ms",
                        f"{row['changing_us_per_extension']:.1f} µs",
                        f"{row['changing_ratio']:.2f}",
                    )
                )
                for row in results["poll_cost"]["sizes"].values()
            ),
        ]
    lines += ["", "Targets missed: " + ("; ".join(missed) if missed else "none") + "."]
    return "\n".join(lines), missed


def _sections(text: str) -> dict[str, str]:
    """Return the generated sections of a document, by key."""
    return {
        match.group(1): match.group(0)
        for match in re.finditer(
            r"<!-- bench:section (\S+) -->\n.*?<!-- bench:end \1 -->", text, re.DOTALL
        )
    }


def update_document(path: Path, env: dict[str, str], body: str) -> None:
    """Replace this line's section of the document; keep the rest."""
    text = path.read_text() if path.exists() else ""
    sections = _sections(text)
    notes = text[text.index(NOTES_MARKER) :] if NOTES_MARKER in text else DEFAULT_NOTES
    key = env["key"]
    sections[key] = f"<!-- bench:section {key} -->\n{body}\n<!-- bench:end {key} -->"
    document = "\n\n".join([HEADER.rstrip(), *sections.values(), notes.rstrip()])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document + "\n")
