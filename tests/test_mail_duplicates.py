"""Email intake warns of a likely duplicate: a second mail about one incident, from the same
customer and not threaded to the first, opens a ticket with a note naming the first."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from cs_console.server import mail_in
from cs_console.server.mail_config import Mailbox, Server
from cs_console.server.merge import SYSTEM_AGENT_ID, server_write
from cs_console.storage.models import Ticket
from tests.test_mail_server import messages_of, now_ms, unique
from tests.test_sync_harness import database, database_url  # noqa: F401 (fixtures)


def test_a_second_mail_about_one_incident_gets_a_note_naming_the_first_ticket(database):  # noqa: F811
    """The mail is taken in as the mailbox worker would after fetching it."""
    team = f"deck-{uuid.uuid4().hex[:6]}"
    mailbox = Mailbox(team, "service@fleet.example", "Fleet service", Server("127.0.0.1", 1, "plain", "u", "p"),
                      "INBOX", 60)

    def tickets_of() -> list[Ticket]:
        with database.read() as session:
            return session.scalars(select(Ticket).where(Ticket.team == team)).all()
    mail_in.ingest(database, mailbox, unique("outlook_utf8.eml"), frozenset(), now_ms())
    [first] = tickets_of()
    assert [m.kind for m in messages_of(database, first.id, notes=True)] == ["customer_message"]  # no warning yet

    again = unique("outlook_utf8.eml").replace(b"Subject: VSAT link down on MV Ocean Pioneer",
                                              b"Subject: FW: VSAT link down - MV Ocean Pioneer", 1)
    mail_in.ingest(database, mailbox, again, frozenset(), now_ms())
    [second] = [t for t in tickets_of() if t.id != first.id]
    assert second.customer_id == first.customer_id
    [note] = [m for m in messages_of(database, second.id, notes=True) if m.kind == "internal_note"]
    assert note.author_id == SYSTEM_AGENT_ID and "Likely duplicate" in note.body and first.number in note.body


def test_an_answer_to_a_merged_duplicate_joins_the_ticket_that_stays(database):  # noqa: F811
    team = f"deck-{uuid.uuid4().hex[:6]}"
    mailbox = Mailbox(team, "service@fleet.example", "Fleet service", Server("127.0.0.1", 1, "plain", "u", "p"),
                      "INBOX", 60)
    first_raw, second_raw = unique("outlook_utf8.eml"), unique("outlook_utf8.eml")
    mail_in.ingest(database, mailbox, first_raw, frozenset(), now_ms())
    mail_in.ingest(database, mailbox, second_raw, frozenset(), now_ms())
    with database.read() as session:
        staying, duplicate = session.scalars(select(Ticket).where(Ticket.team == team).order_by(Ticket.number)).all()
    with database.write() as (session, numbers):
        server_write(session, numbers, "ticket", duplicate.id, {"merged_into": staying.id, "status": "closed"}, now_ms())

    second_id = re.search(rb"Message-I[Dd]: (<[^>]+>)", second_raw).group(1).decode()
    answer = (f"From: Li.Wei@OceanPioneer.example\r\nTo: service@fleet.example\r\nSubject: Re: VSAT\r\n"
              f"Message-ID: <{uuid.uuid4()}@oceanpioneer.example>\r\nIn-Reply-To: {second_id}\r\n\r\n"
              "Link is back after the reboot.\r\n").encode()
    mail_in.ingest(database, mailbox, answer, frozenset(), now_ms())
    assert "Link is back after the reboot." in [m.body.strip() for m in messages_of(database, staying.id)]
    assert all("Link is back" not in m.body for m in messages_of(database, duplicate.id))
    with database.read() as session:
        assert session.get(Ticket, duplicate.id).status == "closed"
