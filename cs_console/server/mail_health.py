"""The last problem of the server's mail work with each mailbox and the relay, kept where
the leads see it: a `mail_problem` row per mailbox ("mailbox:TEAM") and one for the relay,
written by the server and synced down to the leads, who cannot read the server's log.

The same problem met again counts up (`count`, `since` the first time in a row); another
problem starts the count over; a round that works clears it. A mail taken in although
malformed is no failure of the mailbox: it stays shown until a later mail is taken in
cleanly, where a working poll alone would clear it within a minute, before any lead looked.
It refuses to decide what is a problem: `mail_in` and `mail_out` say so.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from cs_console.server.db import Numbers
from cs_console.server.merge import server_write
from cs_console.storage.models import MailProblem
from cs_console.utc import to_text

RELAY_ID = "relay"


def mailbox_id(team: str) -> str:
    return f"mailbox:{team}"


def has_problem(session: Session, problem_id: str) -> bool:
    row = session.get(MailProblem, problem_id)
    return row is not None and bool(row.problem)


def record(session: Session, numbers: Numbers, problem_id: str, *, source: str, address: str, team: str,
           problem: str, detail: str, now_ms: int) -> None:
    """Note `problem` (a `vocabulary.MAIL_PROBLEMS` code) met now, in the caller's transaction."""
    now = datetime.fromtimestamp(now_ms / 1000, UTC)
    row = session.get(MailProblem, problem_id)
    again = row is not None and row.problem == problem and row.count > 0
    server_write(session, numbers, "mail_problem", problem_id, {
        "team": team, "source": source, "address": address, "problem": problem, "detail": detail,
        "count": row.count + 1 if again else 1, "since": _text(row.since if again else now),
        "last_at": _text(now),
    }, now_ms)


def clear(session: Session, numbers: Numbers, problem_id: str, now_ms: int, *, keep: frozenset[str] = frozenset()) -> None:
    """It works again: forget the problem, unless it is one of `keep`; writes nothing when
    there is none (a working mailbox costs no change to sync)."""
    if not has_problem(session, problem_id):
        return
    row = session.get(MailProblem, problem_id)
    if row.problem in keep:
        return
    server_write(session, numbers, "mail_problem", problem_id,
                 {"problem": "", "detail": "", "count": 0, "since": None, "last_at": _text(row.last_at)}, now_ms)


def _text(moment: datetime | None) -> str | None:
    return to_text(moment) if moment is not None else None
