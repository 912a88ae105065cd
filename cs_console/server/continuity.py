"""Keeping a device's history continuous with the server's, before its request is served.

Read from the request's continuity fields (`sync.protocol.Continuity`), in this order:

- A cursor read from another server, or past the end of this server's change log (the
  server was put back from a backup), starts over from the beginning; one read under
  another scope key (another account, a new role or team, a lead's team changing) starts
  the ticket cursor over, so rows that entered the scope arrive.
- A device id whose operations here reach further than the device's own outbox, or whose
  operations up to there are not the ones applied, is a copied or restored file: `Forked`,
  applying nothing, and the device takes a new identity.
- A device whose newest acknowledged operation is not here (the server was put back from
  a backup) is asked to send its acknowledged operations after the last one that is
  (`resend_after`), and starts its cursors over.

Operations are applied once by op id, so whatever is sent again changes nothing twice. It
refuses to apply operations (`merge`) or read pages (`changes`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, true
from sqlmodel import Session

from cs_console.server.db import applied_ops, counter, identity
from cs_console.server.scope import Caller, scope_key
from cs_console.sync.errors import Forked
from cs_console.sync.protocol import SyncRequest


@dataclass(frozen=True)
class Start:
    """Where the request's page starts, and what the answer tells the device."""

    cursor: int
    library_cursor: int
    server_id: str
    scope: str
    resend_after: int | None = None


def _applied(session: Session, op_ids: list[str]) -> set[str]:
    if not op_ids:
        return set()
    return set(session.execute(select(applied_ops.c.op_id).where(applied_ops.c.op_id.in_(op_ids))).scalars())


def start(session: Session, caller: Caller, request: SyncRequest) -> Start:
    """Where to read from for this request, which carries continuity fields.

    Raises:
        Forked: the device's history departs from what this server has of its device id.
    """
    sent = request.continuity
    here, newest = session.execute(
        select(identity.c.server_id, counter.c.value).join_from(identity, counter, true())
        .where(identity.c.id == 1, counter.c.id == 1)
    ).one()
    scope = scope_key(session, caller)
    cursor, library_cursor = request.cursor, request.library_cursor
    if sent.server_id != here or max(cursor, library_cursor) > newest:
        cursor = library_cursor = 0
    elif sent.scope != scope:
        cursor = 0
    reached = session.execute(
        select(func.max(applied_ops.c.seq)).where(applied_ops.c.device_id == request.device_id)
    ).scalar() or 0
    early = [op.op_id for op in request.ops if op.seq <= reached]
    if sent.outbox_high < reached or len(_applied(session, early)) < len(set(early)):
        raise Forked(
            f"the server has changes up to #{reached} from device {request.device_id} that this device's "
            "database does not hold: it is a copy of another device's file, or was put back from a backup; "
            "nothing was applied, and the device takes a new identity"
        )
    if sent.server_id == here and sent.last_acked and not _applied(session, [sent.last_acked[1]]):
        return Start(0, 0, here, scope, resend_after=min(reached, sent.last_acked[0] - 1))
    return Start(cursor, library_cursor, here, scope)
