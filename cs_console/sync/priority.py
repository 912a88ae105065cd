"""The order waiting changes go up in: urgent work first, without breaking what the server needs.

On a link that drops every few minutes, the first round trip may be the only one: it must
carry the reply a customer waits for, not a morning of routine edits. Each waiting
operation has a rank:

- `URGENT`: anything on an urgent ticket, a reply to a customer on any ticket, and agent
  rows (a message names its author);
- `ROUTINE`: other changes to tickets, their messages and steps, reminders and customers;
- `LIBRARY`: knowledge-base articles and standard phrases.

The server applies one device's operations in order and refuses a row whose parent it
lacks, so an operation lends its rank to what must precede it: the earlier operations of
its ticket (the ticket's creation among them; a ticket and its messages, steps and
reminders are one family) and the earlier operations of the customer it names. Within a
rank, the order made stays. Pure: it reads outbox rows and answers op ids.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import NamedTuple

from cs_console.sync.schema import TICKET_CHILDREN

URGENT, ROUTINE, LIBRARY = 0, 1, 2
LIBRARY_ENTITIES = frozenset({"kb_article", "template", "macro"})
URGENT_KINDS = frozenset({"public_reply"})
"""Messages that go up first wherever they are: what the customer waits to read."""


class Waiting(NamedTuple):
    """What ordering needs of one waiting operation (an outbox row has these fields)."""

    seq: int
    op_id: str
    entity: str
    entity_id: str
    action: str
    payload: str


def family_of(op: Waiting, payload: dict, tickets_of_children: dict[str, str]) -> str:
    """The ticket an operation belongs to, else its own row: the unit whose order holds."""
    if op.entity == "ticket":
        return op.entity_id
    if op.entity in TICKET_CHILDREN:
        return payload.get("ticket_id") or tickets_of_children.get(op.entity_id) or op.entity_id
    return f"{op.entity}:{op.entity_id}"


def base_rank(op: Waiting, payload: dict, family: str, urgent_tickets: Collection[str]) -> int:
    if op.entity in LIBRARY_ENTITIES:
        return LIBRARY
    if op.entity == "agent" or family in urgent_tickets:
        return URGENT
    if op.entity == "ticket" and payload.get("priority") == "urgent":
        return URGENT
    if op.entity == "interaction" and payload.get("kind") in URGENT_KINDS:
        return URGENT
    return ROUTINE


def send_order(waiting: Sequence[Waiting], urgent_tickets: Collection[str]) -> list[str]:
    """The op ids of `waiting` (oldest first) in the order they are to go up."""
    ops = sorted(waiting, key=lambda op: op.seq)
    payloads = [json.loads(op.payload) for op in ops]
    tickets_of_children = {op.entity_id: p["ticket_id"] for op, p in zip(ops, payloads)
                           if op.entity in TICKET_CHILDREN and p.get("ticket_id")}
    families = [family_of(op, p, tickets_of_children) for op, p in zip(ops, payloads)]
    rank = [base_rank(op, p, f, urgent_tickets) for op, p, f in zip(ops, payloads, families)]
    lowest: dict[str, int] = {}
    for index in reversed(range(len(ops))):  # each operation lends its rank to the earlier ones of its family
        rank[index] = lowest[families[index]] = min(rank[index], lowest.get(families[index], rank[index]))
    for index, (op, payload) in enumerate(zip(ops, payloads)):  # customers before the tickets that name them
        customer = payload.get("customer_id") if op.entity == "ticket" else None
        if customer:
            for earlier in range(index):
                if families[earlier] == f"customer:{customer}":
                    rank[earlier] = min(rank[earlier], rank[index])
    order = sorted(range(len(ops)), key=lambda index: (rank[index], ops[index].seq))
    return [ops[index].op_id for index in order]
