"""The device's side of sync as stored: the outbox, the cursors, and operations set aside.

A page from the server, its acknowledgements and the cursors that follow it are stored in
one transaction, so a link that drops mid-sync resumes from the last page stored. How wire
values decode and how a remote field merges with a local one are `cs_console.sync`'s
(`sync.apply`): it hands in decoded rows and the merge rule, and this module only writes
them. It refuses to import `cs_console.sync`.

Methods of `cs_console.store.Store`, which keeps the write clock (`_receive_stamp`).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from sqlalchemy import LargeBinary, func, update
from sqlmodel import Session, SQLModel, col, select

from cs_console.storage import hlc
from cs_console.storage.models import (
    Agent,
    Asset,
    Attachment,
    Contact,
    Customer,
    Interaction,
    KbArticle,
    KbProposal,
    Macro,
    MailProblem,
    OutboxOp,
    Reminder,
    ReplyDelivery,
    Review,
    Template,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketTag,
)
from cs_console.utc import to_text, utcnow

ENTITY_NAMES: dict[type[SQLModel], str] = {
    Agent: "agent",
    Customer: "customer",
    Contact: "contact",
    Asset: "asset",
    Ticket: "ticket",
    Interaction: "interaction",
    TicketEvent: "ticket_event",
    TicketTag: "ticket_tag",
    Reminder: "reminder",
    TicketLink: "ticket_link",
    KbProposal: "kb_proposal",
    ReplyDelivery: "reply_delivery",
    Review: "review",
    Attachment: "attachment",
    MailProblem: "mail_problem",
    KbArticle: "kb_article",
    Template: "template",
    Macro: "macro",
}
"""The name each synced table goes by in outbox operations."""

FieldMerge = Callable[[dict[str, str], dict, dict[str, str], dict[str, str]], tuple[dict, dict[str, str]]]
"""The merge rule for a row both sides hold: (its local field clocks, the server's values,
the server's field clocks, the stamps of this device's operations still waiting to go up)
to (the fields to take from the server, the row's field clocks after)."""


class RemoteRows(NamedTuple):
    """One table's rows of a server page, decoded to model values."""

    model: type[SQLModel]
    append_only: bool
    """History rows are only ever added when their id is new, never changed."""
    rows: Sequence[tuple[dict, dict[str, str]]]
    """(values, field clocks) per row."""


class Standing(NamedTuple):
    """What the device tells the server so it notices a history that broke."""

    server_id: str
    """The server the cursors belong to ("" before the first page)."""
    scope: str
    """The scope key the ticket cursor was read under."""
    outbox_high: int
    """The highest seq the outbox ever gave."""
    last_acked: tuple[int, str] | None
    """(seq, op id) of the newest operation this server acknowledged and did not refuse."""


OP_OVERHEAD_BYTES = 120
"""What an operation costs in a request besides its payload: ids, entity, stamp, framing."""


def op_bytes(op: OutboxOp) -> int:
    """About how many bytes an operation takes in a request (before compression)."""
    return len(op.payload.encode()) + OP_OVERHEAD_BYTES


def ticket_prefix_of(device_id: str) -> str:
    """Five base32 letters from the device id: ticket numbers stay unique across devices."""
    return base64.b32encode(uuid.UUID(device_id).bytes).decode()[:5]


IDENTITY_RESETS = ("sync.cursor", "sync.library_cursor", "sync.server", "sync.scope")
"""What a new identity starts over: the cursors and whose they were."""


class SyncState:
    """The outbox going up, server pages coming down, and the sync settings in between."""

    def sync_value(self, key: str) -> str | None:
        """A sync setting kept in the meta table (cursor, batch sizes, last sync time)."""
        with self.read() as session:
            return self._meta(session, f"sync.{key}")

    def set_sync_value(self, key: str, value: str) -> None:
        with self.write() as session:
            self._set_meta(session, f"sync.{key}", value)

    def pending_count(self) -> int:
        with self.read() as session:
            query = select(func.count()).select_from(OutboxOp).where(col(OutboxOp.acked_at).is_(None))
            return session.exec(query).one()

    def pending_size(self) -> tuple[int, int]:
        """How many operations wait to go up, and about how many bytes they take (`op_bytes`)."""
        with self.read() as session:
            query = select(func.count(), func.coalesce(func.sum(func.length(func.cast(OutboxOp.payload, LargeBinary))), 0))
            count, payload = session.exec(query.where(col(OutboxOp.acked_at).is_(None))).one()
            return count, payload + count * OP_OVERHEAD_BYTES

    def pending_operations(self, limit: int | None = None) -> list[OutboxOp]:
        """Outbox operations the server has not acknowledged, oldest first."""
        query = select(OutboxOp).where(col(OutboxOp.acked_at).is_(None)).order_by(OutboxOp.seq)
        if limit is not None:
            query = query.limit(limit)
        with self.read() as session:
            return list(session.exec(query))

    def pending_page(self, limit: int, max_bytes: int) -> list[OutboxOp]:
        """The oldest unacknowledged operations, at most `limit` of them and about `max_bytes`
        of payload (always at least one, so a large operation still goes up)."""
        page: list[OutboxOp] = []
        size = 0
        for op in self.pending_operations(limit):
            size += op_bytes(op)
            if page and size > max_bytes:
                break
            page.append(op)
        return page

    def standing(self) -> Standing:
        with self.read() as session:
            floor = int(self._meta(session, "sync.acked_floor") or 0)
            refused = self._set_aside_ids(session)
            newest_acked = (
                select(OutboxOp.seq, OutboxOp.op_id)
                .where(col(OutboxOp.acked_at).is_not(None), OutboxOp.seq > floor)
                .order_by(col(OutboxOp.seq).desc())
                .limit(len(refused) + 1)
            )
            return Standing(
                server_id=self._meta(session, "sync.server") or "",
                scope=self._meta(session, "sync.scope") or "",
                outbox_high=session.exec(select(func.max(OutboxOp.seq))).one() or 0,
                last_acked=next(((seq, op_id) for seq, op_id in session.exec(newest_acked) if op_id not in refused), None),
            )

    def _set_aside_ids(self, session: Session) -> set[str]:
        """Op ids acknowledged here though no server applied them: refused, or discarded
        by the agent (`storage.outbox`)."""
        refused = json.loads(self._meta(session, "sync.refused") or "{}")
        return set(refused) | set(json.loads(self._meta(session, "sync.discarded") or "[]"))

    def acked_high(self) -> int:
        """The highest seq any server acknowledged (0: none)."""
        with self.read() as session:
            return session.exec(select(func.max(OutboxOp.seq)).where(col(OutboxOp.acked_at).is_not(None))).one() or 0

    def resend_acknowledged(self, after: int, through: int) -> int:
        """Send again the acknowledged operations with a seq in (after, through] that a server
        put back from a backup lost (refused ones stay set aside); returns how many."""
        with self.write() as session:
            refused = list(self._set_aside_ids(session))
            query = update(OutboxOp).where(
                col(OutboxOp.seq) > after, col(OutboxOp.seq) <= through,
                col(OutboxOp.acked_at).is_not(None), col(OutboxOp.op_id).not_in(refused),
            ).values(acked_at=None)
            return session.exec(query).rowcount

    def take_new_identity(self) -> None:
        """Become a device of its own: this file was copied, or put back from a backup.

        A new device id (so the server sends back what the old one made), a new ticket
        prefix (tickets still waiting to go up are renumbered with it), and cursors that
        start over. Waiting operations keep their op ids, so those the server already has
        are not applied twice.
        """
        device_id = str(uuid.uuid4())
        old_prefix, prefix = self.ticket_prefix, ticket_prefix_of(device_id)
        with self.write() as session:
            self._set_meta(session, "device_id", device_id)
            self._set_meta(session, "ticket_prefix", prefix)
            for key in IDENTITY_RESETS:
                self._set_meta(session, key, "")
            waiting = list(session.exec(select(OutboxOp).where(col(OutboxOp.acked_at).is_(None))))
            for op in waiting:
                op.device_id = device_id
                payload = json.loads(op.payload)
                number = payload.get("number") if op.entity == "ticket" and op.action == "insert" else None
                if isinstance(number, str) and number.startswith(f"{old_prefix}-"):
                    payload["number"] = f"{prefix}-{number[len(old_prefix) + 1:]}"
                    op.payload = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                    ticket = session.get(Ticket, op.entity_id)
                    if ticket is not None and ticket.number == number:
                        ticket.number = payload["number"]
                        session.add(ticket)
                session.add(op)
        self.device_id, self.ticket_prefix, self._node = device_id, prefix, device_id[:8]

    def store_remote_page(
        self,
        *,
        acked_through: int | None,
        tables: Sequence[RemoteRows],
        merge: FieldMerge,
        newest: hlc.Stamp,
        cursor: int,
        library_cursor: int,
        settings: Mapping[str, str] | None = None,
        settled: Sequence[tuple] = (),
    ) -> int:
        """Acknowledge operations up to `acked_through`, keep the writes among them that the
        server `settled` against a later one ((op id, field, ours, the value that stays)),
        store a page of server rows (`merge` decides the fields of a row both sides hold; a
        history row is added when its id is new), move the write clock past `newest`, move
        both cursors and save the sync `settings` that go with them (whose cursors they
        are), in one transaction. Returns the number of rows stored."""
        stored = 0
        with self.write() as session:
            if acked_through is not None:
                waiting = select(OutboxOp).where(col(OutboxOp.acked_at).is_(None), col(OutboxOp.seq) <= acked_through)
                for op in session.exec(waiting):
                    op.acked_at = utcnow()
                    session.add(op)
                session.flush()
            if settled:
                self._keep_settled(session, settled)
            mine = _pending_stamps(session)
            for table in tables:
                entity = ENTITY_NAMES[table.model]
                # One flush per table writes the changed rows before the new ones, so a ticket
                # the server renumbered frees its old number for the ticket that holds it there.
                with session.no_autoflush:
                    for values, clocks in table.rows:
                        stored += _store_remote(session, table, values, clocks, mine.get((entity, values["id"]), {}), merge)
                session.flush()
            self._receive_stamp(session, newest)
            self._set_meta(session, "sync.cursor", str(cursor))
            self._set_meta(session, "sync.library_cursor", str(library_cursor))
            for key, value in (settings or {}).items():
                self._set_meta(session, f"sync.{key}", value)
            self._set_meta(session, "sync.last_at", to_text(utcnow()))
        return stored

    def set_aside_operations(self, reasons: dict[str, str]) -> None:
        """Stop sending operations the server refused (op id to its reason), keeping them
        and the reason for the screens to show; the server's state of the row comes down."""
        with self.write() as session:
            refused = json.loads(self._meta(session, "sync.refused") or "{}")
            for op in session.exec(select(OutboxOp).where(col(OutboxOp.op_id).in_(list(reasons)))):
                op.acked_at = utcnow()
                session.add(op)
                refused[op.op_id] = reasons[op.op_id]
            self._set_meta(session, "sync.refused", json.dumps(refused, ensure_ascii=False))

    def _keep_settled(self, session: Session, settled: Sequence[tuple]) -> None:
        kept = json.loads(self._meta(session, "sync.settled") or "{}")
        for op_id, name, ours, stays in settled:
            kept.setdefault(op_id, []).append([name, ours, stays])
        self._set_meta(session, "sync.settled", json.dumps(kept, ensure_ascii=False))

    def settled_operations(self) -> list[tuple[OutboxOp, list[list]]]:
        """Operations the server took but settled against a later change, oldest first, each
        with its [field, our value, the value that stays] until `forget_settled`."""
        with self.read() as session:
            kept = json.loads(self._meta(session, "sync.settled") or "{}")
            ops = session.exec(select(OutboxOp).where(col(OutboxOp.op_id).in_(list(kept))).order_by(OutboxOp.seq))
            return [(op, kept[op.op_id]) for op in ops]

    def forget_settled(self, op_id: str) -> None:
        """The agent has read that this operation lost: stop listing it."""
        with self.write() as session:
            kept = json.loads(self._meta(session, "sync.settled") or "{}")
            if kept.pop(op_id, None) is not None:
                self._set_meta(session, "sync.settled", json.dumps(kept, ensure_ascii=False))

    def refused_operations(self) -> list[tuple[OutboxOp, str]]:
        """Operations the server refused, oldest first, with the server's reason."""
        with self.read() as session:
            refused = json.loads(self._meta(session, "sync.refused") or "{}")
            ops = session.exec(select(OutboxOp).where(col(OutboxOp.op_id).in_(list(refused))).order_by(OutboxOp.seq))
            return [(op, refused[op.op_id]) for op in ops]


def _pending_stamps(session: Session) -> dict[tuple[str, str], dict[str, str]]:
    """For each row with unacknowledged operations: field to the latest stamp written."""
    stamps: dict[tuple[str, str], dict[str, str]] = {}
    for op in session.exec(select(OutboxOp).where(col(OutboxOp.acked_at).is_(None))):
        fields = stamps.setdefault((op.entity, op.entity_id), {})
        for name in json.loads(op.payload):
            fields[name] = max(fields.get(name, ""), op.hlc)
    return stamps


def _store_remote(
    session: Session, table: RemoteRows, values: dict, clocks: dict[str, str], mine: dict[str, str], merge: FieldMerge
) -> int:
    existing = session.get(table.model, values["id"])
    if existing is None:
        extra = {} if table.append_only else {"field_clocks": json.dumps(clocks, separators=(",", ":"))}
        session.add(table.model(**values, **extra))
        return 1
    if table.append_only:
        return 0
    taken, field_clocks = merge(json.loads(existing.field_clocks or "{}"), values, clocks, mine)
    for name, value in taken.items():
        setattr(existing, name, value)
    existing.field_clocks = json.dumps(field_clocks, separators=(",", ":"))
    session.add(existing)
    return 1
