"""Codes and limits of the UnifiedAPI, as its documentation gives them."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Final

DEFAULT_TIMEOUT: Final = 10.0
# One overall limit for reading a whole collection, however many pages it has.
DEFAULT_COLLECTION_TIMEOUT: Final = 30.0
DEFAULT_PAGE_SIZE: Final = 500
# The calls now in the system come in one request however big the PBX (the
# documented `count` goes to 5000; 4PSA's own client asks at most 4999).
CALLS_PAGE_SIZE: Final = 4999
MAX_PAGE_SIZE: Final = 5000
MAX_PAGES: Final = 50
# The largest `startIndex` a server takes ("List CDR"): beyond it, a
# collection is read on by narrowing its filter, not by offset.
MAX_START_INDEX: Final = 5000
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
# Renew this long before `expires_in` ends (4PSA's own client uses 5 minutes),
# but never more than a tenth of a short lifetime.
TOKEN_RENEW_MARGIN: Final = 300.0
DEFAULT_TOKEN_LIFETIME: Final = 3600.0
SELF: Final = "@self"
DEFAULT_USER_ID: Final = "@me"


class CallStatus(IntEnum):
    """Status of one party's view of a call."""

    UNKNOWN = 0
    OFF_HOOK = 1
    TRYING = 2
    RINGING = 3
    OTHER_SIDE_RINGING = 4
    ON_CALL = 5


class CallFlow(IntEnum):
    """Flow of a call view: local, outgoing to or incoming from the public network."""

    UNKNOWN = 0
    LOCAL = 2
    OUTGOING_PUBLIC = 4
    INCOMING_PUBLIC = 8


class Disposition(IntEnum):
    """How a call ended, as the CDR and a view's `disposition` say."""

    ANSWERED = 0
    BUSY = 1
    FAILED = 2
    NO_ANSWER = 3
    UNKNOWN = 4
    NOT_ALLOWED = 5


class AgentStatus(IntEnum):
    """A call-queue agent's status (QueueAgents)."""

    LOGGED_OUT = 0
    ONLINE = 1
    PAUSED = 2


class PresenceStatus(IntEnum):
    """Presence of an extension."""

    UNKNOWN = 0
    ONLINE = 1
    RINGING = 2
    BUSY = 3


class RegistrationStatus(IntEnum):
    """SIP registration state of one device of an extension."""

    EXPIRED = -2
    NOT_REGISTERED = -1
    UNKNOWN = 0
    REGISTERED = 1
    NOT_NEEDED = 2


class SubscriptionEventType(IntEnum):
    """PhoneCallEvents subscription types.

    The 3.x pages document 0-2 only (and refuse others with
    `pcet_type_invalid`); 3 and 4 come from 4PSA's own client.
    """

    DIAL_IN = 0
    DIAL_OUT = 1
    HANGUP = 2
    ANSWER_IN = 3
    ANSWER_OUT = 4


class CallbackMethod(IntEnum):
    """HTTP method VoipNow uses for a callback."""

    GET = 0
    POST = 1


class CallEndStatus(StrEnum):
    """How a call ended, as a hangup callback's `CallStatus` says.

    The Call Events page lists the first six; older servers send ANSWER or
    UNKNOWN only.
    """

    ANSWER = "ANSWER"
    BUSY = "BUSY"
    NOANSWER = "NOANSWER"
    CANCEL = "CANCEL"
    CONGESTION = "CONGESTION"
    CHANUNAVAIL = "CHANUNAVAIL"
    UNKNOWN = "UNKNOWN"


class TransferAction(StrEnum):
    """PhoneCallAction values used for transfers."""

    TRANSFER = "Transfer"
    TO_VOICEMAIL = "TransferToVoicemail"


class CallAction(StrEnum):
    """PhoneCallAction values that act on one view of a call."""

    ON_HOLD = "OnHold"
    OFF_HOLD = "OffHold"
    PARK = "Park"
    UNPARK = "UnPark"
    PICKUP = "PickUp"
    MONITOR = "Monitor"
    WHISPER = "Whisper"
    BARGE_IN = "BargeIn"
    START_RECORDING = "StartRecording"
    STOP_RECORDING = "StopRecording"


class RecordingFormat(StrEnum):
    """Formats StartRecording takes ("StartRecording PhoneCalls")."""

    WAV = "wav"
    WAV49 = "wav49"


# "Park PhoneCalls": how long a call may stay parked, in seconds.
MIN_PARKING: Final = 10
MAX_PARKING: Final = 3600
DEFAULT_PARKING: Final = 180


# Error codes with which the PBX refuses an event type it does not know (the
# create page says `pcet_`, the update page `pce_`).
EVENT_TYPE_REFUSED: Final = frozenset({"pcet_type_invalid", "pce_type_invalid"})
