"""Attaching a photo to a reply in a real terminal (tmux, 80x24): the agent writes the reply,
presses `f`, types the start of the photo's name with Tab completing it, and sends; the photo shows under
the reply with its state, and the store holds it as the reply's attachment."""

from __future__ import annotations

import os
import random
import shutil
import sys

import pytest

from cs_console.storage.models import Customer
from cs_console.store import Store
from tests.test_terminal import Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

REPLY = "Photo of the seal attached."


def test_a_photo_is_attached_to_a_reply(tmp_path):
    store = Store.open(tmp_path / "rig.db")
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Hatch cover seal",
                                 first_message="water in hold 3", assignee_id=agent.id)
    store.close()
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "hatch-seal.jpg").write_bytes(b"\xff\xd8\xff\xe0" + random.Random(2).randbytes(90_000))

    env = {"CS_CONSOLE_HOME": str(tmp_path / "home"), "PYTHONPATH": os.getcwd()}
    # started in the photos' folder, as an agent who saved them there: a relative path will do
    terminal = Terminal(f"sh -c 'cd {pictures} && exec {sys.executable} -m cs_console --db {tmp_path / 'rig.db'}'", env)
    try:
        terminal.wait_for("Queue · ")
        terminal.wait_for("Hatch cover seal")
        terminal.keys("Enter")
        terminal.wait_for("water in hold 3")
        terminal.keys("r")
        terminal.wait_for("^t Template")  # the composer has the keys: letters are text now
        terminal.type(REPLY)
        terminal.wait_for(REPLY)
        terminal.keys("Escape")
        terminal.wait_for("f Attach")  # the conversation has the keys again
        terminal.keys("f")
        terminal.wait_for("Attach a file")
        terminal.type("hat")
        terminal.wait_for("hatch-seal.jpg")  # the completion, offered after the cursor
        terminal.keys("Tab", "Enter")
        terminal.wait_for("goes with the next reply")
        terminal.keys("r")
        terminal.wait_for("^t Template")
        terminal.keys("C-s")
        screen = terminal.wait_for("📎 hatch-seal.jpg")
        assert "90.0 KB · on this device" in screen, screen
        terminal.quit()
    finally:
        terminal.close()

    store = Store.open(tmp_path / "rig.db")
    [held] = store.attached_files(ticket.id)
    reply = next(i for i in store.ticket_detail(ticket.id).interactions if i.kind == "public_reply")
    assert held.attachment.interaction_id == reply.id and reply.body == REPLY
    assert store.blobs.read(held.attachment.sha256) == (pictures / "hatch-seal.jpg").read_bytes()
    store.close()
