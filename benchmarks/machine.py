"""What a run measured on: the machine, the software versions, the commit."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version
import os
from pathlib import Path
import platform
import re
import subprocess

# Names the commit measured when the tree is not a git checkout.
COMMIT_ENV = "VOIPNOW_BENCH_COMMIT"


def cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo, else what platform knows."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "unknown"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(  # noqa: S603 - git, fixed arguments
        ["git", *args],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def commit(root: Path) -> str:
    """Name the commit measured (`git rev-parse HEAD`), and local changes."""
    if named := os.environ.get(COMMIT_ENV):
        return named
    try:
        head = _git(root, "rev-parse", "HEAD")
        changed = _git(root, "status", "--porcelain", "--", "custom_components")
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
