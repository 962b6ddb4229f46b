"""The user documentation says what the code does, and its links lead somewhere.

- Every link of the README and of `docs/` (relative, or absolute to this
  repository on GitHub, as the HACS page needs) names a file that exists and,
  with `#anchor`, a heading of that file.
- The numbers the pages state (intervals, thresholds, limits) are built here
  from the code's constants: changing one without the text fails.
- Every action's fields in `docs/actions.md` are those of `services.yaml`,
  with the same ones required.
Each check also runs on a bad example, so a passing test is not one that
cannot fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
import re
from urllib.parse import parse_qs, unquote, urlsplit

from homeassistant.components import recorder
from homeassistant.util import yaml as yaml_util
import pytest

from custom_components.voipnow import history, history_reads, push, subscriptions
from custom_components.voipnow.api import records as api_records
from custom_components.voipnow.api.const import MAX_START_INDEX
from custom_components.voipnow.api.numbers import MAX_NAME, MAX_NUMBER
from custom_components.voipnow.api.requests import MAX_WAIT_FOR_PICKUP
from custom_components.voipnow.const import (
    DEFAULT_SCAN_INTERVAL,
    EXTENSIONS_REFRESH_INTERVAL,
    MAX_SCAN_INTERVAL_SECONDS,
    MIN_SCAN_INTERVAL_SECONDS,
    PUSH_SCAN_INTERVAL,
)
from custom_components.voipnow.history_actions import MAX_LIMIT
from custom_components.voipnow.services import CALL_HISTORY_SCHEMA

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
PAGES = sorted([ROOT / "README.md", *DOCS.glob("*.md")])
REPOSITORY = "voipnow-ha/voipnow-homeassistant"
# How the HACS page (and GitHub) reach this repository's files on `main`.
ABSOLUTE = re.compile(
    rf"https://(?:github\.com/{REPOSITORY}/(?:blob|tree)/main"
    rf"|raw\.githubusercontent\.com/{REPOSITORY}/main)/(?P<path>[^#?]*)"
)
FENCED = re.compile(r"^[ \t]*```.*?^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(
    r"\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)|<(?P<auto>https://[^>\s]+)>"
)
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$", re.MULTILINE)

NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def prose(path: Path) -> str:
    """Return a page without its code blocks (which hold no links or headings)."""
    return FENCED.sub("", path.read_text(encoding="utf-8"))


def anchor(title: str) -> str:
    """Return the anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Return every anchor of a page, numbered as GitHub numbers repeats."""
    found: set[str] = set()
    for match in HEADING.finditer(prose(path)):
        name = base = anchor(match["title"])
        repeat = 0
        while name in found:
            repeat += 1
            name = f"{base}-{repeat}"
        found.add(name)
    return found


@dataclass(frozen=True)
class Link:
    """One link of a page."""

    page: Path
    target: str

    def __str__(self) -> str:
        """Name the link by its page and target."""
        return f"{self.page.relative_to(ROOT)} -> {self.target}"


def links(page: Path) -> Iterator[Link]:
    """Yield the links of a page."""
    for match in LINK.finditer(prose(page)):
        yield Link(page, match["target"] or match["auto"])


def local_target(link: Link) -> tuple[Path, str] | None:
    """Return the file and anchor a link names in this repository, if any."""
    target = link.target
    if target.startswith("https://my.home-assistant.io/redirect/blueprint_import"):
        # An import badge: the blueprint it imports is one of ours.
        (target,) = parse_qs(urlsplit(target).query)["blueprint_url"]
    if match := ABSOLUTE.match(target):
        path, _, fragment = target.partition("#")
        return ROOT / unquote(match["path"]), fragment
    if re.match(r"[a-z]+:", target):
        return None  # Another site: not ours to check.
    path, _, fragment = target.partition("#")
    return (link.page.parent / unquote(path)).resolve() if path else link.page, fragment


def check_link(link: Link) -> None:
    """Fail when a link names a missing file or a heading its page lacks."""
    found = local_target(link)
    if found is None:
        return
    path, fragment = found
    assert path.exists(), f"{link}: no file {path}"
    if fragment:
        assert path.suffix == ".md", f"{link}: an anchor into {path.name}"
        assert fragment in anchors(path), f"{link}: no heading #{fragment}"


ALL_LINKS = [link for page in PAGES for link in links(page)]


@pytest.mark.parametrize("link", ALL_LINKS, ids=str)
def test_link_leads_somewhere(link: Link) -> None:
    """A link names a file of the repository that exists, and a heading of it."""
    check_link(link)


def test_readme_links_work_from_hacs() -> None:
    """HACS renders the README elsewhere: its links into the repository are absolute."""
    readme = ROOT / "README.md"
    relative = [
        str(link)
        for link in links(readme)
        if not re.match(r"[a-z]+:", link.target) and not link.target.startswith("#")
    ]
    assert relative == []
    # ... and it links every user page.
    linked = {found[0] for link in links(readme) if (found := local_target(link))}
    assert {
        page for page in DOCS.glob("*.md") if page.name != "benchmarks.md"
    } <= linked


def test_readme_fits_a_screen() -> None:
    """The README stays short, with the quick start; the rest lives in docs/."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert "## Quick start" in text


@pytest.mark.parametrize(
    "target",
    [
        "docs/nothing.md",
        "docs/push.md#no-such-heading",
        f"https://github.com/{REPOSITORY}/blob/main/docs/missing.md",
        f"https://github.com/{REPOSITORY}/blob/main/docs/push.md#nowhere",
        (
            "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
            f"https%3A%2F%2Fgithub.com%2F{REPOSITORY.replace('/', '%2F')}%2Fblob%2Fmain"
            "%2Fblueprints%2Fautomation%2Fvoipnow%2Fmissing.yaml"
        ),
    ],
)
def test_broken_link_fails(target: str) -> None:
    """A link to a missing file or heading is caught, relative or absolute."""
    with pytest.raises(AssertionError):
        check_link(Link(ROOT / "README.md", target))


def test_anchor_is_githubs() -> None:
    """Headings become the anchors GitHub makes of them."""
    assert anchor("`event.extension_0003_210_call`") == "eventextension_0003_210_call"
    assert anchor("Voice: Assist and LLM agents") == "voice-assist-and-llm-agents"
    assert (
        anchor("`voipnow.hangup_call`, `voipnow.hold_call`, `voipnow.unhold_call`")
        == "voipnowhangup_call-voipnowhold_call-voipnowunhold_call"
    )


def minutes(seconds: float) -> int:
    """Return a whole number of minutes."""
    assert seconds % 60 == 0
    return int(seconds // 60)


def _history_default(field: str) -> object:
    """Return the default the call history action gives a field."""
    for marker in CALL_HISTORY_SCHEMA.schema:
        if str(marker) == field:
            return marker.default()
    raise KeyError(field)


# What each page states, built from the code's own values.
STATED: list[tuple[str, str]] = [
    (
        "README.md",
        f"up to {DEFAULT_SCAN_INTERVAL.seconds} seconds late",
    ),
    (
        "docs/configuration.md",
        (
            f"*Polling interval*: {MIN_SCAN_INTERVAL_SECONDS} to "
            f"{MAX_SCAN_INTERVAL_SECONDS} seconds (default "
            f"{DEFAULT_SCAN_INTERVAL.seconds})"
        ),
    ),
    (
        "docs/configuration.md",
        "polling slows to once a minute"
        if PUSH_SCAN_INTERVAL.seconds == 60
        else f"polling slows to every {PUSH_SCAN_INTERVAL.seconds} seconds",
    ),
    (
        "docs/configuration.md",
        f"up to {NUMBERS[len(subscriptions.MARKERS)]} call-event subscriptions",
    ),
    (
        "docs/push.md",
        f"polling interval ({DEFAULT_SCAN_INTERVAL.seconds} s by default)",
    ),
    (
        "docs/push.md",
        (
            f"{NUMBERS[push.UNHERALDED_CALLS]} such calls, or one after "
            f"{minutes(push.SILENT_FOR.total_seconds())} minutes without any callback"
        ),
    ),
    (
        "docs/entities.md",
        (
            f"read every {minutes(history.HISTORY_INTERVAL.total_seconds())} minutes, "
            f"and about {history.AFTER_CALL_DELAY:.0f} seconds after a call ends"
        ),
    ),
    ("docs/entities.md", f"up to {history_reads.MAX_WINDOW.days} days are read back"),
    (
        "docs/entities.md",
        f"at most about {MAX_START_INDEX:,} records of a period",
    ),
    (
        "docs/entities.md",
        (
            f"up to {api_records.MAX_CDR_READS} such reads (about "
            f"{api_records.MAX_CDR_READS * MAX_START_INDEX:,} records)"
        ),
    ),
    (
        "docs/entities.md",
        "at most once a minute"
        if EXTENSIONS_REFRESH_INTERVAL.total_seconds() == 60
        else "(the extensions' refresh interval changed)",
    ),
    (
        "docs/entities.md",
        "polling slows to once a minute"
        if PUSH_SCAN_INTERVAL.seconds == 60
        else "(the push polling interval changed)",
    ),
    (
        "docs/security.md",
        f"names cut to {MAX_NAME} characters, numbers to {MAX_NUMBER}",
    ),
    ("docs/security.md", f"the last {history.MAX_REMEMBERED} missed calls"),
    (
        "docs/security.md",
        (
            f"kept {recorder.CONFIG_SCHEMA({'recorder': {}})['recorder']['purge_keep_days']}"
            " days by default"
        ),
    ),
    (
        "docs/actions.md",
        f"How long to ring the extension, 1 to {MAX_WAIT_FOR_PICKUP} seconds.",
    ),
    (
        "docs/actions.md",
        f"1 to {MAX_LIMIT} (default {_history_default('limit')}).",
    ),
]


def flat(text: str) -> str:
    """Join a page's lines, so a phrase may wrap anywhere."""
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("page", "phrase"), STATED, ids=[p for _, p in STATED])
def test_number_stated_is_the_codes(page: str, phrase: str) -> None:
    """A number the docs name is the value the code uses."""
    assert flat(phrase) in flat((ROOT / page).read_text(encoding="utf-8"))


def test_changed_number_fails() -> None:
    """A phrase with another number than the page's is not found."""
    text = flat((DOCS / "push.md").read_text(encoding="utf-8"))
    assert "three such calls" in text
    assert "four such calls" not in text


SECTION = re.compile(r"^## (?P<title>.*)$", re.MULTILINE)
ROW = re.compile(r"^\|(?P<names>[^|]*)\|(?P<required>[^|]*)\|", re.MULTILINE)


def documented_fields(text: str) -> dict[str, dict[str, bool]]:
    """Return each action's fields in actions.md, and whether each is required."""
    found: dict[str, dict[str, bool]] = {}
    parts = SECTION.split(text)
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        actions = re.findall(r"`voipnow\.(\w+)`", title)
        table = body.split("\n\n| Field |", 1)
        if not actions or len(table) < 2:
            continue
        fields: dict[str, bool] = {}
        for row in ROW.finditer(table[1].split("\n\n", 1)[0]):
            for name in re.findall(r"`(\w+)`", row["names"]):
                fields[name] = row["required"].strip() == "yes"
        for action in actions:
            found[action] = fields
    return found


def declared_fields() -> dict[str, dict[str, bool]]:
    """Return each action's fields in services.yaml, and whether each is required."""
    services = yaml_util.load_yaml(
        str(ROOT / "custom_components" / "voipnow" / "services.yaml")
    )
    return {
        action: {
            name: bool((field or {}).get("required"))
            for name, field in (description.get("fields") or {}).items()
        }
        for action, description in services.items()
    }


def test_action_fields_are_services_yaml() -> None:
    """docs/actions.md documents every action with exactly its fields."""
    documented = documented_fields((DOCS / "actions.md").read_text(encoding="utf-8"))
    assert documented == declared_fields()


def test_missing_field_fails() -> None:
    """A field left out of a table, or marked required wrongly, is caught."""
    text = (DOCS / "actions.md").read_text(encoding="utf-8")
    assert (
        documented_fields(
            text.replace("| `wait_for_pickup` | no |", "| `wait_for_pickups` | no |")
        )
        != declared_fields()
    )
    assert (
        documented_fields(
            text.replace("| `phone_call_id` | no |", "| `phone_call_id` | yes |", 1)
        )
        != declared_fields()
    )


def test_demo_logbook_is_the_documented_snippet() -> None:
    """The demo leaves out of the logbook what docs/automations.md tells users to."""
    text = (DOCS / "automations.md").read_text(encoding="utf-8")
    (snippet,) = [
        yaml_util.parse_yaml(block)
        for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
        if block.startswith("logbook:")
    ]
    demo = yaml_util.load_yaml(str(ROOT / "config" / "logbook.yaml"))
    assert snippet == {"logbook": demo}
