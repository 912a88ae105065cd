"""The drafts list's lines: each unsent text as the palette's "Drafts" offers it.

One line per draft, what it answers first (the ticket's number and whether it is a reply or
a note, or "New ticket"), then the start of the text, cut to the dialog's width. The list
itself is the app's `ChooseScreen`; choosing a line opens the ticket or the form, which puts
the text back.
"""

from __future__ import annotations

from rich.markup import escape

from cs_console.text.display import clip
from cs_console.text.strings import Strings
from cs_console.usecases.drafts import DraftEntry

LINE_WIDTH = 68
"""Cells of one line: the choose dialog is 76 wide, less its border, padding and scroll bar."""


def draft_label(entry: DraftEntry, strings: Strings) -> str:
    s, text = strings, entry.text
    if entry.ticket_id is None:
        what = s("drafts.new_ticket")
        gist = " · ".join(part for part in (text.fields.get("subject", ""), text.body) if part.strip())
    else:
        mode = text.fields.get("mode", "public_reply")
        what = f"{entry.ticket_number or s('drafts.ticket_gone')} · {s(f'interaction.{mode}')}"
        gist = text.body
    return escape(clip(f"{what} · {gist}", LINE_WIDTH))


def draft_options(entries: list[DraftEntry], strings: Strings) -> list[tuple[str, str]]:
    """(key, line) of every draft, for `ChooseScreen`."""
    return [(entry.key, draft_label(entry, strings)) for entry in entries]
