"""The real program in a real terminal: tmux at 80x24, keys sent, the screen read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

WAIT_S = 60  # a deadline, not a pause: a loaded 2-core machine can take this long to start a console


class Terminal:
    """One tmux server on a private socket, so a developer's own tmux is never touched."""

    def __init__(self, command: str, env: dict[str, str], width: int = 80, height: int = 24) -> None:
        self.socket = f"cs-console-test-{uuid.uuid4().hex[:8]}"
        env_args = " ".join(f"{key}={value}" for key, value in env.items())
        self._tmux("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height),
                   f"env {env_args} TERM=xterm-256color {command}")
        # Keep the pane after the program ends, so a crash leaves its traceback to read.
        self._tmux("set-option", "-t", "main", "remain-on-exit", "on")
        # A detached session may start at tmux's default size whatever -x and -y asked for.
        self._tmux("resize-window", "-t", "main", "-x", str(width), "-y", str(height))

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "main")

    def scrollback(self) -> str:
        """The screen and the lines scrolled off it, wrapped lines joined: what a program printed as it exited."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "main")

    def styled_screen(self) -> str:
        """The screen with its SGR escape sequences (colours, bold, reverse), as tmux keeps them."""
        return self._tmux("capture-pane", "-p", "-e", "-t", "main")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "main", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "main", "-l", text)

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def kill(self, signal_number: int) -> None:
        """Send `signal_number` to the program and every process it started, as a crash would
        take them; returns once the program is gone."""
        pids = [int(self._tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip())]
        for pid in pids:  # grows as it goes: children, then theirs
            children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
            pids += [int(child) for child in children.split()]
        for pid in pids:
            os.kill(pid, signal_number)
        deadline = time.monotonic() + WAIT_S
        while not self.exited():
            assert time.monotonic() < deadline, f"signal {signal_number} did not end the program"
            time.sleep(0.2)

    def exited(self) -> bool:
        return self._tmux("display-message", "-p", "-t", "main", "#{pane_dead}").strip() == "1"

    def quit(self) -> None:
        """Press ctrl+q; fails unless the program has exited within WAIT_S."""
        self.keys("C-q")
        deadline = time.monotonic() + WAIT_S
        while not self.exited():
            assert time.monotonic() < deadline, "ctrl+q did not quit"
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_agent_answers_a_ticket_in_a_real_terminal(tmp_path):
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True, capture_output=True)
    terminal = Terminal(f"{sys.executable} -m cs_console", env)
    try:
        terminal.wait_for("Queue · ")
        queue = terminal.wait_for("? Help")
        assert "DEMO-" in queue
        lines = queue.splitlines()
        assert len(lines) <= 24 and max(len(line) for line in lines) <= 80
        assert "New" in lines[-1] and "Filter" in lines[-1], "the footer shows the keys"

        terminal.keys("Enter")
        terminal.wait_for("Reply to the customer")
        terminal.keys("i")
        terminal.wait_for("Internal note")
        terminal.type("Checked with the port agent in Ningbo.")
        terminal.wait_for("Ningbo.")
        terminal.keys("C-s")
        terminal.wait_for("saved")  # the composer is cleared; the conversation reloads in a worker
        terminal.wait_for("Checked with the port agent in Ningbo.")

        terminal.keys("c")
        terminal.wait_for("Checked with the port agent")
        terminal.keys("Escape")
        terminal.keys("Escape")
        terminal.wait_for("Queue · ")
        terminal.quit()
    finally:
        terminal.close()


def test_an_urgent_ticket_is_escalated_answered_and_closed_as_a_duplicate_in_a_real_terminal(tmp_path):
    from cs_console.storage.models import Customer
    from cs_console.store import Store

    home = tmp_path / "home"
    home.mkdir()
    store = Store.open(home / "cs-console.db")
    agent = store.create_agent("Lin Wei", team="Radio")
    store.create_agent("Ingrid Haugen", team="Deck")
    store.set_current_agent(agent.id)
    store.create_ticket(new_customer=Customer(name="Statoil Rig Alpha"), subject="EPIRB registration",
                        first_message="EPIRB expired", priority="urgent", assignee_id=agent.id)
    store.close()
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    terminal = Terminal(f"{sys.executable} -m cs_console", env, width=120, height=40)
    try:
        terminal.wait_for("EPIRB registrat")
        terminal.keys("Enter")
        terminal.wait_for("15m first response")  # the urgent ticket's own target, not "1h"

        terminal.keys("e")
        terminal.wait_for("Escalate to an expert team")
        terminal.keys("Down")  # Deck, Radio: Radio
        terminal.type("beacon ID mismatch")
        terminal.wait_for("beacon ID mismatch")
        terminal.keys("Enter")
        terminal.wait_for("escalated to Radio: beacon ID mismatch · Lin Wei")

        terminal.keys("a")
        terminal.wait_for("Expert answer (an internal note")
        terminal.type("Beacon re-registered with the authority")
        terminal.wait_for("Beacon re-registered with the authority")  # in the composer before it is sent
        terminal.keys("C-s")
        terminal.wait_for("expert answer from Radio · Lin Wei")

        terminal.keys("s")  # the conversation has the focus again once the answer is saved
        terminal.wait_for("Set status")
        terminal.keys("Down", "Down", "Down", "Enter")  # open -> waiting, proposed, resolved, closed
        terminal.wait_for("No reply has gone out yet")
        terminal.keys("Down", "Enter")  # no reason, duplicate
        screen = terminal.wait_for("closed as duplicate · Lin Wei")
        assert "waived: duplicate" in screen and "status Open → Closed · Lin Wei" in screen, screen
        terminal.quit()
    finally:
        terminal.close()


def test_a_softphone_call_opens_the_callers_ticket(tmp_path, monkeypatch):
    from cs_console import paths
    from cs_console.store import Store
    from cs_console.usecases.caller_lookup import look_up_caller

    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True, capture_output=True)
    monkeypatch.setenv("CS_CONSOLE_HOME", str(home))
    store = Store.open(paths.default_database())
    try:
        ticket = store.ticket_detail(look_up_caller(store, "+86 574 8736 2150", "CN").ticket_id).ticket
    finally:
        store.close()
    assert ticket.status in ("open", "waiting_on_customer", "solution_proposed")
    refused = subprocess.run([sys.executable, "-m", "cs_console", "call", "call me"], env={**os.environ, **env},
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "'call me' is not a phone number" in refused.stderr
    terminal = Terminal(f"{sys.executable} -m cs_console call 0086-574-8736-2150", env)
    try:
        terminal.wait_for("Reply to the customer")  # the ticket screen, over the queue
        screen = terminal.wait_for(ticket.number)  # its detail is read in a worker, after the first paint
        assert ticket.subject in screen
        terminal.quit()
    finally:
        terminal.close()
