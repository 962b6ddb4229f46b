"""A fake VoipNow PBX (UnifiedAPI, OAuth, PhoneCallEvents) for tests and demos."""

from .callbacks import SentCallback
from .cdr import CdrRecord, CdrView
from .faults import FAULT_KINDS, Fault
from .middleware import RecordedRequest
from .model import ApiError, CallEvent, Extension, Party, SimCall, SimCallView
from .modes import Modes
from .queues import Queue
from .server import VoipNowSimulator

__all__ = [
    "FAULT_KINDS",
    "ApiError",
    "CallEvent",
    "CdrRecord",
    "CdrView",
    "Extension",
    "Fault",
    "Modes",
    "Party",
    "Queue",
    "RecordedRequest",
    "SentCallback",
    "SimCall",
    "SimCallView",
    "VoipNowSimulator",
]
