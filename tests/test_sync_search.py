"""What another device wrote is found by search on this one as soon as a sync brings it:
the full-text indexes follow synced rows as they follow local ones."""

from __future__ import annotations

from cs_console.usecases.search_all import find_customers, search_everything
from cs_console.usecases.ticket_changes import add_interaction
from tests.conftest import NOW
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import database, database_url, device, server  # noqa: F401  (fixtures)


def test_a_note_written_on_another_device_is_found_after_a_sync(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent")
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = pool_ticket(lena, subject="Liferaft servicing overdue 救生筏检验")
    add_interaction(lena.store, ticket.id, "internal_note", "Sounding pipe cracked near hold 3 #hullcrack",
                    author_id=lena.agent_id)
    assert not search_everything(alice.store, "sounding pipe", now=NOW)
    lena.sync_until_done()
    alice.sync_until_done()

    for query in ("sounding pipe cracked", "#hullcrack", "救生筏", "liferaft status:open"):
        assert ticket.id in [found.id for found in search_everything(alice.store, query, now=NOW)], query
    assert [hit.name for hit in find_customers(alice.store, "Blue Whale")] == ["Blue Whale Shipping"]
