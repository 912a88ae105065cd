"""How a mail finds its ticket: the ticket number in the subject, and Message-IDs.

A reply we send carries the ticket number in its subject ("[MAIL-0007] ...") and a
Message-ID made from the reply's own id, so the customer's answer (its In-Reply-To and
References) and a bounce (the Message-ID it returns) both lead back to it.
"""

from __future__ import annotations

import re

TICKET_TOKEN = re.compile(r"\[#?([A-Z2-7]{4,5}-\d{4,})\]")
"""A ticket number in brackets: a device's five-letter prefix (or MAIL for mail) and its count."""
REPLY_ID = re.compile(r"^<?reply-([0-9a-f-]{36})@", re.IGNORECASE)


def ticket_number_in(subject: str) -> str | None:
    """The ticket number a subject names in brackets, or None."""
    found = TICKET_TOKEN.search(subject or "")
    return found.group(1) if found else None


def subject_with_number(subject: str, number: str) -> str:
    """The subject a reply goes out with: "Re: [NUMBER] subject", each added once."""
    subject = " ".join((subject or "").split())
    if ticket_number_in(subject) != number:
        subject = f"[{number}] {subject}".strip()
    return subject if re.match(r"^(re|回复|答复)\s*[:：]", subject, re.IGNORECASE) else f"Re: {subject}"


def reply_message_id(interaction_id: str, domain: str) -> str:
    """The Message-ID of the mail carrying reply `interaction_id`."""
    return f"<reply-{interaction_id}@{domain}>"


def reply_of(message_id: str) -> str | None:
    """The reply (interaction id) a Message-ID of ours names, or None."""
    found = REPLY_ID.match((message_id or "").strip())
    return found.group(1).lower() if found else None


def message_ids(header: str | None) -> tuple[str, ...]:
    """The Message-IDs listed in an In-Reply-To or References header, in order."""
    return tuple(re.findall(r"<[^<>\s]+>", header or ""))
