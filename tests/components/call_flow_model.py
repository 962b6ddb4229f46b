"""A model of the whole call flow: the simulator's PBX and a real Home Assistant.

`CallFlowModel` is a hypothesis `RuleBasedStateMachine`. Its rules are what a
PBX, its callbacks, its API and a user do (ring, answer, hold, transfer, hang
up; lose, double, delay and forge callbacks; take the API down and back; reload
the entry). Its invariants are what a user must always see: each call-state
sensor shows what the PBX's last listing said, each call has one start and one
end event, a call Home Assistant saw answered is never `missed`, and a forged
callback changes nothing.

Hypothesis runs the machine synchronously, in a worker thread; Home Assistant
runs on the test's event loop. Each rule hands its coroutine to that loop and
waits for it (`World.run`). Each example gets a fresh simulator and a fresh
config entry, removed at the end of the example.

What the PBX listed is recorded where it is listed: the simulator's calls
listing (`_page`) is wrapped, and each listing keeps what every extension's
sensor must then show, which calls it listed for which extension, and which
of them anyone had answered.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from hypothesis import event as statistic, strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    precondition,
    rule,
)
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from yarl import URL

from custom_components.voipnow.const import DOMAIN, EVENT_CALL, PUSH_SCAN_INTERVAL
from tests.conftest import CLIENT_ID, CLIENT_SECRET, EXT_GARAGE, EXT_KITCHEN, EXT_OFFICE
from voipnow_simulator import SimCall, VoipNowSimulator

from .helpers import CALLS_PATH, DEFAULT_SCAN_INTERVAL
from .push_helpers import push_entry

EXTENSIONS = (EXT_OFFICE, EXT_KITCHEN, EXT_GARAGE)
OUTSIDE = ("5551234", "+15557654321", "5550000")
START = frozenset({"incoming_call", "outgoing_call"})
END = frozenset({"ended", "missed"})
# How a call that rings ends when nobody answers it (None: the caller gives up).
RING_ENDS = (None, "BUSY", "NOANSWER", "CONGESTION")
# Calls at once on the PBX: enough for ring groups of events, few enough to read.
MAX_CALLS = 4
STEP_TIMEOUT = 30.0
# Rounds of callbacks and what they start, at most, before a step has settled.
SETTLE_ROUNDS = 50


def call_state_sensor(extension: str) -> str:
    """The entity id of an extension's call-state sensor."""
    return f"sensor.extension_{extension.replace('*', '_')}_call_state"


def missed_sensor(extension: str) -> str:
    """The entity id of an extension's missed-calls sensor."""
    return f"sensor.extension_{extension.replace('*', '_')}_missed_calls"


def listed_state(sim: VoipNowSimulator, extension: str) -> str:
    """What an extension's call-state sensor must show for the PBX's calls now.

    From the documented view statuses: 3 ringing, 4 the other side rings
    (dialing), 5 on call, `onHold` on hold; the most advanced call wins.
    """
    rank = ["idle", "dialing", "ringing", "on_hold", "on_call"]
    best = 0
    for call in sim.calls.values():
        view = call.view_of(extension)
        if view is None:
            continue
        if view.status == 5:
            state = "on_hold" if view.on_hold is not None else "on_call"
        else:
            state = "ringing" if view.status == 3 else "dialing"
        best = max(best, rank.index(state))
    return rank[best]


@dataclass(slots=True)
class Listing:
    """What one calls listing showed."""

    # The first listing after a setup only learns the calls in progress.
    seeding: bool
    states: dict[str, str]
    # (extension, call id) of every call listed for each extension.
    pairs: frozenset[tuple[str, str]]
    # The ids of the calls anyone had answered.
    answered: frozenset[str]


@dataclass
class World:
    """What lives for the whole test: Home Assistant, its HTTP client, the clock."""

    hass: HomeAssistant
    http: TestClient
    freezer: FrozenDateTimeFactory
    events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Record every call event on the bus."""

        @callback
        def _record(event: Event) -> None:
            self.events.append(dict(event.data))

        self.hass.bus.async_listen(EVENT_CALL, _record)

    def run[T](self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on Home Assistant's loop from the hypothesis thread.

        A step that does not finish is cancelled and reported with what the
        loop still waits for, instead of lingering into the next example.
        """
        future = asyncio.run_coroutine_threadsafe(coro, self.hass.loop)
        try:
            return future.result(timeout=STEP_TIMEOUT)
        except TimeoutError:
            try:
                pending = asyncio.run_coroutine_threadsafe(
                    _async_pending(), self.hass.loop
                ).result(timeout=5)
            except TimeoutError:
                pending = "(the loop does not answer: busy)"
            future.cancel()
            raise AssertionError(f"a step never settled; pending:\n{pending}") from None


async def _async_pending() -> str:
    """Describe every task of the loop but this one: where each one waits."""
    lines = []
    for task in asyncio.all_tasks():
        if task is asyncio.current_task():
            continue
        frames = task.get_stack()[-4:]
        where = " -> ".join(
            f"{frame.f_code.co_qualname}:{frame.f_lineno}" for frame in frames
        )
        lines.append(f"{task.get_name()}: {where}")
    return "\n".join(sorted(lines))


class CallFlowModel(RuleBasedStateMachine):
    """The PBX, its callbacks, its API, a user, and what Home Assistant shows."""

    world: World
    calls = Bundle("calls")

    def __init__(self) -> None:
        """Start a simulator and set up a fresh push entry against it."""
        super().__init__()
        self.hass = self.world.hass
        self.world.events.clear()
        self.listings: list[Listing] = []
        # The next listing is the first of a setup.
        self.fresh = True
        self.api_down: str | None = None
        # Every extension each call ever rang or came from.
        self.parties: dict[str, set[str]] = {}
        self.sim = VoipNowSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        self.sim.add_extension(EXT_OFFICE, name="Office")
        self.sim.add_extension(EXT_KITCHEN, name="Kitchen")
        self.sim.add_extension(EXT_GARAGE, name="Garage")
        listing = self.sim.state._page

        def page(request: Any, items: list[Any], render: Any = None) -> dict[str, Any]:
            if request.path == CALLS_PATH:
                self._note_listing()
            return listing(request, items, render)

        self.sim.state._page = page  # type: ignore[method-assign]
        self.world.run(self._async_start())

    # ------------------------------------------------------------ plumbing
    async def _async_start(self) -> None:
        """Start the PBX and set up the entry."""
        await self.sim.start(host="127.0.0.1", port=0)
        # The entry names the PBX's address, known once it listens.
        self.entry: MockConfigEntry = push_entry(self.sim)
        self.entry.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self._async_settle()

    async def _async_settle(self) -> None:
        """Let callbacks, listings and events run to the end."""
        for _ in range(SETTLE_ROUNDS):
            await self.hass.async_block_till_done(wait_background_tasks=True)
            if not (tasks := list(self.sim.callbacks.tasks)):
                return
            await asyncio.gather(*tasks, return_exceptions=True)
        raise AssertionError(f"callbacks never settled: {self.sim.callbacks.tasks}")

    def _note_listing(self) -> None:
        """Keep what a calls listing shows, as it is answered."""
        calls = self.sim.calls.values()
        self.listings.append(
            Listing(
                seeding=self.fresh,
                states={ext: listed_state(self.sim, ext) for ext in EXTENSIONS},
                pairs=frozenset(
                    (ext, call.id) for call in calls for ext in call.local_extensions
                ),
                answered=frozenset(c.id for c in calls if c.was_answered),
            )
        )
        self.fresh = False

    @property
    def loaded(self) -> bool:
        """Tell whether the entry is loaded."""
        return self.entry.state is ConfigEntryState.LOADED

    def _new_call(self, call_id: str) -> str:
        """Remember a new call's parties."""
        self.parties[call_id] = set(self.sim.calls[call_id].local_extensions)
        return call_id

    def _live(self, call_id: str) -> SimCall | None:
        """Return the PBX's call if it is still on."""
        return self.sim.calls.get(call_id)

    def _note_parties(self, call_id: str) -> None:
        """Remember who a call rings now too (after a transfer)."""
        if (call := self.sim.calls.get(call_id)) is not None:
            self.parties.setdefault(call_id, set()).update(call.local_extensions)

    def _webhook_id(self) -> str:
        """The entry's webhook id."""
        return str(self.entry.data["webhook_id"])

    async def _async_post(self, url: str, params: dict[str, str]) -> None:
        """Post a callback to Home Assistant's webhook, as the PBX (or anyone) would."""
        response = await self.world.http.post(str(URL(url).relative()), data=params)
        await response.read()
        await self._async_settle()

    def _shown(self) -> dict[str, str | None]:
        """What a user sees of the calls: call states and missed-call badges."""
        shown: dict[str, str | None] = {}
        for extension in EXTENSIONS:
            for entity_id in (call_state_sensor(extension), missed_sensor(extension)):
                state = self.hass.states.get(entity_id)
                shown[entity_id] = state.state if state else None
        return shown

    # --------------------------------------------------------------- rules
    @precondition(lambda self: len(self.sim.calls) < MAX_CALLS)
    @rule(
        target=calls,
        extension=st.sampled_from(EXTENSIONS),
        caller=st.sampled_from(OUTSIDE),
    )
    def ring_in(self, extension: str, caller: str) -> str:
        """Someone outside calls an extension."""

        async def ring() -> str:
            call_id = await self.sim.incoming_call(extension, caller, "Caller")
            await self._async_settle()
            return call_id

        return self._new_call(self.world.run(ring()))

    @precondition(lambda self: len(self.sim.calls) < MAX_CALLS)
    @rule(
        target=calls,
        extension=st.sampled_from(EXTENSIONS),
        to=st.sampled_from(EXTENSIONS + OUTSIDE),
    )
    def dial_out(self, extension: str, to: str) -> str | MultipleResults[str]:
        """An extension calls a number outside or another extension.

        Its own number is refused by the PBX (as MakeCall refuses it): no call.
        """

        async def dial() -> str | None:
            try:
                call_id = await self.sim.outgoing_call(extension, to)
            except ValueError:
                assert to == extension
                return None
            await self._async_settle()
            return call_id

        if (call_id := self.world.run(dial())) is None:
            statistic("dial_out refused: its own number")
            return multiple()
        return self._new_call(call_id)

    @rule(call_id=calls)
    def answer(self, call_id: str) -> None:
        """The ringing phone answers."""
        call = self._live(call_id)
        if call is None or call.connected is not None:
            return

        async def answer() -> None:
            await self.sim.answer_call(call_id)
            await self._async_settle()

        self.world.run(answer())

    @rule(call_id=consumes(calls), status=st.sampled_from(RING_ENDS))
    def hang_up(self, call_id: str, status: str | None) -> None:
        """A party hangs up (a ringing call ends busy, unanswered, failed...)."""
        call = self._live(call_id)
        if call is None:
            return
        if call.connected is not None:
            status = None

        async def hang_up() -> None:
            await self.sim.hangup_call(call_id, status)
            await self._async_settle()

        self.world.run(hang_up())

    @rule(call_id=calls, on_hold=st.booleans(), by_extension=st.booleans())
    def hold(self, call_id: str, on_hold: bool, by_extension: bool) -> None:
        """A party puts an answered call on hold or takes it off (no callback)."""
        call = self._live(call_id)
        if call is None or call.connected is None:
            return
        holder = call.local_extensions[0] if by_extension else None

        async def hold() -> None:
            if on_hold:
                await self.sim.hold_call(call_id, holder)
            else:
                await self.sim.unhold_call(call_id)
            await self._async_settle()

        self.world.run(hold())

    @rule(call_id=calls, to=st.sampled_from(EXTENSIONS), by_callee=st.booleans())
    def pbx_transfer(self, call_id: str, to: str, by_callee: bool) -> None:
        """A phone transfers its call to another extension (the PBX's own transfer)."""
        call = self._live(call_id)
        if call is None or to in (call.caller.number, call.callee.number):
            return
        leaving = call.callee if by_callee else call.caller

        async def transfer() -> None:
            await self.sim.transfer_call(call_id, to, leaving.number)
            await self._async_settle()

        self.world.run(transfer())
        self._note_parties(call_id)

    @rule(call_id=calls, to=st.sampled_from(EXTENSIONS), hang_up=st.booleans())
    def ha_action(self, call_id: str, to: str, hang_up: bool) -> None:
        """Home Assistant transfers a call (`voipnow.transfer_call`) or hangs it up.

        It may only fail when Home Assistant cannot know the call or reach
        the PBX: the API is down, the entry is not loaded, or no listing
        since the call began (or moved) showed it to the extension.
        """
        call = self._live(call_id)
        if call is None:
            return
        extension = next(iter(call.local_extensions), None)
        if extension is None or (not hang_up and to in call.local_extensions):
            return
        known = (
            self.loaded
            and self.api_down is None
            and bool(self.listings)
            and (extension, call_id) in self.listings[-1].pairs
        )
        data = {"extension": extension, "phone_call_id": call_id}
        if not hang_up:
            data["send_call_to"] = to

        async def act() -> str:
            try:
                await self.hass.services.async_call(
                    DOMAIN,
                    "hangup_call" if hang_up else "transfer_call",
                    data,
                    blocking=True,
                )
            except HomeAssistantError as err:
                if known:
                    raise
                return f"refused: {type(err).__name__}"
            finally:
                await self._async_settle()
            return "done"

        statistic(f"ha_action {self.world.run(act())}")
        if call_id in self.sim.calls:
            self._note_parties(call_id)

    @rule()
    def callbacks_lost(self) -> None:
        """The PBX's callbacks stop arriving (kept, to arrive late), or arrive again."""
        self.sim.block_callbacks(not self.sim.callbacks.blocked)

    @precondition(lambda self: self.sim.callbacks_dropped)
    @rule(data=st.data())
    def callback_arrives_late(self, data: st.DataObject) -> None:
        """A callback held back arrives now, late."""
        dropped = self.sim.callbacks_dropped
        late = dropped.pop(data.draw(st.integers(0, len(dropped) - 1), label="late"))
        self.world.run(self._async_post(late.url, late.params))

    @precondition(lambda self: self.sim.callbacks_sent)
    @rule(data=st.data())
    def callback_doubled(self, data: st.DataObject) -> None:
        """A callback the PBX sent arrives a second time."""
        sent = self.sim.callbacks_sent
        again = sent[data.draw(st.integers(0, len(sent) - 1), label="again")]
        self.world.run(self._async_post(again.url, again.params))

    @precondition(lambda self: self.loaded)
    @rule(
        forged=st.fixed_dictionaries(
            {},
            optional={
                "CallID": st.one_of(st.text(max_size=30), st.just("1717171717.1")),
                "CallerIDNum": st.sampled_from(["+19005550100", *OUTSIDE]),
                "CallerIDName": st.sampled_from(["Your Bank", ""]),
                "CalledExtension": st.sampled_from([*EXTENSIONS, "0003*999", ""]),
                "CallerExtension": st.sampled_from([*EXTENSIONS, ""]),
                "CallFlow": st.sampled_from(["IN", "OUT", "LOCAL", ""]),
                "CallStatus": st.sampled_from(
                    ["CALLING", "ANSWER", "BUSY", "NOANSWER", "CANCEL", "x"]
                ),
            },
        ),
        where=st.sampled_from(["subscribed", "bare", "other_marker"]),
    )
    def forged_callback(self, forged: dict[str, str], where: str) -> None:
        """Someone with the webhook URL posts a callback the PBX never sent.

        Home Assistant first catches up with the PBX; then the forgery must
        change nothing a user sees: no state, no event, no missed call.
        """

        async def forge() -> None:
            await self.entry.runtime_data.calls.async_refresh()
            await self._async_settle()
            before = self._shown()
            events = len(self.world.events)
            sub = next(iter(self.sim.subscriptions.values()), None)
            url = URL(sub.url) if sub else URL(f"/api/webhook/{self._webhook_id()}")
            if where == "bare":
                url = url.with_query(None)
            elif where == "other_marker":
                url = url.update_query(ha_event="answer_in", ha_extension=EXT_KITCHEN)
            await self._async_post(str(url), forged)
            assert self.world.events[events:] == []
            assert self._shown() == before

        self.world.run(forge())

    @precondition(lambda self: self.api_down is None)
    @rule(kind=st.sampled_from(["offline", "http_500"]))
    def api_goes_down(self, kind: str) -> None:
        """The PBX's API stops answering (connection refused, or 500s)."""

        async def down() -> None:
            if kind == "offline":
                await self.sim.go_offline()
            else:
                self.sim.inject_fault("http_500", count=None, path_prefix="/uapi/")
            self.api_down = kind
            await self._async_settle()

        self.world.run(down())

    @precondition(lambda self: self.api_down is not None)
    @rule()
    def api_comes_back(self) -> None:
        """The PBX's API answers again."""

        async def up() -> None:
            self.sim.clear_faults()
            await self.sim.go_online()
            self.api_down = None
            await self._async_settle()

        self.world.run(up())

    @rule()
    def reload(self) -> None:
        """The entry reloads (an option changed, the user asked).

        The calls it follows are kept: a reload's first listing announces
        the calls that began meanwhile and ends those that ended.
        """

        async def reload() -> None:
            await self.hass.config_entries.async_reload(self.entry.entry_id)
            await self._async_settle()

        self.world.run(reload())

    @rule()
    def poll(self) -> None:
        """A polling interval passes."""

        async def poll() -> None:
            await self._async_settle()
            self.world.freezer.tick(DEFAULT_SCAN_INTERVAL)
            async_fire_time_changed(self.hass)
            await self._async_settle()

        self.world.run(poll())

    # ---------------------------------------------------------- invariants
    @invariant()
    def sensors_show_the_last_listing(self) -> None:
        """Each call-state sensor shows what the PBX last listed."""
        if not self.loaded or not self.listings:
            return
        coordinator = self.entry.runtime_data.calls
        expected = self.listings[-1].states
        for extension in EXTENSIONS:
            state = self.hass.states.get(call_state_sensor(extension))
            assert state is not None
            if coordinator.last_update_success:
                assert state.state == expected[extension], (extension, state.state)
            else:
                assert state.state == STATE_UNAVAILABLE, (extension, state.state)

    @invariant()
    def each_call_starts_and_ends_once(self) -> None:
        """At most one start and one end per call and extension, in order.

        Events only ever name calls a listing showed to that extension.
        """
        listed = {pair for listing in self.listings for pair in listing.pairs}
        seen: dict[tuple[str, str], list[str]] = {}
        for event in self.world.events:
            pair = (event["extension"], event["phone_call_id"])
            assert pair in listed, f"event of a call never listed: {event}"
            seen.setdefault(pair, []).append(event["type"])
        for pair, types in seen.items():
            counts = Counter(types)
            assert sum(counts[kind] for kind in START) <= 1, (pair, types)
            assert sum(counts[kind] for kind in END) <= 1, (pair, types)
            if any(kind in END for kind in types):
                assert types[-1] in END, (pair, types)

    @invariant()
    def a_call_seen_answered_is_never_missed(self) -> None:
        """A call a listing showed answered is not `missed` for anyone."""
        answered = {call for listing in self.listings for call in listing.answered}
        for event in self.world.events:
            if event["type"] == "missed":
                assert event["phone_call_id"] not in answered, event

    @invariant()
    def missed_badges_count_only_real_calls(self) -> None:
        """A missed-call badge counts only ended calls that rang the extension.

        Not a call whose event said `ended` (taken here or elsewhere, or sent
        on by Home Assistant), whatever the call records say; a call no
        listing showed may come from the call records.
        """
        ended_events = {
            (event["extension"], event["phone_call_id"])
            for event in self.world.events
            if event["type"] == "ended"
        }
        for extension in EXTENSIONS:
            state = self.hass.states.get(missed_sensor(extension))
            if state is None or not state.state.isdigit():
                continue
            may_count = [
                call_id
                for call_id, parties in self.parties.items()
                if extension in parties
                and call_id not in self.sim.calls
                and (extension, call_id) not in ended_events
            ]
            assert int(state.state) <= len(may_count), (
                extension,
                state.state,
                may_count,
            )

    # ------------------------------------------------------------ teardown
    def teardown(self) -> None:
        """End every call, let Home Assistant see it, check, and clean up."""
        try:
            self.world.run(self._async_finish())
            self._check_every_call_ended()
        finally:
            self.world.run(self._async_remove())

    async def _async_finish(self) -> None:
        """Bring the API back, deliver callbacks, hang up everything, list twice."""
        self.sim.block_callbacks(False)
        self.sim.clear_faults()
        await self.sim.go_online()
        for call_id in list(self.sim.calls):
            await self.sim.hangup_call(call_id)
        # An entry whose setup failed while the API was down tries again
        # later and later: let time pass until it is back.
        for _ in range(20):
            if self.loaded:
                break
            await self._async_settle()
            self.world.freezer.tick(DEFAULT_SCAN_INTERVAL)
            async_fire_time_changed(self.hass)
        assert self.loaded, self.entry.state
        # Callbacks lost: with push, the calls are listed once a minute.
        for _ in range(2):
            await self._async_settle()
            self.world.freezer.tick(PUSH_SCAN_INTERVAL)
            async_fire_time_changed(self.hass)
            await self._async_settle()

    def _check_every_call_ended(self) -> None:
        """Every call a listing showed has ended once; each announced one started once."""
        announced = {
            pair
            for listing in self.listings
            if not listing.seeding
            for pair in listing.pairs
        }
        listed = {pair for listing in self.listings for pair in listing.pairs}
        types: dict[tuple[str, str], list[str]] = {pair: [] for pair in listed}
        for event in self.world.events:
            types[event["extension"], event["phone_call_id"]].append(event["type"])
        for pair in sorted(listed):
            got = types[pair]
            assert sum(kind in END for kind in got) == 1, (pair, got)
            if pair in announced:
                assert sum(kind in START for kind in got) == 1, (pair, got)

    async def _async_remove(self) -> None:
        """Remove the entry and stop the PBX."""
        await self.sim.go_online()
        if self.entry.entry_id in {
            entry.entry_id for entry in self.hass.config_entries.async_entries(DOMAIN)
        }:
            await self.hass.config_entries.async_remove(self.entry.entry_id)
        await self.hass.async_block_till_done(wait_background_tasks=True)
        await self.sim.stop()
