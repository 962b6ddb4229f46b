"""A service the App may not use stops only what needs it.

VoipNow can accept an App's token for the calls and refuse it for the call
records or a queue (`401 access_denied` with a token just issued): the App
lacks that permission, its credentials are fine. The feature that needs the
service fails, a repair issue names the service, and it is tried again
every 30 minutes; nothing asks for new credentials.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Final

from homeassistant.core import callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import VoipNowAccessDeniedError
from .const import DOMAIN
from .issues import async_set_issue

REFUSED_RETRY: Final = timedelta(minutes=30)
ISSUE_REFUSED: Final = "service_refused"
# The names VoipNow's API pages give each service (the same in every language).
SERVICE_NAMES: Final = {
    "calls": "PhoneCalls",
    "call_records": "CDR",
    "queues": "QueueAgents",
    "call_events": "PhoneCallEvents",
    "extensions": "Extensions",
}


@contextmanager
def refusals(
    coordinator: DataUpdateCoordinator[Any],
    services: Iterable[str],
    interval: timedelta | None,
) -> Iterator[None]:
    """Run one refresh that uses `services`; a refusal fails only it.

    On a refusal the refresh is retried in 30 minutes; once it succeeds, the
    issues go and the refresh runs every `interval` again (None: the
    coordinator sets its own).
    """
    try:
        yield
    except VoipNowAccessDeniedError as err:
        coordinator.update_interval = REFUSED_RETRY
        async_set_refused(coordinator, err.service, refused=True)
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=ISSUE_REFUSED,
            translation_placeholders={
                "service": SERVICE_NAMES.get(err.service, err.service)
            },
        ) from err
    if interval is not None:
        coordinator.update_interval = interval
    for service in services:
        async_set_refused(coordinator, service, refused=False)


@callback
def async_set_refused(
    coordinator: DataUpdateCoordinator[Any], service: str, *, refused: bool
) -> None:
    """Raise or clear the repair issue of one refused service."""
    entry = coordinator.config_entry
    if entry is None:
        return
    async_set_issue(
        coordinator.hass,
        entry,
        f"{ISSUE_REFUSED}_{service}",
        refused,
        translation_key=ISSUE_REFUSED,
        service=SERVICE_NAMES.get(service, service),
    )
