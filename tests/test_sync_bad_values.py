"""Values the server refuses one operation at a time, against a real server process: the
device sets the refused operation aside, shows it, and everything else goes through.

The device checks the same values before it saves them (`schema.check_values`); the
operations here come from a build that did not, written through the store directly.
Runs on each backend (SQLite, and PostgreSQL where one answers).
"""

from __future__ import annotations

import pytest

from cs_console.sync.schema import ValueRefused
from cs_console.usecases.refused_changes import refused_changes
from cs_console.usecases.ticket_changes import add_interaction
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import database, database_url, device, server, server_ticket  # noqa: F401  (fixtures)


def unchecked(store, ticket_id: str, kind: str, body: str, author_id: str | None, **scores):
    """An interaction saved without the device's checks, as an older build would."""
    return store.add_interaction(ticket_id, kind, body, author_id=author_id,
                                 events_for=lambda status, responded: ((), status), **scores)


def test_one_nul_is_refused_alone_and_the_device_keeps_syncing(tmp_path, server, database):
    lead = device(tmp_path, server.url, database, "lead")
    lead.sync_until_done()
    ticket = pool_ticket(lead)
    add_interaction(lead.store, ticket.id, "public_reply", "We will call you at 10:00.", author_id=lead.agent_id)
    bad = unchecked(lead.store, ticket.id, "public_reply", "Certificate\x00 attached", lead.agent_id)
    add_interaction(lead.store, ticket.id, "internal_note", "Ningbo station has a slot", author_id=lead.agent_id)

    report = lead.sync()
    assert report.ok and report.refused == 1 and report.pending == 0
    bodies = {body for _, _, body, _ in server_ticket(database, ticket.id)["interactions"]}
    assert {"We will call you at 10:00.", "Ningbo station has a slot"} <= bodies
    assert not any("\x00" in body for body in bodies)
    [refused] = lead.store.refused_operations()
    assert refused[0].entity_id == bad.id and "NUL character" in refused[1] and "interaction.body" in refused[1]
    assert len(refused_changes(lead.store)) == 1

    add_interaction(lead.store, ticket.id, "internal_note", "Booked for Friday", author_id=lead.agent_id)
    after = lead.sync()
    assert after.ok and after.refused == 0 and after.pending == 0
    assert "Booked for Friday" in {body for _, _, body, _ in server_ticket(database, ticket.id)["interactions"]}


def test_the_device_refuses_a_nul_before_saving_it(tmp_path, server, database):
    lead = device(tmp_path, server.url, database, "lead")
    ticket = pool_ticket(lead)
    waiting = lead.store.pending_count()
    with pytest.raises(ValueRefused, match="NUL character"):
        add_interaction(lead.store, ticket.id, "public_reply", "a\x00b", author_id=lead.agent_id)
    assert lead.store.pending_count() == waiting
