"""Run the benchmarks: `python -m benchmarks [--quick]`.

The measurements run as pytest files on Home Assistant's test harness, in a
subprocess; import time is measured in fresh interpreters. The full run
replaces this Python and Home Assistant line's section of docs/benchmarks.md
(sections of other lines and the notes are kept); `--quick` measures fewer
rounds, leaves out the 5,000-extension and 24-hour figures, and only prints.
Either way the figures are printed. The exit status is 1 when a target is
missed; in a quick run when a count is missed (requests, states written,
tokens, subscriptions, backlog), a figure could not be measured, or a ratio
lies beyond its target times the noise margin (`verdicts.NOISE_MARGIN`).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile
import time

from .machine import environment
from .markdown import render_section, update_document
from .measure import PROFILE_ENV, QUICK_ENV, RESULTS_ENV
from .verdicts import NOISE_MARGIN

ROOT = Path(__file__).resolve().parents[1]


def run_benchmarks(
    log: Path, quick: bool, profile: Path | None
) -> tuple[dict[str, object], bool]:
    """Run every bench_*.py file under pytest; return the figures, and if all ran."""
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "benchmarks",
            "-q",
            "-p",
            "no:cacheprovider",
            # It keeps every log record of a test in memory: it would be
            # counted as the integration's.
            "-p",
            "no:logging",
            "-o",
            "python_files=bench_*.py",
            "-o",
            "python_functions=bench_*",
            "-o",
            "timeout=900",
            # Where the time goes, at the end of the log.
            "--durations=12",
            "-W",
            "ignore::DeprecationWarning",
        ]
        env = {**os.environ, RESULTS_ENV: str(results)}
        env.pop(QUICK_ENV, None)
        env.pop(PROFILE_ENV, None)
        if quick:
            env[QUICK_ENV] = "1"
        if profile is not None:
            env[PROFILE_ENV] = str(profile.resolve())
        with log.open("w") as output:
            finished = subprocess.run(  # noqa: S603 - our own interpreter
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if finished.returncode != 0:
            # What was measured is still shown; what broke is not measured,
            # which fails the run.
            failures = [
                line
                for line in log.read_text().splitlines()
                if line.startswith(("FAILED ", "ERROR "))
            ]
            print(f"bench: benchmarks failed (log: {log}):", *failures, sep="\n  ")
        if not results.exists():
            raise SystemExit(f"bench: nothing was measured (log: {log})")
        return dict(json.loads(results.read_text())), finished.returncode == 0


def main() -> None:
    """Measure, print, and write the document unless quick."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer rounds, no 5,000-extension or 24-hour figures (CI); print only",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "benchmarks.md", help="document"
    )
    parser.add_argument(
        "--log", type=Path, help="pytest's output (default: a temp file)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="also write cProfile and tracemalloc profiles to DIR (slower)",
    )
    args = parser.parse_args()
    env = environment(ROOT)
    log = args.log or Path(tempfile.gettempdir()) / f"voipnow-bench-{env['key']}.log"
    started = time.monotonic()
    mode = "quick" if args.quick else "full"
    print(f"bench: {env['line']}, {mode} run (pytest log: {log})", flush=True)
    results, all_ran = run_benchmarks(log, args.quick, args.profile)
    body, verdict = render_section(env, results, quick=args.quick)
    print(body)
    if not args.quick:
        update_document(args.output, env, body)
        print(f"bench: wrote {args.output}")
    print(f"bench: {env['line']} {mode} run done in {time.monotonic() - started:.0f}s")
    reported = [name for name in verdict.missed if name not in verdict.failed]
    if reported:
        print(
            f"bench: missed within the noise margin (x {NOISE_MARGIN}) of this quick "
            "run; the full run decides:",
            *reported,
            sep="\n  - ",
        )
    if verdict.failed:
        print("bench: TARGETS MISSED:", *verdict.failed, sep="\n  - ")
    if verdict.failed or not all_ran:
        sys.exit(1)


if __name__ == "__main__":
    main()
