"""Caller names from the user's own phonebook, matched in any number format.

No Home Assistant import: numbers (libphonenumber), the index, vCards, a
vCard file read safely and a CardDAV client. `phonebook_manager` runs them
for an entry.
"""

from __future__ import annotations

from .index import PhonebookEntry, PhonebookIndex, PhonebookSource, fold_name

__all__ = ["PhonebookEntry", "PhonebookIndex", "PhonebookSource", "fold_name"]
