"""The server's mail settings: a mistake stops the server at start, naming file, entry and field."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cs_console.server.mail_config import MailConfigError, load, parse

GOOD = {"team": "deck", "address": "Support@SeaNet.example", "host": "imap.seanet.example", "password": "x"}


def test_defaults_follow_the_security_chosen():
    config = parse({"mailbox": [GOOD], "smtp": {"host": "smtp.seanet.example"}}, "mail.toml")
    [mailbox] = config.mailboxes
    assert (mailbox.address, mailbox.imap.port, mailbox.imap.security, mailbox.folder) == (
        "support@seanet.example", 993, "tls", "INBOX")
    assert (config.smtp.port, config.smtp.security) == (587, "starttls")
    assert config.own_addresses == {"support@seanet.example"} and config.mailbox_of("deck") is mailbox


@pytest.mark.parametrize(("change", "message"), [
    ({"address": "support"}, "mail.toml, mailbox 1: address 'support' is not a mail address"),
    ({"team": ""}, "mail.toml, mailbox 1: team must be text and is required"),
    ({"security": "ssl"}, "mail.toml, mailbox 1: security 'ssl' is not one of tls, starttls, plain"),
    ({"port": 99999}, "mail.toml, mailbox 1: port must be a number from 1 to 65535, not 99999"),
    ({"security": "plain"}, 'security "plain" sends the password unencrypted to imap.seanet.example'),
    ({"password_env": "CS_TEST_UNSET_PASSWORD"}, "password_env names CS_TEST_UNSET_PASSWORD, which is not set"),
    ({"poll_seconds": 0}, "poll_seconds must be a positive number, not 0"),
])
def test_each_mistake_is_named(change, message):
    with pytest.raises(MailConfigError, match=message.replace("(", r"\(")):
        parse({"mailbox": [{**GOOD, **change}]}, "mail.toml")


def test_plain_is_allowed_on_loopback_or_when_said_insecure():
    parse({"mailbox": [{**GOOD, "host": "127.0.0.1", "security": "plain"}]}, "mail.toml")
    parse({"mailbox": [{**GOOD, "security": "plain", "insecure": True}]}, "mail.toml")


def test_two_mailboxes_for_one_team_are_refused():
    with pytest.raises(MailConfigError, match="two mailboxes for one team"):
        parse({"mailbox": [GOOD, {**GOOD, "address": "ops@seanet.example"}]}, "mail.toml")


def test_the_server_refuses_to_start_on_a_broken_file(tmp_path):
    broken = tmp_path / "mail.toml"
    broken.write_text('[[mailbox]]\nteam = "deck"\naddress = ')
    with pytest.raises(MailConfigError, match=f"the mail settings {broken} are not valid TOML"):
        load(broken)
    result = subprocess.run([sys.executable, "-m", "cs_console", "server", "--port", "1", "--mail-config", str(broken),
                             "--database-url", f"sqlite:///{tmp_path / 'server.db'}"],
                            capture_output=True, text=True, timeout=60, env={"CS_CONSOLE_HOME": str(tmp_path),
                                                                           "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0 and "are not valid TOML" in result.stderr and "Traceback" not in result.stderr


def test_an_acknowledgement_template_with_an_unknown_blank_is_refused(tmp_path):
    template = tmp_path / "ack.txt"
    template.write_text("Ticket {ticket_no} received.")
    with pytest.raises(MailConfigError, match=f"acknowledgement_file {template}: the template has the unknown blank"):
        parse({"mailbox": [{**GOOD, "acknowledgement_file": str(template)}]}, "mail.toml")
    template.write_text("Ticket {number} received.")
    [mailbox] = parse({"mailbox": [{**GOOD, "acknowledgement_file": str(template)}]}, "mail.toml").mailboxes
    assert mailbox.acknowledgement == "Ticket {number} received."
    assert parse({"mailbox": [GOOD]}, "mail.toml").mailboxes[0].acknowledgement is None
