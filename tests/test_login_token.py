"""How `cs-console login` takes a token and where it sends it, against a real server process.

The token comes from standard input (or a prompt on a terminal), so it stays out of shell
history and the process list and may start with "-"; `--token` still works for scripts.
Plain http goes only to this machine unless `--insecure`.
"""

from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import update

from cs_console.server import accounts
from cs_console.server.db import Database
from tests.test_sync_e2e import _cli
from tests.test_sync_harness import account, echo_server  # noqa: F401  (fixtures)

DASH_TOKEN = "-DP2R7qL0x9vN3mKc1YtWbE5sHjUoAz8gFi4dQe6rTy"


@pytest.fixture(scope="module")
def dash_token(echo_server) -> str:
    """An account whose token starts with "-", as about one token in 64 does."""
    database = Database.open(echo_server.database_url)
    agent, _ = account(database, "agent")
    with database.engine.begin() as connection:
        connection.execute(update(accounts.accounts).where(accounts.accounts.c.agent_id == agent.agent_id)
                           .values(token_hash=accounts.hash_token(DASH_TOKEN)))
    database.close()
    return DASH_TOKEN


def saved_token(home) -> str:
    return json.loads((home / "login.json").read_text())["token"]


def test_a_token_on_standard_input_logs_in_even_when_it_starts_with_a_dash(tmp_path, echo_server, dash_token):
    home = tmp_path / "home"
    done = _cli(home, "login", echo_server.url, input=dash_token + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and saved_token(home) == dash_token


def test_the_token_option_still_works_for_scripts(tmp_path, echo_server, dash_token):
    home = tmp_path / "home"
    done = _cli(home, "login", echo_server.url, f"--token={dash_token}")
    assert done.returncode == 0, done.stderr
    assert saved_token(home) == dash_token
    empty = _cli(tmp_path / "other", "login", echo_server.url, input="\n")
    assert empty.returncode == 2 and "no token given" in empty.stderr


def own_address() -> str | None:
    """This machine's address on its network (not loopback), or None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_plain_http_to_another_machine_is_refused_unless_insecure(tmp_path, echo_server, dash_token):
    home = tmp_path / "home"
    refused = _cli(home, "login", "http://192.0.2.1:8000", input=dash_token + "\n")
    assert refused.returncode == 2
    assert "plain http to another machine" in refused.stderr and "--insecure" in refused.stderr
    assert not (home / "login.json").exists()
    assert _cli(home, "login", echo_server.url.replace("127.0.0.1", "localhost"), input=dash_token + "\n").returncode == 0
    away = _cli(home, "sync", "--server", "http://192.0.2.1:8000")
    assert away.returncode == 2 and "plain http to another machine" in away.stderr
    address = own_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    insecure = _cli(home, "login", f"http://{address}:9", "--insecure", input=dash_token + "\n")
    assert insecure.returncode == 2 and "cannot reach" in insecure.stderr


def loopback_by_name() -> str | None:
    """This machine's own name when it resolves to loopback: plain http to it counts as
    another machine, yet it reaches the server on 127.0.0.1."""
    name = socket.gethostname()
    try:
        return name if socket.gethostbyname(name).startswith("127.") and "." not in name else None
    except OSError:
        return None


def test_login_insecure_is_remembered_for_its_server(tmp_path, echo_server, dash_token):
    name = loopback_by_name()
    if name is None:
        pytest.skip("this machine's name does not resolve to loopback")
    home = tmp_path / "home"
    url = echo_server.url.replace("127.0.0.1", name)
    done = _cli(home, "login", url, "--insecure", input=dash_token + "\n")
    assert done.returncode == 0, done.stderr
    for args in (("sync",), ("sync", "--server", url), ("sync", "--server", url + "/")):
        again = _cli(home, *args)
        assert again.returncode == 0, (args, again.stderr)
    elsewhere = _cli(home, "sync", "--server", "http://192.0.2.1:8000")
    assert elsewhere.returncode == 2 and "plain http to another machine" in elsewhere.stderr
