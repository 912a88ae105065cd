"""A real sync server in a child process on loopback, for tests and the bench.

It runs exactly what `cs-console server` runs, on a free port, and is ready once
/v1/health answers. It refuses to listen anywhere but 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

STARTUP_SECONDS = 30.0


class ServerFailed(RuntimeError):
    """The server process exited or never answered; the message carries its output."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """`with ServerProcess(url) as server:` runs a server on `server.url` until the block ends."""

    def __init__(self, database_url: str, *, home: Path | None = None, python: str = sys.executable,
                 mail_config: Path | None = None, workers: int = 1) -> None:
        """`python` is the interpreter whose installed cs-console serves (another venv's, say);
        `mail_config` the mail settings it runs its mail workers with; `workers` its processes."""
        self.database_url = database_url
        self.mail_config = mail_config
        self.python = python
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._home = home
        self._process: subprocess.Popen | None = None
        self._log = None

    def start(self) -> ServerProcess:
        env = dict(os.environ)
        if self._home is not None:
            env["CS_CONSOLE_HOME"] = str(self._home)
        command = [self.python, "-m", "cs_console", "server", "--port", str(self.port),
                   "--database-url", self.database_url, *(("--workers", str(self.workers)) if self.workers > 1 else ())]
        if self.mail_config is not None:
            command += ["--mail-config", str(self.mail_config)]
        self._log = tempfile.TemporaryFile()
        # run from a folder outside any checkout, so `python` imports its own installed cs-console
        self._process = subprocess.Popen(command, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                         cwd=tempfile.gettempdir())
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerFailed(f"the server exited with {self._process.returncode}: {self.output()}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise ServerFailed(f"the server did not answer /v1/health within {STARTUP_SECONDS:.0f} s: {self.output()}")

    @property
    def pid(self) -> int | None:
        """The server process's id while it runs."""
        return self._process.pid if self._process is not None else None

    def output(self) -> str:
        """What the server printed so far (its last 4,000 characters)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def kill(self) -> None:
        """End the server at once (SIGKILL), as a crash or a power cut would."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
