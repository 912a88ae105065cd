"""A macro run in a real terminal (tmux, 80x24) on the demo's desk: chosen, shown, applied."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.test_terminal import Terminal, pytestmark  # noqa: F401  (tmux or skip)


def test_an_agent_runs_a_macro_on_a_ticket_in_a_real_terminal(tmp_path):
    env = {"CS_CONSOLE_HOME": str(tmp_path / "home"), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    terminal = Terminal(f"{sys.executable} -m cs_console", env)
    try:
        terminal.wait_for("Queue · ")
        terminal.keys("Enter")
        terminal.wait_for("Reply to the customer")
        terminal.keys("C-r")
        terminal.wait_for("Run a macro")
        terminal.wait_for("Ask for documents and wait")  # by title: the first
        terminal.keys("Enter")
        screen = terminal.wait_for("will:")
        assert "put “Waiting-on-customer reminder” in the reply" in screen, screen
        assert "set the status to Waiting on customer" in screen, screen
        terminal.keys("y")
        terminal.wait_for("a quick reminder that ticket")  # the template, in the composer
        terminal.wait_for("on send:")
        terminal.keys("C-s")
        screen = terminal.wait_for("applied")
        terminal.wait_for("Waiting on customer")
        terminal.quit()
    finally:
        terminal.close()
