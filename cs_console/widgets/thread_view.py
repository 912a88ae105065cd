"""A ticket's conversation as the ticket screen shows it, for every screen that shows one
(the ticket itself, a lead's review): each message whole under a heading (kind, author,
time, channel, scores, delivery), and one compact line per thing done to the ticket."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo

from rich.markup import escape
from textual.widgets import Static

from cs_console.lead.survey import Question, survey_answer_texts
from cs_console.storage.tickets import TicketDetail
from cs_console.text.display import channel_name, local_time
from cs_console.text.strings import Strings
from cs_console.usecases.ticket_trail import Activity, activity_text, ticket_trail


def delivery_text(detail: TicketDetail, reply_id: str, strings: Strings) -> str:
    """What became of a mailed reply: saved here, on the server, sent, or failed and why."""
    state, reason = detail.delivery_of(reply_id)
    return strings(f"delivery.{state}", reason=reason)


def merged_number(detail: TicketDetail, ticket_id: str | None) -> str | None:
    """The number of a ticket merged into this one whose message or activity the thread
    shows, or None for the ticket's own."""
    if ticket_id in (None, detail.ticket.id):
        return None
    return next((t.number for t in detail.relations.merged if t.id == ticket_id), None)


def thread_entries(detail: TicketDetail, strings: Strings, zone: tzinfo, now: datetime,
                   questions: Iterable[Question] = (), files_of: Callable[[str], str] = lambda _message: "") -> list[Static]:
    """The conversation's widgets, oldest first; what came from a ticket merged into this one
    says which, a callback its answers to the survey's `questions`, and each message the
    lines `files_of` gives for its attached files (markup)."""
    s, ticket, customer = strings, detail.ticket, detail.customer
    entries = []
    for interaction in ticket_trail(detail):
        merged_from = merged_number(detail, interaction.ticket_id)
        came_from = " · " + s("merge.from", number=merged_from) if merged_from else ""
        if isinstance(interaction, Activity):
            line = f"· {activity_text(interaction, s, detail.authors, zone, now)} · {local_time(interaction.at, zone, now, s)}"
            entries.append(Static(escape(line + came_from), classes="entry activity"))
            continue
        if interaction.kind == "public_reply" and interaction.author_id is None:
            author = s("ticket.automatic_reply")  # the server's acknowledgement of a mail
        else:
            author = detail.authors.get(interaction.author_id, detail.contact.name if detail.contact else customer.name)
        heading = " · ".join([s(f"interaction.{interaction.kind}"), escape(author),
                              local_time(interaction.created_at, zone, now, s)])
        if interaction.channel:
            heading += " · " + channel_name(interaction.channel, s)
        heading += came_from
        if interaction.satisfaction is not None:
            heading += " · " + s("ticket.satisfaction", score=interaction.satisfaction)
        if interaction.nps is not None:
            heading += " · " + s("ticket.nps", score=interaction.nps)
        if interaction.kind == "callback":
            heading += "".join(f" · {escape(answer)}" for answer in survey_answer_texts(
                interaction.survey, questions, s.language))
        if interaction.kind == "public_reply" and ticket.channel == "email":
            heading += " · " + escape(delivery_text(detail, interaction.id, s))
        entries.append(Static(f"[b]{heading}[/b]\n{escape(interaction.body)}{files_of(interaction.id)}",
                              classes=f"entry {interaction.kind}"))
    return entries
