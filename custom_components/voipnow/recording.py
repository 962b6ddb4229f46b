"""Which calls Home Assistant started recording, for servers that list no dates.

No page promises that every server lists a view's `recording` date. After a
successful StartRecording the call counts as recorded until StopRecording or
its end, unless the server is seen to list recording dates: then the listing
says it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.util.hass_dict import HassKey

from .api import CallAction
from .calls import ExtensionCall
from .const import DOMAIN

if TYPE_CHECKING:
    from .coordinator import VoipNowCoordinator

_RECORDINGS: HassKey[dict[str, Recordings]] = HassKey(f"{DOMAIN}_recordings")


class Recordings:
    """The recordings of one entry's calls that Home Assistant started."""

    def __init__(self) -> None:
        """Start knowing of no recording and nothing of the server."""
        self._started: set[str] = set()
        # The server lists `recording` dates: its listing is the truth.
        self._listed = False
        # What the last action did to a call, until the next listing shows it.
        self._acted: dict[str, tuple[bool, object]] = {}

    def acted(self, call_id: str, action: CallAction, listing: object) -> None:
        """Take in a successful StartRecording or StopRecording.

        `listing` is the data the coordinator held then: until it holds a
        newer one, what the action did is what the call shows.
        """
        if action not in (CallAction.START_RECORDING, CallAction.STOP_RECORDING):
            return
        start = action is CallAction.START_RECORDING
        # What older listings were told is shown by now.
        self._acted = {
            key: value for key, value in self._acted.items() if value[1] is listing
        }
        self._acted[call_id] = (start, listing)
        if start:
            self._started.add(call_id)
        else:
            self._started.discard(call_id)

    def is_recording(self, call: ExtensionCall, listing: object) -> bool:
        """Tell whether a call is recorded: listed so, or started here."""
        acted = self._acted.get(call.phone_call_id)
        if acted is not None and acted[1] is listing:
            return acted[0]
        if call.recording:
            self._listed = True
            return True
        return not self._listed and call.phone_call_id in self._started


def recordings(coordinator: VoipNowCoordinator) -> Recordings:
    """The recordings of the coordinator's entry (made on first use)."""
    known = coordinator.hass.data.setdefault(_RECORDINGS, {})
    return known.setdefault(coordinator.config_entry.entry_id, Recordings())
