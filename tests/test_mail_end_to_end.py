"""Mail end to end: a customer's mail reaches an agent's device as a ticket, the agent's
reply reaches the customer's mailbox threaded to it, the answer lands in the same ticket,
and the device shows the reply as sent. All real: Dovecot, an SMTP sink, a `cs-console
server` process with its mail workers, a device store syncing over HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import col

from cs_console.app import ConsoleApp
from cs_console.config import from_mapping
from cs_console.screens.ticket import TicketScreen
from cs_console.server.db import Database, mail_messages
from cs_console.server.process import ServerProcess
from cs_console.storage.models import Interaction, Ticket
from cs_console.usecases.ticket_changes import add_interaction
from tests.test_interface_strings import settle, shown
from tests.test_mail_harness import MAILBOX, dovecot, mail_settings, smtp_sink, wait_for  # noqa: F401 (fixtures)
from tests.test_sync_harness import device

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def email_tickets(agent) -> list[Ticket]:
    with agent.store.read() as session:
        return session.scalars(select(Ticket).where(Ticket.channel == "email")).all()


def synced_until(agent, condition, what: str):
    def attempt():
        agent.sync_until_done()
        return condition()
    return wait_for(attempt, 60, what)


async def test_a_mail_becomes_a_ticket_the_reply_goes_out_threaded_and_shows_sent(
        tmp_path, dovecot, smtp_sink):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'server.db'}"
    database = Database.open(url)
    settings = mail_settings(tmp_path / "mail.toml", dovecot, smtp_sink, team="deck")
    original = (FIXTURES / "outlook_utf8.eml").read_bytes()
    dovecot.deliver(original)
    with ServerProcess(url, home=tmp_path / "home", mail_config=settings) as server:
        agent = device(tmp_path, server.url, database, "agent", team="deck")
        [ticket] = synced_until(agent, lambda: email_tickets(agent), "the mail's ticket on the device")
        assert ticket.team == "deck" and ticket.assignee_id is None and ticket.subject.startswith("VSAT link down")

        reply = add_interaction(agent.store, ticket.id, "public_reply",
                                "Please power-cycle the VSAT modem and send us the RX level.", author_id=agent.agent_id)
        assert agent.store.ticket_detail(ticket.id).delivery_of(reply.id) == ("device", "")
        agent.sync_until_done()
        assert agent.store.ticket_detail(ticket.id).delivery_of(reply.id)[0] in ("server", "sent")

        [sent] = wait_for(lambda: smtp_sink.received, 60, "the reply at the SMTP sink")
        assert sent["Subject"] == f"Re: [{ticket.number}] VSAT link down on MV Ocean Pioneer"
        assert sent["In-Reply-To"].strip() == "<DB9PR02MB7125A1B2C3D4E5F6@DB9PR02MB7125.eurprd02.prod.outlook.com>"
        assert sent["To"].addresses[0].addr_spec == "li.wei@oceanpioneer.example" and "RX level" in sent.get_content()

        dovecot.deliver((f"From: Li Wei <li.wei@oceanpioneer.example>\r\nTo: {MAILBOX}\r\n"
                         f"Subject: RE: {sent['Subject']}\r\nMessage-ID: <{uuid.uuid4()}@oceanpioneer.example>\r\n"
                         f"In-Reply-To: {sent['Message-ID']}\r\n\r\nRX level 8.2 dB, link is back. Thanks!\r\n").encode())

        def answered():
            detail = agent.store.ticket_detail(ticket.id)
            bodies = [i.body for i in detail.interactions if i.kind == "customer_message"]
            return detail if any("8.2 dB" in body for body in bodies) and detail.delivery_of(reply.id)[0] == "sent" else None

        detail = synced_until(agent, answered, "the answer and the sent state on the device")
        assert [t.id for t in email_tickets(agent)] == [ticket.id]

    agent.store.set_current_agent(agent.agent_id)
    app = ConsoleApp(agent.store, from_mapping({"language": "en"}))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(detail.ticket.id))
        await settle(pilot)
        screen = shown(app)
    assert "Reply" in screen and "✓ sent" in screen and "last reply: ✓ sent" in screen
    database.close()


def test_a_server_killed_while_taking_mail_in_takes_each_mail_once_after_its_restart(tmp_path, dovecot, smtp_sink):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'server.db'}"
    database = Database.open(url)
    settings = mail_settings(tmp_path / "mail.toml", dovecot, smtp_sink, team="deck", poll_seconds=0.2)
    template = (FIXTURES / "foxmail_gbk.eml").read_bytes()
    ids = [f"{uuid.uuid4().hex}@yuanyang.example" for _ in range(25)]
    for message_id in ids:
        dovecot.deliver(template.replace(b"<202612070812452843917@yuanyang.example>", f"<{message_id}>".encode()))

    def taken() -> int:
        with database.read() as session:
            return session.execute(select(func.count()).select_from(mail_messages)).scalar()

    first = ServerProcess(url, home=tmp_path / "home", mail_config=settings).start()
    wait_for(lambda: taken() >= 1, 60, "the first mail taken in")
    first.kill()
    assert dovecot.unseen() > 0, "the server took every mail in before it was killed; nothing was tested"
    with ServerProcess(url, home=tmp_path / "home", mail_config=settings):
        wait_for(lambda: dovecot.unseen() == 0, 120, "every mail taken in after the restart")
    with database.read() as session:
        numbers = session.scalars(select(Ticket.number).where(Ticket.channel == "email")).all()
        messages = session.scalars(select(Interaction.ticket_id).where(
            col(Interaction.kind) == "customer_message")).all()
        recorded = session.execute(select(mail_messages.c.message_id)).scalars().all()
    assert len(numbers) == len(set(numbers)) == 25 and len(messages) == 25
    assert sorted(recorded) == sorted(f"<{i}>" for i in ids)
    database.close()
