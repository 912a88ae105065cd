"""Attaching files, what became of each, and opening them: once for the screens and the CLI.

A file is read from a path the agent typed or pasted (quotes and a leading `file://` that
terminals add on a paste are taken off), refused with a sentence naming the path when it is
not a readable file or is over the budget's size (`attachment_budget`), then kept on the
device (`Store.attach`). Each attachment's state is one of `STATES`, for the message it came
with. Opening brings the bytes down first when the device lacks them, then writes the file
into the opened-files folder for the system's viewer (where it stays, saved, when the
system has none).
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from cs_console import paths
from cs_console.errors import UserError
from cs_console.storage.attachments import AttachedFile
from cs_console.storage.models import Attachment
from cs_console.store import Store
from cs_console.sync.attachment_budget import Budget
from cs_console.sync.file_transfer import deferrals

STATES = ("on_device", "sending", "on_server", "deferred", "not_downloaded")
"""on this device (waiting for a sync) · sending N% · on the server · deferred by the budget ·
on the server, not downloaded here."""
MAX_COMPLETIONS = 20


class AttachError(UserError, ValueError):
    """The path cannot be attached; the message says why and names it."""


@dataclass(frozen=True)
class FileState:
    attachment: Attachment
    state: str
    """One of `STATES`."""
    percent: int = 0
    """How much of it the server holds, while sending."""
    reason: str = ""
    """Why the budget keeps it back, when deferred."""


def clean_path(text: str) -> Path:
    """A typed or pasted path: quotes, `file://` and `~` handled."""
    text = text.strip().strip("'\"")
    if text.startswith("file://"):
        text = unquote(text[len("file://"):])
    return Path(text).expanduser()


def attach_path(store: Store, ticket_id: str, text: str, budget: Budget, *, author_id: str | None,
                interaction_id: str | None = None) -> Attachment:
    """Attach the file at the typed path to the ticket (or to one of its messages).

    Raises:
        AttachError: no such file, not a file, unreadable, empty, or over the budget's size.
        StoreError: the store refused the write.
    """
    problem = path_problem(text, budget)
    if problem:
        raise AttachError(problem)
    path = clean_path(text)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AttachError(f"{path}: cannot be read ({error.strerror or error})") from None
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if budget.photo_max_px and content_type in PHOTO_TYPES:
        data = scaled_photo(data, budget.photo_max_px) or data
    return store.attach(ticket_id, data, filename=path.name, content_type=content_type,
                        interaction_id=interaction_id, author_id=author_id)


PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PHOTO_QUALITY = 85
"""JPEG quality of a scaled photo: the damage on a hatch seal still shows, at a third of the bytes."""


def scaled_photo(data: bytes, max_px: int) -> bytes | None:
    """The photo scaled to fit `max_px` on its longest side, in its own format, or None when
    it fits already, would not get smaller, cannot be read, or Pillow is not installed."""
    try:
        from PIL import Image, ImageOps
    except ImportError:
        return None
    import io

    try:
        with Image.open(io.BytesIO(data)) as photo:
            if max(photo.size) <= max_px:
                return None
            kind = photo.format
            upright = ImageOps.exif_transpose(photo)
            upright.thumbnail((max_px, max_px))
            out = io.BytesIO()
            upright.save(out, format=kind, **({"quality": PHOTO_QUALITY} if kind == "JPEG" else {}))
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    scaled = out.getvalue()
    return scaled if len(scaled) < len(data) else None


def path_problem(text: str, budget: Budget) -> str | None:
    """Why the typed path cannot be attached (naming it), or None."""
    if not text.strip():
        return "type or paste the path of a file to attach"
    path = clean_path(text)
    if not path.exists():
        return f"{path}: no such file"
    if not path.is_file():
        return f"{path}: not a file (a folder or a device cannot be attached)"
    size = path.stat().st_size
    if size == 0:
        return f"{path}: the file is empty"
    problem = budget.size_problem(size)
    return f"{path}: {problem}" if problem else None


def path_completions(text: str) -> list[str]:
    """Paths that complete what was typed (folders end with a slash), at most `MAX_COMPLETIONS`."""
    path = clean_path(text) if text.strip() else Path(".")
    folder, stem = (path, "") if text.endswith(os.sep) or not text.strip() else (path.parent, path.name)
    try:
        entries = sorted(entry for entry in os.listdir(folder) if entry.startswith(stem) and not
                         (entry.startswith(".") and not stem.startswith(".")))
    except OSError:
        return []
    typed_folder = text[: len(text) - len(stem)] if stem else text
    return [typed_folder + entry + (os.sep if (folder / entry).is_dir() else "") for entry in entries[:MAX_COMPLETIONS]]


def file_state(item: AttachedFile, deferred: Mapping[str, str]) -> FileState:
    row, transfer = item.attachment, item.transfer
    if transfer is None or transfer.done:
        return FileState(row, "on_server" if item.held or transfer is not None else "not_downloaded")
    if row.sha256 in deferred:
        return FileState(row, "deferred", reason=deferred[row.sha256])
    if transfer.sent:
        return FileState(row, "sending", percent=int(100 * transfer.sent / max(1, transfer.size)))
    return FileState(row, "on_device")


def file_states(store: Store, ticket_id: str, budget: Budget) -> dict[str | None, list[FileState]]:
    """The ticket's attachments by the message they came with (None: the ticket itself)."""
    deferred = deferrals(store, budget)
    by_message: dict[str | None, list[FileState]] = {}
    for item in store.attached_files(ticket_id):
        by_message.setdefault(item.attachment.interaction_id, []).append(file_state(item, deferred))
    return by_message


def unsent_file_states(store: Store, budget: Budget) -> list[FileState]:
    """Every attachment of this device whose file is not yet whole on the server, oldest first."""
    deferred = deferrals(store, budget)
    transfers = {transfer.sha256: transfer for transfer in store.transfers_unsent()}
    blobs = store.blobs
    return [file_state(AttachedFile(row, transfers.get(row.sha256), blobs.has(row.sha256)), deferred)
            for row in store.unsent_attachments()]


def send_files_now(store: Store) -> int:
    """Let every unsent file go at the next sync whatever the budget says; returns how many."""
    waiting = [transfer.sha256 for transfer in store.transfers_unsent()]
    store.send_now(waiting)
    return len(waiting)


def opened_dir() -> Path:
    """Where opened attachments are written for the system's viewer."""
    return paths.data_dir() / "opened"


def open_attachment(store: Store, attachment_id: str, fetch) -> Path:
    """The attachment as a file of its own name in `opened_dir()`, fetched first when the
    device lacks it; `fetch(sha256, size)` brings it down and returns the failure's sentence
    (or None).

    Raises:
        AttachError: it could not be fetched.
    """
    row = store.attachment(attachment_id)
    if not store.blobs.has(row.sha256):
        problem = fetch(row.sha256, row.size)
        if problem or not store.blobs.has(row.sha256):
            raise AttachError(f"{row.filename}: {problem or 'the server does not hold it yet (its sender has not sent it)'}")
    target = opened_dir() / row.sha256[:12] / Path(row.filename).name
    if not target.is_file():
        store.blobs.export(row.sha256, target)
    return target


def viewer_command(path: Path) -> list[str] | None:
    """The system's command that opens a file in its viewer, or None when there is none."""
    name = "open" if sys.platform == "darwin" else "xdg-open"
    return [name, str(path)] if shutil.which(name) else None


def hand_to_viewer(path: Path) -> bool:
    """Start the system's viewer on `path` (detached); False when this system has none."""
    command = viewer_command(path)
    if command is None:
        return False
    subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    return True
