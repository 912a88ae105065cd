"""A complaint worked in a real terminal at 80x24: the angry message's suggestion, the mark,
and a PEARL step whose note reaches the ticket's trail."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from tests.test_terminal import Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


def test_an_angry_customer_becomes_a_complaint_worked_by_pearl_in_a_real_terminal(tmp_path):
    from cs_console.storage.models import Customer
    from cs_console.store import Store

    home = tmp_path / "home"
    home.mkdir()
    store = Store.open(home / "cs-console.db")
    agent = store.create_agent("Lin Wei", team="Deck")
    store.set_current_agent(agent.id)
    store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Raft certificate misspelled",
                        first_message="Third time the name is wrong. This is unacceptable.", assignee_id=agent.id)
    store.close()
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    terminal = Terminal(f"{sys.executable} -m cs_console", env)
    try:
        terminal.wait_for("Raft certificat")
        terminal.keys("Enter")
        terminal.wait_for("mark as complaint? (o)")
        terminal.keys("o")
        terminal.wait_for("PEARL 0/5")
        terminal.keys("o")
        terminal.wait_for("Note for Professional")
        terminal.type("Checked the raft station's records")
        terminal.keys("Enter")
        screen = terminal.wait_for("PEARL 1/5")
        assert max(len(line) for line in screen.splitlines()) <= 80
        terminal.wait_for("PEARL Professional: Checked the raft")
        terminal.quit()
    finally:
        terminal.close()
