"""Tickets, their conversation, events and reminders: what an agent's actions write.

Each change runs in one transaction of the store, with its outbox operations. What a status
change or a reply means for the ticket's history (which clock events it leaves) is the
workflow's rule, not storage's: the caller hands the rule in (`usecases.ticket_changes`
passes `clocks.workflow`) and the store applies it inside the transaction, on the ticket as
it stands there. This module refuses to import those rules.

Methods of `cs_console.store.Store`, which writes through `_insert` and `_update`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import col, select

from cs_console.storage.errors import NotFound, StoreError
from cs_console.storage.models import (
    Agent,
    Asset,
    Contact,
    Customer,
    Interaction,
    OutboxOp,
    Reminder,
    ReplyDelivery,
    Ticket,
    TicketEvent,
)
from cs_console.storage.ticket_tags import TagId
from cs_console.utc import to_text, utcnow
from cs_console.vocabulary import INTERACTION_KINDS, NPS_SCORES, PRIORITIES, SATISFACTION_SCORES, message_channel

if TYPE_CHECKING:
    from cs_console.storage.ticket_relations import Relations

StatusEvents = Callable[[str, str], tuple[str, ...]]
"""The events a ticket records going from one status to another (the workflow's rule); it
raises for a status it does not know, and nothing is written."""

EventTime = Callable[[str, datetime], datetime]
"""When an event of a kind, recorded by a change at a time, is stamped (the workflow's rule)."""

ExpertTeam = Callable[[list[tuple[str, dict]], str], str]
"""Given a ticket's events as (kind, detail) and the answering agent's team, the expert team
the answer is for; it raises when that agent may not answer, and nothing is written."""


def _detail(**values) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))

InteractionEvents = Callable[[str, bool], tuple[tuple[str, ...], str]]
"""Given a ticket's status and whether it has had its first response, the events a new
interaction records and the status the ticket moves to (the workflow's rule)."""


@dataclass(frozen=True)
class TicketDetail:
    """One ticket whole, as the ticket screen shows it: its customer, conversation and events."""

    ticket: Ticket
    customer: Customer
    assignee: Agent | None
    interactions: tuple[Interaction, ...]
    events: tuple[TicketEvent, ...]
    authors: dict[str, str]
    """Agent id to display name, for every agent who wrote in the conversation or acted on it."""
    deliveries: dict[str, ReplyDelivery]
    """Public reply id to what the server found when it mailed it."""
    unsent: frozenset[str]
    """Public replies still in this device's outbox, not yet on the server."""
    relations: Relations
    """The tickets merged into this one and their history, where it was merged, its links."""
    contact: Contact | None = None
    """The person at the customer the ticket is for, when it names one."""
    asset: Asset | None = None
    """The vessel, rig, site or SIM batch it is about, when it names one."""

    def delivery_of(self, reply_id: str) -> tuple[str, str]:
        """Where a public reply stands, and the mail server's reason when it failed:
        "device" (saved here, not synced), "server" (synced, not sent yet), "sent", "failed"."""
        delivery = self.deliveries.get(reply_id)
        if delivery is not None:
            return delivery.state, delivery.reason
        return ("device" if reply_id in self.unsent else "server"), ""


@dataclass(frozen=True)
class FailedReply:
    """A reply the server could not mail, as the lead's view lists it."""

    ticket_id: str
    number: str
    reason: str
    retry_at: datetime | None
    """When the server tries again; None when it gave up (a refusal, a bounce, the last retry)."""


class Tickets:
    """Reading one ticket whole, and every change an agent makes to tickets."""

    def failed_replies(self, limit: int = 20) -> list[FailedReply]:
        """The replies whose last send failed, newest first, on the tickets this device holds."""
        with self.read() as session:
            rows = session.exec(
                select(ReplyDelivery, Ticket.number)
                .join(Ticket, col(Ticket.id) == ReplyDelivery.ticket_id)
                .where(ReplyDelivery.state == "failed")
                .order_by(col(ReplyDelivery.updated_at).desc())
                .limit(limit)
            ).all()
            return [FailedReply(row.ticket_id, number, row.reason, row.retry_at) for row, number in rows]

    def ticket_detail(self, ticket_id: str) -> TicketDetail:
        with self.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            interactions = tuple(
                session.exec(
                    select(Interaction)
                    .where(Interaction.ticket_id == ticket_id)
                    .order_by(Interaction.created_at, Interaction.hlc)
                )
            )
            events = tuple(
                session.exec(
                    select(TicketEvent)
                    .where(TicketEvent.ticket_id == ticket_id)
                    .order_by(TicketEvent.at, TicketEvent.hlc)
                )
            )
            relations = self._relations(session, ticket)
            reassigned = [json.loads(e.detail or "{}") for e in events if e.kind == "reassigned"]
            author_ids = (
                {i.author_id for i in (*interactions, *relations.interactions) if i.author_id}
                | {e.author_id for e in (*events, *relations.events) if e.author_id}
                | {agent for detail in reassigned for agent in (detail.get("from"), detail.get("to")) if agent}
                | ({ticket.assignee_id} if ticket.assignee_id else set())
            )
            authors = {
                agent.id: agent.name
                for agent in session.exec(select(Agent).where(col(Agent.id).in_(author_ids)))
            }
            replies = [i.id for i in interactions if i.kind == "public_reply"]
            deliveries = {
                row.id: row for row in session.exec(select(ReplyDelivery).where(col(ReplyDelivery.id).in_(replies)))
            }
            unsent = frozenset(session.exec(select(OutboxOp.entity_id).where(
                OutboxOp.entity == "interaction", col(OutboxOp.entity_id).in_(replies), col(OutboxOp.acked_at).is_(None)
            )))
            return TicketDetail(
                ticket=ticket,
                customer=session.get(Customer, ticket.customer_id),
                assignee=session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None,
                interactions=interactions,
                events=events,
                authors=authors,
                deliveries=deliveries,
                unsent=unsent,
                relations=relations,
                contact=session.get(Contact, ticket.contact_id) if ticket.contact_id else None,
                asset=session.get(Asset, ticket.asset_id) if ticket.asset_id else None,
            )

    def ticket_numbered(self, number: str) -> Ticket | None:
        with self.read() as session:
            return session.exec(select(Ticket).where(Ticket.number == number)).first()

    def ticket_titles(self, ticket_ids: Collection[str]) -> dict[str, tuple[str, str]]:
        """Ticket id to its (number, subject), for the tickets this device holds (what the
        refused changes were for)."""
        with self._plain_reads() as db:
            found = db.execute("SELECT id, number, subject FROM ticket WHERE id IN (SELECT value FROM json_each(?))",
                               (json.dumps(sorted(ticket_ids)),))
            return {ticket_id: (number, subject) for ticket_id, number, subject in found}

    def create_ticket(
        self,
        *,
        customer_id: str | None = None,
        new_customer: Customer | None = None,
        contact_id: str | None = None,
        new_contact: Contact | None = None,
        asset_id: str | None = None,
        subject: str,
        first_message: str,
        category: str = "other",
        priority: str = "normal",
        channel: str = "phone",
        assignee_id: str | None = None,
        team: str = "",
        at: datetime | None = None,
        clears_draft: str | None = None,
    ) -> Ticket:
        """A new ticket with the customer's first message and its `created` event.

        Either names an existing customer or brings a `new_customer` to create in the same
        transaction, so a failed ticket leaves no orphan customer behind; likewise it names
        the customer's contact or brings a `new_contact` (of that customer), and may name one
        of its assets. The draft named by `clears_draft` (the form it was typed in) goes in the
        same transaction.
        """
        subject = subject.strip()
        if not subject:
            raise StoreError("a ticket needs a subject")
        if priority not in PRIORITIES:
            raise StoreError(f"unknown priority {priority!r} for a new ticket; expected one of {', '.join(PRIORITIES)}")
        at = at or utcnow()
        with self.write() as session:
            if new_customer is not None:
                if not new_customer.name.strip():
                    raise StoreError("a customer needs a name")
                self._insert(session, new_customer)
                customer_id = new_customer.id
            elif customer_id is None or session.get(Customer, customer_id) is None:
                raise NotFound(f"no customer with id {customer_id}")
            if new_contact is not None:
                new_contact.customer_id = customer_id
                self._insert(session, new_contact)
                contact_id = new_contact.id
            for model, row_id in ((Contact, contact_id), (Asset, asset_id)):
                row = session.get(model, row_id) if row_id is not None else None
                if row_id is not None and (row is None or row.customer_id != customer_id):
                    raise NotFound(f"no {model.__tablename__} with id {row_id} at customer {customer_id}")
            sequence = int(self._meta(session, "next_ticket_seq") or "1")
            self._set_meta(session, "next_ticket_seq", str(sequence + 1))
            ticket = Ticket(
                number=f"{self.ticket_prefix}-{sequence:04d}",
                customer_id=customer_id,
                contact_id=contact_id,
                asset_id=asset_id,
                assignee_id=assignee_id,
                team=team,
                subject=subject,
                category=category,
                priority=priority,
                channel=channel,
                created_at=at,
                updated_at=at,
            )
            self._insert(session, ticket)
            self._insert(session, TicketEvent(ticket_id=ticket.id, kind="created", at=at))
            if first_message.strip():
                self._insert(
                    session,
                    Interaction(ticket_id=ticket.id, kind="customer_message", body=first_message.strip(),
                                created_at=at, channel=channel),
                )
            if clears_draft is not None:
                self._discard_draft(session, clears_draft)
        return ticket

    def add_interaction(
        self,
        ticket_id: str,
        kind: str,
        body: str,
        *,
        author_id: str | None,
        events_for: InteractionEvents,
        satisfaction: int | None = None,
        nps: int | None = None,
        survey: Mapping[str, int] | None = None,
        at: datetime | None = None,
        channel: str | None = None,
        clears_draft: str | None = None,
        tags: Sequence[str] = (),
        tag_row: TagId | None = None,
    ) -> Interaction:
        """Append a message, reply, note, call log or callback, with the events `events_for`
        says it implies and the status it moves the ticket to.

        A callback may carry the customer's satisfaction (1-5, the survey's overall part), how
        likely they are to recommend us (`nps`, 0-10) and the survey's other answers by
        question key (`survey`, checked by the caller against the sync schema). Without a `channel` it travels by the
        one `vocabulary.message_channel` gives (calls by phone, replies as the ticket came). The draft named by `clears_draft` (the
        text this was typed as) goes in the same transaction, so a crash never leaves both, and so do
        the `tags` the text names, with `tag_row` giving their row ids (`TicketTags`)."""
        if kind not in INTERACTION_KINDS:
            raise StoreError(f"unknown interaction kind {kind!r}; expected one of {', '.join(INTERACTION_KINDS)}")
        if satisfaction is not None and (kind != "callback" or satisfaction not in SATISFACTION_SCORES):
            raise StoreError("a satisfaction score from 1 to 5 goes with a callback")
        if nps is not None and (kind != "callback" or nps not in NPS_SCORES):
            raise StoreError("a recommendation score (NPS) goes with a callback and runs from 0 to 10")
        if survey and kind != "callback":
            raise StoreError("survey answers go with a callback")
        if kind != "callback" and not body.strip():
            raise StoreError("an empty message cannot be sent")
        at = at or utcnow()
        with self.write() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            interaction = Interaction(
                ticket_id=ticket_id,
                kind=kind,
                author_id=author_id,
                body=body.strip(),
                satisfaction=satisfaction,
                nps=nps,
                survey=json.dumps(dict(survey or {}), separators=(",", ":")),
                created_at=at,
                channel=channel or message_channel(kind, ticket.channel),
            )
            self._insert(session, interaction)
            responded = (
                session.exec(
                    select(TicketEvent.id).where(
                        TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "first_response"
                    )
                ).first()
                is not None
            )
            kinds, status = events_for(ticket.status, responded)
            changes: dict = {"updated_at": at}
            if status != ticket.status:
                changes["status"] = status
            for event_kind in kinds:
                self._insert(session, TicketEvent(ticket_id=ticket_id, kind=event_kind, at=at, author_id=author_id))
            self._update(session, ticket, changes)
            if tags and tag_row is not None:
                self._switch_tags(session, ticket_id, tags, True, row_id=tag_row, author_id=author_id, at=at)
            if clears_draft is not None:
                self._discard_draft(session, clears_draft)
        return interaction

    def change_status(
        self,
        ticket_id: str,
        status: str,
        *,
        author_id: str | None,
        events_for: StatusEvents,
        event_time: EventTime,
        at: datetime | None = None,
    ) -> Ticket:
        """Move a ticket to `status`, recording the events (`events_for`, stamped by
        `event_time`) that pause, resume or stop clocks, and a "status_changed" event from
        the old status to the new one for the trail."""
        return self.change_statuses([ticket_id], status, author_id=author_id, events_for=events_for,
                                    event_time=event_time, at=at)[0]

    def change_statuses(self, ticket_ids: Sequence[str], status: str, *, author_id: str | None,
                        events_for: StatusEvents, event_time: EventTime, at: datetime | None = None) -> list[Ticket]:
        """`change_status` for every ticket, in one transaction: all or none.

        Raises:
            NotFound: a ticket does not exist; nothing was changed.
        """
        at = at or utcnow()
        tickets = []
        with self.write() as session:
            for ticket_id in ticket_ids:
                ticket = session.get(Ticket, ticket_id)
                if ticket is None:
                    raise NotFound(f"no ticket with id {ticket_id}")
                tickets.append(ticket)
                self._move_status(session, ticket, status, events_for(ticket.status, status), event_time=event_time,
                                  author_id=author_id, at=at)
        return tickets

    def _move_status(self, session, ticket: Ticket, status: str, kinds: tuple[str, ...], *, event_time: EventTime,
                     author_id: str | None, at: datetime, details: dict[str, str] | None = None,
                     changes: dict | None = None) -> None:
        """Inside a write: record `kinds` (stamped by `event_time`; `details` by kind) and a
        "status_changed" event, and move the ticket to `status` with any other `changes`."""
        if not kinds and status == ticket.status and not changes:
            return
        for event_kind in kinds:
            self._insert(session, TicketEvent(ticket_id=ticket.id, kind=event_kind, at=event_time(event_kind, at),
                                              author_id=author_id, detail=(details or {}).get(event_kind, "{}")))
        if status != ticket.status:
            self._insert(session, TicketEvent(ticket_id=ticket.id, kind="status_changed", at=at, author_id=author_id,
                                              detail=_detail(**{"from": ticket.status, "to": status})))
        self._update(session, ticket, {"status": status, "updated_at": at, **(changes or {})})

    def change_priority(self, ticket_id: str, priority: str, *, author_id: str | None,
                        at: datetime | None = None) -> Ticket:
        """Give a ticket another priority (its clocks follow that priority's targets), and
        record from which to which for the trail.

        Raises:
            StoreError: an unknown priority or ticket; nothing was changed.
        """
        return self.change_priorities([ticket_id], priority, author_id=author_id, at=at)[0]

    def change_priorities(self, ticket_ids: Sequence[str], priority: str, *, author_id: str | None,
                          at: datetime | None = None) -> list[Ticket]:
        """`change_priority` for every ticket, in one transaction: all or none.

        Raises:
            StoreError: an unknown priority or ticket; nothing was changed.
        """
        if priority not in PRIORITIES:
            raise StoreError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}")
        at = at or utcnow()
        tickets = []
        with self.write() as session:
            for ticket_id in ticket_ids:
                ticket = session.get(Ticket, ticket_id)
                if ticket is None:
                    raise NotFound(f"no ticket with id {ticket_id}")
                tickets.append(ticket)
                if ticket.priority == priority:
                    continue
                before = ticket.priority
                self._update(session, ticket, {"priority": priority, "updated_at": at})
                self._insert(session, TicketEvent(ticket_id=ticket_id, kind="priority_changed", at=at,
                                                  author_id=author_id,
                                                  detail=_detail(**{"from": before, "to": priority})))
        return tickets

    def escalate(self, ticket_id: str, team: str, reason: str, *, author_id: str | None,
                 at: datetime | None = None) -> None:
        """Hand a complex issue to an expert `team`, saying why; starts a new clock for their answer.

        Raises:
            StoreError: the team or the reason is empty, or the ticket does not exist.
        """
        team, reason = team.strip(), reason.strip()
        if not team or not reason:
            raise StoreError("an escalation needs the expert team and a reason")
        at = at or utcnow()
        with self.write() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            self._insert(session, TicketEvent(ticket_id=ticket_id, kind="escalated", at=at, author_id=author_id,
                                              detail=_detail(team=team, reason=reason)))
            self._update(session, ticket, {"updated_at": at})

    def answer_escalation(self, ticket_id: str, body: str, *, author_id: str, expert_team: ExpertTeam,
                          at: datetime | None = None, clears_draft: str | None = None) -> Interaction:
        """The expert team's answer: an internal note and the "expert_answered" event that
        stops the escalation's clock, if `expert_team` (the workflow's rule) lets the author answer.
        The draft named by `clears_draft` goes in the same transaction.

        Raises:
            StoreError: an empty answer, or no such ticket or agent; WorkflowError from
                `expert_team`. Nothing is written.
        """
        if not body.strip():
            raise StoreError("an empty message cannot be sent")
        at = at or utcnow()
        with self.write() as session:
            ticket = session.get(Ticket, ticket_id)
            agent = session.get(Agent, author_id)
            if ticket is None or agent is None:
                raise NotFound(f"no ticket with id {ticket_id}" if ticket is None else f"no agent with id {author_id}")
            events = session.exec(select(TicketEvent.kind, TicketEvent.detail).where(TicketEvent.ticket_id == ticket_id)
                                  .order_by(TicketEvent.at, TicketEvent.hlc))
            team = expert_team([(kind, json.loads(detail or "{}")) for kind, detail in events], agent.team)
            note = Interaction(ticket_id=ticket_id, kind="internal_note", author_id=author_id, body=body.strip(),
                               created_at=at)
            self._insert(session, note)
            self._insert(session, TicketEvent(ticket_id=ticket_id, kind="expert_answered", at=at, author_id=author_id,
                                              detail=_detail(team=team)))
            self._update(session, ticket, {"updated_at": at})
            if clears_draft is not None:
                self._discard_draft(session, clears_draft)
        return note

    def add_reminder(self, ticket_id: str, due_at: datetime, note: str, *, agent_id: str | None,
                     at: datetime | None = None) -> Reminder:
        """A personal follow-up ("call back Tuesday 10:00") that shows in the queue when due."""
        reminder = Reminder(ticket_id=ticket_id, agent_id=agent_id, due_at=due_at, note=note.strip())
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            self._insert(session, reminder)
            self._insert(session, TicketEvent(ticket_id=ticket_id, kind="reminder_set", at=at or utcnow(),
                                              author_id=agent_id, detail=_detail(due=to_text(due_at), note=reminder.note)))
        return reminder

    def finish_reminder(self, reminder_id: str, *, author_id: str | None, at: datetime | None = None) -> Reminder:
        """Mark a reminder done: it leaves the queue and the reminders list, and the trail says so."""
        with self.write() as session:
            reminder = self._reminder(session, reminder_id)
            self._update(session, reminder, {"done": True})
            self._insert(session, TicketEvent(ticket_id=reminder.ticket_id, kind="reminder_done", at=at or utcnow(),
                                              author_id=author_id, detail=_detail(note=reminder.note)))
        return reminder

    def snooze_reminder(self, reminder_id: str, due_at: datetime, *, author_id: str | None,
                        at: datetime | None = None) -> Reminder:
        """Move an open reminder to `due_at`; the trail records the new time."""
        with self.write() as session:
            reminder = self._reminder(session, reminder_id)
            self._update(session, reminder, {"due_at": due_at})
            self._insert(session, TicketEvent(ticket_id=reminder.ticket_id, kind="reminder_set", at=at or utcnow(),
                                              author_id=author_id, detail=_detail(due=to_text(due_at), note=reminder.note)))
        return reminder

    def open_reminders(self, agent_id: str | None) -> list[tuple[Reminder, str, str]]:
        """The open reminders of `agent_id` (everyone's when None), soonest first, each with
        its ticket's number and subject."""
        with self.read() as session:
            query = (select(Reminder, Ticket.number, Ticket.subject).join(Ticket, Ticket.id == Reminder.ticket_id)
                     .where(Reminder.done == False).order_by(Reminder.due_at))  # noqa: E712 (SQL, not Python)
            if agent_id is not None:
                query = query.where(Reminder.agent_id == agent_id)
            return [(reminder, number, subject) for reminder, number, subject in session.exec(query)]

    def _reminder(self, session, reminder_id: str) -> Reminder:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None:
            raise NotFound(f"no reminder with id {reminder_id}")
        if reminder.done:
            raise StoreError(f"the reminder “{reminder.note}” is already done")
        return reminder

    def assign_many(self, ticket_ids: Sequence[str], agent_id: str | None, *, author_id: str | None = None,
                    at: datetime | None = None) -> list[Ticket]:
        """Give every ticket to `agent_id` (None: unassign) in one transaction: all move or none.
        Each ticket that changes hands records who moved it (`author_id`), from whom and to whom.

        Raises:
            NotFound: a ticket or the agent does not exist; nothing moved.
        """
        at = at or utcnow()
        moved = []
        with self.write() as session:
            if agent_id is not None and session.get(Agent, agent_id) is None:
                raise NotFound(f"no agent with id {agent_id}")
            for ticket_id in ticket_ids:
                ticket = session.get(Ticket, ticket_id)
                if ticket is None:
                    raise NotFound(f"no ticket with id {ticket_id}")
                before = ticket.assignee_id
                self._update(session, ticket, {"assignee_id": agent_id, "updated_at": at})
                if before != agent_id:  # after the move, so a server sees the ticket in the new holder's hands
                    self._insert(session, TicketEvent(ticket_id=ticket_id, kind="reassigned", at=at, author_id=author_id,
                                                      detail=_detail(**{"from": before, "to": agent_id})))
                moved.append(ticket)
        return moved
