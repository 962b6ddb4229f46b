"""Server addresses: what a user types, how a server is named, where it sits."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Final

from yarl import URL

from .exceptions import VoipNowInvalidInputError

# A host name: dot-separated labels of letters, digits, `-` and `_`.
HOST_NAME_RE: Final = re.compile(
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?",
    re.IGNORECASE,
)
# Host names that only resolve on a local network.
_LOCAL_SUFFIXES: Final = (".local", ".lan", ".home.arpa", ".internal")


def normalize_url(url: str) -> URL:
    """Turn what a user types into the server's base URL.

    `voip.example.com`, `https://voip.example.com/` and
    `https://voip.example.com/uapi` all become `https://voip.example.com`.
    """
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise VoipNowInvalidInputError("url", url)
    if "://" not in text:
        text = f"https://{text}"
    try:
        parsed = URL(text)
    except ValueError:
        raise VoipNowInvalidInputError("url", url) from None
    if parsed.scheme not in ("http", "https") or not valid_host(parsed.raw_host):
        raise VoipNowInvalidInputError("url", url)
    if parsed.user or parsed.password or parsed.query_string or parsed.fragment:
        raise VoipNowInvalidInputError("url", url)
    path = parsed.path.rstrip("/")
    for suffix in ("/uapi", "/oauth/token.php"):
        if path.lower().endswith(suffix):
            path = path[: -len(suffix)]
    return parsed.with_path(path or "/").with_query(None).with_fragment(None)


def valid_host(host: str | None) -> bool:
    """Tell whether a URL's host is an IP address or a plausible host name."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return HOST_NAME_RE.fullmatch(host) is not None
    return True


def server_host(url: str | URL) -> str:
    """Name a server by host and non-default port: `voip.example.com:8443`.

    Lower-cased, with IPv6 addresses in brackets so the port stays readable.
    """
    base = normalize_url(url) if isinstance(url, str) else url
    host = (base.host or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if not base.is_default_port():
        host = f"{host}:{base.port}"
    return host


def is_local_host(host: str) -> bool:
    """Tell whether a host sits on the local network (a LAN name or address).

    `host` is the bare host name or address, without a port.
    """
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def is_local_url(url: str | URL) -> bool:
    """Tell whether a server URL names a host on the local network."""
    base = normalize_url(url) if isinstance(url, str) else url
    return is_local_host(base.host or "")


def valid_callback_url(url: Any) -> bool:
    """Tell whether a callback URL is an absolute http(s) URL the PBX can call."""
    if not isinstance(url, str) or url != url.strip() or not url.isprintable():
        return False
    try:
        target = URL(url)
    except ValueError:
        return False
    return target.scheme in ("http", "https") and valid_host(target.raw_host)


_SERVICES: Final = {"phoneCalls": "calls", "cdr": "call_records"}


def service_of(path: str) -> str:
    """Name the UnifiedAPI service a path belongs to (what an App may be denied).

    `calls` (phoneCalls), `call_records` (cdr), `queues` (queue agents),
    `call_events` (phoneCallEvents), `extensions` (presence) or the path's
    first part.
    """
    if path.startswith("phoneCalls/"):
        # Every action on a call, every listing: one look.
        return "calls"
    parts = path.strip("/").split("/")
    if "queue" in parts or "queueAgents" in parts:
        return "queues"
    if "phoneCallEvents" in parts:
        return "call_events"
    return _SERVICES.get(parts[0], parts[0])
