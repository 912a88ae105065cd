"""The team board, the breach list, the escalation queue and a lead's scope, without a terminal."""

from __future__ import annotations

from datetime import timedelta

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.lead import team
from cs_console.lead.kpi import Contact
from cs_console.lead.roles import is_lead
from cs_console.storage.models import Agent
from tests.test_kpi import at, reply, ticket

CALENDAR = BusinessCalendar("UTC")
NOW = at(24, 12)  # Tuesday noon
LIN = Agent(id="lin", name="Lin Wei", team="Maritime Desk")
INGRID = Agent(id="ingrid", name="Ingrid Haugen", team="Maritime Desk")
ZHAO = Agent(id="zhao", name="Zhao Min", role="lead", team="Maritime Desk")
WANG = Agent(id="wang", name="Wang Lei", team="Telecom Desk")
SUN = Agent(id="sun", name="Sun Hui", role="admin", team="Tender Hotline")
AGENTS = [LIN, INGRID, ZHAO, WANG]

TICKETS = [
    # Lin: an urgent ticket unanswered for 2 hours (its 15-minute first response overdue),
    ticket("l1", at(24, 10), priority="urgent", assignee="lin",
           contacts=[Contact("customer_message", at(24, 10))]),
    # a normal one answered, then the customer wrote again at 11:00 (waiting on us since then),
    ticket("l2", at(24, 9), [("first_response", at(24, 9, 30))], assignee="lin",
           contacts=[Contact("customer_message", at(24, 9)), reply(at(24, 9, 30), "lin"),
                     Contact("customer_message", at(24, 11)), Contact("customer_message", at(24, 11, 30))]),
    # and one escalated yesterday, waiting on the experts.
    ticket("l3", at(23, 9), [("first_response", at(23, 9, 10)), ("escalated", at(23, 10))], assignee="lin",
           contacts=[reply(at(23, 9, 10), "lin")]),
    # Ingrid: a normal ticket 50 minutes old, not answered: at risk (10 of 60 minutes left).
    ticket("i1", at(24, 11, 10), assignee="ingrid"),
    # waiting on the customer: never "waiting on us".
    ticket("i2", at(24, 9), [("first_response", at(24, 9, 5)), ("waiting_on_customer", at(24, 9, 6))],
           assignee="ingrid", status="waiting_on_customer", contacts=[reply(at(24, 9, 5), "ingrid")]),
    # unassigned, filed with the desk; and one with another team.
    ticket("u1", at(24, 11, 30), assignee=None),
    ticket("w1", at(24, 11, 30), assignee="wang"),
]


def states(tickets=TICKETS, flags=None):
    return team.states(tickets, flags or {}, DEFAULT_POLICY, CALENDAR, NOW)


def test_states_come_most_urgent_first():
    assert [s.facts.id for s in states()][:2] == ["l1", "i1"]


def test_states_moved_to_a_later_now_are_the_states_made_there():
    """A lead's tick moves the clocks of the last one; events between the two count."""
    flags = {"l2": ("投诉",)}
    earlier = team.states(TICKETS, flags, DEFAULT_POLICY, CALENDAR, NOW - timedelta(hours=3))
    moved = team.states_at(earlier, DEFAULT_POLICY, CALENDAR, NOW)
    assert moved == states(flags=flags)
    assert [s.facts.id for s in moved][:2] == ["l1", "i1"]


def test_one_board_row_per_agent_busiest_first_then_the_unassigned():
    rows = team.board(AGENTS, states(flags={"l2": ("投诉",)}), NOW)
    assert [row.agent_id for row in rows] == ["lin", "ingrid", "wang", "zhao", None]
    lin = rows[0]
    assert (lin.active, lin.breached, lin.at_risk, lin.upset) == (3, 1, 0, 1)
    assert lin.oldest_wait == timedelta(hours=2) and lin.oldest_number == "L1"  # l1 since 10:00; l2 since 11:00
    ingrid = rows[1]
    assert (ingrid.active, ingrid.waiting_on_customer, ingrid.at_risk, ingrid.load) == (2, 1, 1, 1.5)
    assert ingrid.oldest_wait == timedelta(minutes=50)
    unassigned = rows[-1]
    assert (unassigned.name, unassigned.active) == ("", 1)


def test_the_breach_list_and_the_escalation_queue():
    found = states()
    assert [s.facts.id for s in team.breaches(found)] == ["l1", "i1"]
    assert [s.facts.id for s in team.escalations(found)] == ["l3"]
    assert [s.facts.id for s in team.queue_of(found, None)] == ["u1"]


def test_waiting_since_the_first_unanswered_message():
    by_id = {t.id: t for t in TICKETS}
    assert team.waiting_since(by_id["l2"]) == at(24, 11)
    assert team.waiting_since(by_id["l3"]) is None, "we spoke last"
    assert team.waiting_since(by_id["i2"]) is None, "we wait on them"
    assert team.waiting_since(by_id["i1"]) == at(24, 11, 10), "never answered: since it was made"


def test_a_lead_sees_their_team_and_an_admin_everyone():
    lead_scope = team.Scope.of(ZHAO)
    assert [a.id for a in lead_scope.agents(AGENTS)] == ["lin", "ingrid", "zhao"]
    assert {t.id for t in lead_scope.tickets(TICKETS, AGENTS)} == {"l1", "l2", "l3", "i1", "i2", "u1"}
    assert team.Scope.of(SUN).team is None
    assert len(team.Scope.of(SUN).tickets(TICKETS, AGENTS)) == len(TICKETS)
    assert is_lead(ZHAO) and is_lead(SUN) and not is_lead(LIN) and not is_lead(None)
