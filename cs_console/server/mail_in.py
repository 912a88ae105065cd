"""Customers' mail into tickets: each team's mailbox fetched over IMAP, in the server process.

A new mail opens a ticket in its team's unassigned pool (channel email), the sender matched
to a customer by address or a new customer created and marked as new from mail. An answer
joins its ticket, found by the Message-IDs it answers (In-Reply-To, References) or by the
ticket number in its subject. Automatic replies, bounces and our own mail never open a
ticket; a bounce marks the reply it returns as failed.

A mail is marked seen only after its ticket is committed, and every mail taken in is
recorded by Message-ID in the same transaction: a crash in between fetches it again, and
it is recognised and skipped. One process at a time fetches a mailbox (a lease in the
database); should two ever take the same mail, the Message-ID's key refuses the second.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import time
import uuid
from dataclasses import dataclass, replace

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col

from cs_console.channels.acknowledgement import fill
from cs_console.channels.inbound import InboundMail, parse_mail
from cs_console.channels.noise import Noise
from cs_console.channels.threading import reply_of, ticket_number_in
from cs_console.clocks.workflow import events_for_status_change, status_after_customer_message
from cs_console.search.duplicates import RECENT, likely_duplicates
from cs_console.server import blob_store, changes, contacts, mail_claims, mail_health, mail_out
from cs_console.server.db import Database, Numbers, mail_messages
from cs_console.server.mail_config import Mailbox, MailConfig
from cs_console.server.merge import SERVER_NODE, SYSTEM_AGENT_ID, server_write, system_agent
from cs_console.storage import hlc
from cs_console.storage.models import Attachment, Customer, Interaction, Ticket, TicketEvent
from cs_console.storage.ticket_relations import duplicate_pool, merge_root
from cs_console.sync.schema import MAX_TEXT_CHARS
from cs_console.utc import to_text, utcnow

MAX_MAIL_BYTES = 50 * 1024 * 1024
"""A mail larger than this is left in the mailbox, unseen, and named in the log: 50 MB is
above what common providers accept (Gmail 25 MB, Exchange Online 35 MB by default)."""
LEASE_MS = 30 * 1000
"""How long one process holds a mailbox, renewed before each mail: a process that dies
frees it within this. The lease only saves fetching a mail twice; should two processes
ever take the same mail, its Message-ID's key still lets one ticket through."""
TICKET_PREFIX = "MAIL"
"""Tickets opened by mail are numbered MAIL-0001 on: four letters, where a device's have five."""
BODY_CHARS = MAX_TEXT_CHARS - 10_000
"""The most of a mail's text a message keeps, leaving room for the sender and attachment lines
within what every field may hold (`sync.schema.MAX_TEXT_CHARS`)."""
NEW_CUSTOMER_KIND = "new from email"
"""The kind given to a customer the server created for an unknown sender, for an agent to check."""

log = logging.getLogger("cs_console.server.mail_in")


class MailboxUnavailable(Exception):
    """The mailbox could not be reached or refused us; the message is the log line, `problem`
    what it was (`vocabulary.MAIL_PROBLEMS`)."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class Poll:
    """One round with a mailbox: how many mails were taken in, the first problem met with a
    mail (its `MAIL_PROBLEMS` code and the log's words), and whether a mail went in cleanly."""

    taken: int = 0
    problem: tuple[str, str] | None = None
    clean: bool = False


@dataclass(frozen=True)
class Taken:
    """What became of one mail: the sentence for the log, and the ticket and message it made."""

    outcome: str
    ticket_id: str | None = None
    interaction_id: str | None = None


class _Writer:
    """Rows the server writes for one mail, stamped by the server's clock."""

    def __init__(self, session: Session, numbers: Numbers, now_ms: int) -> None:
        self.session, self.numbers, self.now_ms, self.count = session, numbers, now_ms, 0

    def stamp(self) -> str:
        self.count += 1
        return str(hlc.Stamp(self.now_ms, self.count, SERVER_NODE))

    def append(self, row: Interaction | TicketEvent | Attachment) -> None:
        row.hlc = self.stamp()
        self.session.add(row)
        self.session.flush()
        changes.touch(self.session, self.numbers, type(row).__tablename__, row.id, row.ticket_id)


def _threaded_ticket(session: Session, mail: InboundMail) -> Ticket | None:
    """The ticket of a mail of ours (or one we took in) that this mail answers, by its
    In-Reply-To and References."""
    ids = [*reversed(mail.in_reply_to), *reversed(mail.references)]
    if not ids:
        return None
    query = select(mail_messages.c.ticket_id).where(
        mail_messages.c.message_id.in_(ids), mail_messages.c.ticket_id.is_not(None))
    found = session.execute(query).first()
    if found:
        return session.get(Ticket, found[0])
    for message_id in ids:
        reply = session.get(Interaction, reply_of(message_id)) if reply_of(message_id) else None
        if reply is not None:
            return session.get(Ticket, reply.ticket_id)
    return None


def _writes_for(session: Session, sender: str, ticket: Ticket) -> bool:
    """The sender is the address of one of the ticket's customer's contacts, or someone whose
    mail is already on one of the customer's tickets (which it joined by answering our mail,
    since a stranger's subject leads nowhere)."""
    if contacts.writes_for(session, sender, ticket.customer_id):
        return True
    known = (select(mail_messages.c.message_id)
             .join(Ticket, col(Ticket.id) == mail_messages.c.ticket_id)
             .where(Ticket.customer_id == ticket.customer_id, mail_messages.c.direction == "in",
                    mail_messages.c.sender == sender))
    return bool(sender) and session.execute(known.limit(1)).first() is not None


def _ticket_for(session: Session, mailbox: Mailbox, mail: InboundMail) -> tuple[Ticket | None, str]:
    """The ticket this mail joins (None: it opens a new one), and why a ticket it seems to
    answer was passed over (for the log).

    A thread leads only to a ticket of the mailbox's team; a ticket number in the subject
    only to a ticket of that team whose customer the sender writes for, so a stranger who
    copies a number into a subject never lands in someone else's ticket.
    """
    threaded = _threaded_ticket(session, mail)
    if threaded is not None:
        if threaded.team == mailbox.team:
            return threaded, ""
        passed = f"it answers mail of ticket {threaded.number} of team {threaded.team!r}, not {mailbox.team!r}"
        return None, passed
    number = ticket_number_in(mail.subject)
    named = session.scalars(select(Ticket).where(Ticket.number == number)).first() if number else None
    if named is None:
        return None, ""
    if named.team != mailbox.team:
        return None, f"its subject names ticket {number} of team {named.team!r}, not {mailbox.team!r}"
    if not _writes_for(session, mail.sender, named):
        return None, (f"its subject names ticket {number}, but {mail.sender or 'the sender'} is not "
                      "a known contact of that ticket's customer")
    return named, ""


def _contact_for(writer: _Writer, mailbox: Mailbox, mail: InboundMail) -> tuple[str, str | None]:
    """The customer and contact a new mail's ticket names: the contact with the sender's
    address, or (not yet upgraded) the customer with it, or a new customer and contact."""
    session = writer.session
    contact = contacts.contact_with_email(session, mail.sender)
    if contact is not None:
        return contact.customer_id, contact.id
    found = session.scalars(select(Customer).where(func.lower(Customer.email) == mail.sender)).first()
    if found is not None:
        return found.id, None
    customer_id = str(uuid.uuid4())
    now = to_text(utcnow())
    server_write(session, writer.numbers, "customer", customer_id, {
        "name": mail.sender_name or mail.sender, "kind": NEW_CUSTOMER_KIND, "created_at": now, "updated_at": now,
        "notes": f"Created by the server from a mail to {mailbox.address}; check the name and details.",
    }, writer.now_ms)
    return customer_id, contacts.add_contact(session, writer.numbers, customer_id, mail.sender_name or mail.sender,
                                             writer.now_ms, email=mail.sender)


def _next_number(session: Session) -> str:
    """The next MAIL-NNNN; the caller holds the change counter's lock, so no two processes
    take the same one."""
    numbers = session.scalars(select(Ticket.number).where(Ticket.number.like(f"{TICKET_PREFIX}-%"))).all()
    highest = max((int(n.partition("-")[2]) for n in numbers if n.partition("-")[2].isdigit()), default=0)
    return f"{TICKET_PREFIX}-{highest + 1:04d}"


def _body(mail: InboundMail, own: frozenset[str] | None) -> str:
    """The message's text: who wrote it when not the ticket's contact (`own`: its addresses,
    in lower case; None for a new ticket's first mail), the mail's text (cut to what a message
    field holds, NUL characters dropped) and the attachments kept."""
    body = (mail.text or "(the mail has no text)").replace("\x00", "")
    if len(body) > BODY_CHARS:
        body = body[:BODY_CHARS] + f"\n\n[… cut here: the mail's text is {len(body):,} characters long]"
    if own is not None and mail.sender not in own:
        body = f"From {mail.sender_name} <{mail.sender}>:\n\n{body}" if mail.sender_name else f"From {mail.sender}:\n\n{body}"
    if mail.attachments:
        listed = "\n".join(f"- {a.filename} ({a.content_type}, {len(a.data):,} bytes)" for a in mail.attachments)
        body += f"\n\nAttachments:\n{listed}"
    return body


def _message(writer: _Writer, ticket: Ticket, mail: InboundMail, own: frozenset[str] | None) -> str:
    now = utcnow()
    message = Interaction(ticket_id=ticket.id, kind="customer_message", body=_body(mail, own), created_at=now)
    writer.append(message)
    blobs = blob_store.from_environment()
    for attachment in mail.attachments:
        writer.append(Attachment(ticket_id=ticket.id, interaction_id=message.id, filename=attachment.filename,
                                 content_type=attachment.content_type, size=len(attachment.data),
                                 sha256=blobs.put(attachment.data), created_at=now))
    return message.id


def _new_ticket(writer: _Writer, mailbox: Mailbox, mail: InboundMail) -> Taken:
    customer_id, contact_id = _contact_for(writer, mailbox, mail)
    ticket_id, now = str(uuid.uuid4()), to_text(utcnow())
    number = _next_number(writer.session)
    ticket = server_write(writer.session, writer.numbers, "ticket", ticket_id, {
        "number": number, "customer_id": customer_id, "contact_id": contact_id, "assignee_id": None,
        "team": mailbox.team,
        "subject": mail.subject or "(no subject)", "channel": "email", "status": "open", "priority": "normal",
        "category": "other", "created_at": now, "updated_at": now,
    }, writer.now_ms)
    log = changes.Log(writer.session, writer.numbers)
    log.touch_family(ticket, new=True)
    log.write()
    writer.append(TicketEvent(ticket_id=ticket_id, kind="created", at=utcnow()))
    message_id = _message(writer, ticket, mail, None)
    _warn_of_duplicates(writer, ticket)
    if mailbox.acknowledgement is not None:
        _acknowledge(writer, mailbox, ticket)
    return Taken(f"opened ticket {number}", ticket_id, message_id)


def _warn_of_duplicates(writer: _Writer, ticket: Ticket) -> None:
    """An internal note on a new ticket naming the customer's open tickets of the last days
    with a similar subject (the master, the agent and the office each writing about one
    incident), for the agent to merge it into one of them (`duplicate_pool` says which
    tickets are compared)."""
    others = writer.session.scalars(duplicate_pool(ticket.customer_id, utcnow() - RECENT, excluding=ticket.id))
    found = likely_duplicates(ticket.subject, ((other, other.subject) for other in others))
    if not found:
        return
    system_agent(writer.session, writer.numbers, writer.now_ms)
    named = "; ".join(f"{c.item.number} “{c.item.subject}”" for c in found)
    writer.append(Interaction(
        ticket_id=ticket.id, kind="internal_note", author_id=SYSTEM_AGENT_ID, created_at=utcnow(),
        body=f"Likely duplicate: the same customer has open tickets with a similar subject: {named}. "
             "If this is the same incident, merge this ticket into one of them."))


def _acknowledge(writer: _Writer, mailbox: Mailbox, ticket: Ticket) -> None:
    """The server's public reply to a new ticket, in the thread for the agent to read and
    queued to mail. It has no author, so it is no agent's first response: the clocks and
    KPIs pass over it."""
    name, _ = contacts.addressee(writer.session, ticket)
    text = fill(mailbox.acknowledgement, number=ticket.number, subject=ticket.subject, name=name, team=mailbox.name)
    reply = Interaction(ticket_id=ticket.id, kind="public_reply", body=text, created_at=utcnow(), channel="email")
    writer.append(reply)
    mail_out.queue_acknowledgement(writer.session, reply.id, ticket.id)


def _answer(writer: _Writer, ticket: Ticket, mail: InboundMail) -> Taken:
    message_id = _message(writer, ticket, mail, contacts.addresses_of(writer.session, ticket))
    status = status_after_customer_message(ticket.status)
    for kind in events_for_status_change(ticket.status, status):
        writer.append(TicketEvent(ticket_id=ticket.id, kind=kind, at=utcnow()))
    server_write(writer.session, writer.numbers, "ticket", ticket.id,
                 {"status": status, "updated_at": to_text(utcnow())}, writer.now_ms)
    return Taken(f"added to ticket {ticket.number}", ticket.id, message_id)


def _take(writer: _Writer, mailbox: Mailbox, mail: InboundMail) -> Taken:
    if mail.noise is Noise.BOUNCE:
        reply_id = reply_of(mail.bounce.original_message_id or "")
        if reply_id and mail_out.bounced(writer.session, writer.numbers, reply_id, mail.bounce.reason, writer.now_ms):
            return Taken(f"bounce: reply {reply_id} marked failed ({mail.bounce.reason})")
        return Taken("bounce for no reply of ours; ignored")
    if mail.noise is not Noise.NONE:
        return Taken(f"{mail.noise.value}; no ticket opened")
    ticket, passed = _ticket_for(writer.session, mailbox, mail)
    if ticket is not None:
        return _answer(writer, merge_root(writer.session, ticket), mail)
    taken = _new_ticket(writer, mailbox, mail)
    return replace(taken, outcome=f"{taken.outcome} ({passed})") if passed else taken


def ingest(database: Database, mailbox: Mailbox, raw: bytes, own_addresses: frozenset[str], now_ms: int,
           problems: list[str] | None = None) -> str:
    """Take one raw mail in, in one transaction; returns what became of it, for the log.
    What could not be read as sent is logged, and added to `problems` when given."""
    mail = parse_mail(raw, own_addresses)
    for problem in mail.problems:
        log.warning("mailbox %s, mail %s from %s: %s", mailbox.address, mail.message_id, mail.sender, problem)
        if problems is not None:
            problems.append(f"mail {mail.message_id} from {mail.sender or 'no sender'}: {problem}")
    try:
        with database.write() as (session, numbers):
            if session.execute(select(mail_messages.c.outcome).where(mail_messages.c.message_id == mail.message_id)).first():
                return f"{mail.message_id} was taken in before; skipped"
            taken = _take(_Writer(session, numbers, now_ms), mailbox, mail)
            session.execute(insert(mail_messages).values(
                message_id=mail.message_id, ticket_id=taken.ticket_id, interaction_id=taken.interaction_id,
                direction="in", outcome=taken.outcome, sender=mail.sender or None))
    except IntegrityError:
        return f"{mail.message_id} was taken in by another process; skipped"
    return f"{mail.message_id} from {mail.sender}: {taken.outcome}"


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    """A logged-in client.

    Raises:
        MailboxUnavailable: the server cannot be reached (or its TLS fails), or refused the login.
    """
    server = mailbox.imap
    where = f"mailbox {mailbox.address} at {server.host}:{server.port}"
    try:
        if server.security == "tls":
            client = imaplib.IMAP4_SSL(server.host, server.port, ssl_context=server.tls(), timeout=60)
        else:
            client = imaplib.IMAP4(server.host, server.port, timeout=60)
            if server.security == "starttls":
                client.starttls(server.tls())
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxUnavailable(f"{where}: {error}", "unreachable") from None
    try:
        client.login(server.user or mailbox.address, server.password)
    except imaplib.IMAP4.error as error:
        with contextlib.suppress(OSError):
            client.shutdown()
        raise MailboxUnavailable(f"{where}: login refused: {error}", "login_refused") from None
    except OSError as error:
        raise MailboxUnavailable(f"{where}: {error}", "unreachable") from None
    return client


def _fetched(data) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def fetch_mailbox(database: Database, config: MailConfig, mailbox: Mailbox, holder: str, now_ms: int) -> int:
    """Take in the mailbox's unseen mail, if no other process holds it; returns how many.

    Raises:
        MailboxUnavailable: the server cannot be reached, refused the login or the folder.
    """
    lease = f"imap:{mailbox.team}"
    if not mail_claims.claim_lease(database, lease, holder, now_ms, LEASE_MS):
        return 0
    try:
        poll = _fetch_unseen(database, config, mailbox, lambda: mail_claims.claim_lease(
            database, lease, holder, int(time.time() * 1000), LEASE_MS))
    except MailboxUnavailable as error:
        _note(database, mailbox, (error.problem, str(error)), clean=False)
        raise
    finally:
        mail_claims.release_lease(database, lease, holder)
    _note(database, mailbox, poll.problem, poll.clean)
    return poll.taken


def _note(database: Database, mailbox: Mailbox, problem: tuple[str, str] | None, clean: bool) -> None:
    """Keep the round's problem where the team's leads see it, or clear the last one
    (a malformed mail's only once a mail went in cleanly)."""
    problem_id, now_ms = mail_health.mailbox_id(mailbox.team), int(time.time() * 1000)
    if problem is None:
        with database.read() as session:
            if not mail_health.has_problem(session, problem_id):
                return  # the usual round: no write, so no lock on the change counter
    with database.write() as (session, numbers):
        if problem is None:
            keep = frozenset() if clean else frozenset({"mail_malformed"})
            mail_health.clear(session, numbers, problem_id, now_ms, keep=keep)
        else:
            mail_health.record(session, numbers, problem_id, source="mailbox",
                               address=mailbox.address, team=mailbox.team, problem=problem[0], detail=problem[1],
                               now_ms=now_ms)


def _fetch_unseen(database: Database, config: MailConfig, mailbox: Mailbox, renew) -> Poll:
    """Take in the unseen mail while `renew()` keeps the mailbox's lease.

    Raises:
        MailboxUnavailable: the mailbox cannot be reached, refused the login or the folder.
    """
    taken, problem, clean = 0, None, False
    client = _connect(mailbox)
    try:
        status, _ = client.select(f'"{mailbox.folder}"')
        if status != "OK":
            raise MailboxUnavailable(f"mailbox {mailbox.address}: folder {mailbox.folder!r} cannot be opened",
                                     "folder_missing")
        _, found = client.uid("SEARCH", None, "UNSEEN")
        for uid in (found[0] or b"").split():
            if not renew():
                break  # another process holds the mailbox now
            _, sized = client.uid("FETCH", uid, "(RFC822.SIZE)")
            size = re.search(rb"RFC822\.SIZE (\d+)", sized[0] or b"")
            if size and int(size.group(1)) > MAX_MAIL_BYTES:
                line = (f"mail uid {uid.decode()} is {size.group(1).decode()} bytes, over the {MAX_MAIL_BYTES} "
                        "taken in; left unseen in the mailbox")
                log.error("mailbox %s: %s", mailbox.address, line)
                problem = problem or ("mail_too_large", line)
                continue
            _, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = _fetched(data)
            if raw is None:
                continue
            unreadable: list[str] = []
            try:
                outcome = ingest(database, mailbox, raw, config.own_addresses, int(time.time() * 1000), unreadable)
            except SQLAlchemyError as error:
                line = f"mail uid {uid.decode()} could not be stored ({error}); left unseen, tried again at the next poll"
                log.error("mailbox %s: %s", mailbox.address, line)
                problem = problem or ("mail_not_stored", line)
                continue
            if unreadable:
                problem = problem or ("mail_malformed", f"{unreadable[0]}; taken in as it could be read")
            else:
                clean = True
            log.info("mailbox %s: %s", mailbox.address, outcome)
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            taken += 1
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxUnavailable(f"mailbox {mailbox.address}: {error}", "unreachable") from None
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return Poll(taken, problem, clean)
