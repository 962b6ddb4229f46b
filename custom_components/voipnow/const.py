"""Constants for the VoipNow integration."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "voipnow"
LOGGER = logging.getLogger(__package__)

# Before entry version 1.2, a boolean: push on or off (migrated to the next).
CONF_PUSH: Final = "push"
# Options: how the PBX tells Home Assistant of calls (a `PushTransport`).
CONF_PUSH_TRANSPORT: Final = "push_transport"
# The server identity entities were created under; kept when the URL changes.
CONF_SERVER_ID: Final = "server_id"
CONF_TRANSFER_TARGETS: Final = "transfer_targets"
# Options: the call queues the user named (UnifiedAPI cannot list them).
CONF_QUEUES: Final = "queues"
# Options: non-administrators may send calls to any number (off: only to the
# PBX's extensions and the transfer targets).
CONF_ALLOW_ANY_NUMBER: Final = "allow_any_number"
# Options: an administrator allowed listening in on calls (off by default).
CONF_ALLOW_LISTEN_IN: Final = "allow_listen_in"
# Data: the user accepted plain HTTP to a PBX that is not on the local network.
CONF_ALLOW_INSECURE: Final = "allow_insecure"

# Options: the phonebook typed in the options (a list of {name, number}) and
# a vCard file in the configuration folder; data: the CardDAV address book
# ({url, username, password}: credentials stay out of the options).
CONF_PHONEBOOK: Final = "phonebook"
CONF_PHONEBOOK_FILE: Final = "phonebook_file"
CONF_CARDDAV: Final = "carddav"

DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=10)
MIN_SCAN_INTERVAL_SECONDS: Final = 5
MAX_SCAN_INTERVAL_SECONDS: Final = 300
# While push callbacks arrive, polling only reconciles.
PUSH_SCAN_INTERVAL: Final = timedelta(seconds=60)
# A call queue's device identifier is this after the server id.
QUEUE_DEVICE: Final = "queue_"
# Extensions and presence change rarely: list them this often.
EXTENSIONS_REFRESH_INTERVAL: Final = timedelta(minutes=1)

DEFAULT_USER_ID: Final = "@me"

EVENT_CALL: Final = "voipnow_call_event"
# What an action did to a call (the logbook shows it).
EVENT_CALL_ACTION: Final = "voipnow_call_action"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_EXTENSION: Final = "extension"
ATTR_PHONE_CALL_ID: Final = "phone_call_id"
ATTR_SEND_CALL_TO: Final = "send_call_to"
ATTR_TRANSFER_FROM_NUMBER: Final = "transfer_from_number"
ATTR_TRANSFER_NUMBER: Final = "transfer_number"
ATTR_TO_VOICEMAIL: Final = "to_voicemail"
ATTR_USER_ID: Final = "user_id"
ATTR_DESTINATION: Final = "destination"
ATTR_CALLER_ID: Final = "caller_id"
ATTR_WAIT_FOR_PICKUP: Final = "wait_for_pickup"
ATTR_DIRECTION: Final = "direction"
ATTR_REMOTE_NUMBER: Final = "remote_number"
ATTR_CALLER_NAME: Final = "caller_name"
# Where `caller_name` comes from: `phonebook` or `pbx`.
ATTR_CALLER_NAME_SOURCE: Final = "caller_name_source"
ATTR_ANSWERED: Final = "answered"
ATTR_CALL_COUNT: Final = "call_count"
ATTR_OUTCOME: Final = "outcome"
ATTR_FIRST_SEEN: Final = "first_seen"
ATTR_NUMBER_KIND: Final = "number_kind"
ATTR_HELD_BY_EXTENSION: Final = "held_by_extension"
ATTR_LAST_MISSED: Final = "last_missed"
ATTR_PARKED: Final = "parked"
ATTR_RECORDING: Final = "recording"
ATTR_MAX_IN_PARKING: Final = "max_in_parking"
ATTR_FORMAT: Final = "format"
ATTR_MODE: Final = "mode"
ATTR_PRIVATE: Final = "private"


class PushTransport(StrEnum):
    """How calls are pushed: the App's socket, a webhook, or not at all."""

    # The socket when the PBX accepts it (user-level Apps), else the webhook.
    AUTOMATIC = "automatic"
    SOCKET = "socket"
    WEBHOOK = "webhook"
    POLLING = "polling"


class CallState(StrEnum):
    """What an extension is doing, as the `call_state` sensor shows it."""

    IDLE = "idle"
    DIALING = "dialing"
    RINGING = "ringing"
    ON_HOLD = "on_hold"
    ON_CALL = "on_call"


class CallDirection(StrEnum):
    """Whether the extension was called or placed the call."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


class CallOutcome(StrEnum):
    """How a call ended for an extension (`ended` and `missed` events)."""

    ANSWERED = "answered"
    # Someone else took it: a colleague in a ring group, a pickup.
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CANCELLED = "cancelled"
    FAILED = "failed"
    UNKNOWN = "unknown"
