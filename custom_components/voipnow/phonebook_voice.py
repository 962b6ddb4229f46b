"""Voice: "call Mum from the office phone".

Voice has no user to check, so it reaches the names of the options
phonebook only (set by an administrator, like transfer targets); names from
a file or an address book are not called by voice.
"""

from __future__ import annotations

from .actions import async_make_call
from .phonebook import PhonebookSource
from .phrases import alternatives, say
from .voice import UnresolvedError, VoiceScope, extension_label, unknown_extension


async def async_call_contact(
    scope: VoiceScope, contact: str, extension_text: str | None
) -> str:
    """Place a call from the named phone to a name of the options phonebook."""
    language = scope.language
    named = scope.named(extension_text)
    if extension_text and not named:
        raise unknown_extension(extension_text, language)
    if len(named) != 1:
        labels = [extension_label(c, number, language) for c, number in named]
        raise UnresolvedError("which_phone", extensions=alternatives(language, labels))
    coordinator, extension = named[0]
    phonebook = coordinator.config_entry.runtime_data.phonebook
    entries = [
        entry
        for entry in phonebook.index.entries_named(contact)
        if entry.source is PhonebookSource.OPTIONS
    ]
    numbers = list(dict.fromkeys(entry.number for entry in entries))
    if not numbers:
        raise UnresolvedError("unknown_contact", name=contact)
    if len(numbers) > 1:
        raise UnresolvedError("ambiguous_contact", name=contact)
    await async_make_call(coordinator, extension=extension, destination=numbers[0])
    return say(
        language,
        "calling",
        name=entries[0].name,
        extension=extension_label(coordinator, extension, language),
    )
