"""Turn benchmark results into the sections of docs/benchmarks.md."""

from __future__ import annotations

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
INTEGRATION = "custom_components.voipnow"
BASELINE_MODULE = "homeassistant.helpers.update_coordinator"
# Per-extension cost may grow this much from 10 to 1000 extensions and still
# count as linear: noise and garbage collection on a shared machine; anything
# quadratic shows as tens of times.
LINEAR_TOLERANCE = 1.5

HEADER = """# Benchmarks

Written by `scripts/bench` (`python -m benchmarks`); do not edit the sections
between the `bench:` markers by hand, they are replaced on the next run of the
same Python and Home Assistant line. Each figure is a ratio or a count against a
baseline measured in the same run on the same machine, so figures compare
across machines; the normal test suite asserts no timing at all.

How each figure is measured (`benchmarks/bench_*.py`):

- **Action overhead**: median time of `voipnow.transfer_call` through
  `hass.services.async_call(..., blocking=True)` over the median time of the
  same PUT sent with bare aiohttp (Home Assistant's shared session, the same
  token) to an equivalent call, interleaved round by round. The PBX is the
  simulator in its own process, as a real PBX is not on Home Assistant's event
  loop. The refresh an action starts runs after the caller has its answer and is
  waited for outside the timing.
- **Push latency**: from the start of a callback POST to Home Assistant's real
  HTTP server until the `call_state` sensor's state is written and the call event
  entity fires (`time.perf_counter` in the test process, ring and hangup
  callbacks), against a POST to a webhook that does nothing.
- **Poll cost**: CPU time (`time.process_time`) of a coordinator refresh fed
  pre-fetched PBX answers (parsing, call states, call events, entity updates; no
  HTTP), per extension, for 10, 100 and 1000 extensions with half of them in a
  call. *Steady*: nothing changed; *changing*: half the extensions hang up or
  get their call back. One call put on hold must write exactly one state.
- **Requests**: counted by the simulator: per timer-driven poll cycle, per 1000
  actions within one token lifetime, subscriptions after 10 reloads with push.
- **Setup**: loading the config entry (token, extensions, calls, 4 entities per
  extension) against a bare token request plus the two listings.
- **Import**: `python -X importtime`, cumulative time of importing the
  integration over importing `homeassistant.helpers.update_coordinator`, each in
  a fresh interpreter (median of 7); also the integration imported after that
  module, and the time spent in the integration's own modules.

The event loop runs without asyncio's debug mode (Home Assistant's test harness
turns it on; it records a stack for every task and callback).
"""

NOTES_MARKER = "<!-- bench:notes -->"
DEFAULT_NOTES = f"""{NOTES_MARKER}
## Notes

(Hand-written; kept by `scripts/bench`.)
"""


def cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo, else what platform knows."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def environment() -> dict[str, str]:
    """Describe the machine and the software versions."""
    python = platform.python_version()
    ha = version("homeassistant")
    return {
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


def _import_us(root: Path, code: str, module: str) -> tuple[float, float]:
    """Median cumulative and own import time of a module, in fresh interpreters."""
    runs = []
    for _ in range(IMPORT_RUNS + 1):
        done = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-X", "importtime", "-c", code],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append((_cumulative_us(done.stderr, module), _own_us(done.stderr, module)))
    # The first run may compile bytecode: leave it out.
    return (
        statistics.median(run[0] for run in runs[1:]),
        statistics.median(run[1] for run in runs[1:]),
    )


def import_times(root: Path) -> dict[str, float]:
    """Measure the integration's import time against the coordinator helper's."""
    integration, own = _import_us(root, f"import {INTEGRATION}", INTEGRATION)
    baseline, _ = _import_us(root, f"import {BASELINE_MODULE}", BASELINE_MODULE)
    marginal, _ = _import_us(
        root, f"import {BASELINE_MODULE}; import {INTEGRATION}", INTEGRATION
    )
    return {
        "integration_ms": integration / 1e3,
        "baseline_ms": baseline / 1e3,
        "marginal_ms": marginal / 1e3,
        "own_ms": own / 1e3,
        "ratio": integration / baseline,
    }


def _row(cells: tuple[str, ...]) -> str:
    """Render one table row."""
    return "| " + " | ".join(cells) + " |"


def _mark(ok: bool) -> str:
    """Show whether a target is met."""
    return "met" if ok else "**missed**"


def render_section(
    env: dict[str, str], results: dict[str, Any]
) -> tuple[str, list[str]]:
    """Render one line's section; return it and the targets it missed."""
    action = results["action_overhead"]
    push = results["push_latency"]
    poll = results["poll_cost"]["sizes"]
    requests = results["requests_per_poll"]["sizes"]
    tokens = results["tokens_per_actions"]
    subs = results["subscriptions_after_restarts"]
    setup = results["setup_time"]
    imports = results["import_time"]
    largest = poll[max(poll, key=int)]
    linear = all(
        row["steady_ratio"] <= LINEAR_TOLERANCE
        and row["changing_ratio"] <= LINEAR_TOLERANCE
        for row in poll.values()
    )
    one_write = all(
        row["writes_one_change"] == 1 and row["writes_no_change"] == 0
        for row in poll.values()
    )
    one_request = all(
        row["calls_requests"] == row["cycles"] and row["token_requests"] == 0
        for row in requests.values()
    )
    checks = {
        "action overhead <= 1.3": action["ratio"] <= 1.3,
        "push latency median < 10 ms": push["state_median_ms"] < 10,
        "poll cost no worse than linear": linear,
        "one state written for one change": one_write,
        "one calls request per poll cycle": one_request,
        "one token request per 1000 actions": tokens["token_requests"] == 1,
        "subscriptions = extensions x 5 after 10 restarts": subs["after_restarts"]
        == subs["expected"],
    }
    missed = [name for name, ok in checks.items() if not ok]
    r10, r100 = requests["10"], requests["100"]
    head = [
        f"## {env['line']}",
        "",
        f"- Machine: {env['cpu']}, {env['cores']} cores ({env['os']})",
        (
            f"- Python {env['python']}, Home Assistant {env['homeassistant']}, "
            f"aiohttp {env['aiohttp']}"
        ),
        f"- Date: {env['date']}",
        "",
        "| Measure | Result | Baseline | Figure | Target | |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    rows = [
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
            "<= 1.3x",
            _mark(action["ratio"] <= 1.3),
        ),
        (
            "... the same without the refresh it starts",
            f"{action['unrefreshed_median_us']:.0f} µs",
            "same",
            f"{action['ratio_without_refresh']:.2f}x",
            "",
            "",
        ),
        (
            f"Push: callback to sensor state ({push['callbacks']} callbacks)",
            (
                f"{push['state_median_ms']:.2f} ms median, "
                f"p99 {push['state_p99_ms']:.2f} ms"
            ),
            "",
            "",
            "median < 10 ms",
            _mark(push["state_median_ms"] < 10),
        ),
        (
            "Push: callback to event entity fired",
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
            "Push: callback answered",
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
            f"Poll cost per extension, steady, {largest['extensions']} vs 10",
            f"{largest['steady_us_per_extension']:.1f} µs",
            f"{poll['10']['steady_us_per_extension']:.1f} µs",
            f"{largest['steady_ratio']:.2f}x",
            f"<= {LINEAR_TOLERANCE}x (linear)",
            _mark(largest["steady_ratio"] <= LINEAR_TOLERANCE),
        ),
        (
            f"Poll cost per extension, changing, {largest['extensions']} vs 10",
            f"{largest['changing_us_per_extension']:.1f} µs",
            f"{poll['10']['changing_us_per_extension']:.1f} µs",
            f"{largest['changing_ratio']:.2f}x",
            f"<= {LINEAR_TOLERANCE}x (linear)",
            _mark(largest["changing_ratio"] <= LINEAR_TOLERANCE),
        ),
        (
            f"States written, one call put on hold ({', '.join(poll)} extensions)",
            ", ".join(str(row["writes_one_change"]) for row in poll.values()),
            "nothing changed: "
            + ", ".join(str(row["writes_no_change"]) for row in poll.values()),
            "",
            "1 (and 0)",
            _mark(one_write),
        ),
        (
            f"Calls requests per poll cycle ({r10['cycles']} cycles)",
            f"100 extensions: {r100['calls_requests'] / r100['cycles']:.2f}",
            f"10 extensions: {r10['calls_requests'] / r10['cycles']:.2f}",
            (
                f"presence {r100['presence_requests']}/{r100['cycles']}, "
                f"tokens {r100['token_requests']}"
            ),
            "1",
            _mark(one_request),
        ),
        (
            f"Token requests per {tokens['actions']} actions",
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
        ),
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
        ),
    ]
    by_size = [
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
        for row in poll.values()
    ]
    lines = [
        *head,
        *map(_row, rows),
        "",
        "Poll cost by size (CPU per poll; per extension; ratio to 10 extensions):",
        "",
        "| Extensions | Calls | Steady | per ext. | ratio | Changing | per ext. | ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *map(_row, by_size),
    ]
    lines.append("")
    lines.append("Targets missed: " + (", ".join(missed) if missed else "none") + ".")
    return "\n".join(lines), missed


def _sections(text: str) -> dict[str, str]:
    """Return the generated sections of a document, by key."""
    return {
        match.group(1): match.group(0)
        for match in re.finditer(
            r"<!-- bench:section (\S+) -->\n.*?<!-- bench:end \1 -->", text, re.DOTALL
        )
    }


def update_document(path: Path, env: dict[str, str], results: dict[str, Any]) -> None:
    """Replace this line's section of the document; keep the rest."""
    text = path.read_text() if path.exists() else ""
    sections = _sections(text)
    notes = text[text.index(NOTES_MARKER) :] if NOTES_MARKER in text else DEFAULT_NOTES
    body, _ = render_section(env, results)
    key = env["key"]
    sections[key] = f"<!-- bench:section {key} -->\n{body}\n<!-- bench:end {key} -->"
    document = "\n\n".join([HEADER.rstrip(), *sections.values(), notes.rstrip()])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document + "\n")
