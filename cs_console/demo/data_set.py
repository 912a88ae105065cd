"""The demo data set: realistic customers, tickets, knowledge base and templates.

The files in assets/demo give times as minutes relative to now, so that a freshly loaded
demo shows every clock state; ticket_tags.json names the tags some tickets carry. Ids are derived from the files' keys, so loading twice adds
nothing the second time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlmodel import SQLModel

from cs_console.paths import asset
from cs_console.storage.models import Agent, Customer, Interaction, KbArticle, Template, Ticket, TicketEvent, TicketTag
from cs_console.store import Store
from cs_console.tags import normal_tag, tag_id
from cs_console.vocabulary import FIRST_RESPONSE_KINDS, message_channel

DEMO_NAMESPACE = uuid.UUID("5d1f3c8e-2f4b-4a8e-9a61-3c0f2b7e9d10")
"""Fixed, so the same key gives the same id on every device."""
DEMO_AGENT_KEY = "lin.wei"
"""The agent a demo session works as."""


def demo_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}"))


def _json(name: str) -> list[dict]:
    return json.loads(asset(f"demo/{name}").read_text(encoding="utf-8"))


def _jsonl(name: str) -> list[dict]:
    lines = asset(f"demo/{name}").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def demo_rows(now: datetime) -> Iterator[SQLModel]:
    """Every row of the demo, parents before children, with times placed around `now`."""
    def at(minutes: int) -> datetime:
        return now + timedelta(minutes=minutes)

    for agent in _json("agents.json"):
        yield Agent(
            id=demo_id("agent", agent["key"]),
            name=agent["name"],
            role=agent["role"],
            team=agent["team"],
            languages=_dumps(agent["languages"]),
            skills=_dumps(agent["skills"]),
            timezone=agent["timezone"],
        )
    for customer in _json("customers.json"):
        yield Customer(
            id=demo_id("customer", customer["key"]),
            name=customer["name"],
            kind=customer["kind"],
            contact_name=customer["contact_name"],
            phone=customer["phone"],
            email=customer["email"],
            language=customer["language"],
            sites=_dumps(customer["sites"]),
            preferences=customer["preferences"],
            notes=customer["notes"],
            created_at=at(-60 * 24 * 400),
            updated_at=at(-60 * 24 * 400),
        )
    tags = json.loads(asset("demo/ticket_tags.json").read_text(encoding="utf-8"))
    for number, ticket in enumerate(_json("tickets.json"), start=1):
        yield from _ticket_rows(ticket, number, at)
        ticket_id = demo_id("ticket", ticket["key"])
        for tag in map(normal_tag, tags.get(ticket["key"], ())):
            yield TicketTag(id=tag_id(ticket_id, tag), ticket_id=ticket_id, tag=tag, updated_at=at(ticket["created_min"]))
    for article in _jsonl("kb_articles.jsonl"):
        yield KbArticle(
            id=demo_id("kb", article["key"]),
            title=article["title"],
            body=article["body"],
            tags=_dumps(article["tags"]),
            lang=article["lang"],
            category=article.get("category", "other"),
            compliance_triggers=_dumps(article.get("compliance_triggers", [])),
        )
    for template in _jsonl("templates.jsonl"):
        yield Template(
            id=demo_id("template", template["key"]),
            title=template["title"],
            body=template["body"],
            tags=_dumps(template["tags"]),
            lang=template["lang"],
            uses=template.get("uses", 0),
        )


def _ticket_rows(ticket: dict, number: int, at) -> Iterator[SQLModel]:
    ticket_id = demo_id("ticket", ticket["key"])
    created = at(ticket["created_min"])
    interactions = ticket.get("interactions", [])
    events = [("created", ticket["created_min"], None)]
    first = next(
        (i for i in interactions if i["kind"] in FIRST_RESPONSE_KINDS and i.get("author")), None
    )
    if first:
        events.append(("first_response", first["min"], first["author"]))
    events += [("callback", i["min"], i.get("author")) for i in interactions if i["kind"] == "callback"]
    events += [(e["kind"], e["min"], ticket.get("assignee")) for e in ticket.get("events", [])]
    last_change = max([ticket["created_min"], *(i["min"] for i in interactions), *(e[1] for e in events)])
    yield Ticket(
        id=ticket_id,
        number=f"DEMO-{number:04d}",
        customer_id=demo_id("customer", ticket["customer"]),
        assignee_id=demo_id("agent", ticket["assignee"]) if ticket.get("assignee") else None,
        team=ticket.get("team", ""),
        subject=ticket["subject"],
        category=ticket["category"],
        priority=ticket["priority"],
        channel=ticket["channel"],
        status=ticket["status"],
        created_at=created,
        updated_at=at(last_change),
    )
    for index, interaction in enumerate(interactions):
        author = interaction.get("author")
        yield Interaction(
            id=demo_id("interaction", f"{ticket['key']}:{index}"),
            ticket_id=ticket_id,
            kind=interaction["kind"],
            author_id=demo_id("agent", author) if author else None,
            body=interaction["body"],
            satisfaction=interaction.get("satisfaction"),
            created_at=at(interaction["min"]),
            channel=message_channel(interaction["kind"], ticket["channel"]),
        )
    for index, (kind, minutes, author) in enumerate(events):
        yield TicketEvent(
            id=demo_id("event", f"{ticket['key']}:{index}"),
            ticket_id=ticket_id,
            kind=kind,
            at=at(minutes),
            author_id=demo_id("agent", author) if author else None,
        )


def load_demo(store: Store, now: datetime) -> int:
    """Load the demo into `store` (rows already there are kept); returns rows added.

    The rows go to no outbox and the database becomes a demo database, which never syncs
    (`Store.load_demo_rows`). The demo's agent becomes the current agent when none is set yet.

    Raises:
        StoreError: the database holds work of its own.
    """
    added = store.load_demo_rows(demo_rows(now))
    if store.current_agent() is None:
        store.set_current_agent(demo_id("agent", DEMO_AGENT_KEY))
    return added
