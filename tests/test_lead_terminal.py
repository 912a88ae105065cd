"""A lead in a real terminal: tmux at 80x24 on a 16-colour TERM with NO_COLOR, as over a bare
SSH hop. They log in as the lead, open the team view, move a ticket and read the result."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from cs_console.demo.data_set import demo_id
from cs_console.store import Store
from cs_console.usecases.ticket_facts import ticket_facts
from tests.test_terminal import Terminal, pytestmark  # noqa: F401  (skips without tmux)

INGRID = demo_id("agent", "ingrid.haugen")


def test_a_lead_moves_a_ticket_in_a_real_terminal(tmp_path):
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    terminal = Terminal(f"env TERM=screen NO_COLOR=1 {sys.executable} -m cs_console --agent zhao.min", env)
    try:
        terminal.wait_for("Queue · 赵敏 Zhao Min")
        queue = terminal.wait_for("? Help")  # the footer comes just after the first rows
        assert " t " in queue.splitlines()[-1], "the team key is in the footer"
        terminal.keys("t")
        # The headings paint before the rows arrive from a worker: wait for the rows themselves.
        terminal.wait_for("Oldest waiting")
        terminal.wait_for("Team · Maritime Desk · 赵敏 Zhao Min")
        board = terminal.wait_for("林伟 Lin Wei")
        assert re.search(r"林伟 Lin Wei\s+41\s+✖ \d+", board), "the busiest agent first, overdue clocks marked"
        lines = board.splitlines()
        assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)

        terminal.keys("Enter")
        terminal.wait_for("Queue of 林伟 Lin Wei · 41 active")
        number = re.search(r"(DEMO-\d{4})", terminal.screen().split("Customer")[1]).group(1)
        terminal.keys("a")
        dialog = terminal.wait_for("Reassign 1 ticket:")
        assert number in dialog and "Ingrid Haugen" in dialog and "speaks" in dialog
        choices = [line for line in dialog.splitlines() if "· load" in line]
        terminal.keys(*(["Down"] * next(i for i, line in enumerate(choices) if "Ingrid Haugen" in line)), "Enter")
        terminal.wait_for("to Ingrid Haugen?")
        terminal.keys("y")
        terminal.wait_for("Queue of 林伟 Lin Wei · 40 active")

        terminal.keys("Escape")
        board = terminal.wait_for("Oldest waiting")
        assert re.search(r"Ingrid Haugen\s+9\s", board), "Ingrid's row counts it"
        terminal.quit()
    finally:
        terminal.close()
    store = Store.open(home / "cs-console.db")
    try:
        assert next(f.assignee_id for f in ticket_facts(store) if f.number == number) == INGRID
    finally:
        store.close()
