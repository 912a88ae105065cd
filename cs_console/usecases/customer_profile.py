"""What a customer's profile shows that the store keeps encoded: the list of their sites.

A customer's sites (ports, vessels' home yards, offices) are stored as one JSON array of
strings, the form sync carries. Pure: the screen renders the names it returns. It refuses
to fail on a damaged value: a profile that cannot be read at all helps nobody on a call,
so text that is not a JSON array is shown as the one site it names.
"""

from __future__ import annotations

import json


def site_names(stored: str | None) -> list[str]:
    """The site names in a customer's stored `sites`, in their order; none for "" or None."""
    if not stored or not stored.strip():
        return []
    try:
        found = json.loads(stored)
    except ValueError:
        return [stored.strip()]
    if not isinstance(found, list):
        return [str(found)]
    return [str(name) for name in found if str(name).strip()]
