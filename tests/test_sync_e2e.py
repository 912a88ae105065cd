"""End to end: real server processes on loopback, devices with their own store files.

Two devices edit one ticket offline and converge to the server's state with every note
kept once; a ticket reassigned away keeps what its old holder typed; several stateless
server processes serve one database; a cut link resumes from the last stored page; the
commands `login` and `sync` work as a person would use them.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid

from sqlmodel import select

from cs_console.scripts.link_emulator import LinkEmulator, LinkProfile
from cs_console.server.merge import SYSTEM_AGENT_ID
from cs_console.server.process import ServerProcess
from cs_console.storage.models import Customer, Interaction
from cs_console.usecases.outbox import outbox_items
from cs_console.usecases.ticket_changes import add_interaction, change_status
from tests.conftest import queue_rows
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    account,
    database,
    database_url,
    device,
    device_ticket,
    server,
    server_ticket,
    via,
)


def pool_ticket(creator, subject: str = "Liferaft servicing overdue", assignee_id: str | None = None):
    return creator.store.create_ticket(
        new_customer=Customer(name="Blue Whale Shipping", sites='["MV Blue Whale"]'),
        subject=subject,
        first_message="Our liferaft certificate expires Friday.",
        assignee_id=assignee_id,
        team="deck",
    )


def notes(view: dict, body: str) -> int:
    return sum(1 for _, _, text, _ in view["interactions"] if text == body)


def test_two_devices_edit_one_ticket_offline_and_converge(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent", name=None)
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = pool_ticket(lena)
    lena.sync_until_done()
    alice.sync_until_done()
    assert device_ticket(alice, ticket.id) == server_ticket(database, ticket.id)

    # offline: Lena first, Alice a moment later
    add_interaction(lena.store, ticket.id, "internal_note", "Lena: station in Ningbo has a slot", author_id=lena.agent_id)
    change_status(lena.store, ticket.id, "solution_proposed", author_id=lena.agent_id)
    add_interaction(alice.store, ticket.id, "internal_note", "Alice: asked the master for photos", author_id=alice.agent_id)
    change_status(alice.store, ticket.id, "waiting_on_customer", author_id=alice.agent_id)
    alice.store.assign_many([ticket.id], alice.agent_id)

    for member in (alice, lena, alice, lena):
        member.sync_until_done()

    final = server_ticket(database, ticket.id)
    assert device_ticket(alice, ticket.id) == final == device_ticket(lena, ticket.id)
    assert final["ticket"]["status"] == "waiting_on_customer"  # Alice's change is the later one
    assert final["ticket"]["assignee_id"] == alice.agent_id
    assert notes(final, "Lena: station in Ningbo has a slot") == 1
    assert notes(final, "Alice: asked the master for photos") == 1
    conflict = [text for _, _, text, author in final["interactions"] if author == SYSTEM_AGENT_ID]
    assert len(conflict) == 1
    assert "status" in conflict[0] and "'solution_proposed'" in conflict[0] and lena.settings.agent_name in conflict[0]
    assert {"solution_proposed", "waiting_on_customer"} <= {kind for _, kind in final["events"]}
    # Lena's outbox says which of her changes a later one settled, with both values
    [settled] = [item for item in outbox_items(lena.store) if item.state == "settled"]
    assert settled.number == ticket.number
    assert settled.settled == (("status", "solution_proposed", "waiting_on_customer"),)
    assert not [item for item in outbox_items(alice.store) if item.state == "settled"]


def test_a_ticket_reassigned_away_keeps_the_old_holders_note_and_leaves_their_queue(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent")
    bob = device(tmp_path, server.url, database, "agent")
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = pool_ticket(lena, assignee_id=alice.agent_id)
    lena.sync_until_done()
    alice.sync_until_done()
    assert [row.id for row in queue_rows(alice.store, alice.agent_id)] == [ticket.id]

    add_interaction(alice.store, ticket.id, "internal_note", "Alice: spare raft ordered", author_id=alice.agent_id)
    change_status(alice.store, ticket.id, "waiting_on_customer", author_id=alice.agent_id)
    lena.store.assign_many([ticket.id], bob.agent_id)
    lena.sync_until_done()

    report = alice.sync_until_done()
    assert report.refused >= 1
    refused = alice.store.refused_operations()
    assert any("not yours" in reason for _, reason in refused)
    final = server_ticket(database, ticket.id)
    assert notes(final, "Alice: spare raft ordered") == 1
    assert final["ticket"]["assignee_id"] == bob.agent_id and final["ticket"]["status"] == "open"
    assert device_ticket(alice, ticket.id)["ticket"] == final["ticket"]
    assert queue_rows(alice.store, alice.agent_id) == []

    bob.sync_until_done()
    assert device_ticket(bob, ticket.id) == final
    assert [row.id for row in queue_rows(bob.store, bob.agent_id)] == [ticket.id]


def test_two_server_processes_serve_one_database(tmp_path, server, database, database_url):
    with ServerProcess(database_url, home=tmp_path / "second") as second:
        lena = device(tmp_path, server.url, database, "lead")
        kim = device(tmp_path, second.url, database, "lead")
        lena.sync_until_done()
        ticket = pool_ticket(lena, subject="Radar picture frozen")
        lena.sync_until_done()
        kim.sync_until_done()
        add_interaction(kim.store, ticket.id, "internal_note", "Kim: reboot the ARPA unit", author_id=kim.agent_id)
        kim.sync_until_done()
        change_status(lena.store, ticket.id, "solution_proposed", author_id=lena.agent_id)
        lena.sync_until_done()
        kim.sync_until_done()
        final = server_ticket(database, ticket.id)
        assert device_ticket(lena, ticket.id) == final == device_ticket(kim, ticket.id)


def test_a_cut_link_resumes_from_the_last_stored_page(tmp_path, server, database):
    admin = device(tmp_path, server.url, database, "admin")
    admin.sync_until_done()
    for n in range(30):
        pool_ticket(admin, subject=f"Ballast water record {n} " + "x" * 300)
    admin.sync_until_done()

    reference = device(tmp_path, server.url, database, "admin")
    reference.store.set_sync_value("page_bytes", "1024")
    everything = reference.sync_until_done().received

    newcomer = device(tmp_path, server.url, database, "admin")
    newcomer.store.set_sync_value("page_bytes", "1024")
    with LinkEmulator(("127.0.0.1", server.port), LinkProfile(cut_probability=1.0, cut_window=6000), seed=5) as link:
        first = via(link.url, newcomer).sync()
    assert not first.ok and first.pages >= 2
    assert int(newcomer.store.sync_value("cursor")) > 0
    rest = newcomer.sync_until_done()
    assert 0 < rest.received < everything
    assert first.received + rest.received <= everything + 10  # at most one page fetched again
    with newcomer.store.read() as session:
        mine = len(session.exec(select(Interaction)).all())
    with database.read() as session:
        assert mine == len(session.exec(select(Interaction)).all())


def _cli(home, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "CS_CONSOLE_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "cs_console", *args], env=env, capture_output=True, text=True, timeout=60, **kw)


def test_login_and_sync_commands(tmp_path, server, database):
    agent, token = account(database, "agent", team=f"own-{uuid.uuid4().hex[:6]}")  # not the earlier tests' teams
    home = tmp_path / "home"
    wrong = _cli(home, "login", server.url, "--token", "not-a-token")
    assert wrong.returncode == 2 and "does not know the token" in wrong.stderr

    done = _cli(home, "login", server.url, "--token", token)
    assert done.returncode == 0, done.stderr
    login_file = home / "login.json"
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600
    assert json.loads(login_file.read_text())["token"] == token

    synced = _cli(home, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["ok"] and report["received"] >= 1 and report["round_trips"] == 1
    human = _cli(home, "sync")
    assert human.returncode == 0 and human.stdout.startswith(f"Synced with {server.url}: sent 0 changes")
    offline = _cli(home, "sync", "--server", "http://127.0.0.1:9")
    assert offline.returncode == 1 and "cannot reach" in offline.stderr
