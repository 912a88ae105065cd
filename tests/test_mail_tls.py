"""Mail over STARTTLS and over implicit TLS (IMAPS, SMTPS): the password and the mail travel
encrypted, and a certificate the server does not trust stops the send with the reason
(cs_console.server.mail_in, mail_out)."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from cs_console.server import changes, mail_config, mail_in, mail_out
from cs_console.server.db import Database
from cs_console.storage.models import Interaction, ReplyDelivery, Ticket
from cs_console.utc import utcnow
from tests.test_mail_harness import Dovecot, SmtpSink, certificate, mail_settings  # noqa: F401 (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


@pytest.fixture(params=[False, True], ids=["starttls", "implicit-tls"])
def servers(request, tmp_path, certificate):  # noqa: F811
    if shutil.which("dovecot") is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run installs it)")
    (tmp_path / "dovecot").mkdir()
    imap = Dovecot(tmp_path / "dovecot", certificate).start()
    smtp = SmtpSink(certificate, implicit_tls=request.param).start()
    yield imap, smtp
    smtp.stop()
    imap.stop()


def settings_for(path: Path, imap: Dovecot, smtp: SmtpSink, ca_file: Path | None) -> Path:
    """Mail settings over STARTTLS, or over implicit TLS (IMAPS, SMTPS) when the sink speaks it."""
    if not smtp.implicit_tls:
        return mail_settings(path, imap, smtp, security="starttls", ca_file=ca_file)
    settings = mail_settings(path, imap, smtp, security="tls", ca_file=ca_file)
    settings.write_text(settings.read_text().replace(f"port = {imap.port}\n", f"port = {imap.tls_port}\n"))
    return settings


def test_mail_in_and_out_over_tls_with_a_private_authority(tmp_path, servers, certificate):  # noqa: F811
    imap, smtp = servers
    config = mail_config.load(settings_for(tmp_path / "mail.toml", imap, smtp, certificate[0]))
    database = Database.open(f"sqlite:///{tmp_path / 'server.db'}")
    imap.deliver((FIXTURES / "outlook_utf8.eml").read_bytes())
    now = int(time.time() * 1000)
    assert mail_in.fetch_mailbox(database, config, config.mailboxes[0], "holder", now) == 1
    with database.read() as session:
        [ticket] = session.scalars(select(Ticket)).all()
    reply = Interaction(ticket_id=ticket.id, kind="public_reply", body="Rebooted on our side.", created_at=utcnow())
    with database.write() as (session, numbers):
        session.add(reply)
        session.flush()
        changes.touch(session, numbers, "interaction", reply.id, ticket.id)
    mail_out.enqueue(database, config)
    mail_out.send_due(database, config, "holder", now)
    assert [m["Subject"] for m in smtp.received] == [f"Re: [{ticket.number}] VSAT link down on MV Ocean Pioneer"]

    untrusting = mail_config.load(settings_for(tmp_path / "plain-trust.toml", imap, smtp, None))
    with pytest.raises(mail_in.MailboxUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        mail_in.fetch_mailbox(database, untrusting, untrusting.mailboxes[0], "holder", now + 60_000)
    second = Interaction(ticket_id=ticket.id, kind="public_reply", body=f"Update {uuid.uuid4()}", created_at=utcnow())
    with database.write() as (session, numbers):
        session.add(second)
        session.flush()
        changes.touch(session, numbers, "interaction", second.id, ticket.id)
    mail_out.enqueue(database, untrusting)
    mail_out.send_due(database, untrusting, "holder", now)
    with database.read() as session:
        failed = session.get(ReplyDelivery, second.id)
    assert failed.state == "failed" and "CERTIFICATE_VERIFY_FAILED" in failed.reason and len(smtp.received) == 1
    database.close()
