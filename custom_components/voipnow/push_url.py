"""Where the PBX sends callbacks, and how a callback's body is read.

The URL is the webhook's secret path on the best address of Home Assistant
the PBX can reach: an HTTPS external URL, else Home Assistant Cloud (HTTPS,
with an active subscription), else the internal URL for a PBX on the local
network, else a plain-HTTP external URL, with a repair issue because the
secret then travels in clear.
"""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import parse_qsl

from aiohttp import StreamReader, web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .api import is_local_url
from .const import LOGGER
from .issues import async_delete_issue, async_set_issue

MAX_BODY_BYTES: Final = 16 * 1024
ISSUE_NO_URL: Final = "no_reachable_url"
ISSUE_INSECURE_URL: Final = "insecure_callback_url"
ISSUE_NOT_ARRIVING: Final = "callbacks_not_arriving"


class BodyTooLargeError(ValueError):
    """A callback's body is longer than any VoipNow callback can be."""


async def async_callback_base_url(
    hass: HomeAssistant, entry: ConfigEntry, webhook_id: str
) -> str | None:
    """Return the webhook URL the PBX can reach, raising the repair issues due."""
    path = webhook.async_generate_path(webhook_id)
    url = await _async_reachable_url(hass, entry, webhook_id, path)
    async_set_issue(hass, entry, ISSUE_NO_URL, url is None)
    async_set_issue(
        hass,
        entry,
        ISSUE_INSECURE_URL,
        url is not None
        and url.startswith("http://")
        and not is_local_url(entry.data[CONF_URL]),
    )
    if url is None:
        LOGGER.warning(
            "No URL of Home Assistant reachable by the PBX %s: calls are polled",
            entry.title,
        )
    return url


async def _async_reachable_url(
    hass: HomeAssistant, entry: ConfigEntry, webhook_id: str, path: str
) -> str | None:
    """Pick the address, in the order the module docstring gives."""
    local = is_local_url(entry.data[CONF_URL])
    try:
        return _external(hass, require_ssl=True) + path
    except NoURLAvailableError:
        pass
    if (cloudhook := await _async_cloudhook(hass, webhook_id)) is not None:
        return cloudhook
    if local:
        try:
            return get_url(hass, allow_external=False, allow_cloud=False) + path
        except NoURLAvailableError:
            pass
    try:
        return _external(hass, require_ssl=False) + path
    except NoURLAvailableError:
        return None


def _external(hass: HomeAssistant, *, require_ssl: bool) -> str:
    """Return the external URL (never the cloud's, never the internal one)."""
    return get_url(
        hass, allow_internal=False, allow_cloud=False, require_ssl=require_ssl
    )


async def _async_cloudhook(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Return a Home Assistant Cloud webhook URL, when a subscription allows one.

    Any failure (not connected, a timeout, an HTTP error) means no cloudhook:
    the entry still loads, and polling does the work.
    """
    if "cloud" not in hass.config.components:
        return None
    from homeassistant.components import cloud

    if not cloud.async_active_subscription(hass):
        return None
    try:
        url: str = await cloud.async_get_or_create_cloudhook(hass, webhook_id)
    except Exception as err:  # noqa: BLE001 - see the docstring
        LOGGER.debug("No Home Assistant Cloud webhook: %s", type(err).__name__)
        return None
    return url


def shown_url(url: str) -> str:
    """Return a callback URL fit to show: its last segment (the secret) hidden."""
    return url.rsplit("/", 1)[0] + "/…"


@callback
def async_set_not_arriving_issue(
    hass: HomeAssistant, entry: ConfigEntry, url: str | None
) -> None:
    """Say (with the URL, secret hidden) or stop saying that no callback arrives."""
    async_set_issue(
        hass,
        entry,
        ISSUE_NOT_ARRIVING,
        url is not None,
        url=shown_url(url) if url is not None else "",
    )


@callback
def async_clear_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Clear the entry's push repair issues (it stops using push, or goes)."""
    for kind in (ISSUE_NO_URL, ISSUE_INSECURE_URL, ISSUE_NOT_ARRIVING):
        async_delete_issue(hass, entry.entry_id, kind)


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the cloudhook of a removed entry, if Home Assistant Cloud made one."""
    if "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud

    try:
        await cloud.async_delete_cloudhook(hass, webhook_id)
    except Exception as err:  # noqa: BLE001 - nothing more can be done
        LOGGER.debug("No cloudhook to delete: %s", type(err).__name__)


async def read_callback(request: web.Request) -> dict[str, Any]:
    """Read a callback's parameters: a form-encoded body (documented) or JSON.

    Raise ValueError for a body that is too long, not UTF-8, or not a flat
    form or JSON object; nesting too deep for the decoder is refused too.
    """
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise BodyTooLargeError("body too large")
    raw = await _async_read_body(request.content)
    if raw is None:
        raise BodyTooLargeError("body too large")
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("body is not UTF-8") from None
    if request.content_type == "application/json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise ValueError("body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ValueError("JSON body is not an object")
        return data
    try:
        return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise ValueError("body is not form-encoded") from None


async def _async_read_body(content: StreamReader) -> bytes | None:
    """Read a callback's body; None when it is longer than MAX_BODY_BYTES."""
    body = bytearray()
    while chunk := await content.read(MAX_BODY_BYTES + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)
