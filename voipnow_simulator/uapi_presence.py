"""List Presence's query: filter by the extension number, sort by it.

The Presence service's parameters as 4PSA's own client sends them
(``calls/src/tools/extensions-presence-list.ts``): ``filterBy`` only
``extension``, ``filterOp`` one of ``contains``, ``equals``, ``inArray``,
``startsWith``, ``filterValue``, and ``sortOrder`` ("Records will be ordered
by the number of the extension"). Any other ``filterBy`` or ``filterOp`` is
refused with the documented 400 codes.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .model import ApiError
from .uapi import sort_order, text_filter

FILTER_BY = ("extension",)
FILTER_OPS = ("equals", "contains", "startsWith", "inArray")


def presence_filter(
    request: web.Request, items: list[dict[str, Any]], words: str = "any"
) -> list[dict[str, Any]]:
    """Return the presence items the query keeps, in the order it asks.

    ``words`` is the ``sort_order_words`` mode (asc/desc, ascending/descending).
    """
    query = request.query
    field = query.get("filterBy")
    if field is not None:
        if field not in FILTER_BY:
            raise ApiError(400, "filterby_invalid", "Parameter filterBy is invalid.")
        if query.get("filterOp", "equals") not in FILTER_OPS:
            raise ApiError(400, "filterop_invalid", "Parameter filterOp is invalid.")
        keep = text_filter(request)
        items = [item for item in items if keep(str(item[field]))]
    order = sort_order(request, words)
    if order is not None:
        items = sorted(
            items, key=lambda item: str(item["extension"]), reverse=order == "desc"
        )
    return items
