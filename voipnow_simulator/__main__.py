"""Run the VoipNow simulator standalone: ``python -m voipnow_simulator``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import time

from .modes import CDR_MISSING_STATUSES, V5_REFUSAL_STATUSES, parse_event_types
from .queues import check_status
from .server import VoipNowSimulator

DEMO_EXTENSIONS = {
    "0003*210": "Reception",
    "0003*211": "Sales",
    "0003*212": "Support",
    "0003*213": "Warehouse",
}
DEMO_CALLERS = [
    ("5551234", "John Doe"),
    ("5559876", "Jane Roe"),
    ("+40215550100", "Acme Corp"),
    ("5550199", ""),
    ("5550142", "Dr. Ada Lovelace"),
]
# The demo's queue: Reception is logged in, Sales is not.
DEMO_QUEUE = ("0003*300", "Sales", {"0003*210": 1, "0003*211": 0})
RING_TIMEOUT = 30.0
# The demo picks up the caller's phone of a call made from Home Assistant.
CALLER_PICKUP = 3.0
CALL_INTERVAL = 45.0
TALK_TIME = (60.0, 180.0)


def say(text: str) -> None:
    """Print a line to stdout at once."""
    print(text, flush=True)  # noqa: T201


QueueSpec = tuple[str, str, dict[str, int]]


def parse_queue(value: str) -> QueueSpec:
    """Read ``NUMBER:NAME:AGENT[=STATUS],...`` (status 0 logged out by default)."""
    number, _, rest = value.partition(":")
    name, _, listed = rest.partition(":")
    agents: dict[str, int] = {}
    try:
        for item in filter(None, (a.strip() for a in listed.split(","))):
            agent, _, status = item.partition("=")
            agents[agent.strip()] = check_status(int(status or 0))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad queue agents: {value!r}") from None
    if not number.strip():
        raise argparse.ArgumentTypeError(f"a queue needs a number: {value!r}")
    return number.strip(), name.strip(), agents


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m voipnow_simulator",
        description="Fake VoipNow UnifiedAPI server for tests and demos.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free)")
    parser.add_argument("--client-id", default="test-app-id", help="App ID")
    parser.add_argument("--client-secret", default="test-app-secret", help="secret")
    parser.add_argument("--user-id", default="12", help="numeric user id")
    parser.add_argument("--org-prefix", default="0003", help="organization prefix")
    parser.add_argument(
        "--token-lifetime", type=int, default=3600, help="token lifetime (s)"
    )
    parser.add_argument(
        "--extensions", default="", help="comma-separated extensions, e.g. 0003*210"
    )
    parser.add_argument(
        "--queue",
        action="append",
        type=parse_queue,
        default=[],
        metavar="NUMBER:NAME:AGENTS",
        help="a queue, e.g. '0003*300:Sales:0003*210=1,0003*211' (repeatable)",
    )
    parser.add_argument(
        "--quirks", action="store_true", help="numbers, callerID, entry objects"
    )
    parser.add_argument(
        "--demo", action="store_true", help="named extensions and random calls"
    )
    parser.add_argument(
        "--remote-callbacks",
        action="store_true",
        help="also send call event callbacks to non-loopback addresses",
    )
    add_mode_arguments(parser)
    return parser.parse_args(argv)


def add_mode_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one option per server variant (defaults: the documented behaviour)."""
    modes = parser.add_argument_group("server variants")
    modes.add_argument(
        "--event-types",
        type=parse_event_types,
        default="0,1,2,3,4",
        help="event types a subscription may have (3.x servers: 0,1,2)",
    )
    # The variants chosen among a few values; the first is the default.
    for option, choices, text in (
        (
            "--subscription-path",
            ("body", "path"),
            "where a new subscription's type goes (v5 servers: path)",
        ),
        (
            "--v5-refusal-status",
            V5_REFUSAL_STATUSES,
            "path mode's answer to a create without the type in the path",
        ),
        (
            "--hangup-status",
            ("documented", "legacy"),
            "legacy: hangup callbacks say only ANSWER or UNKNOWN",
        ),
        (
            "--callback-call-ids",
            ("same", "different"),
            "different: callbacks' CallID is not the PhoneCall id",
        ),
        (
            "--caller-name-param",
            ("CallerIDName", "CallerIDNam"),
            "spelling of the caller name callback parameter",
        ),
        (
            "--sort-order-words",
            ("any", "short", "long"),
            "sortOrder words taken: short asc/desc (v5), long ascending/descending",
        ),
        (
            "--cdr-missing-status",
            CDR_MISSING_STATUSES,
            "what --no-cdr answers on /uapi/cdr",
        ),
        ("--cdr-entry", ("object", "list"), "CDR entry keyed by call id or a list"),
        ("--cdr-parties", ("string", "list"), "CDR view source/destination shape"),
        ("--cdr-sort-default", ("desc", "asc"), "CDR order without sortOrder"),
        ("--cdr-date-field", ("published", "answered"), "date startDate/endDate bound"),
        ("--queue-list", ("object", "wrapped"), "QueueAgents listing (v5: wrapped)"),
        (
            "--queue-update-answer",
            ("object", "array", "204"),
            "answer of an agent update",
        ),
    ):
        modes.add_argument(
            option,
            type=type(choices[0]),
            choices=choices,
            default=choices[0],
            help=text,
        )
    # The variants switched on (or off) by a flag.
    for option, dest, action, text in (
        ("--naive-dates", None, "store_true", "dates without a time zone"),
        ("--long-ids", None, "store_true", "call/subscription ids of 200-255"),
        ("--no-cdr", "cdr_available", "store_false", "a PBX without the CDR service"),
        (
            "--no-recording-dates",
            "lists_recording",
            "store_false",
            "views of recorded calls carry no `recording` date",
        ),
    ):
        modes.add_argument(option, dest=dest, action=action, help=text)
    modes.add_argument(
        "--time-zone", default=None, help="IANA zone dates are written in"
    )


async def demo_loop(sim: VoipNowSimulator) -> None:
    """Ring a random extension from a random caller every ~45 s; drop missed calls."""
    answered_at: dict[str, float] = {}
    next_call = time.monotonic() + 5.0
    while True:
        await asyncio.sleep(1.0)
        now = time.monotonic()
        await sim.expire_parking()
        for call in list(sim.calls.values()):
            if call.caller_ringing_at and now - call.ringing_since > CALLER_PICKUP:
                say(f"the caller of call {call.id} picks up")
                await sim.answer_caller(call.id)
            elif call.ringing and now - call.ringing_since > RING_TIMEOUT:
                say(f"missed call {call.id} from {call.caller.caller_id}")
                await sim.ring_out(call.id)
            elif not call.ringing:
                end = answered_at.setdefault(call.id, now + random.uniform(*TALK_TIME))
                if now > end:
                    say(f"call {call.id} ends")
                    await sim.hangup_call(call.id)
        if now >= next_call and sim.extensions:
            next_call = now + random.uniform(CALL_INTERVAL - 5, CALL_INTERVAL + 5)
            number, name = random.choice(DEMO_CALLERS)
            extension = random.choice(list(sim.extensions))
            call_id = await sim.incoming_call(extension, number, caller_name=name)
            say(f"incoming call {call_id} from {name or number} to {extension}")


async def run(args: argparse.Namespace) -> None:
    """Start the simulator and run until SIGINT/SIGTERM."""
    sim = VoipNowSimulator(
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_lifetime=args.token_lifetime,
        user_id=args.user_id,
        org_prefix=args.org_prefix,
        quirks=args.quirks,
        loopback_callbacks_only=not args.remote_callbacks,
        event_types=args.event_types,
        subscription_path=args.subscription_path,
        v5_refusal_status=args.v5_refusal_status,
        hangup_status=args.hangup_status,
        naive_dates=args.naive_dates,
        time_zone=args.time_zone,
        long_ids=args.long_ids,
        callback_call_ids=args.callback_call_ids,
        caller_name_param=args.caller_name_param,
        sort_order_words=args.sort_order_words,
        cdr_available=args.cdr_available,
        cdr_missing_status=args.cdr_missing_status,
        cdr_entry=args.cdr_entry,
        cdr_parties=args.cdr_parties,
        cdr_sort_default=args.cdr_sort_default,
        cdr_date_field=args.cdr_date_field,
        queue_list=args.queue_list,
        queue_update_answer=args.queue_update_answer,
    )
    sim.lists_recording = args.lists_recording
    if args.demo:
        for number, name in DEMO_EXTENSIONS.items():
            sim.add_extension(number, name=name)
    for number in filter(None, (n.strip() for n in args.extensions.split(","))):
        sim.add_extension(number, name=DEMO_EXTENSIONS.get(number, ""))
    for number, name, agents in ([DEMO_QUEUE] if args.demo else []) + args.queue:
        sim.add_queue(number, name, agents)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await sim.start(host=args.host, port=args.port)
    say(f"VoipNow simulator listening on {sim.url}")
    say(f"  API base:      {sim.url}/uapi")
    say(f"  Token URL:     {sim.url}/oauth/token.php")
    say(f"  Client ID:     {sim.client_id}")
    say(f"  Client secret: {sim.client_secret}")
    say(f"  User id:       {sim.user_id}")
    say(f"  Extensions:    {', '.join(sim.extensions) or '(none)'}")
    say(f"  Queues:        {', '.join(sim.queues) or '(none)'}")
    say(f"  Control API:   {sim.url}/_sim/state")
    say(f"  Modes:         {sim.url}/_sim/modes")
    demo = loop.create_task(demo_loop(sim)) if args.demo else None
    try:
        await stop.wait()
    finally:
        if demo is not None:
            demo.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await demo
        await sim.stop()
        say("VoipNow simulator stopped")


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
