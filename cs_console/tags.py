"""What a ticket's tag is: its one written form, and the id of its row.

Agents type tags as they think of them ("#Typhoon", " typhoon", "台风"); the ticket keeps
one form, case-folded, trimmed, without the "#", so two devices that tag the same ticket
alike make the same row. A tag's row id is derived from the ticket and that form (uuid5),
never drawn at random: a tag added offline on two devices is one row, whose `active` flag
merges last-writer-wins like any field. Older notes carry tags as "#hashtags" in their
text; `hashtags` finds them. Pure: no database, no terminal.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import TypeVar

from cs_console.errors import UserError

TAG_NAMESPACE = uuid.UUID("6f1d9c52-3f0e-5a8b-9d1e-7c2b4a6e8f10")
"""The uuid5 namespace of tag row ids; fixed forever, or tags made before and after a
change would no longer meet."""
MAX_TAG_CHARS = 40
"""The longest tag: a word or two, not a sentence."""
TAG_PATTERN = re.compile(r"(?<![\w#])#([^\W_][\w-]*)")
"""A hashtag in a note: # then letters, digits (any script) and hyphens, not inside a word ("C#")."""
_WORD = re.compile(r"[^\W_][\w-]*")


When = TypeVar("When")


class BadTag(UserError, ValueError):
    """A tag that cannot be kept; the message names it and says why."""


def normal_tag(text: str) -> str:
    """The form a tag is kept in: "#Typhoon " gives "typhoon"; "台风" stays "台风".

    Raises:
        BadTag: empty, all digits (an order number), too long, or not one word (letters,
            digits and hyphens of any script).
    """
    tag = text.strip().lstrip("#").strip().casefold()
    if not tag:
        raise BadTag("a tag needs a word after the #")
    if len(tag) > MAX_TAG_CHARS:
        raise BadTag(f"the tag #{tag[:MAX_TAG_CHARS]}… is {len(tag)} characters long; at most {MAX_TAG_CHARS} fit")
    if tag.isdigit():
        raise BadTag(f"#{tag} is a number, not a tag (numbers are for orders and berths)")
    if not _WORD.fullmatch(tag):
        raise BadTag(f"the tag {text.strip()!r} must be one word: letters, digits and hyphens, no spaces")
    return tag


def tag_id(ticket_id: str, tag: str) -> str:
    """The id of the row that says whether `ticket_id` carries `tag` (in its normal form)."""
    return str(uuid.uuid5(TAG_NAMESPACE, f"{ticket_id}\x1f{tag}"))


def hashtags(text: str) -> list[str]:
    """The tags written in a note, in normal form, in order: "#Typhoon delay, #vip" gives
    ["typhoon", "vip"]. All-digit ones (an order "#12345", "berth #3") and overlong ones
    are not tags."""
    found = []
    for word in TAG_PATTERN.findall(text):
        try:
            found.append(normal_tag(word))
        except BadTag:
            continue
    return found


def tag_changes(text: str) -> tuple[list[str], list[str]]:
    """The tags to add and to remove that an agent typed: words apart by spaces or commas,
    "-" before one removes it. "typhoon -vip #台风" gives (["typhoon", "台风"], ["vip"]).

    Raises:
        BadTag: a word is no tag, or nothing was typed; the message names the word.
    """
    add: list[str] = []
    remove: list[str] = []
    for word in text.replace(",", " ").replace("，", " ").split():
        removing = word.startswith("-")
        tag = normal_tag(word[1:] if removing else word)
        chosen, other = (remove, add) if removing else (add, remove)
        if tag in other:
            raise BadTag(f"#{tag} is both added and removed; keep one")
        if tag not in chosen:
            chosen.append(tag)
    if not add and not remove:
        raise BadTag("type a tag to add, or -tag to remove one")
    return add, remove


def tags_of_notes(notes: Iterable[tuple[str, str, When, str]]) -> dict[str, tuple[str, str, When, str]]:
    """The tags older notes carry as "#hashtags". From internal notes as (ticket id, text,
    when, stamp), oldest first: each tag row's id to (ticket id, tag, when, stamp) of the
    note that first named it, so that whoever reads the same notes makes the same rows."""
    rows: dict[str, tuple[str, str, When, str]] = {}
    for ticket_id, body, at, stamp in notes:
        for tag in hashtags(body):
            rows.setdefault(tag_id(ticket_id, tag), (ticket_id, tag, at, stamp))
    return rows
