"""The built wheel, installed as users install it (`pip install`, not `-e`), run from a folder
outside the checkout.

A wheel that forgets `assets/` loses the stylesheet, the demo and the sync dictionary, and no
test that runs from the checkout can see it. So this builds the wheel once, installs it into
two fresh virtual environments (the console alone, as on a ship terminal, and with the
`[server]` extra), and drives the installed `cs-console` commands: version, demo, knowledge
base search, the console's first screen in tmux, the server refused without its extra, and a
sync from an installed client to an installed server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from cs_console import __version__
from cs_console.server.process import ServerProcess
from tests.test_terminal import Terminal

CHECKOUT = Path(__file__).resolve().parent.parent
INSTALL_TIMEOUT_S = 600


def _run(args: list, *, cwd: Path, home: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    if home is not None:
        env["CS_CONSOLE_HOME"] = str(home)
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=INSTALL_TIMEOUT_S)
    if check and done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A working folder with no cs_console package beside it."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, CHECKOUT], cwd=out)
    (built,) = out.glob("cs_console-*.whl")
    return built


def _installed(folder: Path, requirement: str, outside: Path) -> Path:
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", requirement], cwd=outside)
    return folder / "bin"


@pytest.fixture(scope="module")
def console(tmp_path_factory, wheel, outside) -> Path:
    """The bin folder of a venv with the console alone."""
    return _installed(tmp_path_factory.mktemp("console-venv"), str(wheel), outside)


@pytest.fixture(scope="module")
def server(tmp_path_factory, wheel, outside) -> Path:
    """The bin folder of a venv with the `[server]` extra."""
    return _installed(tmp_path_factory.mktemp("server-venv"), f"{wheel}[server]", outside)


def test_the_installed_console_reports_its_version(console, outside):
    done = _run([console / "cs-console", "--version"], cwd=outside)
    assert done.stdout.strip() == f"cs-console {__version__}"


def test_the_installed_console_loads_the_demo_and_searches_the_knowledge_base(console, outside):
    home = outside / "demo-home"
    _run([console / "cs-console", "demo"], cwd=outside, home=home)
    done = _run([console / "cs-console", "kb", "search", "台风", "--json"], cwd=outside, home=home)
    hits = json.loads(done.stdout)
    assert hits, "the shipped demo knowledge base has typhoon articles"
    assert any("台风" in hit["title"] for hit in hits)


def test_the_installed_console_opens_its_first_screen(console, outside):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (.ci/run installs it)")
    home = outside / "terminal-home"
    _run([console / "cs-console", "demo"], cwd=outside, home=home)
    terminal = Terminal(f"sh -c 'cd {outside} && exec {console / 'cs-console'}'", {"CS_CONSOLE_HOME": str(home)})
    try:
        queue = terminal.wait_for("? Help")
        assert "Queue · " in queue and "DEMO-" in queue
        terminal.quit()
    finally:
        terminal.close()


def test_the_console_alone_names_the_extra_the_server_needs(console, outside):
    done = _run([console / "cs-console", "server"], cwd=outside, check=False)
    assert done.returncode == 2
    assert "pip install 'cs-console[server]'" in done.stderr


def test_an_installed_client_syncs_with_an_installed_server(console, server, outside):
    dictionary_id = "from cs_console.sync import codec; print(codec.dictionary().dict_id())"
    ids = {_run([bin_folder / "python", "-c", dictionary_id], cwd=outside).stdout.strip() for bin_folder in (console, server)}
    assert len(ids) == 1 and ids != {"0"}, "both sides ship the same trained dictionary"

    server_home = outside / "server-home"
    database_url = f"sqlite:///{server_home / 'central.db'}"
    server_home.mkdir()
    added = _run([server / "cs-console", "server", "add-agent", "Lin Wei", "--role", "admin",
                  "--database-url", database_url], cwd=outside, home=server_home)
    token = added.stdout.strip().splitlines()[-1]
    with ServerProcess(database_url, home=server_home, python=str(server / "python")) as running:
        sender, receiver = outside / "sender-home", outside / "receiver-home"
        article = outside / "liferaft.jsonl"  # the demo never syncs: the sender imports real work
        article.write_text(json.dumps({"key": "liferaft", "title": "Liferaft servicing", "body": "Every 12 months."}) + "\n")
        _run([console / "cs-console", "kb", "import", str(article)], cwd=outside, home=sender)
        for home in (sender, receiver):
            _run([console / "cs-console", "login", running.url, "--token", token], cwd=outside, home=home)
        sent = json.loads(_run([console / "cs-console", "sync", "--json"], cwd=outside, home=sender).stdout)
        received = json.loads(_run([console / "cs-console", "sync", "--json"], cwd=outside, home=receiver).stdout)
    assert sent["ok"] and sent["sent"] > 0
    assert received["ok"] and received["received"] > 0
