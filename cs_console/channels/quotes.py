"""Quoted history folded away, so a reply shows what the customer wrote this time.

Mail clients quote the earlier messages below (or, rarely, above) the new text; each marks
the start its own way: "> " lines (Gmail, Apple Mail, Thunderbird), "On ... wrote:",
Outlook's "-----Original Message-----" or its "From: ... Sent: ..." header block, and
Foxmail/QQ Mail's "------------------ 原始邮件 ------------------". Everything from the first
such mark on is folded into one line saying how much was left out.
"""

from __future__ import annotations

import re

QUOTE_STARTS = (
    re.compile(r"^-{2,}\s*(Original Message|Forwarded message|原始邮件|回复的原邮件)\s*-{2,}$", re.IGNORECASE),
    re.compile(r"^On .{4,200}wrote:$"),
    re.compile(r"^在 .{4,200}写道[:：]$"),
    re.compile(r"^_{10,}$"),
)
"""Lines that open a quoted history, in the forms the common clients write them."""
HEADER_FROM = re.compile(r"^\*?(From|发件人)\*?\s*[:：].+$")
HEADER_SENT = re.compile(r"^\*?(Sent|Date|发送时间|时间)\*?\s*[:：]")
"""Outlook's quoted header block: "From:" followed within four lines by "Sent:"."""


def _quote_start(lines: list[str]) -> int | None:
    for index, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith(">") and all(not rest.strip() or rest.lstrip().startswith(">") for rest in lines[index:]):
            return index
        if any(pattern.match(line) for pattern in QUOTE_STARTS):
            return index
        if HEADER_FROM.match(line) and any(HEADER_SENT.match(after.strip()) for after in lines[index + 1 : index + 5]):
            return index
    return None


def fold_quoted(text: str) -> str:
    """The new text of a reply, with the quoted history after it folded into one line.

    A mail that is nothing but quotation keeps its text, so nothing is lost."""
    lines = text.splitlines()
    start = _quote_start(lines)
    if start is None:
        return text.strip()
    new = "\n".join(lines[:start]).strip()
    folded = sum(1 for line in lines[start:] if line.strip())
    if not new:
        return text.strip()
    return f"{new}\n\n[… {folded} lines of quoted history folded]"
