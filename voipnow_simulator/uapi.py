"""What every UnifiedAPI handler shares: user and extension checks, paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from .callbacks import CallbackDispatcher
from .model import ApiError, SimCall
from .notifications import NotificationHub
from .oauth import TokenStore
from .render import Renderer
from .state import SimState

MAX_COUNT = 5000
# sortOrder words: the v5 pages write asc/desc ("short"); OpenSocial, which
# the 3.x pages build on, and 4PSA's own client ascending/descending ("long").
SORT_WORDS = {
    "asc": ("asc", "short"),
    "desc": ("desc", "short"),
    "ascending": ("asc", "long"),
    "descending": ("desc", "long"),
}


def with_slash(*paths: str) -> list[str]:
    """Return each path as the pages write it and with 4PSA's trailing slash."""
    return [form for path in paths for form in (path, path + "/")]


async def not_played(request: web.Request) -> web.Response:
    """Answer a documented request this simulator does not play.

    4PSA's client also sends conference invitations, callback calls and
    faxes, which the integration never uses: they get the documented answer
    to an operation a server does not implement, never a 404.
    """
    raise ApiError(501, "request_not_implemented", f"{request.path} is not simulated")


class ApiState(SimState):
    """The PBX state with what the handlers answer through.

    The renderer of resources, the callback dispatcher, the notification
    socket (which reads the issued tokens) and the paging of collections.
    """

    def __init__(self, *, tokens: TokenStore, **state: Any) -> None:
        """Keep the state's fields and build the services on them."""
        super().__init__(**state)
        self.callbacks = CallbackDispatcher(self.pbx)
        self.notifications = NotificationHub(self, tokens)
        self.callbacks.watchers.append(self.notifications.on_event)
        self.render = Renderer(self)

    def call_json(
        self, call: SimCall, request: web.Request | None = None
    ) -> dict[str, Any]:
        """Return the PhoneCall JSON of a call as the API would answer it."""
        return self.render.call_json(call, request)

    def _page(
        self,
        request: web.Request,
        items: list[Any],
        render: Callable[[Any], Any] | None = None,
    ) -> dict[str, Any]:
        """Page a collection; every listing goes through here.

        `render` writes out an item: only those of the page asked are.
        """
        body = paginate(request, items, self.page_size)
        if render is not None:
            body["entry"] = [render(item) for item in body["entry"]]
        return body


class UapiHandlers:
    """Base of the UnifiedAPI handler groups: bound to one PBX state."""

    def __init__(self, sim: ApiState) -> None:
        """Keep the state: its PBX, user, modes and renderer."""
        self.sim = sim

    def check_user(self, request: web.Request) -> None:
        """Accept only the authenticated user in the userId path segment."""
        user = request.match_info["user"]
        if user not in ("@me", "@viewer", "@owner", self.sim.user_id):
            raise ApiError(400, "user_invalid", f"Unknown user {user!r}")

    def resolve(self, raw: str, allow_self: bool = True) -> list[str]:
        """Return the extensions meant by an extension path segment."""
        pbx = self.sim.pbx
        if raw == "@self" and allow_self:
            return list(pbx.extensions)
        number = pbx.normalize(raw)
        if number not in pbx.extensions:
            raise ApiError(400, "extension_invalid", f"Unknown extension {raw!r}")
        return [number]


def sort_order(request: web.Request, words: str) -> str | None:
    """Return the asked order ("asc"/"desc"), None if none, else sortorder_invalid.

    ``words`` is the ``sort_order_words`` mode: "any", "short" or "long".
    """
    raw = request.query.get("sortOrder")
    if raw is None:
        return None
    order, kind = SORT_WORDS.get(raw, ("", ""))
    if not order or words not in ("any", kind):
        raise ApiError(400, "sortorder_invalid", "Parameter sortOrder is invalid.")
    return order


def text_filter(request: web.Request) -> Callable[[str], bool]:
    """Return the test ``filterOp``/``filterValue`` put on a field's text.

    equals (the default), contains and startsWith compare text; present
    asks for a non-empty value; inArray takes a comma-separated list. The v5
    pages name these (Presence) and 4PSA's client sends them (QueueAgents).
    """
    op = request.query.get("filterOp", "equals")
    wanted = request.query.get("filterValue")
    if op == "present":
        return bool
    if op not in ("equals", "contains", "startsWith", "inArray"):
        raise ApiError(400, "filterop_invalid", "Parameter filterOp is invalid.")
    if wanted is None:
        raise ApiError(400, "filtervalue_invalid", "Parameter filterValue is invalid.")
    if op == "inArray":
        listed = {item.strip() for item in wanted.split(",")}
        if "" in listed:
            raise ApiError(
                400,
                "filtervalue_invalid",
                "Parameter filterValue for inArray operation is invalid.",
            )
        return lambda text: text in listed
    if op == "contains":
        return lambda text: wanted in text
    if op == "startsWith":
        return lambda text: text.startswith(wanted)
    return lambda text: text == wanted


def paginate(request: web.Request, items: list[Any], page_size: int) -> dict[str, Any]:
    """Slice a collection according to ``count``/``startIndex``."""
    try:
        count = int(request.query.get("count", page_size))
    except ValueError:
        count = -1
    if not 1 <= count <= MAX_COUNT:
        raise ApiError(400, "count_invalid", "count must be 1..5000")
    try:
        start = int(request.query.get("startIndex", 0))
    except ValueError:
        start = -1
    if start < 0:
        raise ApiError(400, "startindex_invalid", "startIndex must be >= 0")
    page = items[start : start + count]
    body: dict[str, Any] = {
        "entry": page,
        "startIndex": start,
        "totalResults": len(items),
        "itemsPerPage": len(page),
    }
    paging: dict[str, str] = {}
    if start + count < len(items):
        paging["next"] = _page_url(request, start + count, count)
    if start > 0:
        paging["prev"] = _page_url(request, max(0, start - count), count)
    if paging:
        body["paging"] = paging
    return body


def _page_url(request: web.Request, start: int, count: int) -> str:
    """Return the absolute URL of another page."""
    query = {**request.query, "startIndex": str(start), "count": str(count)}
    return str(request.url.with_query(query))
