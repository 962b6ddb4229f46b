"""The simulator's Python API for call history (CDR) and queue agents."""

from __future__ import annotations

from datetime import datetime

from .cdr import CdrRecord, seeded_record, whole_seconds
from .model import now
from .modes import Modes
from .pbx import Pbx
from .queues import LOGGED_OUT, Queue


class HistoryAndQueues:
    """Seed call history and set up queues as the panel and phones would.

    Mixed into ``VoipNowSimulator``, which owns ``pbx`` and ``modes``.
    """

    pbx: Pbx
    modes: Modes

    # ------------------------------------------------------------- history
    @property
    def cdr(self) -> list[CdrRecord]:
        """Return the call history records, in the order the calls ended."""
        return self.pbx.cdr

    def add_cdr_record(
        self,
        extension: str,
        number: str,
        *,
        name: str = "",
        direction: str = "incoming",
        started: datetime | None = None,
        answered: datetime | None = None,
        disposition: int | None = None,
        ended: datetime | None = None,
    ) -> CdrRecord:
        """Add the record of a call that ended before (e.g. while a client was down).

        ``extension`` is the local party, ``number`` (and ``name``) the other
        one; ``direction`` is "incoming" (``number`` called ``extension``) or
        "outgoing". ``started`` is when it came in (default: now),
        ``answered`` when it was answered (None: never); zone-less times are
        the server's local time (the ``time_zone`` mode). ``disposition``
        defaults to 0 (answered) or 3 (no answer) and must agree with
        ``answered``. ``ended`` is when the call ended and its record was
        saved (default: when it was answered, or came in).
        """
        pbx = self.pbx
        if not pbx.is_local(extension):
            raise KeyError(f"unknown extension {extension!r}")
        start = whole_seconds(started, self.modes) if started else now()
        answer = whole_seconds(answered, self.modes) if answered else None
        end = whole_seconds(ended, self.modes) if ended else None
        taken = pbx.ended_ids | set(pbx.calls)
        record = seeded_record(
            pbx.new_id(taken),
            pbx.party(extension),
            pbx.party(number, name),
            direction,
            start,
            answer,
            disposition,
            end,
        )
        pbx.cdr.append(record)
        pbx.ended_ids.add(record.id)
        return record

    # -------------------------------------------------------------- queues
    @property
    def queues(self) -> dict[str, Queue]:
        """Return the queue extensions by number."""
        return self.pbx.queue_book.queues

    def add_queue(
        self, number: str, name: str = "", agents: dict[str, int] | None = None
    ) -> Queue:
        """Add (or replace) a queue; ``agents`` maps agent -> status (0, 1, 2).

        An agent is a local extension number or a remote agent's public
        number; status 0 is logged out, 1 online, 2 paused.
        """
        return self.pbx.queue_book.add(number, name, agents)

    def remove_queue(self, number: str) -> None:
        """Remove a queue (KeyError if there is none)."""
        self.pbx.queue_book.remove(number)

    def add_agent(self, queue: str, agent: str, status: int = LOGGED_OUT) -> None:
        """Make an extension or a remote number an agent of a queue."""
        self.pbx.queue_book.add_agent(queue, agent, status)

    def remove_agent(self, queue: str, agent: str) -> None:
        """Take an agent out of a queue."""
        self.pbx.queue_book.remove_agent(queue, agent)

    def set_agent_status(self, queue: str, agent: str, status: int) -> None:
        """Log an agent in (1), out (0) or pause it (2), as a feature code does."""
        self.pbx.queue_book.set_status(queue, agent, status)
