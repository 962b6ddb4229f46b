"""Phonebook: a caller's name for 10,000 contacts, against a plain dictionary read.

- Lookup: the phonebook's name of a caller's number, in the formats a PBX
  sends (E.164, national, with the `00` prefix), over reading a plain `dict`
  of the same keys and names with the same numbers (`dict.get`); shown
  too: over a plain dict of one E.164 key per contact, and a caller the
  phonebook does not know. The index is the integration's own (its
  `phonebook` package has no Home Assistant import; the lookup cannot be
  reached through Home Assistant without timing a whole poll).
- Load: `voipnow.reload_phonebook` reading a vCard file of 10,000 contacts,
  through Home Assistant (the file is read and parsed in the executor), per
  contact; and the longest the event loop was held meanwhile.
- Memory: what the index of 10,000 contacts holds, per contact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import gc
from pathlib import Path
import time
import tracemalloc

from homeassistant.core import HomeAssistant

from custom_components.voipnow.phonebook.index import (
    PhonebookEntry,
    PhonebookSource,
    build_index,
)

from .harness import DOMAIN, MakeExternalSimulator, Record, async_add_entry
from .measure import median, rounds

CONTACTS = 10_000
# Lookup rounds: each reads every number asked once (about 4,300 reads, well
# under a millisecond): many short rounds, so that a round the machine
# preempted moves the median little.
LOOKUP_ROUNDS = rounds(1000, 300)
ROUNDS = rounds(5, 2)
REGION = "RO"


def _number(index: int) -> str:
    """A Bucharest number per contact, as a person writes it."""
    return f"021 {300 + index // 10_000:03d} {index % 10_000:04d}"


def _vcards() -> str:
    """A vCard 3.0 file of CONTACTS contacts, one number each."""
    return "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Contact {i}\r\n"
        f"TEL;TYPE=CELL:{_number(i)}\r\nEND:VCARD\r\n"
        for i in range(CONTACTS)
    )


def _entries() -> list[PhonebookEntry]:
    return [
        PhonebookEntry(f"Contact {i}", _number(i), PhonebookSource.FILE)
        for i in range(CONTACTS)
    ]


def _per_read(read: Callable[[str], object], numbers: list[str]) -> float:
    """Seconds per read of `numbers`, each read once."""
    start = time.perf_counter()
    for number in numbers:
        read(number)
    return (time.perf_counter() - start) / len(numbers)


async def bench_phonebook_lookup(bench: Record) -> None:
    """One lookup in any format over one plain dictionary read."""
    index = build_index(_entries(), REGION)
    # What the PBX sends: E.164, national, international with 00.
    asked = [
        form.format(n=f"{300 + i // 10_000:03d}{i % 10_000:04d}")
        for i in range(0, CONTACTS, 7)
        for form in ("+4021{n}", "021{n}", "004021{n}")
    ]
    # The baseline: one read of a plain `dict` holding the same keys and
    # names (every form of every number), with the same numbers.
    plain = dict(index.names)
    # For scale: a plain dict of one E.164 key per contact (6x fewer keys,
    # fewer cache misses), read with the E.164 forms.
    small = {f"+40213{i:06d}": f"Contact {i}" for i in range(CONTACTS)}
    keys = [f"+40213{i:06d}" for i in range(0, CONTACTS, 7)] * 3
    # Callers the phonebook does not know (most calls of an office).
    unknown = [f"+40314{i:06d}" for i in range(0, CONTACTS, 7)] * 3
    assert all(index.name_of(number) for number in asked)
    assert not any(index.name_of(number) for number in unknown)
    ours: list[float] = []
    base: list[float] = []
    smaller: list[float] = []
    misses: list[float] = []
    gc.collect()
    # The lookup and the plain read alternate, each going first every other round.
    for turn in range(LOOKUP_ROUNDS):
        if turn % 2:
            ours.append(_per_read(index.name_of, asked))
            base.append(_per_read(plain.get, asked))
        else:
            base.append(_per_read(plain.get, asked))
            ours.append(_per_read(index.name_of, asked))
        smaller.append(_per_read(small.get, keys))
        misses.append(_per_read(index.name_of, unknown))
    gc.collect()
    tracemalloc.start()
    held_index = build_index(_entries(), REGION)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(held_index) == CONTACTS
    bench(
        "phonebook_lookup",
        contacts=CONTACTS,
        rounds=LOOKUP_ROUNDS,
        lookup_ns=median(ours) * 1e9,
        dict_read_ns=median(base) * 1e9,
        ratio=median(ours) / median(base),
        small_dict_read_ns=median(smaller) * 1e9,
        small_ratio=median(ours) / median(smaller),
        unknown_ns=median(misses) * 1e9,
        unknown_ratio=median(misses) / median(base),
        bytes_per_contact=held / CONTACTS,
    )


async def bench_phonebook_load(
    hass: HomeAssistant,
    make_external_simulator: MakeExternalSimulator,
    bench: Record,
    tmp_path: Path,
) -> None:
    """Reading a 10,000-contact vCard file through the reload action."""
    sim = await make_external_simulator(1)
    hass.config.country = REGION
    hass.config.config_dir = str(tmp_path)
    (tmp_path / "phonebook.vcf").write_text(_vcards())
    entry = await async_add_entry(hass, sim.url)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "phonebook_file": "phonebook.vcf"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = hass.config_entries.async_get_entry(entry.entry_id)
    assert entry is not None

    longest = 0.0
    stop = False

    async def watch_loop() -> None:
        nonlocal longest
        while not stop:
            start = time.perf_counter()
            await asyncio.sleep(0)
            longest = max(longest, time.perf_counter() - start)

    times: list[float] = []
    for _ in range(ROUNDS):
        watcher = asyncio.create_task(watch_loop())
        start = time.perf_counter()
        await hass.services.async_call(DOMAIN, "reload_phonebook", {}, blocking=True)
        times.append(time.perf_counter() - start)
        stop = True
        await watcher
        stop = False
    assert entry.runtime_data.phonebook.name_of("+40213000042") == "Contact 42"
    bench(
        "phonebook_load",
        contacts=CONTACTS,
        load_s=median(times),
        load_us_per_contact=median(times) / CONTACTS * 1e6,
        longest_loop_block_ms=longest * 1000,
    )
