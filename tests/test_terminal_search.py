"""Search everything in a real terminal: a phrase said in an old, closed ticket finds it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.test_terminal import Terminal, pytestmark  # noqa: F401  (skipped without tmux)


def test_an_agent_finds_an_old_closed_ticket_by_what_was_said_and_opens_it(tmp_path):
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True, capture_output=True)
    terminal = Terminal(f"{sys.executable} -m cs_console", env, width=120, height=30)
    try:
        terminal.wait_for("? Help")
        terminal.keys("C-f")
        terminal.wait_for("Search everything")
        terminal.type("scrubber commissioning")
        results = terminal.wait_for("DEMO-0001")
        assert "scrubber" in results and "closed" in results
        terminal.keys("Enter")
        ticket = terminal.wait_for("Hi Anna, the supplement is not updated automatically")
        assert "Search everything" not in ticket, "the ticket is open, over the search"
        terminal.keys("Escape")
        terminal.wait_for("Search everything")
        terminal.quit()
    finally:
        terminal.close()
