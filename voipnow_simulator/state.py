"""What the simulated PBX is: its App, user, address, modes and PBX state.

The HTTP handlers work on this, never on the server that starts and stops
them: the server (`server.VoipNowSimulator`) builds one and shows its fields
as its own attributes.
"""

from __future__ import annotations

import asyncio

from .modes import ModeAttributes, Modes
from .pbx import Pbx


class SimState(ModeAttributes):
    """The App's credentials, the user, the address, the modes and the PBX."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token_lifetime: int,
        user_id: str,
        owner_name: str,
        modes: Modes,
        pbx: Pbx,
    ) -> None:
        """Hold the account and the PBX; nothing listens yet (port 0)."""
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.user_id = user_id
        self.owner_name = owner_name
        self.modes = modes
        self.pbx = pbx
        self.page_size = 20
        self.host = "127.0.0.1"
        self.port = 0
        # Set when going offline: delayed (faulty) answers stop waiting.
        self.closing = asyncio.Event()

    @property
    def url(self) -> str:
        """Return the base URL (without ``/uapi``)."""
        return f"http://{self.host}:{self.port}"
