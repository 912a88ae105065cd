"""The service report of a period, for the lead screen's KPI view and `cs-console report`.

Reads the tickets the report needs (created before the period ends, touched since the
period before began) once, in the scope asked for, and builds the report. Call it from a
thread worker. It refuses to render: the screen and the command format the `Report`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.lead.reports import Report, build
from cs_console.usecases.kb_proposals import learning_facts
from cs_console.usecases.reviews import review_figures
from cs_console.usecases.survey import survey_questions
from cs_console.usecases.teams import check_team
from cs_console.usecases.ticket_facts import ticket_facts

if TYPE_CHECKING:
    from cs_console.config import Config
    from cs_console.lead.periods import Period
    from cs_console.lead.team import Scope
    from cs_console.store import Store


def service_report(store: Store, config: Config, period: Period, now: datetime, scope: Scope,
                   team: str | None = None) -> Report:
    """The report of `period` over `scope`'s agents and tickets; with `team`, only that team's.

    Raises:
        UnknownTeam: no agent works in `team`.
        StoreError: the database cannot be read.
    """
    agents = store.agents()
    check_team(team, agents)
    facts = ticket_facts(store, created_before=period.end, touched_since=period.previous().start)
    return build(scope.tickets(facts, agents), scope.agents(agents), period, now, config.policy, config.calendar,
                 team=team, questions=survey_questions(config), learning=learning_facts(store),
                 **review_figures(store, period))
