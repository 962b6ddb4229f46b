"""Fields the options forms share: a list to keep items of, and a new item."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)

from .validation import vol

TEXT = TextSelector(TextSelectorConfig(autocomplete="off"))


def suggested(field: str, defaults: Mapping[str, Any], fallback: Any = None) -> Any:
    """Return an optional field that suggests what was typed (or `fallback`)."""
    return vol.Optional(
        field, description={"suggested_value": defaults.get(field, fallback)}
    )


def item_list_fields(
    key: str,
    items: Sequence[tuple[str, str]],
    defaults: Mapping[str, Any],
    new_fields: Iterable[str],
) -> dict[Any, Any]:
    """Return the fields of a form listing items: those to keep, then a new one.

    `items` are (value, label) pairs, all kept unless the user unticks them;
    `new_fields` are the text fields of a new item.
    """
    schema: dict[Any, Any] = {}
    if items:
        schema[
            vol.Optional(key, default=defaults.get(key, [value for value, _ in items]))
        ] = SelectSelector(
            SelectSelectorConfig(
                options=[SelectOptionDict(value=v, label=label) for v, label in items],
                multiple=True,
                mode=SelectSelectorMode.LIST,
            )
        )
    for field in new_fields:
        schema[suggested(field, defaults)] = TEXT
    return schema
