"""The rules hassfest and HACS check, applied to our own files.

Neither tool runs here (shared/reference/hacs-and-hassfest.md lists what they
check): these tests apply the documented rules, and each check is also run on
a small bad example, so that a test that passes cannot be one that never fails.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
import json
from pathlib import Path
import re
from string import Formatter
import struct
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "custom_components" / "voipnow"
TRANSLATION_FILES = sorted((PACKAGE / "translations").glob("*.json"))


def _read_json(path: Path) -> Any:
    """Read one JSON file of the repository."""
    return json.loads(path.read_text(encoding="utf-8"))


EN: dict[str, Any] = _read_json(PACKAGE / "translations" / "en.json")
SERVICES: dict[str, Any] = yaml.safe_load(
    (PACKAGE / "services.yaml").read_text(encoding="utf-8")
)


def flatten(strings: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return every text of a translation file by its dotted path."""
    flat: dict[str, Any] = {}
    for key, value in strings.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def placeholders(text: str) -> frozenset[str]:
    """Return the `{names}` a text expects (ValueError if its braces are broken)."""
    return frozenset(
        name for _, name, _, _ in Formatter().parse(text) if name is not None
    )


# --- Every translated text: hassfest's checks of a string ---------------------

# `scheme://...` or `www.host.tld`, even inside backticks.
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://|\bwww\.[a-z0-9-]+\.[a-z]", re.IGNORECASE)
HTML_TAG = re.compile(r"</?[a-z][^<>]*>", re.IGNORECASE)
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
REFERENCE = re.compile(r"\[%key:[^%]+%\]")


def text_problems(text: Any) -> list[str]:
    """Say what hassfest would reject in one translated text."""
    if not isinstance(text, str):
        return ["not a string"]
    problems: list[str] = []
    if URL.search(text):
        problems.append("a URL: put it in a description placeholder")
    if HTML_TAG.search(text):
        problems.append("HTML")
    if text != text.strip():
        problems.append("leading or trailing spaces")
    if QUOTED_PLACEHOLDER.search(text):
        problems.append("a placeholder in single quotes")
    try:
        if not all(name.isidentifier() for name in placeholders(text)):
            problems.append("a placeholder that is not an identifier")
    except ValueError:
        problems.append("unbalanced braces")
    if (found := REFERENCE.search(text)) and found.group() != text:
        problems.append("a reference combined with other text")
    return problems


def translation_problems(strings: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return what hassfest would reject in a translation file, by text."""
    return {
        path: problems
        for path, text in flatten(strings).items()
        if (problems := text_problems(text))
    }


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=lambda path: path.name)
def test_translation_texts(path: Path) -> None:
    """No text holds a URL, HTML, stray spaces or a malformed placeholder."""
    assert translation_problems(_read_json(path)) == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # config.step.user.data_description.url before the URL became
        # the {example_url} placeholder (commit 10b79e1).
        (
            (
                "The address you open the VoipNow panel with, for example "
                "`https://voip.example.com`."
            ),
            "a URL",
        ),
        ("See www.voipnow.com for the manual.", "a URL"),
        ("Open http://192.168.1.10:8080/panel first.", "a URL"),
        ("Use the <b>trusted</b> App.", "HTML"),
        ("One line<br/>and another.", "HTML"),
        (" Leading space.", "spaces"),
        ("Trailing space. ", "spaces"),
        ("The name '{name}' is taken.", "single quotes"),
        ("Call {0} failed.", "not an identifier"),
        ("Call {phone_call_id failed.", "unbalanced braces"),
        ("[%key:common::state::on%] or not", "a reference combined"),
    ],
)
def test_text_check_catches(text: str, problem: str) -> None:
    """The text check finds each kind of text hassfest rejects."""
    found = translation_problems(
        {"config": {"step": {"user": {"data_description": {"url": text}}}}}
    )

    assert list(found) == ["config.step.user.data_description.url"]
    assert any(problem in message for message in next(iter(found.values())))


@pytest.mark.parametrize(
    "text",
    [
        "The address you open the VoipNow panel with, for example `{example_url}`.",
        "The caller ID to show, such as `Home <5551234>`.",
        "Settings → System → Network",
        "[%key:common::state::on%]",
    ],
)
def test_text_check_accepts(text: str) -> None:
    """Placeholders, `<number>` and references alone are fine."""
    assert text_problems(text) == []


# --- Every language has the keys and placeholders of English --------------


def key_problems(
    english: Mapping[str, Any], translated: Mapping[str, Any]
) -> list[str]:
    """Compare a translation with English: keys, then placeholders per text."""
    ours, theirs = flatten(english), flatten(translated)
    problems = [f"missing {key}" for key in sorted(ours.keys() - theirs.keys())]
    problems += [f"extra {key}" for key in sorted(theirs.keys() - ours.keys())]
    for key in sorted(ours.keys() & theirs.keys()):
        try:
            wanted, given = placeholders(ours[key]), placeholders(theirs[key])
        except (AttributeError, ValueError):
            continue  # test_translation_texts reports it
        if wanted != given:
            problems.append(
                f"placeholders of {key}: {sorted(given)} != {sorted(wanted)}"
            )
    return problems


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=lambda path: path.name)
def test_same_keys_as_english(path: Path) -> None:
    """Every language has exactly the keys of en.json, with its placeholders."""
    assert key_problems(EN, _read_json(path)) == []


def test_key_check_catches() -> None:
    """The comparison finds missing and extra keys and changed placeholders."""
    english = {
        "config": {"step": {"user": {"title": "Connect", "description": "Enter"}}},
        "exceptions": {"down": {"message": "Error: {error}"}},
    }
    german = {
        "config": {"step": {"user": {"title": "Verbinden", "submit": "OK"}}},
        "exceptions": {"down": {"message": "Fehler: {fehler}"}},
    }

    assert key_problems(english, german) == [
        "missing config.step.user.description",
        "extra config.step.user.submit",
        "placeholders of exceptions.down.message: ['fehler'] != ['error']",
    ]


# --- Placeholders are filled by the code -------------------------------------

# errors.py builds translated errors with these: `validation_error("key", name=...)`.
RAISE_HELPERS = frozenset({"validation_error", "runtime_error"})
# Placeholders the scan cannot see being filled, by text, each with the reason.
NOT_SEEN_BY_THE_SCAN: dict[str, frozenset[str]] = {
    # api/numbers.py `validate_mailbox(field, number)` raises it for the field
    # it is given, api/client.py gives `send_call_to` (the only mailbox
    # field), and actions.py names the placeholder after `err.field`.
    "exceptions.voicemail_needs_extension.message": frozenset({"send_call_to"}),
    # select.py names each agent's select in its __init__
    # (`_attr_translation_placeholders = {"agent": ...}`), one per agent.
    "entity.select.agent_status.name": frozenset({"agent"}),
    # queue_actions.py maps QueueAgents error codes to (key, field) pairs;
    # errors.py `pbx_errors` raises `validation_error(key, field=field)`.
    "exceptions.queue_invalid.message": frozenset({"field"}),
    "exceptions.status_invalid.message": frozenset({"field"}),
    "exceptions.qag_agent_invalid.message": frozenset({"field"}),
}
# Helpers taking a key and filling the same placeholders whatever the key
# (errors.py `update_errors(key)` fills `{error}`).
FILLING_HELPERS: dict[str, frozenset[str]] = {"update_errors": frozenset({"error"})}
# Helpers that fill placeholders of their own, whatever their caller passes:
# `issues.async_set_issue` names the entry (`title`) in every repair issue.
SELF_FILLING_CALLS: dict[str, frozenset[str]] = {
    "async_set_issue": frozenset({"title"})
}


@dataclass(frozen=True)
class Use:
    """One place in the code that names a translation and fills placeholders."""

    module: str
    # exceptions, issues, device, entity.<platform>, config.step, options.abort...
    section: str
    # None: the key is chosen at run time.
    key: str | None
    # None: the placeholders are not a literal dict.
    given: frozenset[str] | None


def parse_package(package: Path = PACKAGE) -> dict[str, ast.Module]:
    """Parse every module of the integration, by path inside the package."""
    return {
        path.relative_to(package).as_posix(): ast.parse(
            path.read_text(encoding="utf-8")
        )
        for path in sorted(package.rglob("*.py"))
    }


def _strings(node: ast.expr | None) -> list[str]:
    """Return the literal strings an expression can be (`"a" if x else "b"`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _func_name(call: ast.Call) -> str:
    """Return the called function's last name (`ir.async_create_issue` -> ...)."""
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str, dict[str, ast.expr]]]:
    """Yield every call with its function's name and its named arguments."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield (
                node,
                _func_name(node),
                {kw.arg: kw.value for kw in node.keywords if kw.arg},
            )


def _literal_keys(
    node: ast.expr | None, names: Mapping[str, frozenset[str]]
) -> frozenset[str] | None:
    """Return the keys of a literal dict (or of a module constant holding one)."""
    if node is None:
        return frozenset()
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.Dict) and all(
        key is not None and _strings(key) for key in node.keys
    ):
        return frozenset(_strings(key)[0] for key in node.keys if key is not None)
    return None


def _dict_constants(tree: ast.Module) -> dict[str, frozenset[str]]:
    """Return the module's `NAME = {"a": ...}` constants, by name."""
    found: dict[str, frozenset[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            keys = _literal_keys(node.value, {})
            if (
                isinstance(target, ast.Name)
                and isinstance(node.value, ast.Dict)
                and keys
            ):
                found[target.id] = keys
    return found


def _flow_uses(module: str, tree: ast.Module) -> Iterator[Use]:
    """Find the forms and aborts of the config and options flows."""
    constants = _dict_constants(tree)
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        bases = {base.id for base in cls.bases if isinstance(base, ast.Name)}
        section = "config" if "ConfigFlow" in bases else "options"
        if not bases & {"ConfigFlow", "OptionsFlow"}:
            continue
        for _, name, keywords in _calls(cls):
            given = _literal_keys(keywords.get("description_placeholders"), constants)
            if name in ("async_show_form", "async_show_menu"):
                for step in _strings(keywords.get("step_id")):
                    yield Use(module, f"{section}.step", step, given)
            elif name == "async_abort":
                for reason in _strings(keywords.get("reason")):
                    yield Use(module, f"{section}.abort", reason, given)


def translation_uses(modules: Mapping[str, ast.Module]) -> list[Use]:
    """Find every place that names a translation, and what it fills in."""
    uses: list[Use] = []
    for module, tree in modules.items():
        uses.extend(_flow_uses(module, tree))
        for call, name, keywords in _calls(tree):
            if name in FILLING_HELPERS:
                uses += [
                    Use(module, "exceptions", key, FILLING_HELPERS[name])
                    for key in (_strings(call.args[0]) if call.args else [])
                ]
                continue
            if name in RAISE_HELPERS:
                given = frozenset(keywords)
                if any(kw.arg is None for kw in call.keywords):
                    given = None  # **{err.field: ...}
                keys = _strings(call.args[0]) if call.args else []
                uses += [
                    Use(module, "exceptions", key, given) for key in keys or [None]
                ]
                continue
            if "translation_key" not in keywords:
                continue
            filled = keywords.get(
                "translation_placeholders", keywords.get("placeholders")
            )
            given = _literal_keys(filled, {})
            if name.endswith("EntityDescription"):
                section = f"entity.{Path(module).stem}"
            elif name == "async_create_issue":
                section = "issues"
            elif name in ("DeviceInfo", "async_get_or_create"):
                section = "device"
            elif "translation_domain" in keywords:
                section = "exceptions"
            else:
                continue
            keys = _strings(keywords["translation_key"])
            uses += [Use(module, section, key, given) for key in keys or [None]]
    return uses


def _words(tree: ast.Module) -> frozenset[str]:
    """Return the string constants and argument names of a module."""
    words: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.add(node.value)
        elif isinstance(node, ast.keyword) and node.arg:
            words.add(node.arg)
        elif isinstance(node, ast.Call):
            words |= SELF_FILLING_CALLS.get(_func_name(node), frozenset())
    return frozenset(words)


def _where_used(path: str) -> tuple[str, str] | None:
    """Return the section and key whose code fills a text's placeholders."""
    parts = path.split(".")
    if parts[0] in ("exceptions", "issues", "device"):
        return parts[0], parts[1]
    if parts[0] == "entity":
        return f"entity.{parts[1]}", parts[2]
    if parts[0] in ("config", "options") and parts[1] in ("step", "abort"):
        return f"{parts[0]}.{parts[1]}", parts[2]
    if parts[0] in ("config", "options") and parts[1] == "error":
        # An error shows on a form: any form of that flow may fill it.
        return f"{parts[0]}.step", ""
    return None


def placeholder_problems(
    strings: Mapping[str, Any], modules: Mapping[str, ast.Module]
) -> list[str]:
    """Say which placeholders of the texts no code fills in."""
    uses = translation_uses(modules)
    words = {module: _words(tree) for module, tree in modules.items()}
    problems: list[str] = []
    for path, text in flatten(strings).items():
        wanted = placeholders(text) - NOT_SEEN_BY_THE_SCAN.get(path, frozenset())
        if not wanted:
            continue
        where = _where_used(path)
        if where is None:
            # Texts the code reads by section (the logbook's `common`): a
            # module naming the section must pass every placeholder by name.
            section = path.split(".")[0]
            if not any(
                section in found and wanted <= found for found in words.values()
            ):
                problems.append(f"{path}: no code fills {sorted(wanted)}")
            continue
        section, key = where
        sites = [use for use in uses if use.section == section and key in (use.key, "")]
        if key == "":
            # Errors: one form of the flow gives them all.
            if not any(use.given is None or wanted <= use.given for use in sites):
                problems.append(f"{path}: no form fills {sorted(wanted)}")
            continue
        if sites:
            problems += [
                f"{path}: {use.module} fills {sorted(use.given)}, not {sorted(wanted)}"
                for use in sites
                if use.given is not None and not wanted <= use.given
            ]
            if all(use.given is not None for use in sites):
                continue
        # Chosen at run time (a dict of API error codes, `err.reason`): a
        # module that names the key must also name every placeholder.
        if not any(key in found and wanted <= found for found in words.values()):
            problems.append(f"{path}: no code fills {sorted(wanted)}")
    return problems


MODULES = parse_package()
USES = translation_uses(MODULES)


def test_placeholders_are_filled() -> None:
    """Every placeholder of en.json is one the code passes for that text."""
    assert placeholder_problems(EN, MODULES) == []


def test_scan_finds_the_code() -> None:
    """The scan sees each kind of use in our code (a guard for the scan itself)."""
    found: defaultdict[tuple[str, str | None], set[frozenset[str] | None]]
    found = defaultdict(set)
    for use in USES:
        found[use.section, use.key].add(use.given)

    assert {"field", "value"} in found[("exceptions", "invalid_field")]
    assert {"error"} in found[("exceptions", "update_failed")]
    # `_error(err.reason, **{err.field: ...})`: filled at run time.
    assert None in found[("exceptions", None)]
    assert {"target"} in found[("entity.button", "transfer_to")]
    assert {"number"} in found[("device", "extension")]
    # push_url.py passes `{"title": ..., **values}`: filled at run time.
    assert None in found[("issues", None)]
    assert {"example_url"} in found[("config.step", "user")]
    assert {"client_id", "url"} in found[("config.step", "reauth_confirm")]
    assert frozenset() in found[("options.step", "init")]
    assert frozenset() in found[("options.step", "transfer_targets")]


BAD_CODE = {
    "actions.py": """
def act(err):
    raise validation_error("no_active_call", extension=extension)
    raise runtime_error("cannot_connect")
    raise validation_error(err.reason, **{err.field: str(err.value)})
""",
    "api/client.py": """
raise VoipNowInvalidInputError("send_call_to", number, "voicemail_needs_extension")
""",
    "config_flow.py": """
EXAMPLE = {"example_url": "https://voip.example.com"}

class Flow(ConfigFlow):
    async def async_step_user(self, user_input=None):
        return self.async_show_form(step_id="user", errors=errors)

    async def async_step_reconfigure(self, user_input=None):
        return self.async_show_form(
            step_id="reconfigure", description_placeholders=EXAMPLE
        )
""",
    "sensor.py": """
CALLS = SensorEntityDescription(key="call_state", translation_key="call_state")
""",
    "logbook.py": """
text = _translate(hass, "common", "logbook_missed", caller=caller)
""",
}
BAD_STRINGS = {
    "config": {
        "step": {
            "user": {"data_description": {"url": "For example `{example_url}`."}},
            "reconfigure": {
                "data_description": {"url": "For example `{example_url}`."}
            },
        },
        "error": {"cannot_connect": "No answer from {host}."},
    },
    "entity": {"sensor": {"call_state": {"name": "Calls of {number}"}}},
    "exceptions": {
        "no_active_call": {"message": "{extension} has no call {phone_call_id}."},
        "cannot_connect": {"message": "Could not reach the PBX: {error}"},
        "voicemail_needs_extension": {"message": "Not a public number: {send_call_to}"},
        "never_raised": {"message": "Nobody fills {this}."},
    },
    "common": {"logbook_missed": "Missed call from {caller} at {time}"},
}


def test_placeholder_check_catches() -> None:
    """The scan reports placeholders the code does not fill, and only those."""
    modules = {module: ast.parse(source) for module, source in BAD_CODE.items()}

    assert placeholder_problems(BAD_STRINGS, modules) == [
        (
            "config.step.user.data_description.url: config_flow.py fills [], "
            "not ['example_url']"
        ),
        "config.error.cannot_connect: no form fills ['host']",
        "entity.sensor.call_state.name: sensor.py fills [], not ['number']",
        (
            "exceptions.no_active_call.message: actions.py fills ['extension'], "
            "not ['extension', 'phone_call_id']"
        ),
        "exceptions.cannot_connect.message: actions.py fills [], not ['error']",
        "exceptions.never_raised.message: no code fills ['this']",
        "common.logbook_missed: no code fills ['caller', 'time']",
    ]


# --- Every key the code names has a text --------------------------------------


def _flow_error_keys(modules: Mapping[str, ast.Module]) -> set[str]:
    """Find the errors the flows can show: `{"base": "x"}`, `{CONF_URL: "x"}`."""
    found: set[str] = set()
    for module in ("config_flow.py", "options_flow.py"):
        for node in ast.walk(modules[module]):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (isinstance(key, ast.Name) and key.id.startswith("CONF_")) or (
                        isinstance(key, ast.Constant) and key.value == "base"
                    ):
                        found.update(_strings(value))
            elif isinstance(node, ast.Call) and _func_name(node) == "_TargetError":
                found.update(_strings(node.args[1]) if len(node.args) == 2 else [])
    return found


def missing_texts(strings: Mapping[str, Any], uses: list[Use]) -> list[str]:
    """Say which keys the code names that have no text in en.json."""
    texts = flatten(strings)
    missing = []
    for use in uses:
        if use.key is None:
            continue
        name = f"{use.section}.{use.key}"
        if not any(path == name or path.startswith(f"{name}.") for path in texts):
            missing.append(f"{use.module}: {name}")
    return missing


def test_used_keys_have_texts() -> None:
    """Every exception, issue, device, entity and step the code names has a text."""
    assert {use.section for use in USES} >= {
        "device",
        "entity.sensor",
        "exceptions",
        "config.step",
        "options.step",
    }
    assert missing_texts(EN, USES) == []
    errors = _flow_error_keys(MODULES)
    assert {"invalid_auth", "insecure_url", "target_exists"} <= errors
    assert (
        sorted(errors - EN["config"]["error"].keys() - EN["options"]["error"].keys())
        == []
    )


def test_missing_text_check_catches() -> None:
    """A key raised without a text is reported."""
    uses = translation_uses(
        {"actions.py": ast.parse('raise validation_error("no_such_text", extension=x)')}
    )

    assert missing_texts(EN, uses) == ["actions.py: exceptions.no_such_text"]


# --- Entity translation keys -------------------------------------------------


def entity_key_problems(strings: Mapping[str, Any], uses: list[Use]) -> list[str]:
    """Say which entity descriptions name a translation key en.json lacks."""
    return [
        f"{use.module}: entity.{platform}.{use.key}"
        for use in uses
        if use.section.startswith("entity.")
        and (platform := use.section.removeprefix("entity."))
        and use.key not in strings.get("entity", {}).get(platform, {})
    ]


def test_entity_translation_keys_exist() -> None:
    """Every entity description's translation key is in en.json on its platform."""
    assert [use for use in USES if use.section.startswith("entity.")]
    assert entity_key_problems(EN, USES) == []


def test_entity_key_check_catches() -> None:
    """A description naming a key of another platform, or none, is reported."""
    uses = translation_uses(
        {
            "sensor.py": ast.parse(
                'A = SensorEntityDescription(key="a", translation_key="registered")\n'
                'B = SensorEntityDescription(key="b", translation_key="call_state")'
            )
        }
    )

    assert entity_key_problems(EN, uses) == ["sensor.py: entity.sensor.registered"]


def test_every_exception_is_raised() -> None:
    """Every exception message is raised somewhere, by name or from a table."""
    raised = {use.key for use in USES if use.section == "exceptions"}
    words = frozenset().union(*(_words(tree) for tree in MODULES.values()))

    assert [key for key in EN["exceptions"] if key not in raised | words] == []


# --- Actions: services.yaml and the translations -------------------------------


def service_problems(
    services: Mapping[str, Any], strings: Mapping[str, Any]
) -> list[str]:
    """Compare the actions and fields of services.yaml with their texts."""
    texts = strings.get("services", {})
    problems = [
        f"no texts for {name}" for name in sorted(services.keys() - texts.keys())
    ]
    problems += [
        f"texts of a missing action {name}"
        for name in sorted(texts.keys() - services.keys())
    ]
    for name in sorted(services.keys() & texts.keys()):
        text = texts[name]
        problems += [
            f"{name}: no {part}"
            for part in ("name", "description")
            if not text.get(part)
        ]
        fields = (services[name] or {}).get("fields", {})
        field_texts = text.get("fields", {})
        problems += [
            f"{name}.{field}: no texts"
            for field in sorted(fields.keys() - field_texts.keys())
        ]
        problems += [
            f"{name}.{field}: not in services.yaml"
            for field in sorted(field_texts.keys() - fields.keys())
        ]
        problems += [
            f"{name}.{field}: no {part}"
            for field in sorted(fields.keys() & field_texts.keys())
            for part in ("name", "description")
            if not field_texts[field].get(part)
        ]
    return problems


def test_services_match_their_texts() -> None:
    """services.yaml and en.json describe the same actions and fields."""
    assert SERVICES
    assert service_problems(SERVICES, EN) == []


def test_service_check_catches() -> None:
    """Missing actions, fields and texts are reported on both sides."""
    services = {
        "hangup_call": {"fields": {"extension": {}, "phone_call_id": {}}},
        "hold_call": {"fields": {}},
    }
    strings = {
        "services": {
            "hangup_call": {
                "name": "Hang up call",
                "fields": {
                    "extension": {"name": "Extension"},
                    "user_id": {"name": "User ID", "description": "Who"},
                },
            },
            "park_call": {"name": "Park", "description": "Parks"},
        }
    }

    assert service_problems(services, strings) == [
        "no texts for hold_call",
        "texts of a missing action park_call",
        "hangup_call: no description",
        "hangup_call.phone_call_id: no texts",
        "hangup_call.user_id: not in services.yaml",
        "hangup_call.extension: no description",
    ]


# --- icons.json ---------------------------------------------------------------

# Platforms whose states are on/off whatever the translations say.
ON_OFF_PLATFORMS = frozenset({"binary_sensor", "switch"})


def icon_problems(
    icons: Mapping[str, Any], strings: Mapping[str, Any], services: Mapping[str, Any]
) -> list[str]:
    """Say which icons name an entity, state or action that does not exist."""
    problems: list[str] = []
    for platform, entities in icons.get("entity", {}).items():
        for key, icon in entities.items():
            where = f"entity.{platform}.{key}"
            texts = strings.get("entity", {}).get(platform, {}).get(key)
            if texts is None:
                problems.append(f"{where}: no such entity translation")
                continue
            if "default" not in icon:
                problems.append(f"{where}: no default icon")
            states = set(texts.get("state", {}))
            if platform in ON_OFF_PLATFORMS:
                states |= {"on", "off"}
            problems += [
                f"{where}: no state {state}"
                for state in sorted(set(icon.get("state", {})) - states)
            ]
            for attribute, attribute_icons in icon.get("state_attributes", {}).items():
                known = (
                    texts.get("state_attributes", {})
                    .get(attribute, {})
                    .get("state", {})
                )
                problems += [
                    f"{where}.{attribute}: no state {state}"
                    for state in sorted(
                        set(attribute_icons.get("state", {})) - set(known)
                    )
                ]
    for action, icon in icons.get("services", {}).items():
        if action not in services:
            problems.append(f"services.{action}: not in services.yaml")
        elif "service" not in icon:
            problems.append(f"services.{action}: no icon")
    return problems


def test_icons_name_what_exists() -> None:
    """Every icon is for an existing entity key, state, or action."""
    icons = _read_json(PACKAGE / "icons.json")

    assert icon_problems(icons, EN, SERVICES) == []


def test_icon_check_catches() -> None:
    """Icons of unknown entities, states and actions are reported."""
    icons = {
        "entity": {
            "sensor": {
                "call_state": {
                    "default": "mdi:phone",
                    "state": {"parked": "mdi:parking"},
                },
                "ghost": {"default": "mdi:ghost"},
            },
            "binary_sensor": {"registered": {"state": {"off": "mdi:phone-off"}}},
            "event": {
                "call": {
                    "default": "mdi:phone-log",
                    "state_attributes": {"outcome": {"state": {"lost": "mdi:help"}}},
                }
            },
        },
        "services": {"bark_call": {"service": "mdi:dog"}, "hangup_call": {}},
    }

    assert icon_problems(icons, EN, SERVICES) == [
        "entity.sensor.call_state: no state parked",
        "entity.sensor.ghost: no such entity translation",
        "entity.binary_sensor.registered: no default icon",
        "entity.event.call.outcome: no state lost",
        "services.bark_call: not in services.yaml",
        "services.hangup_call: no icon",
    ]


# --- manifest.json and hacs.json ---------------------------------------------------

HACS_MANIFEST_KEYS = (
    "domain",
    "documentation",
    "issue_tracker",
    "codeowners",
    "name",
    "version",
)
# hassfest's manifest schema for a custom integration: anything else is rejected.
MANIFEST_KEYS = frozenset(
    {
        *HACS_MANIFEST_KEYS,
        "after_dependencies",
        "bluetooth",
        "config_flow",
        "dependencies",
        "dhcp",
        "disabled",
        "homekit",
        "import_executor",
        "integration_type",
        "iot_class",
        "loggers",
        "mqtt",
        "quality_scale",
        "requirements",
        "single_config_entry",
        "ssdp",
        "usb",
        "zeroconf",
    }
)
INTEGRATION_TYPES = frozenset(
    {"device", "entity", "hardware", "helper", "hub", "service", "system", "virtual"}
)
IOT_CLASSES = frozenset(
    {
        "assumed_state",
        "calculated",
        "cloud_polling",
        "cloud_push",
        "local_polling",
        "local_push",
    }
)
# SemVer or CalVer, as HACS compares versions.
VERSION = re.compile(r"^\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?$")


def manifest_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Say what hassfest or HACS would reject in a custom integration's manifest."""
    problems = [f"no {key}" for key in HACS_MANIFEST_KEYS if not manifest.get(key)]
    problems += [
        f"unknown key {key}" for key in sorted(manifest.keys() - MANIFEST_KEYS)
    ]
    keys = list(manifest)
    if keys != ["domain", "name", *sorted(set(keys) - {"domain", "name"})]:
        problems.append("keys not ordered: domain, name, then alphabetically")
    if manifest.get("config_flow") is not True:
        problems.append("config_flow is not true")
    if manifest.get("integration_type") not in INTEGRATION_TYPES:
        problems.append("no valid integration_type")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("no valid iot_class")
    if not VERSION.match(str(manifest.get("version", ""))):
        problems.append("version is not SemVer or CalVer")
    problems += [
        f"{key} is not an https URL"
        for key in ("documentation", "issue_tracker")
        if not str(manifest.get(key, "")).startswith("https://")
    ]
    codeowners = manifest.get("codeowners")
    if not isinstance(codeowners, list) or not all(
        isinstance(owner, str) and owner.startswith("@") for owner in codeowners
    ):
        problems.append("codeowners is not a list of @names")
    return problems


def test_manifest() -> None:
    """The manifest has what HACS needs, in the order hassfest wants."""
    manifest = _read_json(PACKAGE / "manifest.json")

    assert manifest["domain"] == PACKAGE.name
    assert (PACKAGE / "config_flow.py").is_file()
    assert manifest_problems(manifest) == []


def test_manifest_check_catches() -> None:
    """A manifest missing keys, out of order or with unknown keys is reported."""
    manifest = {
        "name": "VoipNow",
        "domain": "voipnow",
        "codeowners": "voipnow-ha",
        "documentation": "http://example.invalid/voipnow",
        "iot_class": "push",
        "homeassistant": "2025.4.0",
        "version": "one",
    }

    assert manifest_problems(manifest) == [
        "no issue_tracker",
        "unknown key homeassistant",
        "keys not ordered: domain, name, then alphabetically",
        "config_flow is not true",
        "no valid integration_type",
        "no valid iot_class",
        "version is not SemVer or CalVer",
        "documentation is not an https URL",
        "issue_tracker is not an https URL",
        "codeowners is not a list of @names",
    ]


HACS_KEYS = frozenset(
    {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
        "render_readme",
    }
)


def hacs_problems(hacs: Mapping[str, Any]) -> list[str]:
    """Say what HACS would reject in hacs.json."""
    problems = [] if hacs.get("name") else ["no name"]
    return problems + [f"unknown key {key}" for key in sorted(hacs.keys() - HACS_KEYS)]


def test_hacs_json() -> None:
    """hacs.json has a name and only keys HACS accepts."""
    assert hacs_problems(_read_json(ROOT / "hacs.json")) == []


def test_hacs_check_catches() -> None:
    """A hacs.json without a name or with unknown keys is reported."""
    assert hacs_problems({"domains": ["event"], "iot_class": "cloud_push"}) == [
        "no name",
        "unknown key domains",
        "unknown key iot_class",
    ]


# --- Brand images --------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Exact sizes of icons; the allowed range of a logo's shorter side.
ICON_SIZES = {"icon.png": 256, "icon@2x.png": 512}
LOGO_SHORT_SIDE = {"logo.png": (128, 256), "logo@2x.png": (256, 512)}


def png_size(data: bytes) -> tuple[int, int]:
    """Read width and height from a PNG's header (its first chunk is IHDR)."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def brand_problems(images: Mapping[str, bytes]) -> list[str]:
    """Say which brand images are missing, unknown, or of the wrong size."""
    problems = [] if "icon.png" in images else ["no icon.png"]
    for name, data in sorted(images.items()):
        kind = name.removeprefix("dark_")
        try:
            width, height = png_size(data)
        except ValueError:
            problems.append(f"{name}: not a PNG")
            continue
        if kind in ICON_SIZES:
            if (width, height) != (ICON_SIZES[kind],) * 2:
                problems.append(
                    f"{name}: {width}x{height}, not {ICON_SIZES[kind]} square"
                )
        elif kind in LOGO_SHORT_SIDE:
            low, high = LOGO_SHORT_SIDE[kind]
            if not low <= min(width, height) <= high:
                problems.append(
                    f"{name}: shorter side {min(width, height)}, not {low} to {high}"
                )
        else:
            problems.append(f"{name}: not a brand image name")
    return problems


def test_brand_images() -> None:
    """The brand images have the names and sizes the brands rules ask for."""
    images = {path.name: path.read_bytes() for path in (PACKAGE / "brand").iterdir()}

    assert {"icon.png", "icon@2x.png", "logo.png", "logo@2x.png"} <= images.keys()
    assert brand_problems(images) == []


def _png(width: int, height: int) -> bytes:
    """Build the start of a PNG of a size (all that the check reads)."""
    return PNG_SIGNATURE + struct.pack(">I4sII", 13, b"IHDR", width, height) + bytes(5)


def test_brand_check_catches() -> None:
    """Wrong sizes, names and formats are reported; a missing icon too."""
    images = {
        "icon@2x.png": _png(512, 500),
        "dark_icon.png": _png(128, 128),
        "logo.png": _png(493, 100),
        "logo@2x.png": _png(986, 256),
        "dark_logo@2x.png": _png(1200, 600),
        "banner.png": _png(256, 128),
        "logo.jpg": b"\xff\xd8\xff\xe0",
    }

    assert png_size(_png(493, 128)) == (493, 128)
    assert brand_problems(images) == [
        "no icon.png",
        "banner.png: not a brand image name",
        "dark_icon.png: 128x128, not 256 square",
        "dark_logo@2x.png: shorter side 600, not 256 to 512",
        "icon@2x.png: 512x500, not 512 square",
        "logo.jpg: not a PNG",
        "logo.png: shorter side 100, not 128 to 256",
    ]


# --- Changelog and version -----------------------------------------------------

RELEASE_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?$", re.M)


def changelog_problems(changelog: str, version: str) -> list[str]:
    """Say where the changelog and the manifest's version disagree.

    Keep a Changelog: an `Unreleased` section first, then releases newest
    first with an ISO date, each with a link reference; the newest release is
    the manifest's version.
    """
    headings = [(m["version"], m["date"]) for m in RELEASE_HEADING.finditer(changelog)]
    problems: list[str] = []
    if not headings or headings[0][0] != "Unreleased":
        problems.append("no Unreleased section first")
    releases = [(v, d) for v, d in headings if v != "Unreleased"]
    if not releases or releases[0][0] != version:
        problems.append(f"newest release is not {version}")
    for found, date in releases:
        if date is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            problems.append(f"{found} has no ISO date")
    for found, _ in headings:
        if not re.search(rf"^\[{re.escape(found)}\]: https://", changelog, re.M):
            problems.append(f"no link for {found}")
    return problems


def test_changelog_matches_the_manifest() -> None:
    """CHANGELOG.md's newest release is the version manifest.json ships."""
    version = _read_json(PACKAGE / "manifest.json")["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")

    assert changelog_problems(changelog, version) == []


def test_changelog_check_catches() -> None:
    """A missing Unreleased section, a stale version, a missing date or link."""
    changelog = "# Changelog\n\n## [0.1.0]\n\n[0.1.0]: https://example.invalid\n"

    assert changelog_problems(changelog, "0.2.0") == [
        "no Unreleased section first",
        "newest release is not 0.2.0",
        "0.1.0 has no ISO date",
    ]
