"""The customer screen's main flow in a real terminal (tmux, 80x24): from a ticket to its
organisation, a contact added, a vessel refused for its IMO check digit, then taken."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from cs_console.store import Store
from tests.test_terminal import WAIT_S, Terminal, pytestmark  # noqa: F401  (skipped without tmux)


def form_closed(terminal: Terminal) -> None:
    """Wait until the contact or asset form has left the screen (the customer screen's own
    footer shows under it while it is open)."""
    deadline = time.monotonic() + WAIT_S
    while "Enter to save" in terminal.screen():
        assert time.monotonic() < deadline, f"the form never closed:\n{terminal.screen()}"
        time.sleep(0.2)


def test_an_agent_adds_a_contact_and_a_vessel_in_a_real_terminal(tmp_path):
    env = {"CS_CONSOLE_HOME": str(tmp_path / "home"), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True, capture_output=True)
    terminal = Terminal(f"{sys.executable} -m cs_console", env)
    try:
        terminal.wait_for("? Help")
        terminal.keys("Enter")
        terminal.wait_for("Reply to the customer")
        terminal.wait_for("DEMO-0")  # the ticket's detail, read in a worker after the first paint
        terminal.keys("c")
        screen = terminal.wait_for("Contact+")
        assert "Contacts" in screen and "Assets" in screen, "the lists and their keys"

        terminal.keys("c")
        terminal.wait_for("Enter to save")
        for text in ("Capt. Test Person", "master"):
            terminal.type(text)
            terminal.wait_for(text)  # taken in before the cursor moves on
            terminal.keys("Tab")
        terminal.type("+86 139 1234 5678")
        terminal.wait_for("+86 139 1234 5678")
        terminal.keys("Enter")
        terminal.wait_for("Saved.")
        form_closed(terminal)
        terminal.wait_for("Capt. Test Person")

        terminal.keys("a")
        terminal.wait_for("Enter to save")
        terminal.type("MV Test Carrier")
        terminal.wait_for("MV Test Carrier")
        terminal.keys("Tab", "Tab")
        terminal.type("9074728")
        terminal.wait_for("9074728")
        terminal.keys("Enter")
        terminal.wait_for("digit would be 9")
        terminal.keys("Escape")  # nothing of the refused vessel is kept (one vessel of that name, below)
        form_closed(terminal)
        terminal.keys("a")
        terminal.wait_for("Enter to save")
        terminal.type("MV Test Carrier")
        terminal.wait_for("MV Test Carrier")
        terminal.keys("Tab", "Tab")
        terminal.type("9074729")
        terminal.wait_for("9074729")
        terminal.keys("Enter")
        terminal.wait_for("Saved.")
        form_closed(terminal)
        terminal.wait_for("MV Test Carrier")

        terminal.keys("Escape")
        terminal.wait_for("Reply to the customer")
        terminal.quit()
    finally:
        terminal.close()
    store = Store.open(tmp_path / "home" / "cs-console.db")
    try:
        [added] = [c for c in store.contacts_by_reach(phone_tail="12345678")]
        assert (added.name, added.role, added.phones) == ("Capt. Test Person", "master", '["+8613912345678"]')
        [vessel] = [a for a in store.assets_of(added.customer_id) if a.name == "MV Test Carrier"]
        assert (vessel.kind, vessel.imo) == ("vessel", "9074729")
    finally:
        store.close()
