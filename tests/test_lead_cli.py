"""Choosing who works on the device, read-only sessions and routing from the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cs_console.commands.lead import CommandError, match_agent
from cs_console.demo.data_set import demo_id
from cs_console.storage.models import Agent
from cs_console.store import Store
from cs_console.text.strings import Strings

AGENTS = [Agent(id="a1", name="赵敏 Zhao Min"), Agent(id="a2", name="林伟 Lin Wei"), Agent(id="a3", name="Lin Yu")]


@pytest.mark.parametrize(("text", "expected"), [
    ("zhao.min", "a1"), ("赵敏", "a1"), ("ZHAO", "a1"), ("a2", "a2"), ("lin wei", "a2"), ("lin_yu", "a3"),
])
def test_an_agent_is_named_by_part_of_their_name_or_id(text, expected):
    assert match_agent(AGENTS, text, Strings("en")).id == expected


def test_no_match_or_several_say_so():
    with pytest.raises(CommandError, match="no agent matches 'chen'; known agents: 赵敏 Zhao Min, 林伟 Lin Wei"):
        match_agent(AGENTS, "chen", Strings("en"))
    with pytest.raises(CommandError, match="'lin' matches several agents: 林伟 Lin Wei, Lin Yu"):
        match_agent(AGENTS, "lin", Strings("en"))
    with pytest.raises(CommandError, match="no agents yet"):
        match_agent([], "lin", Strings("en"))


def cli(*args: str, home) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cs_console", *args], capture_output=True, text=True, timeout=120,
                          env={"CS_CONSOLE_HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def current_agent(home) -> str:
    store = Store.open(home / "cs-console.db")
    try:
        return store.current_agent().id
    finally:
        store.close()


def test_agent_list_and_use(isolated_home):
    cli("demo", home=isolated_home)
    listing = cli("agent", "list", home=isolated_home).stdout
    assert "* 林伟 Lin Wei" in listing and "赵敏 Zhao Min" in listing and "lead" in listing
    used = cli("agent", "use", "zhao.min", home=isolated_home)
    assert used.returncode == 0 and "Working as 赵敏 Zhao Min (lead, Maritime Desk)" in used.stdout
    assert current_agent(isolated_home) == demo_id("agent", "zhao.min")
    wrong = cli("agent", "use", "nobody", home=isolated_home)
    assert wrong.returncode == 2 and "no agent matches 'nobody'" in wrong.stderr


def test_the_global_agent_option(isolated_home):
    cli("demo", home=isolated_home)
    assert cli("--agent", "ingrid", "agent", "list", home=isolated_home).returncode == 0
    assert current_agent(isolated_home) == demo_id("agent", "ingrid.haugen")
    wrong = cli("--agent", "li", "agent", "list", home=isolated_home)  # Lin Wei and Liu Yang
    assert wrong.returncode == 2 and "--agent: 'li' matches several agents" in wrong.stderr
    assert current_agent(isolated_home) == demo_id("agent", "ingrid.haugen"), "unchanged"


def test_route_suggests_then_applies_for_a_lead_only(isolated_home):
    cli("demo", home=isolated_home)
    suggested = cli("route", home=isolated_home)
    assert suggested.returncode == 0 and "→" in suggested.stdout and "--apply" in suggested.stdout
    refused = cli("route", "--apply", home=isolated_home)  # the demo works as Lin Wei, an agent
    assert refused.returncode == 2 and "Only a lead or admin moves work" in refused.stderr
    read_only = cli("--agent", "zhao.min", "--readonly", "route", "--apply", home=isolated_home)
    assert read_only.returncode == 2 and "read-only session" in read_only.stderr
    applied = cli("--agent", "zhao.min", "route", "--apply", home=isolated_home)
    assert applied.returncode == 0 and "Assigned 4 tickets." in applied.stdout
    again = cli("route", home=isolated_home)
    assert "No unassigned active ticket to route." in again.stdout, "the lead's desk is clear"


def test_low_bandwidth_and_read_only_from_the_command_line(isolated_home, monkeypatch):
    """--low-bandwidth ticks once a minute and caps the frame rate before Textual is imported."""
    import os

    from cs_console import cli as command

    assert command.main(["demo"]) == 0
    environment = {name: value for name, value in os.environ.items() if name != "TEXTUAL_FPS"}
    monkeypatch.setattr(os, "environ", environment)
    seen = {}

    class App:
        return_code = None

        def __init__(self, store, config, call=None):
            seen.update(low=config.low_bandwidth, fps=environment.get("TEXTUAL_FPS"), readonly=store.readonly)

        def run(self):
            pass

    monkeypatch.setattr("cs_console.app.ConsoleApp", App)
    assert command.main(["--low-bandwidth", "--readonly"]) == 0
    assert seen == {"low": True, "fps": str(command.LOW_BANDWIDTH_FPS), "readonly": True}


def test_read_only_needs_someone_to_work_as(isolated_home):
    empty = cli("--readonly", home=isolated_home)
    assert empty.returncode == 2 and "--readonly: nobody works on this device yet; add --agent NAME" in empty.stderr


def test_agent_list_lines_up_after_chinese_names(isolated_home):
    from rich.cells import cell_len

    cli("demo", home=isolated_home)
    lines = cli("agent", "list", home=isolated_home).stdout.splitlines()
    chinese = next(line for line in lines if "赵敏 Zhao Min" in line)
    latin = next(line for line in lines if "Ingrid" in line)
    column = [cell_len(line[: line.index(role)]) for line, role in ((chinese, " lead "), (latin, " agent "))]
    assert column[0] == column[1], lines


def test_a_logged_in_device_works_as_the_tokens_owner(isolated_home):
    from cs_console.sync.login import Settings, save_settings

    cli("demo", home=isolated_home)
    save_settings(Settings(server="https://cs.example.com", token="t0ken", agent_id=demo_id("agent", "lin.wei"),
                           agent_name="林伟 Lin Wei"), isolated_home / "login.json")
    refused = cli("agent", "use", "zhao.min", home=isolated_home)
    assert refused.returncode == 2
    assert "logged in to https://cs.example.com as 林伟 Lin Wei" in refused.stderr
    assert current_agent(isolated_home) == demo_id("agent", "lin.wei"), "unchanged"
    assert cli("--agent", "zhao.min", "agent", "list", home=isolated_home).returncode == 2
    assert cli("agent", "use", "lin.wei", home=isolated_home).returncode == 0, "the token's owner is fine"
