"""The agent's hand on the outbox: what waits or was refused, in what order it goes up,
and taking a change back before it goes.

Seq is the order operations go up in, and the server expects each device's operations in
that order (`server.continuity`: an operation at or below the highest seq it applied from
the device must be one it already has, else the file is taken for a copy). So an operation
passed over by a more urgent one, or sent again after a refusal, takes a new seq after the
others (`put_in_order`, `retry_operation`) instead of going up out of seq order. A
renumbered operation keeps its op id, so one the server took already (its answer lost) is
acknowledged as a repeat and applied once.

A discarded operation stays in the table, acknowledged and listed under `sync.discarded`,
so its seq is never given again (a server that received it before the link dropped must
not see another operation under that number) and it is never taken for the newest one
the server acknowledged. Only messages and notes can be taken back while they wait: the
message and the steps it implied (first response...) leave this device too. A field change
that waits cannot: the agent changes the field again instead.

Methods of `cs_console.store.Store`. It refuses to decide what is urgent (`sync.priority`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import func, text, update
from sqlmodel import Session, col, select

from cs_console.storage.errors import NotFound, StoreError
from cs_console.storage.models import Draft, Interaction, OutboxOp, Ticket, TicketEvent
from cs_console.utc import utcnow

TAKEN_BACK = "interaction"
"""The entity whose waiting operations can be discarded: a message or note."""


class Outbox:
    """The outbox as the agent sees and steers it."""

    def outbox_operations(self) -> list[tuple[OutboxOp, str | None]]:
        """Every operation not on the server, oldest first: those waiting (reason None) and
        those the server refused (with its reason)."""
        with self.read() as session:
            refused = json.loads(self._meta(session, "sync.refused") or "{}")
            query = select(OutboxOp).where(
                (col(OutboxOp.acked_at).is_(None)) | col(OutboxOp.op_id).in_(list(refused))
            ).order_by(OutboxOp.seq)
            return [(op, refused.get(op.op_id)) for op in session.exec(query)]

    def ticket_priorities(self, ticket_ids: Collection[str]) -> dict[str, str]:
        """Ticket id to its priority, for the tickets this device holds."""
        with self.read() as session:
            query = select(Ticket.id, Ticket.priority).where(col(Ticket.id).in_(list(ticket_ids)))
            return dict(session.exec(query).all())

    def put_in_order(self, op_ids: Sequence[str]) -> int:
        """Make seq follow `op_ids` (waiting operations, in the order they are to go up):
        each one that would come after a later one takes a new seq past the highest.
        Returns how many were renumbered."""
        with self.write() as session:
            seqs = dict(session.exec(select(OutboxOp.op_id, OutboxOp.seq).where(col(OutboxOp.op_id).in_(list(op_ids)))).all())
            high = session.exec(select(func.max(OutboxOp.seq))).one() or 0
            last, moved = 0, 0
            for op_id in op_ids:
                seq = seqs[op_id]
                if seq <= last:
                    high += 1
                    session.exec(update(OutboxOp).where(col(OutboxOp.op_id) == op_id).values(seq=high))
                    seq, moved = high, moved + 1
                last = seq
            return moved

    def retry_operation(self, op_id: str) -> None:
        """Send a refused operation again, as the newest (the server may take it now).

        Raises:
            NotFound: no refused operation has this op id.
        """
        with self.write() as session:
            refused = json.loads(self._meta(session, "sync.refused") or "{}")
            if op_id not in refused:
                raise NotFound(f"no refused change {op_id} on this device")
            del refused[op_id]
            self._set_meta(session, "sync.refused", json.dumps(refused, ensure_ascii=False))
            high = session.exec(select(func.max(OutboxOp.seq))).one() or 0
            session.exec(update(OutboxOp).where(col(OutboxOp.op_id) == op_id).values(seq=high + 1, acked_at=None))

    def discard_operation(self, op_id: str, *, draft: tuple[str, str, Mapping[str, str]] | None = None) -> None:
        """Never send this change: a refused one leaves the list; a message or note (refused
        or waiting) leaves this device with the steps it implied. `draft` (key, text, fields)
        is stored as a composer's draft in the same transaction: the text goes back to be edited.

        Raises:
            NotFound: no such change waits or was refused.
            StoreError: a waiting change other than a message or note.
        """
        with self.write() as session:
            op = session.exec(select(OutboxOp).where(OutboxOp.op_id == op_id)).first()
            refused = json.loads(self._meta(session, "sync.refused") or "{}")
            if op is None or (op.acked_at is not None and op_id not in refused):
                raise NotFound(f"no change {op_id} waits on this device")
            if op_id not in refused and op.entity != TAKEN_BACK:
                raise StoreError("only a message or note can be taken back before it goes up; "
                                 "change the field again instead")
            gone = [op_id]
            refused.pop(op_id, None)
            if op.entity == TAKEN_BACK:
                gone += _take_back_message(session, op, refused)
            self._set_meta(session, "sync.refused", json.dumps(refused, ensure_ascii=False))
            op.acked_at = utcnow()
            session.add(op)
            discarded = json.loads(self._meta(session, "sync.discarded") or "[]")
            self._set_meta(session, "sync.discarded", json.dumps([*discarded, *gone]))
            if draft is not None:
                key, body, fields = draft
                session.merge(Draft(key=key, body=body, fields=json.dumps(dict(fields), ensure_ascii=False),
                                    updated_at=utcnow()))


def _take_back_message(session: Session, op: OutboxOp, refused: dict[str, str]) -> list[str]:
    """Remove a message and the steps made with it (same ticket, same time) that wait or were
    refused from this device, their operations marked sent and out of `refused`, so they never
    go (a message sent anew makes its own); returns those steps' op ids."""
    message = session.get(Interaction, op.entity_id)
    if message is None:
        return []
    steps = [event for event in session.exec(select(TicketEvent).where(
        TicketEvent.ticket_id == message.ticket_id, TicketEvent.at == message.created_at))]
    step_ids = [event.id for event in steps]
    waiting = [step_op for step_op in session.exec(select(OutboxOp).where(
        OutboxOp.entity == "ticket_event", col(OutboxOp.entity_id).in_(step_ids)))
        if step_op.acked_at is None or step_op.op_id in refused]
    for step_op in waiting:
        refused.pop(step_op.op_id, None)
        step_op.acked_at = utcnow()
        session.add(step_op)
        session.delete(session.get(TicketEvent, step_op.entity_id))
    session.execute(text("DELETE FROM history_index WHERE interaction_id = :id"), {"id": message.id})
    session.delete(message)
    session.flush()
    if waiting:
        # the queue's copy of the ticket's events, rebuilt without the steps removed
        session.execute(text(
            "UPDATE queue_entry SET history = coalesce((SELECT group_concat(kind || '@' || at || ';', '') FROM "
            "(SELECT kind, at FROM ticket_event e WHERE e.ticket_id = :ticket ORDER BY at, rowid)), ''), "
            "settled_at = NULL, checked = 0 WHERE ticket_id = :ticket"), {"ticket": message.ticket_id})
    return [step_op.op_id for step_op in waiting]
