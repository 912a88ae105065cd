"""Backups of the device's database (and the server's SQLite): consistent while written to,
rotated daily, restored only from a whole cs-console database and never under a running console."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

from cs_console import cli, paths
from cs_console.store import Store
from cs_console.usecases.ticket_changes import add_interaction
from tests.conftest import NOW
from tests.test_tui_first_loop import SIZE, seeded_app, settle

WAIT_S = 60


def count(path, sql: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchone()[0]


def test_a_backup_taken_while_another_connection_writes_is_consistent(demo_store, tmp_path):
    with sqlite3.connect(demo_store.path) as connection:
        ticket_id = connection.execute("SELECT id FROM ticket LIMIT 1").fetchone()[0]
    writer = Store.open(demo_store.path)
    written = 0
    stop = threading.Event()

    def keep_writing() -> None:
        nonlocal written
        while not stop.is_set():
            add_interaction(writer, ticket_id, "internal_note", f"note {written}", author_id=None, at=NOW)
            written += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    copies = []
    try:
        for number in range(4):
            before = written
            deadline = time.monotonic() + WAIT_S
            while written < before + 5:
                assert time.monotonic() < deadline and thread.is_alive(), "the writer stopped"
                time.sleep(0.01)
            target = tmp_path / f"copy-{number}.db"
            assert cli.main(["--db", str(demo_store.path), "backup", str(target)]) == 0
            copies.append(target)
    finally:
        stop.set()
        thread.join()
        writer.close()
    notes = "SELECT count(*) FROM interaction WHERE body LIKE 'note %'"
    found = [count(copy, notes) for copy in copies]
    assert found == sorted(found) and found[-1] > found[0] > 0, "each copy is later than the one before"
    for copy in copies:
        assert count(copy, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'") == 0
        assert count(copy, f"{notes} AND id NOT IN (SELECT entity_id FROM outbox)") == 0
        assert count(copy, "SELECT count(*) FROM outbox WHERE entity = 'interaction' "
                           "AND entity_id NOT IN (SELECT id FROM interaction)") == 0, "no half of a transaction"


def test_restore_puts_a_backup_back_and_keeps_the_replaced_file(demo_store, tmp_path, capsys):
    path = demo_store.path
    backup = tmp_path / "before.db"
    assert cli.main(["--db", str(path), "backup", str(backup)]) == 0
    with sqlite3.connect(path) as connection:
        ticket_id = connection.execute("SELECT id FROM ticket LIMIT 1").fetchone()[0]
    add_interaction(demo_store, ticket_id, "internal_note", "written after the backup", author_id=None, at=NOW)
    later = "SELECT count(*) FROM interaction WHERE body = 'written after the backup'"

    assert cli.main(["--db", str(path), "restore", str(backup)]) == 2
    assert "is open in a running cs-console; quit it, then restore" in capsys.readouterr().err
    demo_store.close()

    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    assert cli.main(["--db", str(path), "restore", str(foreign)]) == 2
    assert capsys.readouterr().err == f"cs-console: error: {foreign}: is not a cs-console database\n"
    assert count(path, later) == 1, "a refused restore changes nothing"

    assert cli.main(["--db", str(path), "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    [aside] = [p for p in path.parent.glob(f"{path.name}.replaced-*") if not p.name.endswith(("-wal", "-shm"))]
    assert f"kept as {aside}" in out
    assert count(path, later) == 0 and count(aside, later) == 1
    Store.open(path).close()


def test_daily_backups_are_taken_once_a_day_and_the_last_seven_kept(demo_store):
    from cs_console.storage.backups import back_up_daily, daily_backups

    path = demo_store.path
    made = [back_up_daily(path, NOW + timedelta(days=day)) for day in range(10)]
    assert all(made)
    assert back_up_daily(path, NOW + timedelta(days=9, hours=23)) is None, "not twice within a day"
    kept = daily_backups(path)
    assert kept == made[-7:] and all(p.parent == paths.backups_dir(path) for p in kept)
    assert count(kept[-1], "SELECT count(*) FROM ticket") == count(path, "SELECT count(*) FROM ticket")


async def test_the_console_takes_the_daily_backup_in_the_background(store):
    app, _tickets = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        backups = list(paths.backups_dir(store.path).glob("store-*.db"))
        assert len(backups) == 1
        assert count(backups[0], "SELECT count(*) FROM ticket") == 3


def test_the_servers_sqlite_database_is_backed_up_and_postgresql_points_to_pg_dump(tmp_path, capsys):
    from cs_console.server import accounts
    from cs_console.server.db import Database

    url = f"sqlite:///{tmp_path / 'server.db'}"
    database = Database.open(url)
    try:
        accounts.add_agent(database, "Chen Jie", "agent", "deck")
        target = tmp_path / "server-copy.db"
        assert cli.main(["server", "backup", "--database-url", url, str(target)]) == 0
    finally:
        database.close()
    assert count(target, "SELECT count(*) FROM sync_account") == 1
    assert cli.main(["server", "backup", "--database-url", "postgresql://cs@127.0.0.1/cs", str(target)]) == 2
    assert "back it up with pg_dump" in capsys.readouterr().err

