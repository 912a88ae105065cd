"""The demo shows every complaint and knowledge-base figure: complaints with PEARL steps
(complete and not), complainants' scores beside other customers', and proposals approved
and used by another agent, waiting and rejected."""

from __future__ import annotations

from cs_console.config import Config
from cs_console.demo.data_set import demo_id
from cs_console.lead.periods import period_containing
from cs_console.lead.team import Scope
from cs_console.usecases.reports import service_report
from tests.conftest import NOW


def test_the_demo_quarter_shows_complaints_and_contributions(demo_store):
    admin = next(agent for agent in demo_store.agents() if agent.role == "admin")
    report = service_report(demo_store, Config(), period_containing("quarterly", NOW.date(), "UTC"), NOW,
                            Scope.of(admin))
    values = {line.key: line.current for line in report.metrics}
    assert values["complaints"] == 4 and values["pearl_complete"] == 50.0
    assert values["complainant_csat"] == 33.3 and values["other_csat"] > values["complainant_csat"]
    assert (values["kb_proposed"], values["kb_approved"], values["kb_used_by_others"]) == (3, 1, 1)
    lin_wei = next(line for line in report.agents if line.agent_id == demo_id("agent", "lin.wei"))
    assert lin_wei.values["kb_used_by_others"] == 1, "Ingrid used his template; his own use is no credit"
    states = sorted(row.proposal.state for row in demo_store.kb_proposals())
    assert states == ["approved", "rejected", "waiting"]
