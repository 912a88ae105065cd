"""The outbox in a real terminal, against a real server: a reply the server refused is edited
in its ticket and sent anew, and a note discarded before it went up never reaches the server.

A reply typed on the rig's shared terminal while it still worked as Bob goes up with Alice's
login: the server refuses it (she can only write as herself). In the console (tmux, 80x24, no login, so nothing
syncs behind the test's back) she opens the outbox with ctrl+o, discards a note she thought
better of (after a `y`), and takes the refused reply back to its ticket with `e`, edits it
and sends it. Her next sync puts the edited reply on the server, and neither the note nor
the reply as first refused.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from cs_console.storage.models import Customer
from cs_console.usecases.outbox import by_ticket, outbox_items
from cs_console.usecases.ticket_changes import add_interaction
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    server,
    server_ticket,
)
from tests.test_terminal import Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

REPLY = "The liferaft station in Ningbo has a slot on Thursday."
EDITED = " Please confirm by noon."
NOTE = "Maybe ask Bob first"


def bodies(view: dict) -> list[str]:
    return [body for _, _, body, _ in view["interactions"]]


def downs_to(store, text: str) -> list[str]:
    """The Down presses that move the outbox's highlight from its first change to the one
    whose text starts with `text` (group headings are passed over)."""
    items = [item for group in by_ticket(outbox_items(store)) for item in group]
    return ["Down"] * next(i for i, item in enumerate(items) if item.text.startswith(text))


def test_a_refused_reply_is_edited_and_sent_and_a_discarded_note_never_goes(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent", name="Alice Wang")
    bob = device(tmp_path, server.url, database, "agent", name="Bob Li")
    for member in (alice, bob):
        member.sync_until_done()
    ticket = alice.store.create_ticket(new_customer=Customer(name="Blue Whale Shipping"), subject="Liferaft overdue",
                                       first_message="Certificate expires Friday.", assignee_id=alice.agent_id,
                                       team="deck")
    alice.sync_until_done()
    # the rig's terminal still worked as Bob when the reply was typed: not Alice's to send as Bob
    add_interaction(alice.store, ticket.id, "public_reply", REPLY, author_id=bob.agent_id)
    alice.sync_until_done()
    assert any(REPLY in op.payload for op, _ in alice.store.refused_operations()), "the server refused the reply"
    add_interaction(alice.store, ticket.id, "internal_note", NOTE, author_id=alice.agent_id)

    env = {"CS_CONSOLE_HOME": str(tmp_path / "home"), "PYTHONPATH": os.getcwd()}
    terminal = Terminal(f"{sys.executable} -m cs_console --db {alice.store.path}", env)
    try:
        terminal.wait_for("Queue · ")
        terminal.keys("C-o")
        terminal.wait_for("2 refused")

        terminal.keys(*downs_to(alice.store, NOTE))
        assert "… waiting · Internal note" in terminal.wait_for(NOTE)
        terminal.keys("d")
        terminal.wait_for("Discard this change (Internal note")
        terminal.keys("y")
        terminal.wait_for("Discarded")
        terminal.wait_for("3 not on the server")
        assert NOTE not in terminal.screen()

        terminal.keys("Home", *downs_to(alice.store, REPLY))
        screen = terminal.wait_for("✖ refused · Reply")
        assert "has a slot on" in screen and "only write as yourself" in screen, screen
        terminal.keys("e")
        terminal.wait_for("Liferaft overdue")
        screen = terminal.wait_for("draft restored")
        assert "Reply to the customer" in screen and "has a slot on Thursday." in screen
        terminal.keys("End")
        terminal.type(EDITED)
        terminal.wait_for("Please confirm by")
        terminal.keys("C-s")
        terminal.wait_for("saved")
        terminal.quit()
    finally:
        terminal.close()

    alice.sync_until_done()
    on_server = bodies(server_ticket(database, ticket.id))
    assert REPLY + EDITED in on_server
    assert REPLY not in on_server, "the reply as refused was not sent beside the edited one"
    assert NOTE not in on_server, "the discarded note never reached the server"
    assert alice.store.refused_operations() == []
