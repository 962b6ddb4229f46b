"""A fake VoipNow PBX (UnifiedAPI, OAuth, PhoneCallEvents) for tests and demos."""

from .callbacks import SentCallback
from .faults import FAULT_KINDS, Fault
from .middleware import RecordedRequest
from .model import ApiError, CallEvent, Extension, Party, SimCall, SimCallView
from .modes import Modes
from .server import VoipNowSimulator

__all__ = [
    "FAULT_KINDS",
    "ApiError",
    "CallEvent",
    "Extension",
    "Fault",
    "Modes",
    "Party",
    "RecordedRequest",
    "SentCallback",
    "SimCall",
    "SimCallView",
    "VoipNowSimulator",
]
