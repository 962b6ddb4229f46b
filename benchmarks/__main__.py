"""Run the benchmarks and write docs/benchmarks.md: `python -m benchmarks`.

The measurements run as pytest files on Home Assistant's test harness, in a
subprocess; import time is measured in fresh interpreters. The results of
this Python and Home Assistant line replace that line's section of the
document; sections of other lines and the notes are kept.
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

from .conftest import RESULTS_ENV
from .report import environment, import_times, update_document

ROOT = Path(__file__).resolve().parents[1]


def run_benchmarks(log: Path) -> dict[str, object]:
    """Run every bench_*.py file under pytest; return the recorded figures."""
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
            "-o",
            "python_files=bench_*.py",
            "-o",
            "python_functions=bench_*",
            "-o",
            "timeout=900",
            "-W",
            "ignore::DeprecationWarning",
        ]
        with log.open("w") as output:
            finished = subprocess.run(  # noqa: S603 - our own interpreter
                command,
                cwd=ROOT,
                env={**os.environ, RESULTS_ENV: str(results)},
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if finished.returncode != 0:
            tail = log.read_text().splitlines()[-40:]
            raise SystemExit(
                "bench: the benchmarks failed (log: {}):\n{}".format(
                    log, "\n".join(tail)
                )
            )
        return dict(json.loads(results.read_text()))


def main() -> None:
    """Measure and write the document."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "benchmarks.md", help="document"
    )
    parser.add_argument(
        "--log", type=Path, default=Path(tempfile.gettempdir()) / "voipnow-bench.log"
    )
    args = parser.parse_args()
    started = time.monotonic()
    print(f"bench: measuring (pytest log: {args.log})", flush=True)
    results = run_benchmarks(args.log)
    results["import_time"] = import_times(ROOT)
    env = environment()
    update_document(args.output, env, results)
    print(
        f"bench: {env['line']} done in {time.monotonic() - started:.0f}s; "
        f"wrote {args.output}"
    )


if __name__ == "__main__":
    main()
