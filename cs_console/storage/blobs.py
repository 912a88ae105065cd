"""The bytes of attached files on the device, one file per content, named by its SHA-256.

The folder sits beside the database (`paths.attachments_dir`). A file attached twice, to
two tickets or by two agents, is kept once. Each file is written to a temporary name, synced
to disk and renamed into place, so a crash leaves either the whole file or none. It is kept
compressed (zstd) when that saves at least `WORTH_COMPRESSING` of it (documents, logs,
spreadsheets), and as it came when not (photos, PDFs of scans, archives already squeezed).
It refuses to know about attachments' rows: that is `storage.attachments`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import zstandard

WORTH_COMPRESSING = 0.10
"""The share of a file compression must save to be kept compressed: below it, the CPU spent
on every read buys too little disk."""
LEVEL = 10
"""zstd's level for files kept: about 3x slower to write than the default, read as fast."""
SHA256 = re.compile(r"[0-9a-f]{64}")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def squeeze(data: bytes) -> bytes | None:
    """`data` compressed, or None when compressing does not pay (`WORTH_COMPRESSING`)."""
    packed = zstandard.ZstdCompressor(level=LEVEL).compress(data)
    return packed if len(packed) <= len(data) * (1 - WORTH_COMPRESSING) else None


class Blobs:
    """A content-addressed folder of file bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _plain(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise ValueError(f"{sha256!r} is not a SHA-256 in lower-case hex")
        return self.folder / sha256[:2] / sha256

    def _packed(self, sha256: str) -> Path:
        return self._plain(sha256).with_suffix(".zst")

    def has(self, sha256: str) -> bool:
        return self._plain(sha256).is_file() or self._packed(sha256).is_file()

    def stored_size(self, sha256: str) -> int | None:
        """Bytes the file takes in the folder (compressed or not); None when absent."""
        for path in (self._packed(sha256), self._plain(sha256)):
            if path.is_file():
                return path.stat().st_size
        return None

    def read(self, sha256: str) -> bytes:
        """The file's bytes as attached.

        Raises:
            FileNotFoundError: this device does not hold it.
        """
        packed = self._packed(sha256)
        if packed.is_file():
            return zstandard.ZstdDecompressor().decompress(packed.read_bytes())
        return self._plain(sha256).read_bytes()

    def put(self, data: bytes) -> str:
        """Keep `data` (once: a file already here is not written again); returns its hash."""
        sha256 = digest(data)
        if self.has(sha256):
            return sha256
        packed = squeeze(data)
        target = self._plain(sha256) if packed is None else self._packed(sha256)
        _write_atomically(target, data if packed is None else packed)
        return sha256

    def export(self, sha256: str, target: Path) -> Path:
        """Write the file to `target` (a new file, atomically); returns it."""
        _write_atomically(target, self.read(sha256))
        return target


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Arriving:
    """A file coming down in parts: the parts so far in `partial/`, made whole in `blobs`
    once its hash matches, so a cut download resumes where it stopped."""

    def __init__(self, blobs: Blobs, sha256: str) -> None:
        self.blobs = blobs
        self.sha256 = sha256
        self.path = blobs.folder / "partial" / blobs._plain(sha256).name

    @property
    def received(self) -> int:
        return self.path.stat().st_size if self.path.is_file() else 0

    def add(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as partial:
            partial.write(data)
            partial.flush()
            os.fsync(partial.fileno())

    def finish(self) -> bool:
        """Keep the file when its hash matches (True); otherwise drop the parts (False)."""
        data = self.path.read_bytes()
        self.path.unlink()
        if digest(data) != self.sha256:
            return False
        self.blobs.put(data)
        return True
