"""A writer killed mid-transaction loses nothing committed and leaves a clean database."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from cs_console.store import Store
from tests.conftest import queue_rows

WRITER = Path(__file__).with_name("crash_writer.py")


def test_killed_writer_loses_nothing_committed(tmp_path):
    path = tmp_path / "crash.db"
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(path), "25"], stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).parent.parent,
    )
    committed = 0
    for line in writer.stdout:
        if line.startswith("committed"):
            committed = int(line.split()[1])
        if line.strip() == "inside":
            writer.send_signal(signal.SIGKILL)
            break
    writer.wait(timeout=30)
    assert committed == 25

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store.open(path)
    assert len(queue_rows(store, None)) == 25
    assert store.search_customers(["never", "committed"], 8) == []
    ops = store.pending_operations()
    assert sum(op.entity == "ticket" for op in ops) == 25
    assert sum(op.entity == "customer" for op in ops) == 25
    store.close()
