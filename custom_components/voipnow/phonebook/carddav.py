"""A small CardDAV client: the vCards of one address book, over aiohttp.

No Home Assistant import. One `REPORT addressbook-query` (RFC 6352) asks
for every card at once; a server that refuses it gets a `PROPFIND` of the
collection, then a `GET` of each card. Every request has a timeout and a
size cap; redirects are not followed (they would carry the password).
"""

from __future__ import annotations

from base64 import b64encode
from typing import Final
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

import aiohttp

TIMEOUT: Final = aiohttp.ClientTimeout(total=30)
MAX_RESPONSE: Final = 20 * 1024 * 1024
# Cards fetched one by one when the server cannot send them together.
MAX_CARDS_BY_GET: Final = 2000

_DAV: Final = "{DAV:}"
_CARDDAV: Final = "{urn:ietf:params:xml:ns:carddav}"
_QUERY: Final = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
    "<D:prop><D:getetag/><C:address-data/></D:prop>"
    "</C:addressbook-query>"
)
_PROPFIND: Final = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/><D:resourcetype/>'
    "</D:prop></D:propfind>"
)


class CardDavError(Exception):
    """The address book could not be read (unreachable, not an address book)."""


class CardDavAuthError(CardDavError):
    """The server refused the user name or password."""


class CardDavClient:
    """Read the cards of one CardDAV address book."""

    def __init__(
        self, session: aiohttp.ClientSession, url: str, username: str, password: str
    ) -> None:
        """Remember where the address book is and how to log in."""
        self._session = session
        self._url = url if url.endswith("/") else f"{url}/"
        # (aiohttp 3.13 deprecates BasicAuth: the header is written here.)
        token = b64encode(f"{username}:{password}".encode()).decode()
        self._authorization = f"Basic {token}"

    async def _request(
        self, method: str, url: str, body: str | None = None, depth: str | None = None
    ) -> tuple[int, bytes]:
        """Send one request; return its status and body (capped)."""
        headers = {"Authorization": self._authorization}
        if body:
            headers["Content-Type"] = "application/xml; charset=utf-8"
        if depth is not None:
            headers["Depth"] = depth
        try:
            async with self._session.request(
                method,
                url,
                data=body.encode() if body else None,
                headers=headers,
                timeout=TIMEOUT,
                allow_redirects=False,
            ) as response:
                if response.status in (401, 403):
                    raise CardDavAuthError(f"HTTP {response.status}")
                data = await response.content.read(MAX_RESPONSE + 1)
                if len(data) > MAX_RESPONSE:
                    raise CardDavError("response too large")
                return response.status, data
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise CardDavError(type(err).__name__) from None

    async def async_fetch_cards(self) -> list[str]:
        """Return the text of every vCard of the address book."""
        status, body = await self._request("REPORT", self._url, _QUERY, depth="1")
        if status == 207:
            return [text for _, text in _responses(body) if text]
        if status not in (400, 403, 405, 415, 501):
            raise CardDavError(f"HTTP {status}")
        return await self._async_fetch_one_by_one()

    async def _async_fetch_one_by_one(self) -> list[str]:
        """List the collection's cards, then get each one."""
        status, body = await self._request("PROPFIND", self._url, _PROPFIND, depth="1")
        if status != 207:
            raise CardDavError(f"HTTP {status}")
        hrefs = [href for href, _ in _responses(body) if not href.endswith("/")]
        cards: list[str] = []
        for href in hrefs[:MAX_CARDS_BY_GET]:
            status, data = await self._request("GET", urljoin(self._url, href))
            if status == 200:
                cards.append(data.decode("utf-8", "replace"))
        return cards


def _responses(body: bytes) -> list[tuple[str, str]]:
    """Read a multistatus answer: each response's href and address data."""
    try:
        # expat refuses entity expansion bombs and ElementTree never fetches
        # external entities; defusedxml is not among Home Assistant's packages.
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError:
        raise CardDavError("not a multistatus answer") from None
    if root.tag != f"{_DAV}multistatus":
        raise CardDavError("not a multistatus answer")
    found: list[tuple[str, str]] = []
    for response in root.iter(f"{_DAV}response"):
        href = response.findtext(f"{_DAV}href") or ""
        data = response.find(f".//{_CARDDAV}address-data")
        found.append((href.strip(), (data.text or "") if data is not None else ""))
    return found
