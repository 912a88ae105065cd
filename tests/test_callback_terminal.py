"""The callback survey in a real terminal (tmux, 80x24): every part keyed in under ten
keystrokes after the first digit, and saved."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from tests.test_terminal import Terminal, pytestmark  # noqa: F401  (skipped without tmux)

FIRST = "4"
"""Response speed."""
AFTER_FIRST = ("5", "3", "4", "5", "6", "+", "Enter")
"""Accuracy, attitude, resolution, overall, effort (CES), NPS 10, and save."""


def test_a_callback_keyed_with_every_part_in_under_ten_keystrokes(tmp_path):
    assert len(AFTER_FIRST) < 10
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    terminal = Terminal(f"{sys.executable} -m cs_console", env)
    try:
        terminal.wait_for("? Help")
        terminal.keys("Enter")
        terminal.wait_for("Reply to the customer")
        terminal.keys("b")
        dialog = terminal.wait_for("Response speed")
        assert "NPS: how likely are you to recommend us?" in dialog and "Tab skips" in dialog
        lines = dialog.splitlines()
        assert len(lines) <= 24 and max(len(line) for line in lines) <= 80
        terminal.keys(FIRST)
        for key in AFTER_FIRST:
            terminal.keys(key)
        thread = terminal.wait_for("NPS 10/10")
        assert "satisfaction 5/5" in thread
        terminal.quit()
    finally:
        terminal.close()
    with sqlite3.connect(home / "cs-console.db") as db:
        [(satisfaction, nps, survey)] = db.execute(
            "SELECT satisfaction, nps, survey FROM interaction WHERE kind = 'callback' "
            "ORDER BY created_at DESC LIMIT 1").fetchall()
    assert (satisfaction, nps, json.loads(survey)) == (
        5, 10, {"speed": 4, "accuracy": 5, "attitude": 3, "resolution": 4, "ces": 6})
