"""An agent merges a duplicate in a real terminal (tmux) and reads the merged thread."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.test_terminal import Terminal, pytestmark  # noqa: F401  (skipped without tmux)


def test_an_agent_merges_the_demo_duplicate_and_sees_the_merged_thread(tmp_path):
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True, capture_output=True)
    terminal = Terminal(f"{sys.executable} -m cs_console", env, width=120, height=40)
    try:
        terminal.wait_for("? Help")
        terminal.keys("C-f")
        terminal.wait_for("Search")
        terminal.type("DEMO-0133")
        terminal.wait_for("ticket   DEMO-0133")
        terminal.keys("Enter")
        terminal.wait_for("Forwarding from the Meridian Bulk technical office")

        terminal.keys("g")
        terminal.wait_for("Merge DEMO-0133 into which ticket?")
        terminal.type("DEMO-0121")
        terminal.wait_for("ticket   DEMO-0121")
        terminal.keys("Enter")
        terminal.wait_for("closes as merged")
        terminal.keys("y")

        screen = terminal.wait_for("Merged here: DEMO-0133")
        assert "DEMO-0121" in screen.splitlines()[0], "the staying ticket is open"
        terminal.wait_for("· merged into DEMO-0121")  # the duplicate's activity lines, in the thread
        terminal.wait_for("status Open → Closed")
        screen = terminal.wait_for("· from DEMO-0133")  # and its message, above the activity lines
        assert "Forwarding from the Meridian Bulk technical office" in screen

        terminal.keys("u")
        terminal.wait_for("undone")
        terminal.quit()
    finally:
        terminal.close()
