"""The sync protocol: one request carries a device's operations up and asks for a page down.

Version 1, spoken at `/v1/sync` and in every body's `v`:

    request  {v, d: device id, c: cursor, k: library cursor, b: page budget in bytes (0: none),
              o: [[seq, op id, entity, entity id, action, payload, hlc], ...],
              s, e: the server id and scope key the cursors belong to, h: the device's highest
              outbox seq, l: [seq, op id] of its newest acknowledged operation}
    response {v, a: highest seq acknowledged (or null), c, k: the new cursors, m: more pages
              wait, t: server time in ms, r: {entity: [[column, ...], [value, ...], ...]},
              s, e: the server id and scope key the new cursors belong to, w: send your
              acknowledged operations after this seq again (or null), x: [[op id, field,
              your value, the value that stays], ...] for writes of the request that lost
              to a later one (absent: none)}

`s`, `e`, `h`, `l` and `w` keep a device in step when its history breaks (`server.continuity`):
another account, server or scope starts the cursor over; a copied or restored device file
is told to take a new identity (`Forked`); a server restored from a backup asks for the
operations it lost. They are optional: a device that leaves them out syncs as before.

Two cursors, because the knowledge base and templates (the library) come down only once
the tickets are: a bulk import of articles must not hold back a customer's message.

Rows travel column-wise, one header per entity per page, as the latest state (not the
history) with their field clocks. A request's values must fit a database column (64-bit
integers, Unicode text, shallow nesting). This module only shapes and checks messages; it refuses
to know how they travel (`client`, `server.app`) or what they change (`server.merge`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cs_console.sync.errors import BadRequest, VersionMismatch

PROTOCOL_VERSION = 1
SYNC_PATH = f"/v{PROTOCOL_VERSION}/sync"

ACTIONS = ("insert", "update", "append")
MAX_OPS = 5000
"""Operations in one request; a device with more sends them over several round trips."""
MAX_DEPTH = 8
"""Containers nest 3 deep in a request (o, an operation, its payload); 8 leaves room."""
INT64 = range(-(2**63), 2**63)
"""The integers a database column holds."""
MIN_PAGE_BYTES = 256
MAX_PAGE_BYTES = 1024 * 1024
"""Page budgets are measured in packed (msgpack, uncompressed) bytes; on the wire a page
is about a quarter of that. A budget of 0 asks for no page at all (push only)."""


@dataclass(frozen=True)
class Op:
    """One local change, as the device's outbox recorded it."""

    seq: int
    op_id: str
    entity: str
    entity_id: str
    action: str
    payload: dict
    hlc: str

    def to_wire(self) -> list:
        return [self.seq, self.op_id, self.entity, self.entity_id, self.action, self.payload, self.hlc]


@dataclass(frozen=True)
class SyncRequest:
    device_id: str
    cursor: int
    library_cursor: int
    page_bytes: int
    ops: tuple[Op, ...] = ()
    continuity: Continuity | None = None
    """None from a device that predates it: no cursor resets, fork or loss checks."""

    def to_wire(self) -> dict:
        wire = {
            "v": PROTOCOL_VERSION,
            "d": self.device_id,
            "c": self.cursor,
            "k": self.library_cursor,
            "b": self.page_bytes,
            "o": [op.to_wire() for op in self.ops],
        }
        if self.continuity is not None:
            wire.update(self.continuity.to_wire())
        return wire


@dataclass(frozen=True)
class Continuity:
    """What a device tells the server so it notices a history that broke."""

    server_id: str
    """The server the cursors belong to ("" before the first page)."""
    scope: str
    """The scope key the ticket cursor belongs to ("" before the first page)."""
    outbox_high: int
    """The highest seq this device's outbox ever gave (0: none)."""
    last_acked: tuple[int, str] | None
    """(seq, op id) of the newest operation the server acknowledged, if any."""

    def to_wire(self) -> dict:
        return {"s": self.server_id, "e": self.scope, "h": self.outbox_high,
                "l": list(self.last_acked) if self.last_acked else None}


@dataclass(frozen=True)
class SyncResponse:
    acked_through: int | None
    """Every operation of the request with a seq up to this is on the server."""
    cursor: int
    library_cursor: int
    more: bool
    server_ms: int
    rows: Mapping[str, tuple[dict, ...]] = field(default_factory=dict)
    """Entity name to the rows of this page, each a map of column to value."""
    server_id: str | None = None
    scope: str | None = None
    """The server and scope key the new cursors belong to (None from an older server)."""
    resend_after: int | None = None
    """The server lacks acknowledged operations of this device after this seq."""
    settled: tuple[tuple, ...] = ()
    """(op id, field, the device's value, the value that stays) of each write of the
    request that lost to a later one (last writer wins)."""

    def to_wire(self) -> dict:
        wire = {
            "v": PROTOCOL_VERSION,
            "a": self.acked_through,
            "c": self.cursor,
            "k": self.library_cursor,
            "m": self.more,
            "t": self.server_ms,
            "r": {entity: columns_to_wire(rows) for entity, rows in self.rows.items() if rows},
        }
        if self.server_id is not None:
            wire.update(s=self.server_id, e=self.scope, w=self.resend_after)
        if self.settled:
            wire["x"] = [list(item) for item in self.settled]
        return wire


def columns_to_wire(rows: tuple[dict, ...]) -> list:
    names = list(rows[0])
    return [names, *([row[name] for name in names] for row in rows)]


def check_version(message: Mapping, *, speaker: str) -> None:
    """Refuse a message of another protocol version, saying which side must upgrade.

    `speaker` is who sent `message`: "device" (checked by the server) or "server".

    Raises:
        VersionMismatch: the versions differ.
        BadRequest: the message carries no version.
    """
    version = message.get("v")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BadRequest("the message carries no protocol version (field v)")
    if version == PROTOCOL_VERSION:
        return
    raise VersionMismatch(version_sentence(version, speaker))


def version_sentence(version: int, speaker: str) -> str:
    """What to say when `speaker` speaks protocol `version` and this side speaks ours."""
    if speaker == "device":
        fix = "upgrade cs-console on the device" if version < PROTOCOL_VERSION else "upgrade the server"
        return f"the device speaks sync protocol {version} and this server speaks {PROTOCOL_VERSION}: {fix}"
    fix = "upgrade the server" if version < PROTOCOL_VERSION else "upgrade cs-console on this device"
    return f"the server speaks sync protocol {version} and this device speaks {PROTOCOL_VERSION}: {fix}"


def _require(message: Mapping, key: str, kind: type | tuple[type, ...], what: str):
    value = message.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BadRequest(f"field {key} ({what}) is missing or malformed")
    return value


def _where(path: tuple) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".") or "the body"


def _is_payload(path: tuple) -> bool:
    return len(path) == 3 and path[0] == "o" and path[2] == 5


def _check_values(message) -> None:
    """Refuse values no database column holds, naming where they are (o[3][0]), outside the
    operations' payloads: those are checked field by field with the operation
    (`schema.value_problem`), so one bad value refuses one operation, not the whole batch.

    Raises:
        BadRequest: an integer past 64 bits, a lone surrogate, or nesting past MAX_DEPTH.
    """
    pending = [((), message)]
    while pending:
        path, value = pending.pop()
        if _is_payload(path) and isinstance(value, dict):
            continue
        if isinstance(value, bool) or value is None or isinstance(value, (float, bytes)):
            continue
        if isinstance(value, int):
            if value not in INT64:
                raise BadRequest(f"{_where(path)}: the integer {value} does not fit in 64 bits")
        elif isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError as error:
                raise BadRequest(f"{_where(path)}: the text holds a lone surrogate at character {error.start}, "
                                 "which is not Unicode") from None
        elif len(path) >= MAX_DEPTH:
            raise BadRequest(f"{_where(path)}: nested deeper than {MAX_DEPTH} levels; no sync message is")
        elif isinstance(value, dict):
            for key, item in value.items():
                pending.append((path, key))
                pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))


def _is_name(value) -> bool:
    """Short text a database can store as a key: ids, names and stamps."""
    return isinstance(value, str) and 0 < len(value) <= 200 and "\x00" not in value


def _op_from_wire(item) -> Op:
    if not isinstance(item, list) or len(item) != 7:
        raise BadRequest("each operation must be a list of seq, op id, entity, entity id, action, payload, hlc")
    seq, op_id, entity, entity_id, action, payload, stamp = item
    if not (isinstance(seq, int) and not isinstance(seq, bool) and seq > 0):
        raise BadRequest(f"operation seq {seq!r} is not a positive integer")
    for name, value in (("op id", op_id), ("entity", entity), ("entity id", entity_id), ("action", action), ("hlc", stamp)):
        if not _is_name(value):
            raise BadRequest(f"operation #{seq}: {name} must be short text without NUL characters")
    if not isinstance(payload, dict):
        raise BadRequest(f"operation #{seq}: payload must be a map of field to value")
    return Op(seq, op_id, entity, entity_id, action, payload, stamp)


def request_from_wire(message: Mapping) -> SyncRequest:
    """Raises:
        VersionMismatch, BadRequest: the message is not a version-1 request.
    """
    check_version(message, speaker="device")
    _check_values(message)
    ops = _require(message, "o", list, "the operations")
    if len(ops) > MAX_OPS:
        raise BadRequest(f"{len(ops)} operations in one request; at most {MAX_OPS} are taken")
    cursor = _require(message, "c", int, "the cursor")
    library_cursor = _require(message, "k", int, "the library cursor")
    page_bytes = _require(message, "b", int, "the page budget")
    device_id = _require(message, "d", str, "the device id")
    if not _is_name(device_id):
        raise BadRequest("field d (the device id) must be short text without NUL characters")
    return SyncRequest(
        device_id=device_id,
        cursor=max(0, cursor),
        library_cursor=max(0, library_cursor),
        page_bytes=0 if page_bytes == 0 else min(MAX_PAGE_BYTES, max(MIN_PAGE_BYTES, page_bytes)),
        ops=tuple(_op_from_wire(item) for item in ops),
        continuity=_continuity_from_wire(message),
    )


def _continuity_from_wire(message: Mapping) -> Continuity | None:
    if "s" not in message:
        return None
    server_id = _require(message, "s", str, "the server id the cursors belong to")
    scope = _require(message, "e", str, "the scope key the cursor belongs to")
    outbox_high = _require(message, "h", int, "the highest outbox seq")
    last = message.get("l")
    if last is not None and not (
        isinstance(last, list) and len(last) == 2 and isinstance(last[0], int) and not isinstance(last[0], bool)
        and _is_name(last[1])
    ):
        raise BadRequest("field l (the newest acknowledged operation) must be [seq, op id] or null")
    if len(server_id) > 200 or len(scope) > 200:
        raise BadRequest("fields s and e (server id, scope key) are at most 200 characters")
    return Continuity(server_id, scope, max(0, outbox_high), (last[0], last[1]) if last else None)


def response_from_wire(message: Mapping) -> SyncResponse:
    """Raises:
        VersionMismatch, BadRequest: the message is not a version-1 response.
    """
    check_version(message, speaker="server")
    rows: dict[str, tuple[dict, ...]] = {}
    for entity, table in _require(message, "r", dict, "the rows").items():
        names, *values = table
        rows[entity] = tuple(dict(zip(names, row, strict=True)) for row in values)
    acked = message.get("a")
    resend = message.get("w")
    return SyncResponse(
        acked_through=acked if isinstance(acked, int) else None,
        cursor=_require(message, "c", int, "the cursor"),
        library_cursor=_require(message, "k", int, "the library cursor"),
        more=bool(message.get("m")),
        server_ms=_require(message, "t", int, "the server time"),
        rows=rows,
        server_id=message.get("s") if isinstance(message.get("s"), str) else None,
        scope=message.get("e") if isinstance(message.get("e"), str) else None,
        resend_after=resend if isinstance(resend, int) and not isinstance(resend, bool) else None,
        settled=tuple(tuple(item) for item in message.get("x") or () if _is_settled(item)),
    )


def _is_settled(item: object) -> bool:
    """One well-formed entry of a response's `x`; anything else is left out, not refused:
    the notice is a courtesy, the page is what matters."""
    return isinstance(item, list) and len(item) == 4 and all(isinstance(part, str) for part in item[:2])
