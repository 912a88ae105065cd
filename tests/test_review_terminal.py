"""A lead reviews a conversation in a real terminal: tmux at 80x24, TERM=screen and NO_COLOR,
as over a bare SSH hop. The team view's `v` samples, Enter opens the thread above the
rubric, one digit per item, a comment, Ctrl+S; then the reviewed agent opens "My reviews"
from the palette and reads it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from sqlmodel import select

from cs_console.storage.models import Review
from cs_console.store import Store
from tests.test_terminal import Terminal, pytestmark  # noqa: F401  (skips without tmux)


def test_a_lead_reviews_a_conversation_and_the_agent_reads_it(tmp_path):
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    terminal = Terminal(f"env TERM=screen NO_COLOR=1 {sys.executable} -m cs_console --agent zhao.min", env)
    try:
        terminal.wait_for("? Help")
        terminal.keys("t")
        terminal.wait_for("林伟 Lin Wei")
        terminal.keys("v")
        terminal.wait_for("Review · random · 5 finished conversations to review")
        terminal.keys("Enter")
        screen = terminal.wait_for("4. Empathy")
        title = re.search(r"Review (DEMO-\d{4}) · work of (.+?) · ", screen)
        number, agent = title.group(1), title.group(2)
        lines = screen.splitlines()
        assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
        assert screen.index("Review DEMO") < screen.index("1. Dialogue quality"), "the thread above the rubric"
        assert "? Help" in lines[-1] and "^s Save" in lines[-1]
        terminal.keys("4", "5", "3", "4")
        terminal.wait_for("4. Empathy            4 ●●●●○")
        terminal.type("Clear answer; greet by name")
        terminal.wait_for("Clear answer; greet by name")
        terminal.keys("C-s")
        terminal.wait_for(f"✔ {number}")
        terminal.quit()
    finally:
        terminal.close()
    store = Store.open(home / "cs-console.db")
    try:
        with store.read() as session:
            review = session.exec(select(Review).where(Review.comment == "Clear answer; greet by name")).one()
        assert json.loads(review.scores) == {"dialogue": 4, "correctness": 5, "policy": 3, "empathy": 4}
    finally:
        store.close()

    agent_key = agent.split()[-1].lower()
    terminal = Terminal(f"env TERM=screen NO_COLOR=1 {sys.executable} -m cs_console --agent {agent_key}", env)
    try:
        terminal.wait_for("? Help")
        terminal.keys("C-p")
        terminal.type("My reviews")
        terminal.wait_for("What leads said")
        terminal.keys("Enter")
        screen = terminal.wait_for("Reviews of my work")
        assert f"{number} 4.0 赵敏 Zhao Min" in screen
        detail = terminal.wait_for("Clear answer; greet by name")
        assert "Dialogue quality 4 · Correctness 5 · Policy compliance 3 · Empathy 4" in detail
        terminal.quit()
    finally:
        terminal.close()
