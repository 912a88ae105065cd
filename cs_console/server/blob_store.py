"""Where the server keeps the bytes of attached files: a small interface, and the disk.

Files are named by their SHA-256, so a file sent for two tickets, or by mail and by a
device, is kept once. An upload grows an unfinished file chunk by chunk at the offset the
store reports (`received`), so a cut transfer resumes where it stopped; `seal` checks the
hash of the whole and only then makes the file readable. It refuses to know who may read
or write a file: that is `server.attachments_api`, by the ticket the file belongs to.

The disk store keeps its files in the folder `CS_CONSOLE_SERVER_ATTACHMENTS` names, by
default `attachments/` in the server's data folder. With `CS_CONSOLE_SERVER_S3_BUCKET` set,
whole files go to that bucket of an S3-compatible service instead (`S3BlobStore`, boto3:
the `s3` extra), at `CS_CONSOLE_SERVER_S3_ENDPOINT` when it is not AWS; uploads still arrive
on the disk, since a slow link's chunks are far below S3's 5 MB multipart minimum.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from cs_console import paths
from cs_console.storage.blobs import SHA256, digest

FOLDER_VARIABLE = "CS_CONSOLE_SERVER_ATTACHMENTS"
"""The folder the server keeps attached files in (`cs-console server --attachments-dir`)."""
MAX_BYTES_VARIABLE = "CS_CONSOLE_SERVER_MAX_ATTACHMENT_BYTES"
"""The largest attached file the server takes (`cs-console server --max-attachment-mb`)."""
S3_BUCKET_VARIABLE = "CS_CONSOLE_SERVER_S3_BUCKET"
S3_ENDPOINT_VARIABLE = "CS_CONSOLE_SERVER_S3_ENDPOINT"
"""The S3-compatible service's URL (MinIO, Ceph...); unset: AWS. Credentials and region come
from boto3's usual places (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION...)."""
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
"""25 MiB: a phone's photo is 2-6 MB, a scanned certificate 1-3 MB; what mail relays take."""


class BlobStore(Protocol):
    def received(self, sha256: str) -> int:
        """Bytes held of the file: all of it once sealed, the unfinished part before."""

    def complete(self, sha256: str) -> bool:
        """The whole file is here, its hash checked."""

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        """Write `data` at `offset` of the unfinished file; returns the bytes held after.
        An offset other than `received` is refused (ValueError)."""

    def seal(self, sha256: str) -> bool:
        """Check the unfinished file's hash; make it whole when it matches, discard it when not."""

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes `start` to `end` (exclusive; None: the end) of a whole file."""

    def put(self, data: bytes) -> str:
        """Keep a whole file at once (mail attachments); returns its hash."""


class DiskBlobStore:
    """Files in a folder: `ab/abcdef...` when whole, `partial/abcdef...` while arriving."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _whole(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise ValueError(f"{sha256!r} is not a SHA-256 in lower-case hex")
        return self.folder / sha256[:2] / sha256

    def _partial(self, sha256: str) -> Path:
        return self.folder / "partial" / self._whole(sha256).name

    def received(self, sha256: str) -> int:
        for path in (self._whole(sha256), self._partial(sha256)):
            if path.is_file():
                return path.stat().st_size
        return 0

    def complete(self, sha256: str) -> bool:
        return self._whole(sha256).is_file()

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        path = self._partial(sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            held = os.fstat(descriptor).st_size
            if offset != held:
                raise ValueError(f"the upload is at byte {held}, not {offset}")
            os.pwrite(descriptor, data, offset)
            os.fsync(descriptor)
            return offset + len(data)
        finally:
            os.close(descriptor)

    def seal(self, sha256: str) -> bool:
        partial = self._partial(sha256)
        hasher = hashlib.sha256()
        with partial.open("rb") as arriving:
            while block := arriving.read(1 << 20):
                hasher.update(block)
        if hasher.hexdigest() != sha256:
            partial.unlink(missing_ok=True)
            return False
        whole = self._whole(sha256)
        whole.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, whole)
        return True

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> bytes:
        with self._whole(sha256).open("rb") as whole:
            whole.seek(start)
            return whole.read(-1 if end is None else max(0, end - start))

    def put(self, data: bytes) -> str:
        sha256 = digest(data)
        if not self.complete(sha256):
            partial = self._partial(sha256)
            partial.unlink(missing_ok=True)
            self.append(sha256, 0, data)
            self.seal(sha256)
        return sha256


class S3BlobStore:
    """Whole files in a bucket, named by hash under `prefix`; uploads arrive in `staging` and
    go to the bucket in one request once their hash matches."""

    def __init__(self, client, bucket: str, staging: DiskBlobStore, prefix: str = "attachments/") -> None:
        self.client, self.bucket, self.staging, self.prefix = client, bucket, staging, prefix

    def _key(self, sha256: str) -> str:
        if not SHA256.fullmatch(sha256):
            raise ValueError(f"{sha256!r} is not a SHA-256 in lower-case hex")
        return self.prefix + sha256

    def _size(self, sha256: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))["ContentLength"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def received(self, sha256: str) -> int:
        size = self._size(sha256)
        return size if size is not None else self.staging.received(sha256)

    def complete(self, sha256: str) -> bool:
        return self._size(sha256) is not None

    def append(self, sha256: str, offset: int, data: bytes) -> int:
        return self.staging.append(sha256, offset, data)

    def seal(self, sha256: str) -> bool:
        if not self.staging.seal(sha256):
            return False
        whole = self.staging._whole(sha256)
        self.client.upload_file(str(whole), self.bucket, self._key(sha256))
        whole.unlink(missing_ok=True)
        return True

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> bytes:
        span = f"bytes={start}-" + ("" if end is None else str(end - 1))
        return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256), Range=span)["Body"].read()

    def put(self, data: bytes) -> str:
        sha256 = digest(data)
        if not self.complete(sha256):
            self.client.put_object(Bucket=self.bucket, Key=self._key(sha256), Body=data)
        return sha256


def default_folder() -> Path:
    return Path(os.environ.get(FOLDER_VARIABLE) or paths.data_dir() / "attachments").expanduser()


def max_bytes() -> int:
    """The server's size limit per file (`MAX_BYTES_VARIABLE`, else `DEFAULT_MAX_BYTES`)."""
    configured = os.environ.get(MAX_BYTES_VARIABLE, "")
    return int(configured) if configured.isdigit() else DEFAULT_MAX_BYTES


def from_environment() -> BlobStore:
    """The store this server process uses: the bucket `S3_BUCKET_VARIABLE` names, else the disk."""
    bucket = os.environ.get(S3_BUCKET_VARIABLE)
    if not bucket:
        return DiskBlobStore(default_folder())
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ.get(S3_ENDPOINT_VARIABLE) or None)
    return S3BlobStore(client, bucket, DiskBlobStore(default_folder()))
