"""Async client for the VoipNow UnifiedAPI; `transport` owns HTTP, token, timeouts."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
import logging
from typing import Any

import aiohttp

from . import requests
from .auth import TokenSource
from .call_actions import CallActions
from .const import (
    CALLS_PAGE_SIZE,
    DEFAULT_COLLECTION_TIMEOUT,
    DEFAULT_PAGE_SIZE,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_ID,
    MAX_PAGE_SIZE,
    SELF,
    AgentStatus,
    CallbackMethod,
    SubscriptionEventType,
)
from .exceptions import VoipNowInvalidInputError, VoipNowResponseError
from .models import CallEventSubscription, Extension, PhoneCall, QueueAgent
from .notifications import NotificationSocket
from .numbers import validate_extension, validate_object_id, validate_user_id
from .parse import first_resource
from .records import CallRecords
from .transport import Transport
from .urls import normalize_url, server_host

_LOGGER = logging.getLogger(__package__)


class VoipNowClient(CallActions):
    """Talk to one VoipNow server as one trusted App."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        client_id: str,
        client_secret: str,
        *,
        request_timeout: float = DEFAULT_TIMEOUT,
        collection_timeout: float = DEFAULT_COLLECTION_TIMEOUT,
        page_size: int = DEFAULT_PAGE_SIZE,
        calls_page_size: int = CALLS_PAGE_SIZE,
        time_zone: tzinfo = UTC,
    ) -> None:
        """Set up the client; nothing is sent until the first call.

        `time_zone` is where dates the server sends without a zone are read
        (XML Schema dateTime makes the zone optional).
        """
        requests.seconds("request_timeout", request_timeout)
        requests.seconds("collection_timeout", collection_timeout)
        for name, size in (
            ("page_size", page_size),
            ("calls_page_size", calls_page_size),
        ):
            if (
                isinstance(size, bool)
                or not isinstance(size, int)
                or not 0 < size <= MAX_PAGE_SIZE
            ):
                raise VoipNowInvalidInputError(name, size)
        self._base = normalize_url(url)
        self._transport = Transport(
            session,
            self._base,
            partial(TokenSource, client_id=client_id, client_secret=client_secret),
            timeout=float(request_timeout),
            collection_timeout=float(collection_timeout),
        )
        self._page_size = page_size
        self._calls_page_size = calls_page_size
        self._zone = time_zone
        self._records = CallRecords(self._transport, page_size, time_zone)
        # Whether this server wants the event type in the subscription's path
        # (v5 pages) rather than in the body (3.x pages); learnt on first use.
        self.event_type_in_path = False

    def __repr__(self) -> str:
        """Show the server, never the credentials."""
        return f"VoipNowClient(url={str(self._base)!r})"

    @property
    def base_url(self) -> str:
        """The normalised server URL, without a trailing slash."""
        return str(self._base).rstrip("/")

    @property
    def host(self) -> str:
        """The server's host name (with a non-default port, if any)."""
        return server_host(self._base)

    @property
    def request_timeout(self) -> float:
        """Seconds one request may take."""
        return self._transport.timeout

    @request_timeout.setter
    def request_timeout(self, seconds: float) -> None:
        """Change how long one request may take (from the next request on)."""
        self._transport.timeout = requests.seconds("request_timeout", seconds)

    async def async_authenticate(self) -> None:
        """Fetch a token now, raising if the credentials are rejected."""
        self._transport.tokens.invalidate_token()
        await self._transport.tokens.async_token()

    def invalidate_token(self) -> None:
        """Forget the cached token; the next request fetches a new one."""
        self._transport.tokens.invalidate_token()

    def notifications(self, app_id: str) -> NotificationSocket:
        """Return a socket to the App's API Notifications (not opened yet)."""
        return NotificationSocket(self._transport, app_id)

    async def _async_list[T](
        self, path: str, parse: Callable[[Any, tzinfo], T], **params: str
    ) -> list[T]:
        """Read and parse every page of a collection."""
        entries = await self._transport.async_collection(path, params, self._page_size)
        return [parse(entry, self._zone) for entry in entries]

    # --- phone calls ----------------------------------------------------

    async def async_list_calls(
        self, *, user_id: str = DEFAULT_USER_ID, extension: str = SELF
    ) -> list[PhoneCall]:
        """List the calls now in the system (all pages)."""
        path = f"phoneCalls/{validate_user_id(user_id)}/{validate_extension(extension)}"
        entries = await self._transport.async_collection(
            path, {}, self._calls_page_size
        )
        # The PBX writes the offset of its zone: the CDR's dates are read in it.
        self._records.clock.learn(
            entry.get("published") for entry in entries if isinstance(entry, Mapping)
        )
        calls = [PhoneCall.from_dict(entry, self._zone) for entry in entries]
        if owner := next((call.owner_id for call in calls if call.owner_id), None):
            # Whose calls these are: the CDR may want this id.
            self._records.owner_id = owner
        return calls

    def async_transfer_call(
        self,
        *,
        extension: str,
        phone_call_id: str,
        send_call_to: str,
        transfer_from_number: str | None = None,
        transfer_number: str | None = None,
        to_voicemail: bool = False,
        user_id: str = DEFAULT_USER_ID,
    ) -> Coroutine[Any, Any, bool]:
        """Transfer one call; the request answers False when there was no call.

        A call id is required: without one VoipNow transfers every call of the
        extension. Like the other actions on a call, the fields are checked
        at once (nothing is sent when one is wrong) and the request is
        returned, to await.
        """
        path = requests.call_path(user_id, extension, phone_call_id)
        body = requests.transfer_body(
            extension=extension,
            send_call_to=send_call_to,
            transfer_from_number=transfer_from_number,
            transfer_number=transfer_number,
            to_voicemail=to_voicemail,
        )
        return self._async_act("PUT", path, body)

    async def async_make_call(
        self,
        *,
        extension: str,
        destination: str,
        caller_id: str | None = None,
        wait_for_pickup: int | None = None,
        user_id: str = DEFAULT_USER_ID,
    ) -> str | None:
        """Place a call: the extension rings first, then the destination.

        Return the new call's id when the PBX reports one.
        """
        path, params, body = requests.make_call_request(
            user_id=user_id,
            extension=extension,
            destination=destination,
            caller_id=caller_id,
            wait_for_pickup=wait_for_pickup,
        )
        _, payload = await self._transport.async_api(
            "POST", path, params=params, json_body=body
        )
        call = first_resource(payload, lambda raw: PhoneCall.from_dict(raw, self._zone))
        return call.id if call else None

    # --- extensions and presence ----------------------------------------

    async def async_list_extensions(
        self, *, user_id: str = DEFAULT_USER_ID
    ) -> list[Extension]:
        """List the user's extensions with presence and registration."""
        path = f"extensions/{validate_user_id(user_id)}/{SELF}/presence"
        return await self._async_list(path, Extension.from_dict)

    # --- call history and queues -------------------------------------------

    @property
    def cdr_margin(self) -> timedelta:
        """How far the CDR's periods are widened (the PBX's zone may be unknown)."""
        return self._records.clock.margin

    async def async_list_call_records(
        self,
        *,
        since: datetime,
        until: datetime,
        user_id: str = DEFAULT_USER_ID,
        by_save: bool = False,
    ) -> list[PhoneCall]:
        """List the calls that started between two times (the CDR, all pages).

        `by_save`: the records saved (the calls ended) between two times.
        """
        return await self._records.async_list(
            since=since, until=until, user_id=user_id, by_save=by_save
        )

    async def async_list_queue_agents(
        self, *, queue: str, user_id: str = DEFAULT_USER_ID
    ) -> list[QueueAgent]:
        """List the agents of one call queue and their status."""
        path = requests.queue_path(user_id, queue)
        return await self._async_list(path, QueueAgent.from_dict)

    async def async_set_queue_agent_status(
        self,
        *,
        queue: str,
        agent: str,
        status: AgentStatus,
        user_id: str = DEFAULT_USER_ID,
    ) -> None:
        """Log an agent in or out of a queue, or pause it."""
        path, body = requests.queue_agent_update(user_id, queue, agent, status)
        await self._transport.async_api("PUT", path, json_body=body)

    # --- PhoneCallEvents subscriptions ------------------------------------

    async def async_list_call_event_subscriptions(
        self, *, extension: str, user_id: str = DEFAULT_USER_ID
    ) -> list[CallEventSubscription]:
        """List the PhoneCallEvents subscriptions of one extension."""
        return await self._async_list(
            requests.events_path(user_id, extension), CallEventSubscription.from_dict
        )

    async def async_create_call_event_subscription(
        self,
        *,
        extension: str,
        event_type: SubscriptionEventType,
        url: str,
        note: str | None = None,
        method: CallbackMethod = CallbackMethod.POST,
        user_id: str = DEFAULT_USER_ID,
    ) -> None:
        """Subscribe a URL to one event type of one extension.

        The 3.x pages post the type in the body, the v5 pages in the path: the
        documented 3.x form is tried first, and a refusal that shows the
        server wants the other form switches this client to it for good.
        A type the server does not know raises `VoipNowResponseError` with
        a code in `EVENT_TYPE_REFUSED`.
        """
        path = requests.events_path(user_id, extension)
        body = requests.subscription_body(
            event_type=event_type, url=url, note=note, method=method
        )
        if not self.event_type_in_path:
            try:
                await self._transport.async_api("POST", f"{path}/", json_body=body)
            except VoipNowResponseError as err:
                if not requests.wants_type_in_path(
                    err, SubscriptionEventType(event_type)
                ):
                    raise
                _LOGGER.debug("The PBX wants the event type in the path (v5)")
                self.event_type_in_path = True
            else:
                return
        await self._transport.async_api(
            "POST", f"{path}/{body['type']}", json_body=body
        )

    async def async_delete_call_event_subscription(
        self,
        *,
        extension: str,
        event_type: SubscriptionEventType,
        subscription_id: str,
        user_id: str = DEFAULT_USER_ID,
    ) -> None:
        """Delete one PhoneCallEvents subscription."""
        path = requests.events_path(user_id, extension)
        kind = requests.enum_input(SubscriptionEventType, event_type, "event_type")
        validate_object_id("subscription_id", subscription_id)
        await self._transport.async_api(
            "DELETE", f"{path}/{int(kind)}/{subscription_id}"
        )
