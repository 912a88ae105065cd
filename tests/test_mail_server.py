"""The server's mail workers against real mail servers: Dovecot for mail in, an SMTP sink
for mail out, on each database backend (cs_console.server.mail_in, mail_out, mail_claims)."""

from __future__ import annotations

import imaplib
import random
import time
import uuid
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col
from sqlmodel import select as model_select

from cs_console.server import blob_store, changes, mail_claims, mail_config, mail_in, mail_out
from cs_console.server.db import mail_jobs
from cs_console.server.merge import server_write
from cs_console.storage.models import (
    Attachment,
    Contact,
    Customer,
    Interaction,
    MailProblem,
    ReplyDelivery,
    Ticket,
    TicketEvent,
)
from cs_console.utc import utcnow
from tests.test_mail_harness import MAILBOX, dovecot, mail_settings, smtp_sink  # noqa: F401 (fixtures)
from tests.test_sync_harness import database, database_url, device, server  # noqa: F401 (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


@pytest.fixture
def config(tmp_path, dovecot, smtp_sink):  # noqa: F811
    team = f"deck-{uuid.uuid4().hex[:6]}"
    return mail_config.load(mail_settings(tmp_path / "mail.toml", dovecot, smtp_sink, team=team))


def now_ms() -> int:
    return int(time.time() * 1000)


def fetch(database, config) -> int:  # noqa: F811
    return mail_in.fetch_mailbox(database, config, config.mailboxes[0], "test-holder", now_ms())


def unique(name: str, tag: str | None = None) -> bytes:
    """A fixture with a Message-ID of its own, so tests sharing a database never collide."""
    raw = (FIXTURES / name).read_bytes()
    tag = tag or uuid.uuid4().hex[:10]
    for header in (b"Message-ID: <", b"Message-Id: <"):
        raw = raw.replace(header, header + tag.encode() + b".", 1)
    return raw


def tickets_of(database, config):  # noqa: F811
    with database.read() as session:
        return session.scalars(select(Ticket).where(Ticket.team == config.mailboxes[0].team)).all()


def messages_of(database, ticket_id, *, notes: bool = False):  # noqa: F811
    """The ticket's messages and replies, oldest first; internal notes (the server's
    likely-duplicate warning among them, as the module's mail comes from a few senders) only
    with `notes`."""
    query = select(Interaction).where(Interaction.ticket_id == ticket_id)
    if not notes:
        query = query.where(Interaction.kind != "internal_note")
    with database.read() as session:
        return session.scalars(query.order_by(col(Interaction.created_at))).all()


def test_a_new_mail_opens_a_ticket_in_the_team_pool_for_a_new_customer(database, config, dovecot):  # noqa: F811
    dovecot.deliver(unique("outlook_utf8.eml"))
    assert fetch(database, config) == 1
    [ticket] = tickets_of(database, config)
    assert (ticket.channel, ticket.status, ticket.assignee_id) == ("email", "open", None)
    assert ticket.subject == "VSAT link down on MV Ocean Pioneer" and ticket.number.startswith("MAIL-")
    with database.read() as session:
        customer = session.get(Customer, ticket.customer_id)
        contact = session.get(Contact, ticket.contact_id)
        events = session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)).all()
        logged = session.execute(select(changes.changes.c.ticket_id).where(changes.changes.c.entity_id == ticket.id)).scalar()
    assert (customer.name, customer.kind) == ("Li Wei", "new from email")
    assert (contact.customer_id, contact.name, contact.emails) == (customer.id, "Li Wei", '["li.wei@oceanpioneer.example"]')
    assert events == ["created"] and logged == ticket.id
    [message] = messages_of(database, ticket.id)
    assert message.kind == "customer_message" and "RX lock lost" in message.body and message.author_id is None
    assert dovecot.unseen() == 0


@pytest.mark.parametrize("upgraded", [False, True], ids=["customer-of-an-earlier-release", "contact"])
def test_a_known_sender_is_matched_to_their_contact_whatever_the_case(database, config, dovecot, upgraded):  # noqa: F811
    customer_id, contact_id = str(uuid.uuid4()), str(uuid.uuid4())
    with database.write() as (session, numbers):
        if upgraded:
            server_write(session, numbers, "customer", customer_id, {"name": "Yuanyang Shipping"}, now_ms())
            server_write(session, numbers, "contact", contact_id, {
                "customer_id": customer_id, "name": "王船长", "emails": '["ops@yuanyang.example", '
                                                                     '"Captain.Wang@yuanyang.example"]'}, now_ms())
        else:
            server_write(session, numbers, "customer", customer_id,
                         {"name": "Yuanyang Shipping", "email": "Captain.Wang@yuanyang.example"}, now_ms())
    dovecot.deliver(unique("foxmail_gbk.eml"))
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    assert ticket.customer_id == customer_id and ticket.subject == "海事卫星电话无法拨出"
    assert ticket.contact_id == (contact_id if upgraded else None)
    assert "网络注册失败" in messages_of(database, ticket.id)[0].body


def test_attachments_are_stored_by_hash_on_the_server_as_attachments_of_their_message(database, config, dovecot):  # noqa: F811
    dovecot.deliver(unique("applemail_attachment.eml"))
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    [message] = messages_of(database, ticket.id)
    assert "crew change Bohai 7.pdf (application/pdf, 69 bytes)" in message.body
    with database.read() as session:
        [stored] = session.exec(model_select(Attachment).where(Attachment.interaction_id == message.id)).all()
    assert stored.filename == "crew change Bohai 7.pdf" and stored.ticket_id == ticket.id and stored.size == 69
    assert blob_store.from_environment().read(stored.sha256).startswith(b"%PDF-1.4")


def test_auto_replies_bounces_for_nobody_and_our_own_mail_open_no_ticket(database, config, dovecot):  # noqa: F811
    dovecot.deliver(unique("autoreply_outlook.eml"))
    dovecot.deliver(unique("bounce_postfix.eml"))
    dovecot.deliver(f"From: {MAILBOX}\r\nSubject: test\r\nMessage-ID: <{uuid.uuid4()}@seanet.example>\r\n\r\nx\r\n".encode())
    assert fetch(database, config) == 3
    assert tickets_of(database, config) == [] and dovecot.unseen() == 0


def test_a_crash_before_the_commit_or_before_the_mail_is_marked_takes_each_mail_once(
        database, config, dovecot, monkeypatch):  # noqa: F811
    dovecot.deliver(unique("outlook_utf8.eml"))
    taken = mail_in._take

    def crash_before_commit(*args):
        taken(*args)
        raise RuntimeError("the server process died")

    monkeypatch.setattr(mail_in, "_take", crash_before_commit)
    with pytest.raises(RuntimeError):
        fetch(database, config)
    assert tickets_of(database, config) == [] and dovecot.unseen() == 1
    monkeypatch.setattr(mail_in, "_take", taken)

    real_uid = imaplib.IMAP4.uid

    def drop_before_marking(self, command, *args):
        if command == "STORE":
            raise OSError("connection reset")
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", drop_before_marking)
    with pytest.raises(mail_in.MailboxUnavailable, match="connection reset"):
        fetch(database, config)
    monkeypatch.setattr(imaplib.IMAP4, "uid", real_uid)
    assert len(tickets_of(database, config)) == 1 and dovecot.unseen() == 1
    fetch(database, config)
    assert len(tickets_of(database, config)) == 1 and dovecot.unseen() == 0


def with_password(config, password: str):
    mailbox = config.mailboxes[0]
    return mail_config.MailConfig((replace(mailbox, imap=replace(mailbox.imap, password=password)),), config.smtp)


def test_a_refused_login_names_the_mailbox(database, config):  # noqa: F811
    with pytest.raises(mail_in.MailboxUnavailable, match=f"mailbox {MAILBOX} at 127.0.0.1"):
        fetch(database, with_password(config, "wrong"))


def reply_on(database, ticket_id: str, body: str) -> str:  # noqa: F811
    """A public reply on the ticket, as a device's sync leaves it on the server."""
    reply = Interaction(ticket_id=ticket_id, kind="public_reply", body=body, created_at=utcnow(), hlc="1-0-dev")
    with database.write() as (session, numbers):
        session.add(reply)
        session.flush()
        changes.touch(session, numbers, "interaction", reply.id, ticket_id)
    return reply.id


def delivery(database, reply_id):  # noqa: F811
    with database.read() as session:
        return session.get(ReplyDelivery, reply_id)


def test_a_reply_goes_out_threaded_and_the_answer_comes_back_to_its_ticket(
        database, config, dovecot, smtp_sink):  # noqa: F811
    original = unique("outlook_utf8.eml")
    dovecot.deliver(original)
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    reply_id = reply_on(database, ticket.id, "Please power-cycle the VSAT modem and tell us the RX level.")
    assert mail_out.enqueue(database, config) == 1 and mail_out.enqueue(database, config) == 0
    assert mail_out.send_due(database, config, "test-holder", now_ms()) == 1
    [sent] = smtp_sink.received
    original_id = mail_in.parse_mail(original).message_id
    assert sent["Subject"] == f"Re: [{ticket.number}] VSAT link down on MV Ocean Pioneer"
    assert sent["In-Reply-To"].strip() == original_id and sent["To"].addresses[0].addr_spec == "li.wei@oceanpioneer.example"
    assert sent["From"].addresses[0].addr_spec == MAILBOX and "RX level" in sent.get_content()
    assert delivery(database, reply_id).state == "sent"

    answer = (f"From: Li Wei <li.wei@oceanpioneer.example>\r\nTo: {MAILBOX}\r\nSubject: RE: {sent['Subject']}\r\n"
              f"Message-ID: <{uuid.uuid4()}@oceanpioneer.example>\r\nIn-Reply-To: {sent['Message-ID']}\r\n"
              f"References: {original_id} {sent['Message-ID']}\r\n\r\nRX level is back at 8.2 dB, thank you.\r\n")
    dovecot.deliver(answer.encode())
    fetch(database, config)
    assert len(tickets_of(database, config)) == 1
    assert "8.2 dB" in messages_of(database, ticket.id)[-1].body


def test_a_relay_that_is_down_fails_the_reply_with_its_reason_then_a_retry_sends_it(
        database, config, dovecot, smtp_sink):  # noqa: F811
    dovecot.deliver(unique("foxmail_gbk.eml"))
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    reply_id = reply_on(database, ticket.id, "Both SIM cards are activated now.")
    mail_out.enqueue(database, config)
    smtp_sink.stop()
    started = now_ms()
    mail_out.send_due(database, config, "test-holder", started)
    failed = delivery(database, reply_id)
    assert failed.state == "failed" and "cannot be reached" in failed.reason and failed.retry_at is not None
    smtp_sink.start()
    assert mail_out.send_due(database, config, "test-holder", started + 1000) == 0  # not due yet
    mail_out.send_due(database, config, "test-holder", started + mail_out.RETRY_SECONDS[0] * 1000 + 1)
    assert delivery(database, reply_id).state == "sent" and len(smtp_sink.received) == 1


def test_a_send_job_is_claimed_by_one_process_only(database, config, dovecot):  # noqa: F811
    dovecot.deliver(unique("qqmail_html_gb18030.eml"))
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    reply_id = reply_on(database, ticket.id, "您好，三张卡已重新激活。")
    mail_out.enqueue(database, config)
    at = now_ms()
    first = mail_claims.claim_jobs(database, "process-a", at, 60_000, 100)
    second = mail_claims.claim_jobs(database, "process-b", at, 60_000, 100)
    assert reply_id in first and reply_id not in second
    assert reply_id in mail_claims.claim_jobs(database, "process-b", at + 61_000, 60_000, 100)  # the lease ran out


def test_a_bounce_marks_the_sent_reply_failed_with_the_reason(database, config, dovecot, smtp_sink):  # noqa: F811
    dovecot.deliver(unique("outlook_utf8.eml"))
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    reply_id = reply_on(database, ticket.id, "We have rebooted the hub.")
    mail_out.enqueue(database, config)
    mail_out.send_due(database, config, "test-holder", now_ms())
    [sent] = smtp_sink.received
    bounce = (FIXTURES / "bounce_postfix.eml").read_bytes().replace(
        b"<reply-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d@seanet.example>", sent["Message-ID"].encode())
    dovecot.deliver(bounce.replace(b"<20261207092001.7A1B2C3D4E@", f"<{uuid.uuid4().hex}@".encode()))
    fetch(database, config)
    bounced = delivery(database, reply_id)
    assert bounced.state == "failed" and "User unknown" in bounced.reason
    with database.read() as session:
        assert session.execute(select(mail_jobs.c.state).where(mail_jobs.c.job_id == reply_id)).scalar() == "failed"


def test_no_device_may_write_a_delivery_state(database):  # noqa: F811
    from cs_console.server.known import Known
    from cs_console.server.scope import Caller, write_problem

    admin = Caller("a", "Admin", "admin", "")
    with database.read() as session:
        problem = write_problem(Known(session), admin, "reply_delivery", None, {"id": "r", "state": "sent"})
    assert problem == "only the server writes delivery states of mailed replies"


def test_a_mail_over_the_size_limit_stays_in_the_mailbox_and_is_named_in_the_log(
        database, config, dovecot, monkeypatch, caplog):  # noqa: F811
    monkeypatch.setattr(mail_in, "MAX_MAIL_BYTES", 20_000)
    dovecot.deliver(unique("applemail_attachment.eml"))
    dovecot.deliver(b"From: radio@ship.example\r\nSubject: engine log\r\nMessage-ID: <" + uuid.uuid4().hex.encode()
                    + b"@ship.example>\r\n\r\n" + b"x" * 30_000 + b"\r\n")
    assert fetch(database, config) == 1
    assert dovecot.unseen() == 1 and len(tickets_of(database, config)) == 1
    assert "over the 20000 taken in; left unseen in the mailbox" in caplog.text


def test_a_huge_text_with_nul_characters_is_cut_and_cleaned_on_every_backend(database, config):  # noqa: F811
    text = "Noon report.\x00 " + "Wind NE 5, swell 2 m. " * 12_000
    raw = (f"From: master@ship.example\r\nSubject: noon reports\r\nMessage-ID: <{uuid.uuid4()}@ship.example>\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n").encode()
    # straight to the worker: an IMAP server would replace the NUL on the way
    mail_in.ingest(database, config.mailboxes[0], raw, config.own_addresses, now_ms())
    [ticket] = tickets_of(database, config)
    [message] = messages_of(database, ticket.id)
    assert "\x00" not in message.body and message.body.startswith("Noon report. Wind NE 5")
    assert "[… cut here: the mail's text is" in message.body and len(message.body) < 200_000


def test_an_answer_to_a_ticket_waiting_on_the_customer_brings_it_back_to_work(database, config, dovecot):  # noqa: F811
    original = unique("outlook_utf8.eml")
    dovecot.deliver(original)
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    with database.write() as (session, numbers):
        server_write(session, numbers, "ticket", ticket.id, {"status": "waiting_on_customer"}, now_ms())
    dovecot.deliver((f"From: li.wei@oceanpioneer.example\r\nSubject: Re: [{ticket.number}] VSAT\r\n"
                     f"Message-ID: <{uuid.uuid4()}@oceanpioneer.example>\r\n\r\nModem serial is 4417-A.\r\n").encode())
    fetch(database, config)
    with database.read() as session:
        after = session.get(Ticket, ticket.id)
        events = session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)).all()
    assert after.status == "open" and "customer_replied" in events


def test_a_new_ticket_is_acknowledged_once_with_its_number_and_an_answer_is_not(
        tmp_path, database, dovecot, smtp_sink):  # noqa: F811
    settings = mail_settings(tmp_path / "ack.toml", dovecot, smtp_sink, team=f"deck-{uuid.uuid4().hex[:6]}")
    settings.write_text(settings.read_text().replace("poll_seconds", "acknowledge = true\npoll_seconds"))
    config = mail_config.load(settings)
    dovecot.deliver(unique("foxmail_gbk.eml"))
    dovecot.deliver(unique("autoreply_outlook.eml"))
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    mail_out.send_due(database, config, "test-holder", now_ms())
    [ack] = smtp_sink.received
    assert ack["Auto-Submitted"] == "auto-replied" and ack["Subject"] == f"Re: [{ticket.number}] 海事卫星电话无法拨出"
    assert ack["To"].addresses[0].addr_spec.lower() == "captain.wang@yuanyang.example"
    assert f"工单号 {ticket.number}" in ack.get_content() and "within 3 business days" in ack.get_content()
    dovecot.deliver((f"From: captain.wang@yuanyang.example\r\nSubject: Re: {ack['Subject']}\r\n"
                     f"Message-ID: <{uuid.uuid4()}@yuanyang.example>\r\nIn-Reply-To: {ack['Message-ID']}\r\n\r\n"
                     "收到，谢谢。\r\n").encode())
    fetch(database, config)
    mail_out.send_due(database, config, "test-holder", now_ms())
    assert len(smtp_sink.received) == 1 and len(tickets_of(database, config)) == 1
    assert "收到" in messages_of(database, ticket.id)[-1].body


def mail(sender: str, subject: str, text: str = "Any news?", in_reply_to: str | None = None) -> bytes:
    answering = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    return (f"From: {sender}\r\nSubject: {subject}\r\nMessage-ID: <{uuid.uuid4()}@sender.example>\r\n{answering}"
            f"\r\n{text}\r\n").encode()


def take(database, config, raw: bytes) -> str:  # noqa: F811
    return mail_in.ingest(database, config.mailboxes[0], raw, config.own_addresses, now_ms())


def other_team_config(tmp_path, dovecot, smtp_sink):  # noqa: F811
    return mail_config.load(mail_settings(tmp_path / "other.toml", dovecot, smtp_sink, team=f"sim-{uuid.uuid4().hex[:6]}"))


def test_a_ticket_number_in_the_subject_never_leads_into_another_teams_ticket(
        tmp_path, database, config, dovecot, smtp_sink):  # noqa: F811
    other = other_team_config(tmp_path, dovecot, smtp_sink)
    take(database, other, mail("ops@haixing.example", "SIM not active"))
    [theirs] = tickets_of(database, other)
    outcome = take(database, config, mail("ops@haixing.example", f"Re: [{theirs.number}] SIM not active", "Secret"))
    assert len(messages_of(database, theirs.id)) == 1
    [ours] = tickets_of(database, config)
    assert "Secret" in messages_of(database, ours.id)[0].body
    assert f"its subject names ticket {theirs.number} of team {other.mailboxes[0].team!r}" in outcome


def test_a_stranger_who_copies_a_ticket_number_opens_a_ticket_of_their_own(database, config):  # noqa: F811
    take(database, config, mail("li.wei@oceanpioneer.example", "VSAT down"))
    [ticket] = tickets_of(database, config)
    outcome = take(database, config, mail("someone@elsewhere.example", f"[{ticket.number}] hello", "Let me in"))
    assert len(messages_of(database, ticket.id)) == 1 and len(tickets_of(database, config)) == 2
    assert "someone@elsewhere.example is not a known contact of that ticket's customer" in outcome
    take(database, config, mail("Li.Wei@OceanPioneer.example", f"Re: [{ticket.number}] VSAT down", "Modem reset"))
    assert "Modem reset" in messages_of(database, ticket.id)[-1].body


def test_a_colleague_who_answered_our_mail_may_then_write_by_ticket_number(
        tmp_path, database, config, dovecot, smtp_sink):  # noqa: F811
    first = mail("li.wei@oceanpioneer.example", "VSAT down")
    take(database, config, first)
    [ticket] = tickets_of(database, config)
    first_id = first.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
    take(database, config, mail("chief.eng@oceanpioneer.example", "Re: VSAT down", "Serial 4417", first_id))
    take(database, config, mail("chief.eng@oceanpioneer.example", f"[{ticket.number}] more", "Photo attached"))
    assert [m.body.splitlines()[-1] for m in messages_of(database, ticket.id)][1:] == ["Serial 4417", "Photo attached"]
    other = other_team_config(tmp_path, dovecot, smtp_sink)
    outcome = take(database, other, mail("chief.eng@oceanpioneer.example", "Re: VSAT down", "Wrong desk", first_id))
    assert len(messages_of(database, ticket.id)) == 3 and len(tickets_of(database, other)) == 1
    assert f"it answers mail of ticket {ticket.number}" in outcome


def acknowledging(tmp_path, dovecot, smtp_sink):  # noqa: F811
    settings = mail_settings(tmp_path / "ack.toml", dovecot, smtp_sink, team=f"deck-{uuid.uuid4().hex[:6]}")
    settings.write_text(settings.read_text().replace("poll_seconds", "acknowledge = true\npoll_seconds"))
    return mail_config.load(settings)


async def ticket_screen(agent, ticket_id: str, size: tuple[int, int]) -> str:
    """What the agent's console shows of the ticket, in English."""
    from cs_console.app import ConsoleApp
    from cs_console.config import from_mapping
    from cs_console.screens.ticket import TicketScreen
    from tests.test_interface_strings import settle, shown

    agent.store.set_current_agent(agent.agent_id)
    app = ConsoleApp(agent.store, from_mapping({"language": "en"}))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ticket_id))
        await settle(pilot)
        return shown(app)


async def test_the_acknowledgement_is_in_the_tickets_thread_on_the_agents_device(
        tmp_path, server, database, dovecot, smtp_sink):  # noqa: F811
    config = acknowledging(tmp_path, dovecot, smtp_sink)
    take(database, config, unique("foxmail_gbk.eml"))
    mail_out.send_due(database, config, "test-holder", now_ms())
    [ack] = smtp_sink.received
    [ticket] = tickets_of(database, config)
    with database.read() as session:
        events = session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)).all()
    assert "first_response" not in events, "an automatic answer is no agent's first response"

    agent = device(tmp_path, server.url, database, "agent", config.mailboxes[0].team)
    agent.sync_until_done()
    detail = agent.store.ticket_detail(ticket.id)
    [reply] = [i for i in detail.interactions if i.kind == "public_reply"]
    assert reply.author_id is None and reply.body.strip() == ack.get_content().strip()
    assert detail.delivery_of(reply.id) == ("sent", "")
    screen = await ticket_screen(agent, ticket.id, size=(140, 60))
    assert "Reply · automatic acknowledgement by the server" in screen and "✓ sent" in screen
    assert f"工单号 {ticket.number}" in screen


def mail_problem(database, problem_id: str) -> MailProblem | None:  # noqa: F811
    with database.read() as session:
        found = session.get(MailProblem, problem_id)
        return found if found is not None and found.problem else None


async def test_a_mailbox_refusing_the_login_shows_in_its_teams_lead_view_until_it_works(
        tmp_path, server, database, config, dovecot):  # noqa: F811
    from cs_console.app import ConsoleApp
    from cs_console.config import from_mapping
    from cs_console.text.display import local_time
    from tests.test_interface_strings import shown
    from tests.test_lead_screen import open_team_view

    dovecot.deliver(unique("outlook_utf8.eml"))
    fetch(database, config)  # a ticket in the team's pool: the lead's console opens on its queue
    for _ in range(3):
        with pytest.raises(mail_in.MailboxUnavailable):
            fetch(database, with_password(config, "wrong"))
    team = config.mailboxes[0].team
    lead, agent = device(tmp_path, server.url, database, "lead", team), device(tmp_path, server.url, database, "agent", team)
    stranger = device(tmp_path, server.url, database, "lead", f"sim-{uuid.uuid4().hex[:6]}")
    for each in (lead, agent, stranger):
        each.sync_until_done()
    [problem] = [p for p in lead.store.mail_problems() if p.source == "mailbox"]
    assert (problem.address, problem.problem, problem.count) == (MAILBOX, "login_refused", 3)
    assert "AUTHENTICATIONFAILED" in problem.detail or "Authentication failed" in problem.detail
    assert agent.store.mail_problems() == [] and [p for p in stranger.store.mail_problems() if p.source == "mailbox"] == []

    lead.store.set_current_agent(lead.agent_id)
    app = ConsoleApp(lead.store, from_mapping({"language": "en"}))
    async with app.run_test(size=(160, 40)) as pilot:
        await open_team_view(pilot)
        since = local_time(problem.since, app.config.zone, app.now())
        assert f"✗ mailbox {MAILBOX}: login refused (3 times since {since})" in shown(app)

    fetch(database, config)
    lead.sync_until_done()
    assert [p for p in lead.store.mail_problems() if p.source == "mailbox"] == []


def test_an_unreachable_mailbox_an_oversized_and_a_malformed_mail_are_kept_for_the_lead(
        database, config, dovecot, monkeypatch):  # noqa: F811
    problem_id = f"mailbox:{config.mailboxes[0].team}"
    mailbox = config.mailboxes[0]
    closed = mail_config.MailConfig((replace(mailbox, imap=replace(mailbox.imap, port=1)),), config.smtp)
    with pytest.raises(mail_in.MailboxUnavailable):
        fetch(database, closed)
    assert mail_problem(database, problem_id).problem == "unreachable"

    monkeypatch.setattr(mail_in, "MAX_MAIL_BYTES", 20_000)
    big = uuid.uuid4().hex
    dovecot.deliver(b"From: radio@ship.example\r\nSubject: engine log\r\nMessage-ID: <" + big.encode()
                    + b"@ship.example>\r\n\r\n" + b"x" * 30_000 + b"\r\n")
    fetch(database, config)
    fetch(database, config)
    kept = mail_problem(database, problem_id)
    assert (kept.problem, kept.count) == ("mail_too_large", 2) and "over the 20000 taken in" in kept.detail
    monkeypatch.setattr(mail_in, "MAX_MAIL_BYTES", 50 * 1024 * 1024)

    dovecot.deliver(f"From: master@ship.example\r\nSubject: noon\r\nMessage-ID: <{uuid.uuid4()}@ship.example>\r\n"
                    "Content-Type: text/plain; charset=x-unheard-of\r\n\r\nNoon report\r\n".encode())
    fetch(database, config)
    assert mail_problem(database, problem_id).problem == "mail_malformed"
    assert "unknown charset 'x-unheard-of'" in mail_problem(database, problem_id).detail
    fetch(database, config)
    assert mail_problem(database, problem_id).problem == "mail_malformed", "shown until a mail goes in cleanly"
    dovecot.deliver(unique("outlook_utf8.eml"))
    fetch(database, config)
    assert mail_problem(database, problem_id) is None


def test_a_relay_down_or_refusing_the_login_is_kept_for_every_lead_until_a_mail_goes(
        database, config, dovecot, smtp_sink):  # noqa: F811
    dovecot.deliver(unique("outlook_utf8.eml"))
    fetch(database, config)
    [ticket] = tickets_of(database, config)
    down = mail_config.MailConfig(config.mailboxes, replace(config.smtp, port=1))
    reply_on(database, ticket.id, "Please restart the modem.")
    mail_out.enqueue(database, down)
    mail_out.send_due(database, down, "test-holder", now_ms())
    problem = mail_problem(database, "relay")
    assert (problem.problem, problem.team, problem.address) == ("unreachable", "", "127.0.0.1:1")
    with database.write() as (session, _numbers):
        session.execute(mail_jobs.update().values(due_ms=0))
    mail_out.send_due(database, config, "test-holder", now_ms())
    assert mail_problem(database, "relay") is None and len(smtp_sink.received) == 1


def test_a_30_mb_mail_becomes_one_ticket_with_its_attachment_kept_whole(database, config, dovecot):  # noqa: F811
    video = random.Random(7).randbytes(22 * 1024 * 1024)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "chief.eng@oceanpioneer.example", MAILBOX, "Engine-room survey video"
    mail["Message-ID"] = f"<{uuid.uuid4()}@oceanpioneer.example>"
    mail.set_content("The survey video you asked for is attached.")
    mail.add_attachment(video, maintype="video", subtype="mp4", filename="survey.mp4")
    raw = mail.as_bytes()
    assert len(raw) > 30_000_000, "base64 makes the 22 MB file a 30 MB mail"
    dovecot.deliver(raw)
    assert fetch(database, config) == 1
    [ticket] = tickets_of(database, config)
    [message] = messages_of(database, ticket.id)
    assert "survey video you asked for" in message.body and "survey.mp4 (video/mp4, 23,068,672 bytes)" in message.body
    with database.read() as session:
        [stored] = session.exec(model_select(Attachment).where(Attachment.interaction_id == message.id)).all()
    assert stored.size == len(video) and blob_store.from_environment().read(stored.sha256) == video
    assert dovecot.unseen() == 0


async def test_a_reply_the_relay_cannot_take_shows_failed_and_why_on_the_device_that_wrote_it(
        tmp_path, server, database, config, dovecot, smtp_sink):  # noqa: F811
    from cs_console.usecases.ticket_changes import add_interaction

    take(database, config, unique("outlook_utf8.eml"))
    [ticket] = tickets_of(database, config)
    agent = device(tmp_path, server.url, database, "agent", config.mailboxes[0].team)
    agent.sync_until_done()
    reply = add_interaction(agent.store, ticket.id, "public_reply", "Please restart the modem.", author_id=agent.agent_id)
    agent.sync_until_done()
    smtp_sink.stop()
    mail_out.enqueue(database, config)
    mail_out.send_due(database, config, "test-holder", now_ms())
    agent.sync_until_done()
    state, reason = agent.store.ticket_detail(ticket.id).delivery_of(reply.id)
    assert state == "failed" and f"127.0.0.1:{smtp_sink.port} cannot be reached" in reason
    screen = await ticket_screen(agent, ticket.id, size=(200, 50))
    assert f"✗ failed: {reason}" in screen and "last reply: ✗ failed" in screen
