"""Tagging in a real terminal: an agent tags a ticket with `#` and finds it by `#tag` in the
queue's filter (tmux at 120x40, keys sent, the screen read back)."""

from __future__ import annotations

import os
import sys
import time

from tests.test_terminal import WAIT_S, Terminal, pytestmark  # noqa: F401  (skipped without tmux)


def wait_until_gone(terminal: Terminal, text: str) -> str:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        screen = terminal.screen()
        if text not in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never went; the screen shows:\n{terminal.screen()}")


def test_an_agent_tags_a_ticket_and_filters_the_queue_by_the_tag(tmp_path):
    from cs_console.storage.models import Customer
    from cs_console.store import Store

    home = tmp_path / "home"
    home.mkdir()
    store = Store.open(home / "cs-console.db")
    agent = store.create_agent("Lin Wei", team="Radio")
    store.set_current_agent(agent.id)
    store.create_ticket(new_customer=Customer(name="Statoil Rig Alpha"), subject="EPIRB registration",
                        first_message="EPIRB expired", priority="urgent", assignee_id=agent.id)
    store.create_ticket(new_customer=Customer(name="Blue Whale Shipping"), subject="Liferaft servicing",
                        first_message="Certificate expires Friday", assignee_id=agent.id)
    store.close()
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    terminal = Terminal(f"{sys.executable} -m cs_console", env, width=120, height=40)
    try:
        terminal.wait_for("Liferaft servic")
        terminal.wait_for("EPIRB registrat")
        terminal.keys("Enter")  # the urgent ticket comes first
        terminal.wait_for("15m first response")
        terminal.type("#")
        terminal.wait_for("Tags of")
        terminal.type("beacon 台风")
        terminal.wait_for("beacon 台风")
        terminal.keys("Enter")
        screen = terminal.wait_for("tagged #台风 · Lin Wei")
        assert "tagged #beacon · Lin Wei" in screen and "#beacon  #台风" in screen, "in the trail and the header"

        terminal.keys("Escape")
        terminal.wait_for("Liferaft servic")
        terminal.keys("/")
        terminal.wait_for("#tag")  # the filter says it takes tags
        terminal.type("#beac")
        screen = wait_until_gone(terminal, "Liferaft servic")
        assert "EPIRB registrat" in screen, screen
        terminal.quit()
    finally:
        terminal.close()
