"""A damaged database is named in one line with its way out, never a traceback, and `doctor`
says what can be read and copies it into a new file without touching the damaged one.

The damage is the issue's: 200 KB of noise written over the middle of a demo-sized store.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cs_console import cli
from cs_console.demo.data_set import load_demo
from cs_console.store import Store
from cs_console.usecases.search_all import search_everything
from tests.conftest import NOW
from tests.test_terminal import WAIT_S, Terminal

DAMAGE_BYTES = 200 * 1024


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """A demo-sized store, closed (its write-ahead log folded into the file)."""
    path = tmp_path_factory.mktemp("demo") / "desk.db"
    store = Store.open(path)
    load_demo(store, NOW)
    store.close()
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def damaged(demo_file, tmp_path) -> Path:
    path = tmp_path / "desk.db"
    data = bytearray(demo_file.read_bytes())
    middle = len(data) // 2
    data[middle : middle + DAMAGE_BYTES] = random.Random(12).randbytes(DAMAGE_BYTES)
    path.write_bytes(bytes(data))
    return path


def run_console(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, "-m", "cs_console", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [[], ["report", "weekly"]])
def test_a_damaged_database_is_one_line_naming_it_and_the_way_out(damaged, command):
    result = run_console("--db", str(damaged), *command)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"cs-console: error: {damaged}: the database is damaged")
    assert f"cs-console --db {damaged} doctor" in line and "restore BACKUP" in line
    assert "Traceback" not in result.stdout + result.stderr


def test_damage_found_by_a_read_rather_than_at_open_is_one_line_too(damaged, monkeypatch, capsys):
    """A store too big for the quick check at open meets the damage when a report reads it."""
    monkeypatch.setattr("cs_console.storage.database_file.QUICK_CHECK_MAX_BYTES", 0)
    assert cli.main(["--db", str(damaged), "report", "weekly"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"cs-console: error: {damaged}: the database is damaged (database disk image is malformed)")


@pytest.fixture
def damaged_away_from_the_queue(demo_file, tmp_path) -> Path:
    """The demo store with noise over the leaf pages of the replies' search index, which
    nothing reads until somebody searches: the queue shows, and only a check finds it."""
    path = tmp_path / "desk.db"
    data = bytearray(demo_file.read_bytes())
    with sqlite3.connect(demo_file) as whole:
        page_size = whole.execute("PRAGMA page_size").fetchone()[0]
        pages = [number for (number,) in whole.execute(
            "SELECT pageno FROM dbstat WHERE name = 'message_search_data' AND pagetype = 'leaf'")]
    noise = random.Random(12)
    for number in pages:
        data[(number - 1) * page_size : number * page_size] = noise.randbytes(page_size)
    path.write_bytes(bytes(data))
    return path


async def test_damage_in_a_desk_too_big_to_check_before_the_queue_is_found_once_the_queue_shows(
        damaged_away_from_the_queue, monkeypatch):
    """A desk past the size the console checks before its first screen opens on its queue;
    the check that follows names the damage in one line with the way out, turns the console
    read-only, and keeps the damaged file out of the daily backups."""
    from cs_console.app import ConsoleApp
    from cs_console.config import Config
    from cs_console.lazy_store import LazyStore
    from cs_console.paths import backups_dir
    from cs_console.screens.queue import QueueScreen

    path = damaged_away_from_the_queue
    monkeypatch.setattr("cs_console.lazy_store.START_CHECK_MAX_BYTES", 0)
    store = LazyStore.open(path)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            deadline = time.monotonic() + WAIT_S
            while not (told := [n.message for n in app._notifications if "the database is damaged" in n.message]):
                assert time.monotonic() < deadline, "the damage was never reported"
                await pilot.pause(0.05)
            assert isinstance(app.screen, QueueScreen) and app.is_running, "the queue stays on screen"
            [line] = told
            assert line.startswith(f"Read-only from now on, nothing more can be saved: {path}: the database is damaged")
            assert f"cs-console --db {path} doctor" in line and "restore BACKUP" in line
            assert store.readonly
            await app.workers.wait_for_complete()
    finally:
        store.close()
    assert not backups_dir(path).exists() or not any(backups_dir(path).iterdir()), "no backup of a damaged file"


def test_a_page_check_the_closing_console_stopped_is_no_verdict(damaged, monkeypatch):
    """Closing the console ends the check of a large desk at once; an interrupted check is
    not damage, and a whole one finds it."""
    monkeypatch.setattr("cs_console.storage.database_file.QUICK_CHECK_MAX_BYTES", 0)
    for stopped in (True, False):
        store = Store.open(damaged)
        try:
            if stopped:
                store.stop_checking_pages()
            store.check_pages()
            assert not store.pages_checked
            assert (store.stopped_by is None and not store.readonly) if stopped else (
                str(store.stopped_by).startswith(f"{damaged}: the database is damaged") and store.readonly)
        finally:
            store.close()


def test_the_console_on_a_damaged_database_shows_one_line_in_the_terminal(damaged, tmp_path):
    env = {"CS_CONSOLE_HOME": str(tmp_path / "home"), "PYTHONPATH": os.getcwd()}
    # The shell says the exit status: tmux may mark the pane dead before it knows it.
    terminal = Terminal(f"sh -c '{sys.executable} -m cs_console --db {damaged}; echo exit-status=$?'", env, width=120)
    try:
        deadline = time.monotonic() + WAIT_S
        while "exit-status=" not in (printed := terminal.scrollback()):
            assert time.monotonic() < deadline, f"the console did not exit:\n{printed}"
            time.sleep(0.2)
        shown = [line for line in printed.splitlines() if line.strip() and not line.startswith("Pane is dead")]
        assert shown[-1] == "exit-status=2"
        assert len(shown) == 2 and shown[0].startswith(f"cs-console: error: {damaged}: the database is damaged")
    finally:
        terminal.close()


def test_doctor_counts_what_can_be_read_and_recovers_it_into_a_new_file(damaged, demo_file, tmp_path, capsys):
    from cs_console.storage.database_file import check_backup

    before = digest(damaged)
    assert cli.main(["--db", str(damaged), "doctor"]) == 1
    report = capsys.readouterr().out
    assert f"{damaged}: damaged" in report
    assert "(damaged: some rows lost)" in report and "customer" in report
    assert "doctor --recover NEW_FILE" in report and "restore BACKUP" in report

    recovered = tmp_path / "recovered.db"
    assert cli.main(["--db", str(damaged), "doctor", "--recover", str(recovered)]) == 0
    assert f"restore {recovered}" in capsys.readouterr().out
    assert digest(damaged) == before, "the damaged file is never written"
    check_backup(recovered)

    assert cli.main(["--db", str(damaged), "restore", str(recovered)]) == 0
    [aside] = [path for path in damaged.parent.glob(f"{damaged.name}.replaced-*") if not path.name.endswith(("-wal", "-shm"))]
    assert digest(aside) == before, "the damaged file is kept aside as it was"
    store = Store.open(damaged)
    try:
        with sqlite3.connect(damaged) as copy:
            number, subject = copy.execute("SELECT number, subject FROM ticket ORDER BY rowid DESC LIMIT 1").fetchone()
        found = [hit.title for hit in search_everything(store, subject, now=NOW)]
        assert f"{number} {subject}" in found, "the full-text index is built again from the rows recovered"
    finally:
        store.close()
    with sqlite3.connect(damaged) as copy, sqlite3.connect(demo_file) as whole:
        counts = [connection.execute("SELECT count(*) FROM ticket").fetchone()[0] for connection in (copy, whole)]
    assert 0 < counts[0] <= counts[1]
    assert cli.main(["--db", str(demo_file), "doctor"]) == 0
    assert f"{demo_file}: whole (integrity check ok)" in capsys.readouterr().out


def test_a_folder_that_cannot_be_written_is_named(tmp_path, capsys):
    """Root writes anywhere chmod allows, so the folders are ones nobody can write: one under
    a plain file, and /proc."""
    plain_file = tmp_path / "notes.txt"
    plain_file.write_text("not a folder")
    assert cli.main(["--db", str(plain_file / "sub" / "store.db"), "report", "weekly"]) == 2
    assert capsys.readouterr().err.startswith(f"cs-console: error: cannot write in {plain_file / 'sub'} (")
    assert cli.main(["--db", "/proc/cs-console.db", "report", "weekly"]) == 2
    assert capsys.readouterr().err.startswith("cs-console: error: cannot write in /proc (")
