"""What a loaded entry holds at run time, and the type of such an entry.

Only the parts it names are imported here: the calls coordinator, the
history, the queues and the phonebook each take a plain `ConfigEntry`.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import VoipNowCoordinator
from .history import VoipNowHistory
from .phonebook_manager import VoipNowPhonebook
from .queues import VoipNowQueues


@dataclass(slots=True)
class VoipNowRuntime:
    """What a loaded entry holds: its calls, history, queues and phonebook."""

    calls: VoipNowCoordinator
    history: VoipNowHistory
    queues: VoipNowQueues
    phonebook: VoipNowPhonebook


type VoipNowConfigEntry = ConfigEntry[VoipNowRuntime]
