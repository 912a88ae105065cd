"""A device stays in step when its history breaks: another account, server or scope, a
copied database file, a device or a server put back from an older backup.

Real server processes on loopback; backups are taken and put back with SQLite's backup
API (the device's file while its store is closed, the server's while it is stopped); a
PostgreSQL server's with pg_dump and pg_restore, as the README says.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlmodel import func, select

from cs_console.server.db import Database
from cs_console.server.merge import server_write
from cs_console.server.process import ServerProcess
from cs_console.storage.models import Customer, Interaction, OutboxOp, Ticket
from cs_console.store import Store
from cs_console.sync import codec
from cs_console.sync.protocol import PROTOCOL_VERSION, SYNC_PATH
from cs_console.usecases.ticket_changes import add_interaction
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    POSTGRES_DSN,
    Device,
    PostgresSchema,
    database,
    database_url,
    device,
    device_ticket,
    postgres_unavailable,
    server,
    server_ticket,
)


def new_team() -> str:
    return f"team-{uuid.uuid4().hex[:6]}"


def new_ticket(creator: Device, team: str, subject: str, assignee_id: str | None = None) -> Ticket:
    return creator.store.create_ticket(
        new_customer=Customer(name=f"Owner of {subject}", sites="[]"),
        subject=subject,
        first_message=f"About {subject}.",
        assignee_id=assignee_id,
        team=team,
    )


def change_agent(central: Database, agent_id: str, **values) -> None:
    """What an admin's edit of an agent row does on the server."""
    with central.write() as (session, numbers):
        server_write(session, numbers, "agent", agent_id, values, int(time.time() * 1000))


def subjects(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(session.exec(select(Ticket.subject)))


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, as a backup tool takes it."""
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def notes(view: dict, body: str) -> int:
    return sum(1 for _, _, text, _ in view["interactions"] if text == body)


# -- 7: account, server and scope -------------------------------------------------------------


def test_logging_in_as_another_account_brings_that_accounts_tickets(tmp_path, server, database):
    deck, bridge = new_team(), new_team()
    lead = device(tmp_path, server.url, database, "lead", bridge)
    new_ticket(lead, bridge, "Gyro compass drifting")
    lead.sync_until_done()
    ship = device(tmp_path, server.url, database, "agent", deck)
    ship.sync_until_done()
    assert "Gyro compass drifting" not in subjects(ship.store)

    other = device(tmp_path, server.url, database, "agent", bridge)  # the same machine, logged in as another agent
    ship.settings = other.settings
    ship.sync_until_done()
    assert "Gyro compass drifting" in subjects(ship.store)


def test_logging_in_to_another_server_starts_the_cursor_over(tmp_path, server, database):
    team = new_team()
    ship = device(tmp_path, server.url, database, "lead", team)
    new_ticket(ship, team, "Ballast pump noisy")
    ship.sync_until_done()
    with ServerProcess(f"sqlite:///{tmp_path / 'other.db'}", home=tmp_path / "other-home") as other:
        elsewhere = Database.open(other.database_url)
        try:
            lead = device(tmp_path, other.url, elsewhere, "lead", team)
            new_ticket(lead, team, "Boiler feed valve stuck")
            lead.sync_until_done()
            again = device(tmp_path, other.url, elsewhere, "lead", team)
            ship.settings = replace(again.settings)
            ship.sync_until_done()
        finally:
            elsewhere.close()
    assert {"Ballast pump noisy", "Boiler feed valve stuck"} <= set(subjects(ship.store))


def test_a_promotion_to_lead_brings_the_teams_assigned_tickets(tmp_path, server, database):
    team = new_team()
    lead = device(tmp_path, server.url, database, "lead", team)
    bob = device(tmp_path, server.url, database, "agent", team)
    ann = device(tmp_path, server.url, database, "agent", team)
    lead.sync_until_done()  # Bob's agent row
    new_ticket(lead, team, "Bob's crane inspection", assignee_id=bob.agent_id)
    new_ticket(lead, team, "In the pool")  # Ann's cursor moves past Bob's ticket
    lead.sync_until_done()
    ann.sync_until_done()
    assert "Bob's crane inspection" not in subjects(ann.store)

    change_agent(database, ann.agent_id, role="lead")
    ann.sync_until_done()
    assert "Bob's crane inspection" in subjects(ann.store)


def test_a_move_to_another_team_brings_that_teams_pool(tmp_path, server, database):
    deck, engine = new_team(), new_team()
    lead = device(tmp_path, server.url, database, "lead", engine)
    new_ticket(lead, engine, "Engine room bilge alarm")
    lead.sync_until_done()
    ann = device(tmp_path, server.url, database, "agent", deck)
    ann.sync_until_done()
    assert "Engine room bilge alarm" not in subjects(ann.store)

    change_agent(database, ann.agent_id, team=engine)
    ann.sync_until_done()
    assert "Engine room bilge alarm" in subjects(ann.store)


# -- 8: a copied database file ----------------------------------------------------------------


def test_a_copied_database_gets_its_own_identity_and_both_copies_meet(tmp_path, server, database):
    team = new_team()
    first = device(tmp_path, server.url, database, "lead", team)
    shared = new_ticket(first, team, "Hatch cover leaking")
    first.sync_until_done()
    add_interaction(first.store, shared.id, "internal_note", "typed before the copy", author_id=first.agent_id)
    copy_database(first.store.path, tmp_path / "copy.db")
    second = Device(Store.open(tmp_path / "copy.db"), first.settings, first.agent_id)
    assert second.store.device_id == first.store.device_id

    for ship, where in ((first, "first"), (second, "second")):  # both work offline, then sync
        new_ticket(ship, team, f"Made on the {where} copy")
        add_interaction(ship.store, shared.id, "internal_note", f"note from the {where} copy", author_id=ship.agent_id)
    first.sync_until_done()
    assert second.sync_until_done().new_identity
    for ship in (first, second):
        ship.sync_until_done()

    assert second.store.device_id != first.store.device_id
    assert second.store.ticket_prefix != first.store.ticket_prefix
    both = {"Hatch cover leaking", "Made on the first copy", "Made on the second copy"}
    assert set(subjects(first.store)) == set(subjects(second.store)) == both
    final = server_ticket(database, shared.id)
    assert device_ticket(first, shared.id) == final == device_ticket(second, shared.id)
    for body in ("typed before the copy", "note from the first copy", "note from the second copy"):
        assert notes(final, body) == 1
    with second.store.read() as session:
        numbers = list(session.exec(select(Ticket.number).where(Ticket.subject == "Made on the second copy")))
    assert numbers[0].startswith(second.store.ticket_prefix)


def test_a_request_from_a_copy_is_refused_whole_and_bad_continuity_fields_are_named(tmp_path, server, database):
    team = new_team()
    ship = device(tmp_path, server.url, database, "lead", team)
    ticket = new_ticket(ship, team, "Fire pump pressure low")
    ship.sync_until_done()
    with ship.store.read() as session:
        sent = session.exec(select(func.max(OutboxOp.seq))).one()
    late = add_interaction(ship.store, ticket.id, "internal_note", "made on a copy", author_id=ship.agent_id)
    wire = [[sent, op.op_id, op.entity, op.entity_id, op.action, json.loads(op.payload), op.hlc]
            for op in ship.store.pending_operations()]  # a seq the server has, with another op
    body = {"v": PROTOCOL_VERSION, "d": ship.store.device_id, "c": 0, "k": 0, "b": 4096, "o": wire,
            "s": ship.store.sync_value("server"), "e": "", "h": sent, "l": None}
    headers = {"authorization": f"Bearer {ship.settings.token}", "content-type": codec.JSON_TYPE}
    forked = httpx.post(f"{server.url}{SYNC_PATH}", content=json.dumps(body), headers=headers)
    assert forked.status_code == 409 and forked.json()["code"] == "forked", forked.text
    assert "copy of another device" in forked.json()["message"]
    with database.read() as session:
        assert session.get(Interaction, late.id) is None

    bad = httpx.post(f"{server.url}{SYNC_PATH}", content=json.dumps({**body, "o": [], "l": ["x", 1]}), headers=headers)
    assert bad.status_code == 400 and "field l" in bad.json()["message"]


# -- 4: a device or a server put back from an older backup ------------------------------------


def test_a_device_put_back_from_an_older_backup_recovers_everything_once(tmp_path, server, database):
    team = new_team()
    ship = device(tmp_path, server.url, database, "lead", team)
    first = new_ticket(ship, team, "Liferaft servicing")
    ship.sync_until_done()
    add_interaction(ship.store, first.id, "internal_note", "unsent at the backup", author_id=ship.agent_id)
    backup = tmp_path / "backup.db"
    copy_database(ship.store.path, backup)

    ship.sync_until_done()
    new_ticket(ship, team, "Made after the backup")
    ship.sync_until_done()
    ship.store.close()
    copy_database(backup, ship.store.path)
    ship.store = Store.open(ship.store.path)
    assert "Made after the backup" not in subjects(ship.store)

    new_ticket(ship, team, "Made after the restore")
    ship.sync_until_done()
    ship.sync_until_done()

    expected = {"Liferaft servicing", "Made after the backup", "Made after the restore"}
    assert set(subjects(ship.store)) == expected
    with database.read() as session:
        on_server = list(session.exec(select(Ticket.subject).where(Ticket.team == team)))
    assert sorted(on_server) == sorted(expected)
    final = server_ticket(database, first.id)
    assert notes(final, "unsent at the backup") == 1
    assert device_ticket(ship, first.id) == final


def count(central: Database, model, **where) -> int:
    with central.read() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()


class SqliteServerFile:
    """A server's SQLite file, backed up and put back with SQLite's backup API."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "server.db"
        self.url = f"sqlite:///{self.path}"

    def back_up(self, target: Path) -> None:
        copy_database(self.path, target)

    def put_back(self, backup: Path) -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        copy_database(backup, self.path)

    def drop(self) -> None:
        pass


class PostgresServerSchema(PostgresSchema):
    """A server's PostgreSQL schema, backed up and put back with pg_dump and pg_restore, as the README says."""

    def back_up(self, target: Path) -> None:
        subprocess.run(["pg_dump", "--format=custom", f"--schema={self.name}", f"--file={target}", POSTGRES_DSN],
                       check=True, capture_output=True)

    def put_back(self, backup: Path) -> None:
        subprocess.run(["pg_restore", "--clean", "--if-exists", f"--dbname={POSTGRES_DSN}", str(backup)],
                       check=True, capture_output=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_server_put_back_from_an_older_backup_gets_back_what_it_lost(tmp_path, backend):
    if backend == "postgresql":
        reason = postgres_unavailable() or (None if shutil.which("pg_restore") else "pg_restore is not installed")
        if reason:
            pytest.skip(reason)
    team = new_team()
    stored = SqliteServerFile(tmp_path) if backend == "sqlite" else PostgresServerSchema()
    url = stored.url
    running = ServerProcess(url, home=tmp_path / "home").start()
    central = Database.open(url)
    try:
        lena, kim, pat = (device(tmp_path, running.url, central, "lead", team) for _ in range(3))
        early = new_ticket(lena, team, "Before the backup")
        for ship in (lena, kim, pat):
            ship.sync_until_done()
        running.stop()
        stored.back_up(tmp_path / "server-backup")
        running.start()

        add_interaction(lena.store, early.id, "internal_note", "Lena after the backup", author_id=lena.agent_id)
        later = new_ticket(lena, team, "Lena's, after the backup")
        new_ticket(kim, team, "Kim's, after the backup")
        for ship in (lena, kim, lena, pat):  # Pat only reads: its cursor is the furthest
            ship.sync_until_done()
        running.stop()
        central.close()
        stored.put_back(tmp_path / "server-backup")
        running.start()
        central = Database.open(url)
        assert count(central, Ticket, team=team) == 1

        kim.sync_until_done()  # the server numbers changes again before Lena and Pat come back
        for number in range(4):
            new_ticket(kim, team, f"Kim's, after the restore {number}")
        for ship in (kim, lena, pat, kim, lena):
            ship.sync_until_done()

        expected = sorted(["Before the backup", "Kim's, after the backup", "Lena's, after the backup",
                           *(f"Kim's, after the restore {number}" for number in range(4))])
        with central.read() as session:
            assert sorted(session.exec(select(Ticket.subject).where(Ticket.team == team))) == expected
        assert subjects(lena.store) == subjects(kim.store) == subjects(pat.store) == expected
        for ticket_id in (early.id, later.id):
            final = server_ticket(central, ticket_id)
            assert device_ticket(lena, ticket_id) == final == device_ticket(kim, ticket_id) == device_ticket(pat, ticket_id)
        assert notes(server_ticket(central, early.id), "Lena after the backup") == 1
        assert count(central, Interaction, ticket_id=later.id) == 1
    finally:
        running.stop()
        central.close()
        stored.drop()
