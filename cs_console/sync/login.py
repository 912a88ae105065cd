"""The device's saved sync login: where and as whom it syncs, read and written as a file.

`cs-console login URL` writes the server address and token to `login.json` in the config
folder, readable by its owner only (mode 0600). This module only reads and writes that
file; it exists apart from `cs_console.sync.client` so that the console can learn at start
whether anyone is logged in without importing the HTTP stack (httpx, and through it click,
pygments and rich.syntax: about 60 ms before the first queue screen). It refuses to talk to
any server.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cs_console import paths
from cs_console.errors import UserError

CONNECT_TIMEOUT = 20.0
"""Seconds to open a connection: several lost SYNs at 1.5 s round trips."""
READ_TIMEOUT = 90.0
"""Seconds without a single byte before the link counts as gone (not the whole transfer)."""


class LoginError(UserError, ValueError):
    """No usable login: never logged in, or the login file is damaged; the message says which."""


@dataclass(frozen=True)
class Settings:
    """Where and as whom this device syncs."""

    server: str
    token: str
    agent_id: str | None = None
    """The account's agent: the device works as this agent once its row has arrived."""
    agent_name: str | None = None
    insecure: bool = False
    """At login the user chose to send the token to `server` over plain http (`--insecure`):
    later syncs with that server take the same choice; another server must be trusted anew."""
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT

    def with_server(self, server: str | None) -> Settings:
        if not server or server.rstrip("/") == self.server.rstrip("/"):
            return self
        return Settings(**{**asdict(self), "server": server, "insecure": False})


def settings_path() -> Path:
    return paths.config_dir() / "login.json"


def load_settings(path: Path | None = None) -> Settings:
    """The saved login.

    Raises:
        LoginError: there is none, or the file is damaged.
    """
    path = path or settings_path()
    if not path.exists():
        raise LoginError("this device is not logged in to a sync server; run: cs-console login URL")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Settings(server=str(data["server"]), token=str(data["token"]),
                        agent_id=data.get("agent_id"), agent_name=data.get("agent_name"),
                        insecure=data.get("insecure") is True)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LoginError(f"{path}: the login file is damaged ({error}); run cs-console login URL again") from None


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the login, readable by its owner only; returns the file's path."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"server": settings.server, "token": settings.token,
            "agent_id": settings.agent_id, "agent_name": settings.agent_name, "insecure": settings.insecure}
    partial = path.with_suffix(".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(data, file)
    os.chmod(partial, 0o600)
    partial.replace(path)
    return path
