"""How a contact is reached, as text: their phones and emails stored as JSON arrays of text,
typed and shown as one field with commas between.

Pure and cheap to import, so the hotline's lookup and the screens' first paint read a
contact's numbers without loading the database layer. It refuses to lose text: a stored
value that is not an array is the one item it names."""

from __future__ import annotations

import json
import re

LIST_SEPARATORS = re.compile(r"[,;，；、\n]+")
"""What separates several phones or emails typed in one field (Chinese commas as well)."""


def typed_list(text: str) -> list[str]:
    """The items typed in one field, in order, blanks left out."""
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def stored_list(stored: str) -> list[str]:
    """The phones or emails of a stored JSON array."""
    try:
        found = json.loads(stored or "[]")
    except ValueError:
        return [stored]
    return [str(item) for item in found] if isinstance(found, list) else [stored]


def shown_list(stored: str) -> str:
    """A stored JSON array of phones or emails as one field shows it."""
    return ", ".join(stored_list(stored))
