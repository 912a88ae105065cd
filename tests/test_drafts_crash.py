"""A reply being typed survives kill -9: the real program in tmux, killed once the draft is
in the database, started again, and the text is back through the palette's Drafts."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.test_terminal import WAIT_S, Terminal, pytestmark  # noqa: F401  (tmux or skip)

TEXT = "Crew change moved to Thursday"


def kept_drafts(database) -> list[str]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as connection:
        try:
            return [row[0] for row in connection.execute("SELECT body FROM draft")]
        except sqlite3.OperationalError:  # not created yet
            return []


def test_a_reply_typed_before_kill_9_is_back_after_a_restart(tmp_path):
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True, capture_output=True)
    database = home / "cs-console.db"

    first = Terminal(f"{sys.executable} -m cs_console", env)
    try:
        first.wait_for("? Help")
        first.keys("Enter")
        first.wait_for("Reply to the customer")
        first.keys("r")
        first.wait_for("^t Template")  # the composer has the keys
        first.type(TEXT)
        first.wait_for(TEXT)
        deadline = time.monotonic() + WAIT_S
        while kept_drafts(database) != [TEXT]:
            assert time.monotonic() < deadline, f"the draft never reached the database: {kept_drafts(database)}"
            time.sleep(0.1)
        first.kill(signal.SIGKILL)
    finally:
        first.close()

    again = Terminal(f"{sys.executable} -m cs_console", env)
    try:
        again.wait_for("? Help")
        again.keys("C-p")
        again.wait_for("Search for commands")
        again.type("Drafts")
        again.wait_for("Replies, notes and new tickets")
        again.keys("Enter")
        again.wait_for(f"Reply · {TEXT}")
        again.keys("Enter")
        screen = again.wait_for("draft restored")
        assert TEXT in screen
        again.quit()
        assert "1 draft kept" in again.scrollback()
    finally:
        again.close()
