"""Tagging tickets: what an agent or a lead types after `#`, applied to one ticket or many.

The words are read by `cs_console.tags` ("typhoon -vip": add one, remove one), the store
writes them in one transaction with their trail events, and the tags in use come back for
completion. The ticket screen, the lead's bulk tagging and the demo ask here, so every
tag is kept in the same form. It refuses to know what a screen shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.tags import tag_changes, tag_id

if TYPE_CHECKING:
    from cs_console.store import Store


@dataclass(frozen=True)
class Tagged:
    """What a tagging did: the tags asked to be added and removed, and how many changed."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: int


def change_tags(store: Store, ticket_ids: Sequence[str], typed: str, *, author_id: str | None,
                at: datetime | None = None) -> Tagged:
    """Add and remove, on every ticket, the tags `typed` names, in one transaction.

    Raises:
        BadTag: a word is no tag; nothing was changed.
        StoreError: a ticket does not exist, or the store refuses; nothing was changed.
    """
    add, remove = tag_changes(typed)
    changed = store.change_tags(ticket_ids, add=add, remove=remove, row_id=tag_id, author_id=author_id, at=at)
    return Tagged(tuple(add), tuple(remove), changed)


def tags_in_use(store: Store) -> list[str]:
    """Every tag some ticket carries, most used first: what completion offers."""
    return [tag for tag, _count in store.tags_in_use()]
