"""Agents' public replies out by mail: queued when they reach the server, sent over SMTP.

A public reply on a ticket that came in by mail is queued once (a job keyed by the reply's
id), claimed by one process (`mail_claims`), sent to the customer's address from the
team's, and its delivery state written as a synced `reply_delivery` row, so the device that
wrote it shows "sent", or "failed" with the mail server's words. A failure the relay calls
temporary (or a relay that cannot be reached) is retried with growing pauses; a refusal
(5xx) or running out of attempts is final. A bounce arriving later turns "sent" into
"failed" (`bounced`). A mailbox may also answer each new ticket with an acknowledgement
(`channels.acknowledgement`): a public reply by the server (no author), written and queued
in the transaction that opens the ticket and sent the same way, marked automatic, so the
agent sees in the thread what the customer was told and whether it went.

Sending is at least once: a process that dies after the relay took a mail and before its
commit leaves the job to be sent again once its lease runs out.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime

from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from cs_console.channels.outbound import OutgoingReply, compose
from cs_console.channels.threading import reply_message_id
from cs_console.server import mail_claims, mail_health
from cs_console.server.contacts import addressee
from cs_console.server.db import Database, Numbers, mail_jobs, mail_messages
from cs_console.server.mail_config import MailConfig, Server
from cs_console.server.merge import server_write
from cs_console.storage.models import Interaction, Ticket
from cs_console.utc import to_text, utcnow

RETRY_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)
"""Pauses before each retry of a failed send: quick for a relay restarting, then hours for
one that is down, about eleven hours in all before the send is given up."""
LEASE_MS = 2 * 60 * 1000
"""How long a claimed send job is held; longer than any SMTP conversation's timeout."""
SMTP_TIMEOUT_SECONDS = 60
BATCH = 20
"""Jobs one process claims at a time."""

log = logging.getLogger("cs_console.server.mail_out")


class SendFailed(Exception):
    """A send that did not go; `final` when retrying cannot help. The message is the reason;
    `relay_problem` says when the relay itself failed (`vocabulary.MAIL_PROBLEMS`), not this mail."""

    def __init__(self, reason: str, final: bool, relay_problem: str | None = None) -> None:
        super().__init__(reason)
        self.final = final
        self.relay_problem = relay_problem


def enqueue(database: Database, config: MailConfig) -> int:
    """Queue every public reply not queued yet on a ticket of a team with a mailbox that
    came in by mail; returns how many."""
    mailed = select(mail_messages.c.ticket_id).where(mail_messages.c.direction == "in")
    query = (
        select(Interaction.id, Interaction.ticket_id)
        .join(Ticket, col(Ticket.id) == Interaction.ticket_id)
        .where(Interaction.kind == "public_reply", col(Ticket.team).in_([m.team for m in config.mailboxes]),
               col(Ticket.id).in_(mailed), ~exists().where(mail_jobs.c.job_id == Interaction.id))
    )
    queued = 0
    with Session(database.writer) as session, session.begin():
        for reply_id, ticket_id in session.execute(query).all():
            try:
                with session.begin_nested():
                    _queue(session, reply_id, "reply", ticket_id)
                queued += 1
            except IntegrityError:
                pass  # another process queued it first
    return queued


def queue_acknowledgement(session: Session, reply_id: str, ticket_id: str) -> None:
    """Queue the acknowledgement `reply_id` of a new ticket, in the transaction that opens it."""
    _queue(session, reply_id, "acknowledgement", ticket_id)


def _queue(session: Session, job_id: str, kind: str, ticket_id: str) -> None:
    session.execute(insert(mail_jobs).values(job_id=job_id, kind=kind, ticket_id=ticket_id, state="queued",
                                             attempts=0, due_ms=0, lease_until_ms=0, reason=""))


def _delivery(session: Session, numbers: Numbers, reply_id: str, ticket_id: str, state: str, reason: str,
              attempts: int, retry_ms: int | None, now_ms: int) -> None:
    retry_at = to_text(datetime.fromtimestamp(retry_ms / 1000, UTC)) if retry_ms is not None else None
    server_write(session, numbers, "reply_delivery", reply_id, {
        "ticket_id": ticket_id, "state": state, "reason": reason, "attempts": attempts, "retry_at": retry_at,
        "updated_at": to_text(utcnow()),
    }, now_ms)


def _outgoing(session: Session, config: MailConfig, job) -> tuple[OutgoingReply, Server]:
    """The mail a job sends, and the relay it leaves by.

    Raises:
        SendFailed: it cannot be sent as things stand (final: no address, no mailbox).
    """
    ticket = session.get(Ticket, job.ticket_id)
    mailbox = config.mailbox_of(ticket.team)
    if mailbox is None:
        raise SendFailed(f"team {ticket.team!r} has no mailbox in the server's mail settings", final=True)
    if config.smtp is None:
        raise SendFailed("the server's mail settings have no [smtp] relay", final=True)
    taken_in = session.execute(
        select(mail_messages.c.message_id, mail_messages.c.sender)
        .join(Interaction, col(Interaction.id) == mail_messages.c.interaction_id)
        .where(mail_messages.c.ticket_id == ticket.id, mail_messages.c.direction == "in")
        .order_by(Interaction.created_at)
    ).all()
    received = [message_id for message_id, _ in taken_in]
    name, address = addressee(session, ticket, taken_in[-1][1] if taken_in else None)
    if address is None:
        raise SendFailed(f"{name!r} of ticket {ticket.number} has no email address", final=True)
    domain = mailbox.address.rpartition("@")[2]
    reply = session.get(Interaction, job.job_id)
    if reply is None:
        raise SendFailed(f"no reply {job.job_id} on the server to send", final=True)
    return OutgoingReply(
        message_id=reply_message_id(reply.id, domain), ticket_number=ticket.number, subject=ticket.subject,
        body=reply.body,
        to_address=address, to_name=name, from_address=mailbox.address, from_name=mailbox.name,
        in_reply_to=received[-1] if received else None, references=tuple(received[-10:-1]), sent_at=reply.created_at,
        automatic=job.kind == "acknowledgement",
    ), config.smtp


def _smtp_send(server: Server, message) -> None:
    try:
        if server.security == "tls":
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS,
                                      context=server.tls())
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            if server.security == "starttls":
                client.starttls(context=server.tls())
            if server.user:
                client.login(server.user, server.password)
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        raise SendFailed(f"the relay {server.host}:{server.port} refused the login: {error.smtp_code} "
                         f"{error.smtp_error.decode(errors='replace')}", final=False, relay_problem="login_refused") from None
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise SendFailed(f"{code} {text.decode(errors='replace')}", final=code >= 500) from None
    except smtplib.SMTPResponseException as error:
        raise SendFailed(f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}",
                         final=error.smtp_code >= 500) from None
    except (OSError, smtplib.SMTPException) as error:
        raise SendFailed(f"the relay {server.host}:{server.port} cannot be reached ({error})", final=False,
                         relay_problem="unreachable") from None


def _send_one(database: Database, config: MailConfig, job_id: str, now_ms: int) -> tuple[bool, str]:
    """Send one claimed job and record what became of it; returns (sent, the log line)."""
    with database.read() as session:
        job = session.execute(select(mail_jobs).where(mail_jobs.c.job_id == job_id)).one()
        try:
            outgoing, server = _outgoing(session, config, job)
            message = compose(outgoing)
            failure = None
        except SendFailed as error:
            failure = error
    if failure is None:
        try:
            _smtp_send(server, message)
        except SendFailed as error:
            failure = error
    attempts = job.attempts + 1
    what = f"reply {job_id}" if job.kind == "reply" else f"acknowledgement of ticket {job.ticket_id}"
    with database.write() as (session, numbers):
        if failure is None:
            session.execute(update(mail_jobs).where(mail_jobs.c.job_id == job_id)
                            .values(state="sent", attempts=attempts, reason="", holder=None, lease_until_ms=0))
            if not session.execute(select(mail_messages.c.message_id)
                                   .where(mail_messages.c.message_id == message["Message-ID"])).first():
                session.execute(insert(mail_messages).values(
                    message_id=message["Message-ID"], ticket_id=job.ticket_id, interaction_id=job_id,
                    direction="out", outcome="sent"))
            _delivery(session, numbers, job_id, job.ticket_id, "sent", "", attempts, None, now_ms)
            mail_health.clear(session, numbers, mail_health.RELAY_ID, now_ms)
            return True, f"{what} sent to {outgoing.to_address} as {message['Message-ID']}"
        final = failure.final or attempts > len(RETRY_SECONDS)
        due = None if final else now_ms + RETRY_SECONDS[attempts - 1] * 1000
        session.execute(update(mail_jobs).where(mail_jobs.c.job_id == job_id).values(
            state="failed" if final else "queued", attempts=attempts, reason=str(failure), holder=None,
            lease_until_ms=0, due_ms=due or 0))
        if session.get(Interaction, job_id) is not None:  # an acknowledgement queued by an earlier release has none
            _delivery(session, numbers, job_id, job.ticket_id, "failed", str(failure), attempts, due, now_ms)
        if failure.relay_problem:
            mail_health.record(session, numbers, mail_health.RELAY_ID, source="relay",
                               address=f"{server.host}:{server.port}", team="", problem=failure.relay_problem,
                               detail=str(failure), now_ms=now_ms)
    return False, f"{what} failed (attempt {attempts}, {'given up' if final else 'will retry'}): {failure}"


def send_due(database: Database, config: MailConfig, holder: str, now_ms: int) -> int:
    """Claim and send the jobs that are due; returns how many were tried."""
    claimed = mail_claims.claim_jobs(database, holder, now_ms, LEASE_MS, BATCH)
    for job_id in claimed:
        sent, outcome = _send_one(database, config, job_id, now_ms)
        (log.info if sent else log.warning)(outcome)
    return len(claimed)


def bounced(session: Session, numbers: Numbers, reply_id: str, reason: str, now_ms: int) -> bool:
    """Mark a sent reply failed because its mail came back; False when it is not one of ours."""
    job = session.execute(select(mail_jobs).where(mail_jobs.c.job_id == reply_id)).first()
    if job is None:
        return False
    reason = f"returned by the receiving mail server: {reason}"
    session.execute(update(mail_jobs).where(mail_jobs.c.job_id == reply_id)
                    .values(state="failed", reason=reason, lease_until_ms=0))
    _delivery(session, numbers, reply_id, job.ticket_id, "failed", reason, job.attempts, None, now_ms)
    return True

