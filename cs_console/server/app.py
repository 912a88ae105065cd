"""The ASGI application: health, who-am-I, the one sync call, and the intake API for
integrations (`intake_api`); OpenAPI docs at /docs.

Each request authenticates its token against the database, applies the operations it
carries in one transaction, then reads one page of changes for the caller. The process
keeps nothing between requests beyond the connection pool. Errors are small JSON bodies
(`code`, `message`, `problems`) whatever the request's encoding; a request from another
protocol version is told which side to upgrade. It refuses bodies over `MAX_BODY_BYTES`
before reading them whole.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from cs_console import __version__
from cs_console.server import accounts, attachments_api, blob_store, changes, continuity, intake_api, merge
from cs_console.server.db import Database, default_url, normalise_url
from cs_console.server.request_body import read_capped
from cs_console.server.scope import Caller
from cs_console.sync import codec
from cs_console.sync.errors import BadRequest, SyncError, VersionMismatch
from cs_console.sync.protocol import PROTOCOL_VERSION, SYNC_PATH, SyncResponse, request_from_wire, version_sentence

MAX_BODY_BYTES = codec.MAX_DECODED_BYTES
"""The largest request body read: a compressed body is smaller than what it unpacks to,
and a JSON one is that already."""
KEEP_ALIVE_SECONDS = 120
"""A device stores each page before it asks for the next, which on a slow terminal takes
seconds; uvicorn's default of 5 s would close the connection under its next request."""
SYNCS_AT_ONCE = 4
"""Syncs a process runs in its threads at once; the others wait their turn on the event
loop. The work is CPU under one GIL and, on SQLite, one writer at a time, so forty threads
(the thread pool's size) only took turns badly: bench_server, 2 cores, SQLite, 20 devices:
p95 203 ms at 144 syncs/s against 566 ms at 129 syncs/s; 100 devices: p95 1.04 s
against 1.36 s at the same 115-120 syncs/s."""

log = logging.getLogger("cs_console.server")

SYNC_DESCRIPTION = f"""One round trip of sync, both directions.

Body: `{codec.BINARY_TYPE}` (msgpack compressed with zstd) or `{codec.JSON_TYPE}`; the
answer comes in the same encoding. Request `{{v, d, c, k, b, o}}`: protocol version,
device id, cursor, library cursor, page budget in bytes (0: no page), operations `[seq,
op_id, entity, entity_id, action, payload, hlc]`; optionally `s, e, h, l`: the server id and
scope key the cursors belong to, the highest outbox seq, `[seq, op_id]` of the newest
acknowledged operation. Response `{{v, a, c, k, m, t, r, s, e, w}}`: acknowledged through
seq, new cursors, more pages waiting, server time in ms, rows by entity (columns first),
the server id and scope key of the new cursors, and the seq after which acknowledged
operations must be sent again (null: none). Errors are JSON: `{{code, message, problems}}`;
a refused batch applied nothing; 409 `forked`: the device's file is a copy (or restored
from a backup) and must take a new identity."""


def handle_sync(database: Database, caller: Caller, body: bytes, content_type: str) -> tuple[bytes, str]:
    """One sync call from an authenticated caller, outside HTTP: the encoded answer and its type.

    Raises:
        SyncError: the request is refused; nothing of it was applied.
    """
    answer_type = codec.JSON_TYPE if content_type.split(";")[0].strip().lower() == codec.JSON_TYPE else codec.BINARY_TYPE
    request = request_from_wire(codec.decode(body, content_type))
    now_ms = int(time.time() * 1000)
    begin = None  # a device that sends no continuity fields syncs from its cursors as they are
    if request.continuity is not None:
        with database.read() as session:
            begin = continuity.start(session, caller, request)
        request = replace(request, cursor=begin.cursor, library_cursor=begin.library_cursor)
    outcome = merge.apply_batch(database, caller, request, now_ms)
    if request.ops:
        log.info("%s: %d operations applied, %d repeats acknowledged, %d conflicts noted",
                 caller.name, outcome.applied, outcome.duplicates, outcome.conflicts)
    if request.page_bytes == 0:
        page = changes.Page(rows={}, cursor=request.cursor, library_cursor=request.library_cursor, more=False)
    else:
        with database.read() as session:
            page = changes.read_page(
                session, caller, request.device_id, request.cursor, request.library_cursor, request.page_bytes,
                head=outcome.head,
            )
    response = SyncResponse(
        acked_through=outcome.acked_through,
        cursor=page.cursor,
        library_cursor=page.library_cursor,
        more=page.more,
        server_ms=now_ms,
        rows=page.rows,
        **({} if begin is None else {"server_id": begin.server_id, "scope": begin.scope,
                                     "resend_after": begin.resend_after}),
        settled=outcome.settled,
    )
    return codec.encode(response.to_wire(), answer_type), answer_type


def _sync_call(database: Database, authorization: str | None, body: bytes, content_type: str) -> tuple[bytes, str]:
    """Authenticate, then `handle_sync`: one trip to a worker thread per request, not two."""
    caller = accounts.authenticate(database, authorization)
    if not content_type:
        raise BadRequest(f"say what the body is: Content-Type {codec.BINARY_TYPE} or {codec.JSON_TYPE}")
    return handle_sync(database, caller, body, content_type)


def create_app(database_url: str | None = None, blobs: blob_store.BlobStore | None = None) -> FastAPI:
    """The app for the database at `database_url` (default: server.db in the data folder),
    keeping attached files in `blobs` (default: `blob_store.from_environment`)."""
    database = Database.open(database_url)
    app = FastAPI(
        title="cs-console sync server",
        version=__version__,
        description="Offline-first sync for cs-console devices. Every call but /v1/health needs a bearer token.",
    )
    app.state.database = database

    @app.exception_handler(SyncError)
    async def _sync_error(_request: Request, error: SyncError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status, headers=getattr(error, "headers", None))

    app.add_exception_handler(RequestValidationError, intake_api.validation_error)
    app.include_router(intake_api.router(database))
    app.include_router(attachments_api.router(database, blobs or blob_store.from_environment(), blob_store.max_bytes()))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("sync request failed")
        body = {"code": "server", "message": f"the server failed ({type(error).__name__}); nothing was applied"}
        return JSONResponse(body, status_code=500)

    @app.get("/v1/health", summary="Is the server up (no token needed)")
    def health() -> dict:
        return {"status": "ok", "protocol": PROTOCOL_VERSION, "version": __version__}

    @app.get("/v1/me", summary="The account the bearer token belongs to")
    def me(request: Request) -> dict:
        caller = accounts.authenticate(database, request.headers.get("authorization"))
        return {"agent_id": caller.agent_id, "name": caller.name, "role": caller.role, "team": caller.team}

    syncs_at_once = anyio.CapacityLimiter(SYNCS_AT_ONCE)

    @app.post(
        SYNC_PATH,
        summary="Send operations, receive one page of changes",
        description=SYNC_DESCRIPTION,
        response_class=Response,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {codec.BINARY_TYPE: {"schema": {"type": "string", "format": "binary"}}, codec.JSON_TYPE: {}},
            }
        },
    )
    async def sync(request: Request) -> Response:
        authorization = request.headers.get("authorization")
        accounts.bearer_token(authorization)  # no token: refused before the body is read
        body = await read_capped(request, MAX_BODY_BYTES, "send fewer operations per request")
        content_type = request.headers.get("content-type") or ""
        answer, answer_type = await anyio.to_thread.run_sync(
            _sync_call, database, authorization, body, content_type, limiter=syncs_at_once)
        return Response(answer, media_type=answer_type)

    @app.post("/v{version}/sync", include_in_schema=False)
    async def other_version(version: str) -> Response:
        number = int(version) if version.isdigit() else 0
        raise VersionMismatch(version_sentence(number, "device"))

    return app


WORKER_DATABASE_VARIABLE = "CS_CONSOLE_SERVER_DATABASE_URL"
"""How `serve` tells its worker processes the database (uvicorn starts each from an import path)."""


def app_from_environment() -> FastAPI:
    """The app each worker process of `serve --workers N` builds."""
    return create_app(os.environ[WORKER_DATABASE_VARIABLE])


def serve(host: str, port: int, database_url: str | None, mail_config=None, workers: int = 1) -> None:
    """Run the server until interrupted (the `cs-console server` command), with the mail
    workers when `mail_config` (a `mail_config.MailConfig`) names mailboxes; with several
    `workers`, that many processes share the port (each request is served whole by one),
    and the mail workers run once, in the process that starts them."""
    import uvicorn

    options = {"host": host, "port": port, "log_level": "warning", "server_header": False, "date_header": False,
               "timeout_keep_alive": KEEP_ALIVE_SECONDS}
    url = normalise_url(database_url or default_url())
    database = Database.open(url)  # the tables, once, before any worker starts
    mail_workers = None
    if mail_config is not None and mail_config.mailboxes:
        from cs_console.server.mail_workers import MailWorkers

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        mail_workers = MailWorkers(database, mail_config).start()
    try:
        if workers == 1:
            uvicorn.run(create_app(url), **options)
        else:
            os.environ[WORKER_DATABASE_VARIABLE] = url
            uvicorn.run(f"{__name__}:app_from_environment", factory=True, workers=workers, **options)
    finally:
        if mail_workers is not None:
            mail_workers.stop()
        database.close()
