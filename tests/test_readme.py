"""Every YAML example of the README and of the pages of docs/ is valid.

Automations pass Home Assistant's own automation validation, action
sequences its script validation, and every `voipnow.*` action call the schema
the integration registers for that action (a template is left as a string, so
only the field it fills is checked). `recorder:`, `logbook:` and `logger:` snippets pass
those integrations' schemas; dashboard cards at least parse. Each check also
runs on a small bad example, so a test that passes cannot be one that never
fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
import re
import textwrap
from typing import Any

from homeassistant.components import logbook, logger, recorder
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, script, template
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest

from custom_components.voipnow import services
from custom_components.voipnow.call_features import CALL_FEATURES
from custom_components.voipnow.const import DOMAIN
from custom_components.voipnow.validation import vol

ROOT = Path(__file__).parents[1]
# The README and every page of docs/.
DOCUMENTS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
# A fenced block, indented or not (a list item may hold one).
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```yaml[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
# The schema each action is registered with (checked against the registry below).
SCHEMAS: dict[str, Any] = {
    services.SERVICE_TRANSFER_CALL: services.TRANSFER_CALL_SCHEMA,
    services.SERVICE_MAKE_CALL: services.MAKE_CALL_SCHEMA,
    services.SERVICE_HANGUP_CALL: services._CALL_SCHEMA,
    services.SERVICE_CLEAR_MISSED_CALLS: services.CLEAR_MISSED_SCHEMA,
    services.SERVICE_GET_CALL_HISTORY: services.CALL_HISTORY_SCHEMA,
    services.SERVICE_SET_QUEUE_AGENT_STATUS: services.QUEUE_AGENT_SCHEMA,
    services.SERVICE_RELOAD_PHONEBOOK: services.RELOAD_PHONEBOOK_SCHEMA,
    # Hold, unhold, park, pick up, record, listen in: the call actions' table.
    **{feature.service: feature.schema for feature in CALL_FEATURES},
}
# Configuration snippets, by their top-level key, and the schema that checks them.
CONFIGURATION: dict[str, Any] = {
    "logbook": logbook.CONFIG_SCHEMA,
    "logger": logger.CONFIG_SCHEMA,
    "recorder": recorder.CONFIG_SCHEMA,
}
# The keys a dashboard card or an automation action names an action under.
ACTION_KEYS = ("action", "perform_action", "service")


class InvalidExampleError(Exception):
    """A documented example that Home Assistant or the integration refuses."""


@dataclass(frozen=True)
class Example:
    """One fenced YAML block of a document."""

    document: str
    line: int
    text: str

    def __str__(self) -> str:
        """Name the block by where it starts."""
        return f"{self.document}:{self.line}"


def examples(path: Path) -> list[Example]:
    """Return the fenced YAML blocks of one document, dedented."""
    text = path.read_text(encoding="utf-8")
    return [
        Example(
            document=str(path.relative_to(ROOT)),
            line=text.count("\n", 0, match.start()) + 1,
            text=textwrap.dedent(match["body"]),
        )
        for match in FENCE.finditer(text)
    ]


EXAMPLES = [example for path in DOCUMENTS for example in examples(path)]


def kind_of(value: Any) -> str:
    """Tell what an example is: automations, actions, a card or configuration."""
    if isinstance(value, Mapping):
        if "automation" in value:
            return "automations"
        if value.keys() & {"triggers", "trigger"}:
            return "automation"
        if "type" in value:
            return "card"
        if value.keys() and value.keys() <= CONFIGURATION.keys():
            return "configuration"
        if "action" in value:
            return "actions"
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, Mapping) and "action" in item for item in value)
    ):
        return "actions"
    return "unknown"


def _action_of(value: Mapping[str, Any]) -> str:
    """Return the `voipnow.*` action a mapping calls, or an empty string."""
    for key in ACTION_KEYS:
        if isinstance(action := value.get(key), str) and action.startswith(
            f"{DOMAIN}."
        ):
            return action
    return ""


def voipnow_calls(value: Any) -> Iterator[Mapping[str, Any]]:
    """Yield every `voipnow.*` action call in a parsed example, however deep."""
    if isinstance(value, Mapping):
        if _action_of(value):
            yield value
        for item in value.values():
            yield from voipnow_calls(item)
    elif isinstance(value, list):
        for item in value:
            yield from voipnow_calls(item)


def _templated(value: Any) -> bool:
    """Tell whether a field's value is a template, rendered only when it runs."""
    return isinstance(value, str) and template.is_template_string(value)


def check_voipnow_call(call: Mapping[str, Any]) -> None:
    """Check one action call against its action's schema; templates stay strings.

    A templated field is only checked to exist and to be a valid template: its
    value is known when the action runs. Unknown fields fail, templated or not.
    """
    name = _action_of(call).removeprefix(f"{DOMAIN}.")
    if (schema := SCHEMAS.get(name)) is None:
        raise InvalidExampleError(f"{DOMAIN} has no action {name}")
    if "target" in call:
        raise InvalidExampleError(f"{DOMAIN}.{name} takes no target")
    data = call.get("data") or {}
    fields = {
        marker: cv.template
        if _templated(data.get(getattr(marker, "schema", marker)))
        else validator
        for marker, validator in schema.schema.items()
    }
    try:
        vol.Schema(fields, extra=schema.extra)(dict(data))
    except vol.Invalid as err:
        raise InvalidExampleError(f"{DOMAIN}.{name}: {err}") from err


async def async_check(hass: HomeAssistant, text: str) -> tuple[str, int]:
    """Check one example; return its kind and how many voipnow calls it holds."""
    value = yaml_util.parse_yaml(text)
    kind = kind_of(value)
    try:
        if kind in ("automations", "automation"):
            automations = value["automation"] if kind == "automations" else value
            for automation in cv.ensure_list(automations):
                await async_validate_config_item(hass, "example", automation)
        elif kind == "actions":
            await script.async_validate_actions_config(hass, cv.SCRIPT_SCHEMA(value))
        elif kind == "configuration":
            for key, config in value.items():
                CONFIGURATION[key]({key: config})
        elif kind == "unknown":
            raise InvalidExampleError(
                "not an automation, an action, a card or a snippet"
            )
    except (vol.Invalid, HomeAssistantError) as err:
        raise InvalidExampleError(f"{kind}: {err}") from err
    calls = list(voipnow_calls(value))
    for call in calls:
        check_voipnow_call(call)
    return kind, len(calls)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
async def test_example(hass: HomeAssistant, example: Example) -> None:
    """A documented example is what Home Assistant and the integration accept."""
    await async_check(hass, example.text)


async def test_examples_cover_each_kind(hass: HomeAssistant) -> None:
    """The documents hold automations, action calls, cards and snippets."""
    kinds: dict[str, int] = {}
    calls = 0
    for example in EXAMPLES:
        kind, found = await async_check(hass, example.text)
        kinds[kind] = kinds.get(kind, 0) + 1
        calls += found

    assert kinds.keys() >= {"automations", "actions", "card", "configuration"}
    assert calls >= 5


async def test_schemas_are_the_registered_ones(hass: HomeAssistant) -> None:
    """The examples are checked with the schemas the actions are registered with."""
    assert await async_setup_component(hass, DOMAIN, {})

    registered = hass.services.async_services()[DOMAIN]

    assert registered.keys() == SCHEMAS.keys()
    for name, service in registered.items():
        assert service.schema is SCHEMAS[name], name


BAD_EXAMPLES = {
    "unknown field": (
        """
        action: voipnow.transfer_call
        data:
          extension: "0003*210"
          send_call_to: "0003*100"
          to_voicmail: true
        """,
        "to_voicmail",
    ),
    "unknown templated field": (
        """
        action: voipnow.make_call
        data:
          extension: "0003*210"
          destination: "tel:{{ trigger.event.data.remote_number }}"
          colour: "{{ 'red' }}"
        """,
        "colour",
    ),
    "unknown field in an automation": (
        """
        automation:
          - alias: Typo
            triggers:
              - trigger: event
                event_type: voipnow_call_event
            actions:
              - action: voipnow.hangup_call
                data:
                  extention: "0003*210"
        """,
        "extention",
    ),
    "unknown field in a dashboard card": (
        """
        type: button
        tap_action:
          action: perform-action
          perform_action: voipnow.transfer_call
          data:
            extension: "0003*210"
            send_to: "0003*100"
        """,
        "send_to",
    ),
    "unknown action": (
        """
        action: voipnow.transfer
        data:
          extension: "0003*210"
        """,
        "has no action transfer",
    ),
    "missing field": (
        """
        action: voipnow.make_call
        data:
          extension: "0003*210"
        """,
        "destination",
    ),
    "value out of range": (
        """
        action: voipnow.make_call
        data:
          extension: "0003*210"
          destination: "+15551234567"
          wait_for_pickup: 500
        """,
        "wait_for_pickup",
    ),
    "broken template": (
        """
        action: voipnow.make_call
        data:
          extension: "0003*210"
          destination: "tel:{{ trigger.event.data.remote_number }"
        """,
        "template",
    ),
    "broken template in a dashboard card": (
        """
        type: button
        tap_action:
          action: perform-action
          perform_action: voipnow.make_call
          data:
            extension: "0003*210"
            destination: "tel:{{ states('input_text.number') }"
        """,
        "destination",
    ),
    "a target": (
        """
        action: voipnow.hangup_call
        target:
          entity_id: sensor.extension_0003_210_call_state
        data:
          extension: "0003*210"
        """,
        "takes no target",
    ),
    "unknown trigger": (
        """
        automation:
          - alias: Wrong trigger
            triggers:
              - trigger: evnt
                event_type: voipnow_call_event
            actions:
              - action: notify.mobile_app_phone
                data:
                  message: hello
        """,
        "Invalid trigger 'evnt'",
    ),
    "broken action sequence": (
        """
        - action: voipnow.clear_missed_calls
          response_variable: [not, a, name]
        """,
        "response_variable",
    ),
    "unknown recorder option": (
        """
        recorder:
          exclude:
            entitys:
              - event.extension_0003_210_call
        """,
        "entitys",
    ),
    "unknown logbook option": (
        """
        logbook:
          exclude:
            entity_glob:
              - event.extension_*_call
        """,
        "entity_glob",
    ),
    "unknown kind of example": (
        """
        voipnow:
          extension: "0003*210"
        """,
        "not an automation",
    ),
}


@pytest.mark.parametrize(
    ("text", "reason"), BAD_EXAMPLES.values(), ids=BAD_EXAMPLES.keys()
)
async def test_bad_example_fails(hass: HomeAssistant, text: str, reason: str) -> None:
    """Each check refuses what Home Assistant or the integration would refuse."""
    with pytest.raises(InvalidExampleError, match=re.escape(reason)):
        await async_check(hass, textwrap.dedent(text))
