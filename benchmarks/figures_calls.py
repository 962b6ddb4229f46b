"""Figures of actions, push and requests: rows and checks."""

from __future__ import annotations

from collections.abc import Callable

from .targets import (
    ACTION_OVER_BARE,
    ACTION_OVER_FLOOR,
    CALLBACK_EXTRA_MS,
    PUSH_MEDIAN_MS,
)
from .verdicts import Check, Results, Row, mark


def action_rows(results: Results) -> list[Row]:
    """Action overhead over the bare PUT and over the floor."""
    action = results["action_overhead"]
    return [
        (
            f"Action overhead (`transfer_call`, {action['rounds']} rounds)",
            (
                f"{action['action_median_us']:.0f} µs median "
                f"(p90 {action['action_p90_us']:.0f})"
            ),
            (
                f"bare PUT {action['bare_median_us']:.0f} µs "
                f"(p90 {action['bare_p90_us']:.0f})"
            ),
            f"**{action['ratio']:.2f}x**",
            f"<= {ACTION_OVER_BARE}x",
            mark(action["ratio"] <= ACTION_OVER_BARE),
        ),
        (
            "... over Home Assistant's floor (an action that only sends the PUT)",
            "same",
            (
                f"floor {action['floor_median_us']:.0f} µs "
                f"(p90 {action['floor_p90_us']:.0f}; "
                f"{action['floor_over_bare']:.2f}x the bare PUT)"
            ),
            f"**{action['floor_ratio']:.2f}x**",
            f"<= {ACTION_OVER_FLOOR:.2f}x",
            mark(action["floor_ratio"] <= ACTION_OVER_FLOOR),
        ),
    ]


def action_checks(results: Results) -> list[Check]:
    """Both action ratios."""
    action = results["action_overhead"]
    return [
        Check(
            f"action overhead <= {ACTION_OVER_BARE}x a bare PUT",
            action["ratio"],
            ACTION_OVER_BARE,
        ),
        Check(
            f"action overhead <= {ACTION_OVER_FLOOR:.2f}x Home Assistant's floor",
            action["floor_ratio"],
            ACTION_OVER_FLOOR,
        ),
    ]


def push_rows(results: Results) -> list[Row]:
    """Dial-in callback to state and event; the answer; a hangup's way."""
    push = results["push_latency"]
    return [
        (
            f"Push: dial-in callback to sensor state ({push['callbacks']} callbacks)",
            (
                f"{push['state_median_ms']:.2f} ms median, "
                f"p99 {push['state_p99_ms']:.2f} ms"
            ),
            "",
            "",
            f"median < {PUSH_MEDIAN_MS} ms",
            mark(push["state_median_ms"] < PUSH_MEDIAN_MS),
        ),
        (
            "Push: dial-in callback to event entity fired",
            (
                f"{push['event_median_ms']:.2f} ms median, "
                f"p99 {push['event_p99_ms']:.2f} ms"
            ),
            "",
            "",
            "",
            "",
        ),
        (
            "Push: dial-in callback answered",
            f"{push['answer_median_ms']:.2f} ms median",
            (
                f"bare webhook {push['bare_median_ms']:.2f} ms "
                f"(p99 {push['bare_p99_ms']:.2f})"
            ),
            f"{push['ratio']:.2f}x",
            "",
            "",
        ),
        (
            "Push: hangup callback to `missed` event (through a listing)",
            (
                f"{push['ended_median_ms']:.2f} ms median, "
                f"p99 {push['ended_p99_ms']:.2f} ms"
            ),
            "",
            "",
            "",
            "",
        ),
    ]


def push_checks(results: Results) -> list[Check]:
    """The push latency's median."""
    return [
        Check(
            f"push latency median < {PUSH_MEDIAN_MS} ms",
            results["push_latency"]["state_median_ms"],
            PUSH_MEDIAN_MS,
        )
    ]


def listing_latency_rows(
    key: str, what: str, limit: float
) -> Callable[[Results], list[Row]]:
    """Rows of a push's way to its call event, over the listing's own round trip.

    `what` names the push (`Callback`, `Socket notification`); `limit` is
    the most, in ms, the median and the p95 may exceed the listing's.
    """

    def rows(results: Results) -> list[Row]:
        latency = results[key]
        return [
            (
                (
                    f"{what} to call event on the bus ({latency['rounds']} rounds), "
                    "minus the calls listing's round trip"
                ),
                (
                    f"{latency['event_median_ms']:.2f} ms median, "
                    f"p95 {latency['event_p95_ms']:.2f} ms"
                ),
                (
                    f"listing {latency['listing_median_ms']:.2f} ms median, "
                    f"p95 {latency['listing_p95_ms']:.2f} ms"
                ),
                (
                    f"**{latency['extra_median_ms']:.2f} ms**, "
                    f"p95 **{latency['extra_p95_ms']:.2f} ms**"
                ),
                f"<= {limit} ms",
                mark(max(latency["extra_median_ms"], latency["extra_p95_ms"]) <= limit),
            )
        ]

    return rows


def listing_latency_checks(
    key: str, what: str, limit: float
) -> Callable[[Results], list[Check]]:
    """Median and p95 of a push's way to its event, over the listing."""

    def checks(results: Results) -> list[Check]:
        latency = results[key]
        return [
            Check(
                f"{what.lower()} to call event, {name} over the listing <= {limit} ms",
                latency[f"extra_{name}_ms"],
                limit,
            )
            for name in ("median", "p95")
        ]

    return checks


callback_rows = listing_latency_rows("callback_event", "Callback", CALLBACK_EXTRA_MS)
callback_checks = listing_latency_checks(
    "callback_event", "Callback", CALLBACK_EXTRA_MS
)


def _one_request(results: Results) -> bool:
    return all(
        row["calls_requests"] == row["cycles"] and row["token_requests"] == 0
        for row in results["requests_per_poll"]["sizes"].values()
    )


def request_rows(results: Results) -> list[Row]:
    """Requests per poll, tokens per actions, subscriptions after reloads."""
    requests = results["requests_per_poll"]["sizes"]
    tokens = results["tokens_per_actions"]
    subs = results["subscriptions_after_restarts"]
    r10, r100 = requests["10"], requests["100"]
    return [
        (
            f"Calls requests per poll cycle ({r10['cycles']} cycles)",
            f"100 extensions: {r100['calls_requests'] / r100['cycles']:.2f}",
            f"10 extensions: {r10['calls_requests'] / r10['cycles']:.2f}",
            (
                f"presence {r100['presence_requests']}/{r100['cycles']}, "
                f"tokens {r100['token_requests']}"
            ),
            "1",
            mark(_one_request(results)),
        ),
        (
            f"Token requests for setup and {tokens['actions']} actions",
            f"{tokens['token_requests']} ({tokens['puts']} PUTs)",
            f"token lifetime {tokens['token_lifetime_s']} s",
            "",
            "1",
            mark(tokens["token_requests"] == 1),
        ),
        (
            f"Subscriptions after {subs['restarts']} reloads (push on)",
            (
                f"{subs['after_restarts']} ({subs['created_during_restarts']} created, "
                f"{subs['deleted_during_restarts']} deleted meanwhile)"
            ),
            f"{subs['extensions']} extensions x 5",
            "",
            str(subs["expected"]),
            mark(subs["after_restarts"] == subs["expected"]),
        ),
    ]


def request_checks(results: Results) -> list[Check]:
    """Counts: calls requests, tokens, subscriptions."""
    subs = results["subscriptions_after_restarts"]
    return [
        Check.count("one calls request per poll cycle", _one_request(results)),
        Check.count(
            "one token request for setup and 1000 actions",
            results["tokens_per_actions"]["token_requests"] == 1,
        ),
        Check.count(
            "subscriptions = extensions x 5 after 10 reloads",
            subs["after_restarts"] == subs["expected"],
        ),
    ]


def _queue_extra_ok(results: Results) -> bool:
    """Whether each queue adds at most one request per refresh cycle."""
    return all(
        row["extra_requests"] <= row["queues"] * row["cycles"]
        for row in results["requests_per_refresh"]["counts"].values()
    )


def queue_rows(results: Results) -> list[Row]:
    """Requests per refresh with 0, 1 and 10 call queues."""
    counts = results["requests_per_refresh"]["counts"]
    most = counts[max(counts, key=int)]
    per_queue = ", ".join(
        f"{row['queues']}: {row['extra_per_queue']:.2f}"
        for row in counts.values()
        if row["queues"]
    )
    return [
        (
            (
                f"Requests per refresh with {', '.join(list(counts)[:-1])} and "
                f"{list(counts)[-1]} call queues ({most['cycles']} cycles)"
            ),
            ", ".join(f"{row['requests_per_refresh']:.2f}" for row in counts.values()),
            f"extra per queue and refresh with {per_queue}",
            f"**{most['extra_per_queue']:.2f}**",
            "at most 1 more per queue",
            mark(_queue_extra_ok(results)),
        )
    ]


def queue_checks(results: Results) -> list[Check]:
    """A count: one request per queue and refresh at most."""
    return [
        Check.count(
            "at most 1 more request per queue per refresh", _queue_extra_ok(results)
        )
    ]
