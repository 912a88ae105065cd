"""The automatic answer to a new mail ticket: its number and the 1-3-7 promise.

A customer who writes from a ship wants to know the mail arrived and what happens next.
The text is a template with four blanks, `{number}`, `{subject}`, `{name}` (the sender's
name) and `{team}` (the mailbox's name); a team may write its own. It goes out marked
`Auto-Submitted: auto-replied` (RFC 3834), so the customer's own auto-responder stays
quiet, and only for a new ticket, never for an answer or for noise.
"""

from __future__ import annotations

import string

BLANKS = frozenset({"number", "subject", "name", "team"})

DEFAULT_TEMPLATE = """\
{name}，您好：

我们已收到您的邮件“{subject}”，工单号 {number}。我们的服务承诺：1 小时内首次答复，
3 个工作日内给出初步解决方案，7 日内回访确认后结案。就此事来信时请在主题中保留 [{number}]。

Dear {name},

We have received your message "{subject}" as ticket {number}. Our promise: a first answer
within 1 hour, an initial solution within 3 business days, and closure, after we call to
check with you, within 7 days. Please keep [{number}] in the subject when you write about it.

{team}
"""


def template_problem(template: str) -> str | None:
    """Why `template` cannot be filled (an unknown or malformed blank), or None."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        return f"the template is malformed ({error}); write a literal brace as {{{{ or }}}}"
    unknown = sorted(names - BLANKS)
    if unknown:
        return f"the template has the unknown blank {{{unknown[0]}}}; it may use {', '.join(sorted(BLANKS))}"
    return None


def fill(template: str, *, number: str, subject: str, name: str, team: str) -> str:
    """The acknowledgement's text; `template` passed `template_problem`."""
    return template.format(number=number, subject=subject, name=name, team=team)
