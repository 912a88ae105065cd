"""The bytes of attached files over HTTP, apart from the sync call: resumable chunked
uploads and ranged downloads, by the file's SHA-256.

- `HEAD /v1/attachments/{sha256}`: `upload-offset` (bytes the server holds), `upload-length`
  (the file's size) and `upload-complete` (1 once whole, hash checked).
- `PUT /v1/attachments/{sha256}?offset=N`: the next chunk, at the offset the server holds
  (409 with the right `upload-offset` otherwise); `content-encoding: zstd` when compressed.
  The chunk that completes the file has its hash checked (422 and the upload starts over
  when it does not match).
- `GET /v1/attachments/{sha256}` with `range: bytes=N-M`: that part of a whole file;
  `x-encoding: zstd` when the answer is compressed (only when that pays).

A file is reached only through an attachment row the caller may see: one on a ticket in
the caller's scope (the sync's rule), so a device outside it gets 404, as for a file that
does not exist. The row goes up with the sync call first; its `size` bounds the upload. A
file over the server's limit is refused with 413 naming the limit.
"""

from __future__ import annotations

import zstandard
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlmodel import col
from starlette.concurrency import run_in_threadpool

from cs_console.server import accounts
from cs_console.server.blob_store import BlobStore
from cs_console.server.db import Database
from cs_console.server.request_body import read_capped
from cs_console.server.scope import Caller, ticket_clause
from cs_console.storage.blobs import SHA256, squeeze
from cs_console.storage.models import Attachment, Ticket
from cs_console.sync.errors import BadRequest, SyncError, TooLarge

PATH = "/v1/attachments/{sha256}"
MAX_CHUNK_BYTES = 1024 * 1024
"""The largest chunk a request carries: a fast link sends a few of these, a slow one far less."""


class NotFound(SyncError):
    status = 404
    code = "not_found"


class WrongOffset(SyncError):
    status = 409
    code = "offset"

    def __init__(self, held: int) -> None:
        super().__init__(f"the server holds {held} bytes of this file; send from there")
        self.headers = {"upload-offset": str(held)}


class HashMismatch(SyncError):
    status = 422
    code = "hash_mismatch"


def declared_size(database: Database, caller: Caller, sha256: str) -> int:
    """The size attachment rows in the caller's scope give the file.

    Raises:
        NotFound: no such row in the caller's scope (or the hash is malformed).
    """
    if not SHA256.fullmatch(sha256):
        raise NotFound(f"{sha256[:80]!r} is not a SHA-256 in lower-case hex")
    query = select(Attachment.size).join(Ticket, col(Ticket.id) == col(Attachment.ticket_id)).where(
        Attachment.sha256 == sha256)
    clause = ticket_clause(caller)
    if clause is not None:
        query = query.where(clause)
    with database.read() as session:
        size = session.execute(query.limit(1)).scalar()
    if size is None:
        raise NotFound(f"no attachment {sha256} on a ticket of yours (its row goes up with a sync first)")
    return size


def _state_headers(blobs: BlobStore, sha256: str, size: int) -> dict[str, str]:
    return {"upload-offset": str(blobs.received(sha256)), "upload-length": str(size),
            "upload-complete": "1" if blobs.complete(sha256) else "0"}


def _take_chunk(blobs: BlobStore, sha256: str, size: int, limit: int, offset: int, chunk: bytes) -> dict[str, str]:
    if size > limit:
        raise TooLarge(f"the file is {size} bytes; this server takes attachments of at most {limit} bytes "
                       "(max attachment size)")
    if blobs.complete(sha256):
        return _state_headers(blobs, sha256, size)
    if offset + len(chunk) > size:
        raise BadRequest(f"the chunk ends at byte {offset + len(chunk)}, past the file's {size} bytes")
    try:
        held = blobs.append(sha256, offset, chunk)
    except ValueError:
        raise WrongOffset(blobs.received(sha256)) from None
    if held == size and not blobs.seal(sha256):
        raise HashMismatch("the file's bytes do not match its SHA-256; the upload starts over from byte 0")
    return _state_headers(blobs, sha256, size)


def _range(header: str | None, size: int) -> tuple[int, int]:
    if not header:
        return 0, size
    try:
        unit, _, span = header.partition("=")
        first, _, last = span.partition("-")
        start, end = int(first), (int(last) + 1 if last else size)
    except ValueError:
        raise BadRequest(f"range {header[:60]!r} is not like bytes=0-65535") from None
    if unit.strip() != "bytes" or not 0 <= start < max(size, 1) or end <= start:
        raise BadRequest(f"range {header[:60]!r} is outside the file's {size} bytes")
    return start, min(end, size)


def router(database: Database, blobs: BlobStore, limit: int) -> APIRouter:
    routes = APIRouter(tags=["attachments"])

    async def _caller_and_size(request: Request, sha256: str) -> int:
        caller = await run_in_threadpool(accounts.authenticate, database, request.headers.get("authorization"))
        return await run_in_threadpool(declared_size, database, caller, sha256)

    @routes.head(PATH, summary="How much of a file the server holds")
    async def state(request: Request, sha256: str) -> Response:
        size = await _caller_and_size(request, sha256)
        return Response(headers=await run_in_threadpool(_state_headers, blobs, sha256, size))

    @routes.put(PATH, summary="Send the next chunk of a file", status_code=204)
    async def upload(request: Request, sha256: str, offset: int) -> Response:
        size = await _caller_and_size(request, sha256)
        chunk = await read_capped(request, MAX_CHUNK_BYTES, "send smaller chunks")
        if request.headers.get("content-encoding", "").lower() == "zstd":
            try:
                chunk = zstandard.ZstdDecompressor().decompress(chunk, max_output_size=MAX_CHUNK_BYTES)
            except zstandard.ZstdError as error:
                raise BadRequest(f"the chunk is not zstd ({error})") from None
        headers = await run_in_threadpool(_take_chunk, blobs, sha256, size, limit, offset, chunk)
        return Response(status_code=204, headers=headers)

    @routes.get(PATH, summary="Fetch a file, or a range of it")
    async def download(request: Request, sha256: str) -> Response:
        size = await _caller_and_size(request, sha256)
        if not blobs.complete(sha256):
            raise NotFound(f"the server holds only {blobs.received(sha256)} of the file's {size} bytes so far")
        start, end = _range(request.headers.get("range"), size)
        data = await run_in_threadpool(blobs.read, sha256, start, end)
        headers = {"content-range": f"bytes {start}-{end - 1}/{size}"}
        packed = squeeze(data) if "zstd" in request.headers.get("accept-encoding", "") else None
        if packed is not None:
            data, headers["x-encoding"] = packed, "zstd"
        return Response(data, status_code=206 if (start, end) != (0, size) else 200, headers=headers,
                        media_type="application/octet-stream")

    return routes
