"""The simulator's Python API for what phones do: ring, answer, hang up, move."""

from __future__ import annotations

from . import call_features, transfers
from .callbacks import CallbackDispatcher
from .model import SimCall
from .notifications import NotificationHub
from .pbx import Pbx


class CallDriving:
    """Drive calls as phones and callers would; callbacks are sent and awaited.

    Mixed into ``VoipNowSimulator``, which owns ``pbx`` and ``callbacks``.
    """

    pbx: Pbx
    callbacks: CallbackDispatcher
    notifications: NotificationHub

    def get_call(self, call_id: str) -> SimCall:
        """Return a current call (KeyError if none)."""
        return self.pbx.get_call(call_id)

    async def incoming_call(
        self,
        extension: str,
        from_number: str = "5551234",
        caller_name: str = "",
        did: str = "",
    ) -> str:
        """Ring an extension from an outside number or another extension."""
        if not self.pbx.is_local(extension):
            raise KeyError(f"unknown extension {extension!r}")
        call, events = self.pbx.new_call(
            self.pbx.party(from_number, caller_name), self.pbx.party(extension), did
        )
        await self.callbacks.dispatch(events)
        return call.id

    async def outgoing_call(self, extension: str, to_number: str) -> str:
        """Make an extension dial a number (rings it if it is an extension)."""
        if not self.pbx.is_local(extension):
            raise KeyError(f"unknown extension {extension!r}")
        if self.pbx.queue_book.number(to_number) is not None:
            raise ValueError("this simulator cannot call a queue")
        caller, callee = self.pbx.party(extension), self.pbx.party(to_number)
        if caller.number == callee.number:
            # As MakeCall answers it (pc_destination_invalid): no call.
            raise ValueError(f"{extension} cannot call itself")
        call, events = self.pbx.new_call(caller, callee)
        await self.callbacks.dispatch(events)
        return call.id

    async def answer_call(self, call_id: str) -> None:
        """Answer a ringing call."""
        await self.callbacks.dispatch(self.pbx.answer(self.get_call(call_id)))

    async def answer_caller(self, call_id: str) -> None:
        """The caller's phone answers a call made through the API (MakeCall)."""
        await self.callbacks.dispatch(self.pbx.answer_caller(self.get_call(call_id)))

    async def hangup_call(self, call_id: str, status: str | None = None) -> None:
        """Hang up a call; ``status`` is how it ended (None: ANSWER or CANCEL).

        One of ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL (or
        UNKNOWN); None means ANSWER if it was answered, else CANCEL.
        """
        await self.callbacks.dispatch(self.pbx.hangup(self.get_call(call_id), status))

    async def reject_call(self, call_id: str) -> None:
        """The callee refuses a ringing call: it ends as BUSY."""
        await self.callbacks.dispatch(self.pbx.reject(self.get_call(call_id)))

    async def ring_out(self, call_id: str) -> None:
        """Nobody answers a ringing call: it ends as NOANSWER."""
        await self.callbacks.dispatch(self.pbx.ring_out(self.get_call(call_id)))

    async def fail_call(self, call_id: str, status: str = "CONGESTION") -> None:
        """The call fails in the network: CONGESTION or CHANUNAVAIL."""
        await self.callbacks.dispatch(self.pbx.fail(self.get_call(call_id), status))

    async def pickup_call(self, call_id: str, extension: str) -> None:
        """Another local extension takes a ringing call (same call id)."""
        call = self.get_call(call_id)
        await self.callbacks.dispatch(transfers.pickup(self.pbx, call, extension))

    async def park_timeout(self, call_id: str) -> None:
        """The parking time of a parked call runs out: it rings its parker."""
        call = self.get_call(call_id)
        await self.callbacks.dispatch(call_features.park_timeout(self.pbx, call))

    async def expire_parking(self) -> None:
        """Ring the parkers of the calls whose parking time ran out."""
        await self.callbacks.dispatch(call_features.expire_parking(self.pbx))

    async def hold_call(self, call_id: str, extension: str | None = None) -> None:
        """Put a call on hold by ``extension`` (None: the holder is unknown)."""
        ext = self.pbx.normalize(extension) if extension else None
        self.pbx.set_hold(self.get_call(call_id), ext, True)
        self.notifications.on_hold(self.get_call(call_id))

    async def unhold_call(self, call_id: str, extension: str | None = None) -> None:
        """Take a call off hold (``extension`` is accepted and not needed)."""
        self.pbx.set_hold(self.get_call(call_id), None, False)
        self.notifications.on_hold(self.get_call(call_id))

    async def transfer_call(
        self,
        call_id: str,
        send_call_to: str,
        transfer_from_number: str,
        transfer_number: str | None = None,
    ) -> None:
        """Transfer a call as the API's Transfer action does."""
        events = transfers.transfer(
            self.pbx,
            self.get_call(call_id),
            send_call_to,
            transfer_from_number,
            transfer_number,
        )
        await self.callbacks.dispatch(events)
