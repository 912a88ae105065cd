"""Schema upgrades keep every row, and files the store must not touch stay untouched."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest
from sqlmodel import SQLModel, create_engine

from cs_console.storage import migrations
from cs_console.store import Store, StoreError
from tests.conftest import NOW
from tests.test_store import new_ticket

FULL_TEXT_INDEXES = tuple(index for index, _, _ in migrations.SEARCHED + migrations.ORGANISATION_SEARCHED)
"""FTS5 indexes and their shadow tables are derived from the models' tables, not models."""


def table_shapes(connection: sqlite3.Connection) -> dict[str, set[tuple]]:
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
              if not row[0].startswith(FULL_TEXT_INDEXES)]
    return {
        table: {(c[1], c[3], c[5]) for c in connection.execute(f"PRAGMA table_info('{table}')")}
        for table in tables
    }


def test_migrations_build_exactly_the_models_tables(tmp_path):
    migrated = sqlite3.connect(tmp_path / "migrated.db", isolation_level=None)
    migrations.upgrade(migrated)
    engine = create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    from_models = sqlite3.connect(tmp_path / "models.db")
    assert table_shapes(migrated) == table_shapes(from_models)


def test_upgrading_a_first_release_database_keeps_every_row(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=1)
    old.execute("INSERT INTO meta VALUES ('device_id', '6f1c1d52-6a43-4f0e-8b1e-1f9e6c1b2a77')")
    old.execute(
        "INSERT INTO customer VALUES ('c1', 'Hai Xing Shipping', 'shipping_line', 'Chen Jie', '', '', "
        "'zh', '[]', '', '', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')"
    )
    for n in range(50):
        old.execute(
            "INSERT INTO ticket VALUES (?, ?, 'c1', NULL, '', ?, 'other', 'normal', 'phone', 'open', "
            "'2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')",
            (f"t{n}", f"OLD-{n:04d}", f"Ballast water record {n}"),
        )
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()

    store = Store.open(path)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
        assert check.execute("SELECT count(*) FROM ticket").fetchone()[0] == 50
        assert check.execute("SELECT count(*) FROM reminder").fetchone()[0] == 0
    assert store.device_id == "6f1c1d52-6a43-4f0e-8b1e-1f9e6c1b2a77"
    assert len([row for row in store.live_tickets(None, NOW) if "Ballast" in row.subject]) == 50  # in the queue
    store.close()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cs_console", *args], capture_output=True, text=True, timeout=60)


def test_a_corrupt_file_is_refused_by_name_and_left_untouched(tmp_path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this was a ticket export, not a database\n" * 100)
    before = digest(path)
    result = run_cli("--db", str(path), "demo")
    assert result.returncode == 2
    assert str(path) in result.stderr and "not a usable database" in result.stderr
    assert digest(path) == before
    assert not (tmp_path / "broken.db-wal").exists()


def test_a_file_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    Store.open(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 99")
    before = digest(path)
    with pytest.raises(StoreError, match="newer cs-console .schema 99.*upgrade cs-console"):
        Store.open(path)
    assert digest(path) == before


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE songs (title TEXT)")
    with pytest.raises(StoreError, match="another program"):
        Store.open(path)


def test_a_folder_in_place_of_the_file_is_refused(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_an_unknown_option_gets_a_usage_error():
    result = run_cli("--frobnicate")
    assert result.returncode == 2
    assert "usage: cs-console" in result.stderr and "unrecognized arguments: --frobnicate" in result.stderr


def test_help_lists_every_subcommand():
    result = run_cli("--help")
    assert result.returncode == 0
    listed = result.stdout.split("positional arguments:")[1].split("options:")[0]
    for command in ("run", "demo", "kb", "server", "sync", "login"):
        assert f"    {command} " in listed, f"{command} missing from --help"


def test_demo_command_loads_once(tmp_path):
    path = tmp_path / "demo.db"
    first = run_cli("--db", str(path), "demo")
    assert first.returncode == 0 and "Loaded the demo data" in first.stdout
    second = run_cli("--db", str(path), "demo")
    assert second.returncode == 0 and "already" in second.stdout


def test_new_ticket_helper_works_on_an_upgraded_store(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=1)
    old.close()
    store = Store.open(path)
    assert new_ticket(store).number.startswith(store.ticket_prefix)
    store.close()


def test_a_store_from_before_proposals_keeps_its_work_and_takes_proposals(tmp_path):
    proposals = next(m for m in migrations.MIGRATIONS if m.description.startswith("knowledge-base proposals"))
    path = tmp_path / "before.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=proposals.version - 1)
    old.execute("INSERT INTO agent (id, name, role, team, languages, skills, timezone, active, field_clocks) "
                "VALUES ('a1', 'Lin Wei', 'agent', '', '[]', '[]', 'UTC', 1, '{}')")
    old.execute("INSERT INTO customer VALUES ('c1', 'Hai Xing', '', '', '', '', 'zh', '[]', '', '', "
                "'2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO ticket (id, number, customer_id, team, subject, category, priority, channel, status, "
                "created_at, updated_at, field_clocks) VALUES ('t1', 'OLD-1', 'c1', '', 'Roaming lost', 'other', "
                "'normal', 'phone', 'resolved', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    old.close()
    store = Store.open(path)
    assert store.ticket_detail("t1").ticket.subject == "Roaming lost"
    store.propose_kb("t1", author_id="a1", kind="article", title="Roaming fix", body="Re-register.")
    assert [row.proposal.title for row in store.kb_proposals()] == ["Roaming fix"]
    store.close()
