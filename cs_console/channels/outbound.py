"""The mail that carries an agent's reply to the customer.

Plain text in UTF-8 (it reads on every client, a ship's webmail included), the ticket
number in the subject, and the threading headers that keep the conversation together in
the customer's mail client and bring their answer back to the same ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from cs_console.channels.threading import subject_with_number


@dataclass(frozen=True)
class OutgoingReply:
    message_id: str
    """`threading.reply_message_id` of the reply."""
    ticket_number: str
    subject: str
    """The ticket's subject; the number and "Re:" are added."""
    body: str
    to_address: str
    to_name: str
    from_address: str
    from_name: str
    in_reply_to: str | None
    """The Message-ID of the customer's latest mail on the ticket, if any came by mail."""
    references: tuple[str, ...]
    sent_at: datetime
    automatic: bool = False
    """Written by no person (the acknowledgement): marked so, as RFC 3834 asks."""


def compose(reply: OutgoingReply) -> EmailMessage:
    """The reply as a mail ready for SMTP."""
    message = EmailMessage()
    local, _, host = reply.from_address.partition("@")
    message["From"] = Address(reply.from_name, local, host)
    to_local, _, to_host = reply.to_address.partition("@")
    message["To"] = Address(reply.to_name, to_local, to_host)
    message["Subject"] = subject_with_number(reply.subject, reply.ticket_number)
    message["Date"] = format_datetime(reply.sent_at)
    message["Message-ID"] = reply.message_id
    if reply.automatic:
        message["Auto-Submitted"] = "auto-replied"
    if reply.in_reply_to:
        message["In-Reply-To"] = reply.in_reply_to
    references = [*reply.references, *([reply.in_reply_to] if reply.in_reply_to else [])]
    if references:
        message["References"] = " ".join(dict.fromkeys(references))
    message.set_content(reply.body, charset="utf-8")
    return message
