"""Accounts through the `cs-console server` commands: a token shown once, kept as a hash,
refused once disabled or rotated, and an agent row tickets can be assigned to."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from cs_console.server import accounts
from cs_console.storage.models import Agent
from cs_console.sync.errors import Forbidden, Unauthorized
from tests.test_sync_harness import database, database_url  # noqa: F401  (fixtures)


def server_command(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cs_console", "server", *args, "--database-url", database_url],
        capture_output=True, text=True, timeout=60, env={**os.environ},
    )


def test_add_list_disable_and_rotate(database_url, database):
    name = f"Chen Jie {uuid.uuid4().hex[:4]}"
    added = server_command(database_url, "add-agent", name, "--role", "lead", "--team", "deck")
    assert added.returncode == 0, added.stderr
    lines = added.stdout.splitlines()
    token = lines[-1]
    assert lines[0].startswith(f"{name} (lead, team deck), agent id ") and "shown this once" in lines[1]
    caller = accounts.authenticate(database, f"Bearer {token}")
    assert (caller.name, caller.role, caller.team) == (name, "lead", "deck")
    with database.read() as session:
        assert session.get(Agent, caller.agent_id).name == name  # tickets can be assigned to it

    listed = server_command(database_url, "list-agents")
    assert any(line.startswith(name) and "enabled" in line and caller.agent_id in line for line in listed.stdout.splitlines())
    assert token not in listed.stdout

    again = server_command(database_url, "add-agent", name, "--role", "agent")
    assert again.returncode == 2 and "exists already" in again.stderr

    rotated = server_command(database_url, "rotate-token", name)
    new_token = rotated.stdout.splitlines()[-1]
    assert rotated.returncode == 0 and new_token != token
    assert accounts.authenticate(database, f"Bearer {new_token}").agent_id == caller.agent_id
    with pytest.raises(Unauthorized):
        accounts.authenticate(database, f"Bearer {token}")

    disabled = server_command(database_url, "disable-agent", caller.agent_id)
    assert disabled.returncode == 0 and "no longer syncs" in disabled.stdout
    with pytest.raises(Forbidden, match="disabled"):
        accounts.authenticate(database, f"Bearer {new_token}")
    with database.read() as session:
        assert session.get(Agent, caller.agent_id).active is False


def test_account_commands_refuse_what_they_cannot_do(database_url):
    unknown = server_command(database_url, "disable-agent", "Nobody At All")
    assert unknown.returncode == 2 and "no account named 'Nobody At All'" in unknown.stderr
    role = server_command(database_url, "add-agent", "Someone", "--role", "captain")
    assert role.returncode == 2 and "invalid choice" in role.stderr
