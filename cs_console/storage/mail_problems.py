"""The server's mail problems this device holds (a lead's: their team's mailbox and the
relay), as the lead's view lists them. Written only by the server and synced down
(`MailProblem`); this module only reads them.

Methods of `cs_console.store.Store`, which reads through `read`.
"""

from __future__ import annotations

from sqlmodel import col, select

from cs_console.storage.models import MailProblem


class MailProblems:
    def mail_problems(self, team: str | None = None) -> list[MailProblem]:
        """The mailboxes and relay with a problem now, the latest met first: of `team` and
        the relay only, unless None (all: an admin's). Rows of a team this device's lead
        left stay in the file, as the server sends no word when they leave the scope."""
        query = select(MailProblem).where(MailProblem.problem != "")
        if team is not None:
            query = query.where(col(MailProblem.team).in_((team, "")))
        with self.read() as session:
            return list(session.exec(query.order_by(col(MailProblem.last_at).desc())))
