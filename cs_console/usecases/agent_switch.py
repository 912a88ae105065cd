"""Who may choose the agent a device works as.

A device logged in to a sync server works as the owner of its token: the server knows that
account, and a change made here is that agent's. Choosing another agent at the keyboard
(the palette's "Switch agent", `cs-console agent use`, `--agent`) is for a device without a
login (local-only or demo use); on a logged-in device it is refused, saying why and how to
work as someone else (`cs-console login` with that agent's token).
"""

from __future__ import annotations

from pathlib import Path

from cs_console.sync.login import LoginError, load_settings
from cs_console.text.strings import Strings


def switch_refusal(strings: Strings, agent_id: str | None = None, login_file: Path | None = None) -> str | None:
    """Why this device may not switch to `agent_id` (to anyone, when None), or None when it may."""
    try:
        settings = load_settings(login_file)
    except LoginError:
        return None
    if agent_id is not None and agent_id == settings.agent_id:
        return None
    return strings("app.switch_refused", name=settings.agent_name or "?", server=settings.server)
