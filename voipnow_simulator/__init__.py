"""A fake VoipNow PBX (UnifiedAPI, OAuth, PhoneCallEvents) for tests and demos."""

from .faults import FAULT_KINDS, Fault
from .model import ApiError, CallEvent, Extension, Party, SimCall, SimCallView
from .server import RecordedRequest, SentCallback, VoipNowSimulator

__all__ = [
    "FAULT_KINDS",
    "ApiError",
    "CallEvent",
    "Extension",
    "Fault",
    "Party",
    "RecordedRequest",
    "SentCallback",
    "SimCall",
    "SimCallView",
    "VoipNowSimulator",
]
