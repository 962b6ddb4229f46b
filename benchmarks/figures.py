"""The target table: every figure of the report, in its order."""

from __future__ import annotations

from . import (
    figures_calls as calls,
    figures_memory as memory,
    figures_phonebook as phonebook,
    figures_scale as scale,
    figures_socket as socket,
)
from .verdicts import Figure

FIGURES: tuple[Figure, ...] = (
    Figure(
        needs=("action_overhead",), rows=calls.action_rows, checks=calls.action_checks
    ),
    Figure(needs=("push_latency",), rows=calls.push_rows, checks=calls.push_checks),
    Figure(
        needs=("callback_event",),
        title="callback to call event",
        rows=calls.callback_rows,
        checks=calls.callback_checks,
    ),
    Figure(
        needs=("socket_event",),
        title="socket notification to call event",
        rows=socket.event_rows,
        checks=socket.event_checks,
    ),
    Figure(
        needs=("socket_flood",),
        title="socket flood",
        rows=socket.flood_rows,
        checks=socket.flood_checks,
    ),
    Figure(
        needs=("phonebook_lookup",),
        title="phonebook lookup",
        rows=phonebook.lookup_rows,
        checks=phonebook.lookup_checks,
    ),
    Figure(needs=("phonebook_load",), title="phonebook load", rows=phonebook.load_rows),
    Figure(needs=("poll_cost",), rows=scale.poll_rows, checks=scale.poll_checks),
    Figure(
        needs=(
            "requests_per_poll",
            "tokens_per_actions",
            "subscriptions_after_restarts",
        ),
        rows=calls.request_rows,
        checks=calls.request_checks,
    ),
    Figure(
        needs=("cdr_refresh_cost",),
        title="CDR refresh cost",
        rows=scale.cdr_rows,
        checks=scale.cdr_checks,
    ),
    Figure(
        needs=("requests_per_refresh",),
        title="requests per refresh with call queues",
        rows=calls.queue_rows,
        checks=calls.queue_checks,
    ),
    Figure(
        needs=("memory_per_extension", "memory_baseline"),
        rows=memory.memory_rows("memory_per_extension", "memory_baseline"),
        checks=memory.memory_checks("memory_per_extension", "memory_baseline"),
    ),
    Figure(
        needs=("memory_large", "memory_large_baseline"),
        title="memory per extension, 5,000 extensions",
        rows=memory.memory_rows("memory_large", "memory_large_baseline"),
        checks=memory.memory_checks("memory_large", "memory_large_baseline"),
        full_only=True,
        extensions=5000,
    ),
    Figure(
        needs=("memory_day",),
        title="memory after 24 simulated hours",
        rows=memory.day_rows,
        checks=memory.day_checks,
        full_only=True,
    ),
    Figure(needs=("outage_flood",), rows=memory.flood_rows, checks=memory.flood_checks),
    Figure(
        needs=("setup_scale",),
        title="setup of many extensions",
        rows=memory.setup_scale_rows,
        checks=memory.setup_scale_checks,
    ),
    Figure(needs=("setup_time",), rows=memory.setup_rows),
)
