"""Benchmarks of the VoipNow integration: `scripts/bench` runs them.

Every figure is a ratio or a count against a baseline measured in the same
run, so that the numbers compare across machines; nothing here asserts a
wall-clock limit. The measurements are pytest files (`bench_*.py`) that reuse
Home Assistant's test harness (a real `hass`, the simulator on loopback);
`python -m benchmarks` runs them, measures import time in subprocesses and
writes `docs/benchmarks.md`.
"""
