"""One sync cycle over any transport: operations up, pages down, until both are done.

Waiting operations go up urgent first (`put_urgent_first`). The first request carries the
outbox and asks for the first page; each further request
asks for the next page (and carries any operations the first could not). A cycle costs
1 + (further pages) round trips. Each answer is stored in one local transaction with its
cursor, so a cut link loses at most the page in flight. Operations the server refused by
name are set aside (kept, with the reason, for the screens) and the rest go again at once.

Each request says whose cursors they are and how far this device's history reaches
(`protocol.Continuity`). A server that finds this file to be a copy (or put back from a
backup) answers `Forked`: the device takes a new identity and the cycle goes on, once. A
server put back from a backup names the acknowledged operations it lost, which go again.

Batch sizes adapt, and persist in the store: halved after a failure, doubled after a
success, so a ship whose link struggled starts small next time. A cycle refuses to retry
after a failure on its own: the caller decides when the link is worth another try.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from cs_console.errors import UserError
from cs_console.storage.sync_state import Standing
from cs_console.store import Store
from cs_console.sync import codec
from cs_console.sync.apply import store_sync_page
from cs_console.sync.errors import BatchRefused, Forked, SyncError, from_body
from cs_console.sync.priority import send_order
from cs_console.sync.protocol import (
    MAX_OPS,
    MAX_PAGE_BYTES,
    MIN_PAGE_BYTES,
    Continuity,
    Op,
    SyncRequest,
    SyncResponse,
    response_from_wire,
)


class TransportError(UserError):
    """The link failed (refused, reset, timed out); the message says how, for the user."""


Transport = Callable[[bytes, str], tuple[int, bytes, str]]
"""Sends a body with its content type; returns the status, answer body and its type.
Raises TransportError when no answer came."""

DEFAULT_BATCH_OPS = 500
DEFAULT_PAGE_BYTES = 64 * 1024
"""A first page of 64 KiB packed is about 16 KiB on the wire: 14 s at 9.6 kbit/s."""
MAX_ROUND_TRIPS = 10_000
"""A guard against a server that keeps saying "more"; no honest cycle comes near it."""


@dataclass(frozen=True)
class SyncReport:
    """What one cycle moved. `error` is None when the cycle finished."""

    sent: int = 0
    """Operations the server acknowledged."""
    received: int = 0
    """Rows stored from the server."""
    pages: int = 0
    round_trips: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    seconds: float = 0.0
    """How long the answered round trips took, request out to answer in (a link that went
    silent is not counted: its wait says nothing of the link's speed)."""
    pending: int = 0
    """Operations still waiting to go up."""
    refused: int = 0
    """Operations the server refused in this cycle, now set aside."""
    files_sent: int = 0
    """Attached files now whole on the server (`sync.file_transfer`)."""
    files_waiting: int = 0
    """Attached files not yet whole on the server, deferred by the budget or cut short."""
    new_identity: bool = False
    """This database turned out to be a copy (or put back from a backup) and now syncs as
    a device of its own, with a new ticket prefix."""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _Sizes:
    """The adaptive batch sizes, read from and saved to the store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.ops = int(store.sync_value("batch_ops") or DEFAULT_BATCH_OPS)
        self.page_bytes = int(store.sync_value("page_bytes") or DEFAULT_PAGE_BYTES)

    def _save(self, ops: int, page_bytes: int) -> None:
        if (ops, page_bytes) != (self.ops, self.page_bytes):
            self.ops, self.page_bytes = ops, page_bytes
            self._store.set_sync_value("batch_ops", str(ops))
            self._store.set_sync_value("page_bytes", str(page_bytes))

    def grow(self) -> None:
        self._save(min(MAX_OPS, self.ops * 2), min(MAX_PAGE_BYTES, self.page_bytes * 2))

    def shrink(self) -> None:
        self._save(max(1, self.ops // 2), max(MIN_PAGE_BYTES, self.page_bytes // 2))


def _as_op(row) -> Op:
    return Op(row.seq, row.op_id, row.entity, row.entity_id, row.action, json.loads(row.payload), row.hlc)


def _error_of(status: int, body: bytes) -> SyncError:
    try:
        return from_body(status, json.loads(body))
    except (ValueError, TypeError, KeyError):
        return from_body(status, {})


def _whose_cursors(store: Store, response: SyncResponse, standing: Standing) -> dict[str, str]:
    """The sync settings saved with a page: the server and scope its cursors belong to.

    On a server not synced with before, operations acknowledged until now are another
    server's business: only those acknowledged from here on are checked for loss.
    """
    if response.server_id is None:
        return {}
    settings = {"server": response.server_id, "scope": response.scope or ""}
    if response.server_id != standing.server_id:
        settings["acked_floor"] = str(store.acked_high())
    return settings


def put_urgent_first(store: Store) -> int:
    """Renumber the waiting operations so that urgent work goes up first (`sync.priority`);
    returns the highest seq waiting."""
    waiting = store.pending_operations()
    if not waiting:
        return 0
    families = {op.entity_id if op.entity == "ticket" else json.loads(op.payload).get("ticket_id") for op in waiting}
    priorities = store.ticket_priorities(families - {None})
    order = send_order(waiting, {ticket for ticket, priority in priorities.items() if priority == "urgent"})
    if order == [op.op_id for op in waiting]:
        return waiting[-1].seq
    store.put_in_order(order)
    return max((op.seq for op in store.pending_operations()), default=0)


def run_cycle(store: Store, transport: Transport) -> SyncReport:
    """Sync until the outbox (as it was at the start) is up and no page is left, or a failure.

    Never raises for the link or the server: the report carries the sentence instead.
    """
    sizes = _Sizes(store)
    cursor = int(store.sync_value("cursor") or 0)
    library_cursor = int(store.sync_value("library_cursor") or 0)
    target = put_urgent_first(store)
    done = dict(sent=0, received=0, pages=0, round_trips=0, bytes_up=0, bytes_down=0, seconds=0.0, refused=0,
                new_identity=False)

    def report(error: str | None = None) -> SyncReport:
        return SyncReport(**done, pending=store.pending_count(), error=error)

    more = True
    while True:
        ops = [op for op in store.pending_page(sizes.ops, sizes.page_bytes) if op.seq <= target]
        if not (more or ops):
            break
        if done["round_trips"] >= MAX_ROUND_TRIPS:
            return report(f"the server kept sending pages after {MAX_ROUND_TRIPS} round trips; try again later")
        standing = store.standing()
        request = SyncRequest(store.device_id, cursor, library_cursor, sizes.page_bytes, tuple(_as_op(op) for op in ops),
                              Continuity(standing.server_id, standing.scope, standing.outbox_high, standing.last_acked))
        body = codec.encode(request.to_wire())
        sent_at = time.monotonic()
        try:
            status, answer, answer_type = transport(body, codec.BINARY_TYPE)
        except TransportError as error:
            sizes.shrink()
            return report(str(error))
        done["seconds"] += time.monotonic() - sent_at
        done["round_trips"] += 1
        done["bytes_up"] += len(body)
        done["bytes_down"] += len(answer)
        if status != 200:
            error = _error_of(status, answer)
            if isinstance(error, Forked) and not done["new_identity"]:
                store.take_new_identity()
                done["new_identity"], cursor, library_cursor = True, 0, 0
                continue
            if isinstance(error, BatchRefused) and {p.op_id for p in error.problems} <= {op.op_id for op in ops}:
                store.set_aside_operations({p.op_id: p.message for p in error.problems})
                done["refused"] += len(error.problems)
                continue
            if status >= 500:
                sizes.shrink()
            return report(str(error))
        try:
            response = response_from_wire(codec.decode(answer, answer_type))
        except SyncError as error:
            return report(str(error))
        done["received"] += store_sync_page(
            store,
            acked_through=response.acked_through,
            rows=response.rows,
            cursor=response.cursor,
            library_cursor=response.library_cursor,
            server_ms=response.server_ms,
            settings=_whose_cursors(store, response, standing),
            settled=response.settled,
        )
        if response.resend_after is not None and standing.last_acked:
            store.resend_acknowledged(response.resend_after, standing.last_acked[0])
            target = max((op.seq for op in store.pending_operations()), default=0)
        done["sent"] += len(ops)
        done["pages"] += 1
        cursor, library_cursor = response.cursor, response.library_cursor
        more = response.more
        sizes.grow()
    return report()
