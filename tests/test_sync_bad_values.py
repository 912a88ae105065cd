"""Values the server refuses one operation at a time, against a real server process: text
no database holds (NUL), and the scores and events the KPIs read. The device sets a refused
operation aside, shows it, and everything else goes through.

The device checks the same values before it saves them (`schema.check_values`); the bad
operations here come from a build that did not (written through the store directly) or
from a hand-made body. Runs on each backend (SQLite, and PostgreSQL where one answers).
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from cs_console.sync.protocol import PROTOCOL_VERSION, SYNC_PATH
from cs_console.sync.schema import ValueRefused
from cs_console.usecases.outbox import refused_changes
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.utc import to_text, utcnow
from tests.test_server_protocol import offline_ticket, ticket_count, wire_ops
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    account,
    database,
    database_url,
    device,
    server,
    server_ticket,
)


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


@pytest.mark.parametrize(
    ("entity", "values", "says"),
    [
        ("interaction", {"kind": "callback", "satisfaction": 99}, "interaction.satisfaction 99 is not from 1 to 5"),
        ("interaction", {"kind": "callback", "satisfaction": 4, "nps": -50}, "interaction.nps -50 is not from 0 to 10"),
        ("interaction", {"kind": "callback", "survey": "{\"speed\": 9}"}, "interaction.survey: speed 9 is not a whole"),
        ("interaction", {"kind": "public_reply", "body": "Done", "nps": 9}, "only a callback carries interaction.nps"),
        ("ticket_event", {"kind": "totally_bogus"}, "ticket_event.kind 'totally_bogus' is not one of"),
        ("ticket_event", {"kind": "first_response"}, "has no reply or logged call by an agent"),
    ],
)
def test_values_that_feed_the_kpis_are_refused_by_the_server(tmp_path, server, database, entity, values, says):
    admin, token = account(database, "admin")
    ops = wire_ops(offline_ticket(tmp_path, None))
    ticket_op = next(op for op in ops if op[2] == "ticket")
    stamp, now = ticket_op[6], to_text(utcnow())
    row = {"id": str(uuid.uuid4()), "ticket_id": ticket_op[3], "author_id": admin.agent_id, "hlc": stamp,
           **({"at": now} if entity == "ticket_event" else {"created_at": now}), **values}
    bad = [len(ops) + 1, str(uuid.uuid4()), entity, row["id"], "append", row, stamp]
    before = ticket_count(database)
    answer = httpx.post(f"{server.url}{SYNC_PATH}", headers={"authorization": f"Bearer {token}"},
                        json={"v": PROTOCOL_VERSION, "d": str(uuid.uuid4()), "c": 0, "k": 0, "b": 0, "o": [*ops, bad]})
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["problems"]
    assert problem["seq"] == bad[0] and says in problem["message"]
    assert ticket_count(database) == before
