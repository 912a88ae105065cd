"""A raw mail turned into what a ticket needs: who, about what, the text, the files.

Parsed with the standard library's `email` package (policy.default). Text is decoded by
its declared charset, reading GB2312 and GBK as GB18030 (their superset: Chinese clients
declare GB2312 and send GBK characters); an unknown or wrong charset is decoded as UTF-8
with replacement characters and said so, never refused. HTML-only mail is turned into text
and the quoted history folded. It refuses to decide which ticket a mail belongs to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from cs_console.channels import noise
from cs_console.channels.html_text import html_to_text
from cs_console.channels.quotes import fold_quoted
from cs_console.channels.threading import message_ids

SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
             "ks_c_5601-1987": "cp949", "iso-8859-1": "cp1252", "us-ascii": "utf-8"}
"""Charsets clients declare when they send a wider one; the wider one decodes both."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMail:
    message_id: str
    """The mail's Message-ID, or one made from its bytes when it has none: refetching the
    same mail gives the same id."""
    sender: str
    """The sender's address, lower case."""
    sender_name: str
    subject: str
    text: str
    sent_at: datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    noise: noise.Noise
    bounce: noise.Bounce | None = None
    problems: tuple[str, ...] = field(default=())
    """What could not be read as declared (a charset, a date), said for the server log."""


def _decoded(part: EmailMessage, problems: list[str]) -> str:
    data = part.get_payload(decode=True) or b""
    declared = (part.get_content_charset() or "utf-8").lower()
    charset = SUPERSETS.get(declared, declared)
    try:
        return data.decode(charset)
    except LookupError:
        problems.append(f"unknown charset {declared!r}; read as UTF-8 with replacement characters")
    except UnicodeDecodeError as error:
        if declared == "iso-8859-1":
            return data.decode("latin-1")  # bytes Windows-1252 leaves undefined: Latin-1 reads every byte
        problems.append(f"text is not valid {declared} at byte {error.start}; undecodable bytes replaced")
        return data.decode(charset, errors="replace")
    return data.decode("utf-8", errors="replace")


def _body_text(message: EmailMessage, problems: list[str]) -> tuple[str, EmailMessage | None]:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return "", None
    text = _decoded(body, problems)
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    return fold_quoted(text.replace("\r\n", "\n")), body


def _attachments(message: EmailMessage, body: EmailMessage | None) -> tuple[Attachment, ...]:
    found = []
    for part in message.walk():
        if part is body or part.is_multipart() or part.get_content_maintype() == "message":
            continue
        filename = part.get_filename()
        if part.get_content_maintype() == "text" and not (part.is_attachment() or filename):
            continue  # the body's other alternative (the HTML beside the text), not a file
        data = part.get_payload(decode=True) or b""
        name = filename or f"part-{len(found) + 1}.{part.get_content_subtype()}"
        found.append(Attachment(name, part.get_content_type(), data))
    return tuple(found)


def _sent_at(message: EmailMessage, problems: list[str]) -> datetime | None:
    if not message["Date"]:
        return None
    try:
        when = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        problems.append(f"unreadable Date {message['Date']!r}")
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def parse_mail(raw: bytes, own_addresses: frozenset[str] = frozenset()) -> InboundMail:
    """Read one raw mail (RFC 5322 bytes). Never raises on malformed MIME: what can be read is
    kept and the rest named in `problems`."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    problems: list[str] = [f"malformed MIME: {type(defect).__name__}" for defect in message.defects]
    addresses = getaddresses([str(message.get("From", ""))])
    sender_name, sender = addresses[0] if addresses else ("", "")
    sender = sender.strip().lower()
    kind = noise.classify(message, sender, own_addresses)
    bounce = noise.bounce_of(message) if kind is noise.Noise.BOUNCE else None
    text, body = _body_text(message, problems)
    ids = message_ids(str(message.get("Message-ID", "")))
    message_id = ids[0] if ids else f"<sha256-{hashlib.sha256(raw).hexdigest()[:32]}@no-message-id>"
    return InboundMail(
        message_id=message_id,
        sender=sender,
        sender_name=sender_name.strip(),
        subject=" ".join(str(message.get("Subject", "")).split()),
        text=text,
        sent_at=_sent_at(message, problems),
        in_reply_to=message_ids(str(message.get("In-Reply-To", ""))),
        references=message_ids(str(message.get("References", ""))),
        attachments=() if bounce else _attachments(message, body),
        noise=kind,
        bounce=bounce,
        problems=tuple(problems),
    )
