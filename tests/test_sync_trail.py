"""The ticket's trail syncs like everything else: a lead's device, reading what an agent did
offline, can tell who escalated and closed a ticket, when, and why its clocks were waived."""

from __future__ import annotations

import json

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import DEFAULT_POLICY, follow_up_clocks
from cs_console.usecases.ticket_changes import change_status
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import account, database, database_url, device, server  # noqa: F401  (fixtures)


def test_a_lead_reads_who_escalated_and_closed_a_ticket_and_why(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent")
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = pool_ticket(lena, assignee_id=alice.agent_id)
    lena.sync_until_done()
    alice.sync_until_done()

    alice.store.escalate(ticket.id, "Radio", "beacon ID mismatch", author_id=alice.agent_id)
    change_status(alice.store, ticket.id, "closed", author_id=alice.agent_id, reason="duplicate")
    report = alice.sync_until_done()
    assert report.refused == 0, alice.store.refused_operations()

    lena.sync_until_done()
    detail = lena.store.ticket_detail(ticket.id)
    trail = {event.kind: (event.author_id, json.loads(event.detail)) for event in detail.events}
    assert trail["escalated"] == (alice.agent_id, {"team": "Radio", "reason": "beacon ID mismatch"})
    assert trail["status_changed"] == (alice.agent_id, {"from": "open", "to": "closed"})
    assert trail["marked_duplicate"][0] == alice.agent_id
    events = [(event.kind, event.at) for event in detail.events]
    closed_at = dict(events)["closed"]
    clocks = follow_up_clocks(events, "normal", DEFAULT_POLICY, BusinessCalendar("UTC"), closed_at)
    assert (clocks.first_response.state, clocks.first_response.reason) == ("waived", "duplicate")
