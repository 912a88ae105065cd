"""What the mail tests share: a real Dovecot IMAP server and an aiosmtpd SMTP sink on
loopback, started by the tests, and a mail settings file pointing at both.

Test modules import the fixtures they use from here. The tests in this file check the
harness itself: mail appended over IMAP is there to fetch, and the sink keeps what it is sent.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from cs_console.server.process import free_port

MAILBOX = "support@seanet.example"
PASSWORD = "harbour-pilot-7"
STARTUP_SECONDS = 20.0


def wait_for(condition, seconds: float = 30.0, what: str = "the condition"):
    """Poll `condition` until it returns something truthy; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


class Dovecot:
    """A Dovecot IMAP server on a loopback port, one mailbox (`MAILBOX`), plain login, maildir
    in a folder of its own. As root, Dovecot's login and mail processes must not be root, so
    the maildir lives in a folder owned by the `dovecot` user."""

    def __init__(self, root: Path, certificate: tuple[Path, Path] | None = None) -> None:
        """`certificate` (certificate, key) turns TLS on: STARTTLS on the IMAP port, implicit
        TLS (IMAPS) on `tls_port`."""
        self.port = free_port()
        self.tls_port = free_port() if certificate else 0
        self.root = root
        if os.geteuid() == 0:
            self.mail_dir = Path(tempfile.mkdtemp(prefix="cs-console-dovecot-"))
            owner = pwd.getpwnam("dovecot")
            os.chown(self.mail_dir, owner.pw_uid, owner.pw_gid)
            users = ("default_internal_user = dovecot\ndefault_login_user = dovenull\n"
                     "service auth {\n  user = root\n}\nservice auth-worker {\n  user = root\n}\n")
            mail_user = "dovecot"
        else:
            self.mail_dir = root / "mail"
            self.mail_dir.mkdir()
            me = pwd.getpwuid(os.getuid()).pw_name
            users = f"default_internal_user = {me}\ndefault_login_user = {me}\n"
            mail_user = me
        tls = f"ssl = required\nssl_cert = <{certificate[0]}\nssl_key = <{certificate[1]}" if certificate else "ssl = no"
        (root / "passwd").write_text(f"{MAILBOX}:{{PLAIN}}{PASSWORD}::::::\n")
        self.config = root / "dovecot.conf"
        self.config.write_text(f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{tls}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{users}mail_location = maildir:{self.mail_dir}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={self.mail_dir}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
""")
        self.process: subprocess.Popen | None = None
        self.certificate = certificate

    def start(self) -> Dovecot:
        self.process = subprocess.Popen(["dovecot", "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}: {self.log()}")
            try:
                with self.client():
                    return self
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer within {STARTUP_SECONDS:.0f} s: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        if self.certificate is not None:
            client.starttls(ssl.create_default_context(cafile=self.certificate[0]))
        client.login(MAILBOX, PASSWORD)
        return client

    def deliver(self, raw: bytes) -> None:
        """Put a mail into the inbox, unseen (IMAP APPEND, as a delivery agent would)."""
        with self.client() as client:
            status, answer = client.append("INBOX", None, None, raw)
            assert status == "OK", answer

    def unseen(self) -> int:
        with self.client() as client:
            client.select("INBOX")
            _, found = client.uid("SEARCH", None, "UNSEEN")
            return len(found[0].split())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        if self.mail_dir.parent != self.root:
            shutil.rmtree(self.mail_dir, ignore_errors=True)


@pytest.fixture
def dovecot(tmp_path):
    """A running Dovecot with an empty inbox for `MAILBOX`."""
    if shutil.which("dovecot") is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run installs it)")
    root = tmp_path / "dovecot"
    root.mkdir()
    server = Dovecot(root).start()
    yield server
    server.stop()


class SmtpSink:
    """An SMTP server on loopback that accepts every mail and keeps it; `stop()` takes it
    down (the relay is unreachable) and `start()` brings it back on the same port."""

    def __init__(self, certificate: tuple[Path, Path] | None = None, implicit_tls: bool = False) -> None:
        """`certificate` (certificate, key) makes it offer STARTTLS and require it, or with
        `implicit_tls` speak TLS from the first byte (SMTPS)."""
        self.port = free_port()
        self.certificate = certificate
        self.implicit_tls = implicit_tls
        self.received: list[EmailMessage] = []
        self.controller = None

    async def handle_DATA(self, _server, _session, envelope):
        self.received.append(BytesParser(policy=policy.default).parsebytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        tls = None
        if self.certificate is not None:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(*self.certificate)
        if self.implicit_tls:
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, ssl_context=tls)
        else:
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, tls_context=tls,
                                         require_starttls=tls is not None)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def mail_settings(path: Path, dovecot: Dovecot, sink: SmtpSink, team: str = "deck", poll_seconds: float = 0.3,
                  security: str = "plain", ca_file: Path | None = None) -> Path:
    """A mail settings file for the server: `MAILBOX` on Dovecot for `team`, the sink as relay."""
    trust = f'ca_file = "{ca_file}"' if ca_file else ""
    path.write_text(f"""[[mailbox]]
team = "{team}"
address = "{MAILBOX}"
name = "Fleet Support"
host = "127.0.0.1"
port = {dovecot.port}
security = "{security}"
{trust}
user = "{MAILBOX}"
password = "{PASSWORD}"
poll_seconds = {poll_seconds}

[smtp]
host = "127.0.0.1"
port = {sink.port}
security = "{security}"
{trust}
""")
    return path


def test_dovecot_keeps_appended_mail_unseen(dovecot):
    dovecot.deliver(b"From: radio@ship.example\r\nSubject: test\r\nMessage-ID: <t1@ship.example>\r\n\r\nhello\r\n")
    assert dovecot.unseen() == 1


def test_the_sink_keeps_what_it_is_sent(smtp_sink):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@seanet.example", "b@ship.example", "test"
    message.set_content("hello")
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as client:
        client.send_message(message)
    assert wait_for(lambda: smtp_sink.received, what="the sink to receive")[0]["Subject"] == "test"


@pytest.fixture
def certificate(tmp_path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as (certificate, key)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed; it makes the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key
