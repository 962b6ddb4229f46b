"""What every UnifiedAPI handler shares: user and extension checks, paging."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .model import ApiError

if TYPE_CHECKING:
    from .server import VoipNowSimulator

MAX_COUNT = 5000


class UapiHandlers:
    """Base of the UnifiedAPI handler groups: bound to one simulator."""

    def __init__(self, sim: VoipNowSimulator) -> None:
        """Keep the simulator: its PBX, user, modes and renderer."""
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
