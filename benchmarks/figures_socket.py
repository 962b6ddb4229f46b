"""Figures of the notification socket (#22): rows and checks."""

from __future__ import annotations

import math

from .figures_calls import listing_latency_checks, listing_latency_rows
from .targets import SOCKET_EXTRA_MS, SOCKET_FLOOD_BURST, SOCKET_FLOOD_PER_SECOND
from .verdicts import Check, Results, Row, mark

event_rows = listing_latency_rows(
    "socket_event", "Socket notification", SOCKET_EXTRA_MS
)
event_checks = listing_latency_checks(
    "socket_event", "Socket notification", SOCKET_EXTRA_MS
)


def flood_bound(results: Results) -> int:
    """The most listings the flood may cost.

    The gate's burst, one a second while it lasted, the one request held
    meanwhile, and one per call change a listing confirmed (a message about
    a real change gives its listing back, as a confirmed callback does).
    """
    flood = results["socket_flood"]
    return (
        SOCKET_FLOOD_BURST
        + math.floor(flood["seconds"] * SOCKET_FLOOD_PER_SECOND)
        + 1
        + len(flood["expected_events"])
    )


def _listings_ok(results: Results) -> bool:
    flood = results["socket_flood"]
    return bool(flood["received"] == flood["messages"] - 1) and bool(
        flood["listings"] <= flood_bound(results)
    )


def _nothing_unconfirmed(results: Results) -> bool:
    flood = results["socket_flood"]
    return bool(
        flood["events"] == flood["expected_events"]
        and flood["unconfirmed_states"] == 0
        and flood["confirmed_states"] > 0
    )


def flood_rows(results: Results) -> list[Row]:
    """Listings a flood of odd messages cost; what they changed."""
    flood = results["socket_flood"]
    return [
        (
            (
                f"Socket flood: {flood['messages']:,} messages of random shape "
                f"over {flood['seconds']:.1f} s (read: {flood['received']:,}, "
                f"{flood['ignored_not_json']} not JSON; the last, over the size "
                f"cap, dropped the socket: {flood['reconnects']} reconnect)"
            ),
            f"{flood['listings']} calls listings",
            (
                f"gate: {SOCKET_FLOOD_BURST} at once, then "
                f"{SOCKET_FLOOD_PER_SECOND:g} a second, +1 held, "
                "+1 per confirmed change"
            ),
            "",
            f"<= {flood_bound(results)}",
            mark(_listings_ok(results)),
        ),
        (
            "... call events and states they changed (a call rang meanwhile)",
            (
                f"{len(flood['events'])} events, "
                f"{flood['confirmed_states'] + flood['unconfirmed_states']} states"
            ),
            (
                f"the real call: {len(flood['expected_events'])} event, "
                f"{flood['confirmed_states']} states"
            ),
            f"**{flood['unconfirmed_states']}** unconfirmed",
            "only what a listing confirmed",
            mark(_nothing_unconfirmed(results)),
        ),
    ]


def flood_checks(results: Results) -> list[Check]:
    """Counts: listings within the gate's bound; nothing a listing did not confirm."""
    return [
        Check.count(
            "socket flood: calls listings within the gate's bound",
            _listings_ok(results),
        ),
        Check.count(
            "socket flood: no event or state a listing did not confirm",
            _nothing_unconfirmed(results),
        ),
    ]
