"""Attached files as the device stores them: the synced rows (`Attachment`), the bytes by
hash (`storage.blobs`), and how far each file has gone up (`AttachmentTransfer`).

Attaching keeps the bytes first (atomically), then writes the row, its outbox operation and
its transfer in one transaction: a crash between the two leaves an unused file, never a row
whose bytes are missing. The row goes up with the other operations; the bytes go up apart
(`sync.attachments`), only once the server has the row, so the server can check that the
sender may attach to that ticket. Methods of `cs_console.store.Store`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import exists, update
from sqlmodel import col, select

from cs_console import paths
from cs_console.storage.blobs import Blobs
from cs_console.storage.errors import NotFound
from cs_console.storage.models import Attachment, AttachmentTransfer, Interaction, OutboxOp, Ticket


class AttachedFile(NamedTuple):
    """An attachment and what the device knows of its bytes."""

    attachment: Attachment
    transfer: AttachmentTransfer | None
    """Its upload, when this device attached it (None: another's, or already sent elsewhere)."""
    held: bool
    """The bytes are on this device."""


class Attachments:
    @property
    def blobs(self) -> Blobs:
        return Blobs(paths.attachments_dir(self.path))

    def attach(self, ticket_id: str, data: bytes, *, filename: str, content_type: str,
               interaction_id: str | None = None, author_id: str | None = None,
               at: datetime | None = None) -> Attachment:
        """Keep `data` and attach it to the ticket (or to one of its messages).

        Raises:
            NotFound: no such ticket, or the message is not on it.
            ReadOnly: the store is read-only.
        """
        sha256 = self.blobs.put(data)
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"ticket {ticket_id} is not on this device")
            if interaction_id is not None:
                message = session.get(Interaction, interaction_id)
                if message is None or message.ticket_id != ticket_id:
                    raise NotFound(f"message {interaction_id} is not on ticket {ticket_id}")
            row = Attachment(ticket_id=ticket_id, interaction_id=interaction_id, filename=filename,
                             content_type=content_type, size=len(data), sha256=sha256, author_id=author_id)
            if at is not None:
                row.created_at = at
            self._insert(session, row)
            if session.get(AttachmentTransfer, sha256) is None:
                session.add(AttachmentTransfer(sha256=sha256, size=len(data)))
        return row

    def attached_files(self, ticket_id: str) -> list[AttachedFile]:
        """The ticket's attachments, oldest first, with their transfers."""
        with self.read() as session:
            rows = session.exec(
                select(Attachment, AttachmentTransfer)
                .join(AttachmentTransfer, col(AttachmentTransfer.sha256) == col(Attachment.sha256), isouter=True)
                .where(Attachment.ticket_id == ticket_id)
                .order_by(Attachment.created_at, Attachment.id)
            ).all()
        blobs = self.blobs
        return [AttachedFile(row, transfer, blobs.has(row.sha256)) for row, transfer in rows]

    def attachment(self, attachment_id: str) -> Attachment:
        """Raises: NotFound."""
        with self.read() as session:
            row = session.get(Attachment, attachment_id)
        if row is None:
            raise NotFound(f"attachment {attachment_id} is not on this device")
        return row

    def transfers_waiting(self) -> list[AttachmentTransfer]:
        """Files not yet whole on the server whose rows the server has (their operations are
        acknowledged), oldest first."""
        row_waiting = exists().where(
            OutboxOp.entity == "attachment", OutboxOp.entity_id == Attachment.id, col(OutboxOp.acked_at).is_(None))
        row_sent = exists().where(Attachment.sha256 == AttachmentTransfer.sha256, ~row_waiting)
        with self.read() as session:
            return list(session.exec(
                select(AttachmentTransfer).where(AttachmentTransfer.done == False, row_sent)  # noqa: E712 (SQL)
                .order_by(AttachmentTransfer.created_at)))

    def transfers_unsent(self) -> list[AttachmentTransfer]:
        """Every file not yet whole on the server, its row sent or not, oldest first."""
        with self.read() as session:
            return list(session.exec(select(AttachmentTransfer).where(AttachmentTransfer.done == False)  # noqa: E712
                                     .order_by(AttachmentTransfer.created_at)))

    def note_transfer(self, sha256: str, sent: int, *, done: bool = False) -> None:
        """The server holds `sent` bytes of the file (all of it, hash checked, when `done`)."""
        with self.write() as session:
            session.exec(update(AttachmentTransfer).where(col(AttachmentTransfer.sha256) == sha256)
                         .values(sent=sent, done=done, send_now=False if done else AttachmentTransfer.send_now))

    def send_now(self, sha256s: Collection[str]) -> None:
        """Send these files at the next sync, whatever the budget says."""
        with self.write() as session:
            session.exec(update(AttachmentTransfer).where(col(AttachmentTransfer.sha256).in_(list(sha256s)))
                         .values(send_now=True))

    def unsent_attachments(self) -> list[Attachment]:
        """Attachments whose files are not yet whole on the server, oldest first."""
        with self.read() as session:
            return list(session.exec(
                select(Attachment).join(AttachmentTransfer, col(AttachmentTransfer.sha256) == col(Attachment.sha256))
                .where(AttachmentTransfer.done == False).order_by(Attachment.created_at)))  # noqa: E712 (SQL)

    def attachments_to_fetch(self, at_most: int) -> list[Attachment]:
        """Attachments whose bytes this device lacks, of `at_most` bytes or fewer, oldest first."""
        with self.read() as session:
            rows = session.exec(select(Attachment).where(Attachment.size <= at_most).order_by(Attachment.created_at))
            blobs = self.blobs
            return [row for row in rows if not blobs.has(row.sha256)]
