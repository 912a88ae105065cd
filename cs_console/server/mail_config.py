"""The server's mail settings: one mailbox per team, and the SMTP relay replies leave by.

Read from a TOML file given to `cs-console server --mail-config FILE`:

    [[mailbox]]
    team = "deck"                          # the team whose unassigned pool new mail lands in
    address = "support@seanet.example"     # our address: replies come from it, mail from it is ignored
    name = "Fleet Support"
    host = "imap.seanet.example"
    port = 993
    security = "tls"                       # tls | starttls | plain (loopback only, or insecure = true)
    user = "support@seanet.example"
    password_env = "CS_MAIL_DECK_PASSWORD" # or password = "..."
    folder = "INBOX"
    poll_seconds = 60
    acknowledge = true                     # answer new tickets with their number and the 1-3-7 promise
    # acknowledgement_file = "ack.txt"     # ... in your own words: blanks {number} {subject} {name} {team}

    [smtp]
    host = "smtp.seanet.example"
    port = 587
    security = "starttls"
    user = "support@seanet.example"
    password_env = "CS_SMTP_PASSWORD"
    # ca_file = "/etc/ssl/private-ca.pem"  # in any entry: trust a private authority's certificates

Every mistake is refused at start with the file, the entry and the field named; a
password never travels unencrypted except to this machine itself, or when `insecure = true`
says someone decided so.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cs_console.channels.acknowledgement import DEFAULT_TEMPLATE, template_problem
from cs_console.errors import UserError

SECURITIES = ("tls", "starttls", "plain")
DEFAULT_PORTS = {("imap", "tls"): 993, ("imap", "starttls"): 143, ("imap", "plain"): 143,
                 ("smtp", "tls"): 465, ("smtp", "starttls"): 587, ("smtp", "plain"): 25}


class MailConfigError(UserError):
    """The mail settings file is unreadable or names something wrong."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str
    user: str
    password: str
    ca_file: str | None = None
    """A PEM file of the authority that signed the server's certificate, for a private CA;
    None trusts the system's authorities."""

    def tls(self) -> ssl.SSLContext:
        """The TLS settings for this server: its certificate and host name always checked."""
        return ssl.create_default_context(cafile=self.ca_file)


@dataclass(frozen=True)
class Mailbox:
    team: str
    address: str
    name: str
    imap: Server
    folder: str
    poll_seconds: float
    acknowledgement: str | None = None
    """The template new mail tickets are answered with automatically; None: no answer."""


@dataclass(frozen=True)
class MailConfig:
    mailboxes: tuple[Mailbox, ...]
    smtp: Server | None

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset(mailbox.address for mailbox in self.mailboxes)

    def mailbox_of(self, team: str) -> Mailbox | None:
        return next((mailbox for mailbox in self.mailboxes if mailbox.team == team), None)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _text(entry: dict, name: str, where: str, default: str | None = None) -> str:
    value = entry.get(name, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise MailConfigError(f"{where}: {name} must be text" + ("" if default is not None else " and is required"))
    return value.strip()


def _server(entry: dict, kind: str, where: str) -> Server:
    security = _text(entry, "security", where, "tls" if kind == "imap" else "starttls").lower()
    if security not in SECURITIES:
        raise MailConfigError(f"{where}: security {security!r} is not one of {', '.join(SECURITIES)}")
    host = _text(entry, "host", where)
    if security == "plain" and not _loopback(host) and entry.get("insecure") is not True:
        raise MailConfigError(f"{where}: security \"plain\" sends the password unencrypted to {host}; "
                              "use tls or starttls, or add insecure = true if that is really meant")
    port = entry.get("port", DEFAULT_PORTS[(kind, security)])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise MailConfigError(f"{where}: port must be a number from 1 to 65535, not {port!r}")
    password = _text(entry, "password", where, "")
    variable = _text(entry, "password_env", where, "")
    if variable:
        if variable not in os.environ:
            raise MailConfigError(f"{where}: password_env names {variable}, which is not set in the environment")
        password = os.environ[variable]
    ca_file = _text(entry, "ca_file", where, "") or None
    if ca_file is not None and not Path(ca_file).is_file():
        raise MailConfigError(f"{where}: ca_file {ca_file} is not a file")
    return Server(host, port, security, _text(entry, "user", where, ""), password, ca_file)


def _acknowledgement(entry: dict, where: str) -> str | None:
    path = _text(entry, "acknowledgement_file", where, "")
    if not path:
        acknowledge = entry.get("acknowledge", False)
        if not isinstance(acknowledge, bool):
            raise MailConfigError(f"{where}: acknowledge must be true or false, not {acknowledge!r}")
        return DEFAULT_TEMPLATE if acknowledge else None
    try:
        template = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MailConfigError(f"{where}: acknowledgement_file {path} cannot be read ({error})") from None
    problem = template_problem(template)
    if problem:
        raise MailConfigError(f"{where}: acknowledgement_file {path}: {problem}")
    return template


def parse(data: dict, source: str) -> MailConfig:
    """The settings in `data` (a parsed TOML document) read from `source`.

    Raises:
        MailConfigError: the first thing wrong, with `source`, the entry and the field named.
    """
    entries = data.get("mailbox", [])
    if not isinstance(entries, list):
        raise MailConfigError(f"{source}: mailbox must be a list of [[mailbox]] tables")
    mailboxes = []
    for number, entry in enumerate(entries, 1):
        where = f"{source}, mailbox {number}"
        address = _text(entry, "address", where).lower()
        if "@" not in address:
            raise MailConfigError(f"{where}: address {address!r} is not a mail address")
        poll = entry.get("poll_seconds", 60)
        if isinstance(poll, bool) or not isinstance(poll, int | float) or poll <= 0:
            raise MailConfigError(f"{where}: poll_seconds must be a positive number, not {poll!r}")
        mailboxes.append(Mailbox(
            team=_text(entry, "team", where), address=address, name=_text(entry, "name", where, address),
            imap=_server(entry, "imap", where), folder=_text(entry, "folder", where, "INBOX"), poll_seconds=float(poll),
            acknowledgement=_acknowledgement(entry, where),
        ))
    teams = [mailbox.team for mailbox in mailboxes]
    if len(set(teams)) != len(teams):
        raise MailConfigError(f"{source}: two mailboxes for one team; each team has one address replies come from")
    smtp = data.get("smtp")
    return MailConfig(tuple(mailboxes), _server(smtp, "smtp", f"{source}, [smtp]") if smtp is not None else None)


def load(path: Path) -> MailConfig:
    """Read the mail settings file.

    Raises:
        MailConfigError: the file is missing, not TOML, or names something wrong.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MailConfigError(f"cannot read the mail settings {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise MailConfigError(f"the mail settings {path} are not valid TOML: {error}") from None
    return parse(data, str(path))
