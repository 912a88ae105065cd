"""Two `cs-console server` processes on one database, both running their mail workers: each
mail becomes one ticket and each reply is mailed once (the work is claimed through the
database), on each backend."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select

from cs_console.server import changes
from cs_console.server.db import mail_jobs
from cs_console.server.process import ServerProcess
from cs_console.storage.models import Interaction, Ticket
from cs_console.utc import utcnow
from tests.test_mail_harness import dovecot, mail_settings, smtp_sink, wait_for  # noqa: F401 (fixtures)
from tests.test_sync_harness import database, database_url  # noqa: F401 (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
MAILS = 12


def test_two_server_processes_take_each_mail_once_and_send_each_reply_once(
        tmp_path, database_url, database, dovecot, smtp_sink):  # noqa: F811
    team = f"deck-{uuid.uuid4().hex[:6]}"
    settings = mail_settings(tmp_path / "mail.toml", dovecot, smtp_sink, team=team, poll_seconds=0.2)
    template = (FIXTURES / "outlook_utf8.eml").read_bytes()
    for _ in range(MAILS):
        dovecot.deliver(template.replace(b"Message-ID: <", f"Message-ID: <{uuid.uuid4().hex}.".encode(), 1))

    def tickets() -> list[str]:
        with database.read() as session:
            return session.scalars(select(Ticket.id).where(Ticket.team == team)).all()

    with (ServerProcess(database_url, home=tmp_path / "a", mail_config=settings),
          ServerProcess(database_url, home=tmp_path / "b", mail_config=settings)):
        wait_for(lambda: dovecot.unseen() == 0 and len(tickets()) == MAILS, 120, "every mail taken in")
        with database.write() as (session, numbers):
            for ticket_id in tickets():
                reply = Interaction(ticket_id=ticket_id, kind="public_reply", body="Checked from the hub.",
                                    created_at=utcnow())
                session.add(reply)
                session.flush()
                changes.touch(session, numbers, "interaction", reply.id, ticket_id)

        def all_sent() -> bool:
            with database.read() as session:
                states = session.execute(select(mail_jobs.c.state, func.count()).where(
                    mail_jobs.c.ticket_id.in_(tickets())).group_by(mail_jobs.c.state)).all()
            return dict(states) == {"sent": MAILS}

        wait_for(all_sent, 120, "every reply sent")
    assert len(tickets()) == MAILS
    ids = [message["Message-ID"] for message in smtp_sink.received]
    assert len(ids) == len(set(ids)) == MAILS
