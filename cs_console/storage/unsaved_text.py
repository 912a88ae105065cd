"""The recovery file: text a person typed that the database could not take.

When a write fails (a full disk, a file or folder that refuses writes), what the agent typed
is appended to `<database>.recovered-<date>.txt` beside the database, with a heading that
says which ticket it was for and when, so it can be sent again once the store is fixed. The
file is only ever appended to. If the database's folder refuses files too, the system's
temporary folder takes it; if that fails as well, nothing is written and the text stays on
screen.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path


def keep(database: Path, heading: str, text: str, now: datetime) -> Path | None:
    """Append `heading` and `text` to the day's recovery file; returns its path, or None."""
    name = f"{database.name}.recovered-{now:%Y%m%d}.txt"
    entry = f"=== {now:%Y-%m-%d %H:%M:%S} UTC · {heading}\n{text.rstrip()}\n\n"
    for folder in (database.parent, Path(tempfile.gettempdir())):
        target = folder / name
        try:
            with open(target, "a", encoding="utf-8") as file:
                file.write(entry)
        except OSError:
            continue
        return target
    return None
