"""The demo data set: realistic organisations (with their contacts, vessels, rigs, sites and
SIM batches), tickets, knowledge base and templates.

The demo holds a linked pair (a detention and last year's appeal for the same vessel) and a
likely duplicate (the office forwarding a master's report already filed), to merge.

The files in assets/demo (agents, customers, tickets, a lead's reviews, the knowledge base,
templates) give times as minutes relative to now, so that a freshly loaded
demo shows every clock state; ticket_tags.json names the tags some tickets carry. Ids are derived from the files' keys, so loading twice adds
nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlmodel import SQLModel

from cs_console.demo.quality import quality_rows
from cs_console.paths import asset
from cs_console.storage.models import (
    Agent,
    Asset,
    Contact,
    Customer,
    Interaction,
    KbArticle,
    Macro,
    Review,
    Template,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketTag,
    link_id,
)
from cs_console.store import Store
from cs_console.tags import normal_tag, tag_id
from cs_console.vocabulary import FIRST_RESPONSE_KINDS, message_channel

DEMO_NAMESPACE = uuid.UUID("5d1f3c8e-2f4b-4a8e-9a61-3c0f2b7e9d10")
"""Fixed, so the same key gives the same id on every device."""
DEMO_AGENT_KEY = "lin.wei"
"""The agent a demo session works as."""
MAIN_CONTACT = "main"
"""The contact a demo ticket names unless it names another (`contact` in tickets.json)."""


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
            started_on=_days_ago(now, agent.get("started_days_ago")),
            left_on=_days_ago(now, agent.get("left_days_ago")),
        )
    for customer in _json("customers.json"):
        customer_id = demo_id("customer", customer["key"])
        created = at(-60 * 24 * 400)
        yield Customer(
            id=customer_id,
            name=customer["name"],
            kind=customer["kind"],
            language=customer["language"],
            preferences=customer["preferences"],
            notes=customer["notes"],
            created_at=created,
            updated_at=created,
        )
        for contact in customer["contacts"]:
            yield Contact(id=demo_id("contact", f"{customer['key']}:{contact['key']}"), customer_id=customer_id,
                          name=contact["name"], role=contact["role"], phones=_dumps(contact["phones"]),
                          emails=_dumps(contact["emails"]), language=contact["language"], channel=contact["channel"],
                          created_at=created, updated_at=created)
        for owned in customer["assets"]:
            yield Asset(id=demo_id("asset", f"{customer['key']}:{owned['key']}"), customer_id=customer_id,
                        kind=owned["kind"], name=owned["name"], imo=owned["imo"], flag=owned["flag"],
                        vessel_type=owned["vessel_type"], notes=owned["notes"], created_at=created, updated_at=created)
    tags = json.loads(asset("demo/ticket_tags.json").read_text(encoding="utf-8"))
    tickets = _json("tickets.json")
    for number, ticket in enumerate(tickets, start=1):
        yield from _ticket_rows(ticket, number, at)
        ticket_id = demo_id("ticket", ticket["key"])
        for tag in map(normal_tag, tags.get(ticket["key"], ())):
            yield TicketTag(id=tag_id(ticket_id, tag), ticket_id=ticket_id, tag=tag, updated_at=at(ticket["created_min"]))
    for review in _json("reviews.json"):
        yield Review(
            id=demo_id("review", review["key"]),
            ticket_id=demo_id("ticket", review["ticket"]),
            agent_id=demo_id("agent", review["agent"]),
            reviewer_id=demo_id("agent", review["reviewer"]),
            scores=_dumps(review["scores"]),
            comment=review["comment"],
            reviewed_at=at(review["min"]),
        )
    numbers = {ticket["key"]: _number(n) for n, ticket in enumerate(tickets, start=1)}
    for ticket in tickets:
        yield from _link_rows(ticket, numbers, at)
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
    for macro in _jsonl("macros.jsonl"):
        yield Macro(id=demo_id("macro", macro["key"]), title=macro["title"], steps=_dumps(macro["steps"]),
                    tags=_dumps(macro["tags"]), lang=macro["lang"])
    yield from quality_rows(_json("tickets.json"), _json("complaints.json"), _json("kb_proposals.json"), at, demo_id)


def _days_ago(now: datetime, days: int | None) -> str | None:
    """The day `days` before `now`, as an agent's start or leaving day is stored."""
    return None if days is None else (now - timedelta(days=days)).date().isoformat()


def _survey_answers(key: str, interaction: dict) -> dict:
    """A demo callback's survey beside its overall score: the other parts near that score,
    an effort score, and an NPS when the customer was asked (four callbacks in five); the
    same on every load, derived from the interaction's key."""
    overall = interaction.get("satisfaction")
    if interaction["kind"] != "callback" or overall is None:
        return {}
    digest = hashlib.sha256(key.encode()).digest()

    def near(byte: int, top: int) -> int:
        return min(top, max(1, overall + byte % 3 - 1))

    parts = {part: near(digest[n], 5) for n, part in enumerate(("speed", "accuracy", "attitude", "resolution"))}
    parts["ces"] = min(7, overall + digest[4] % 3)
    nps = None if digest[5] % 5 == 0 else min(10, 2 * overall - digest[6] % 3)
    return {"survey": json.dumps(parts, separators=(",", ":")), "nps": nps}


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
        number=_number(number),
        customer_id=demo_id("customer", ticket["customer"]),
        contact_id=demo_id("contact", f"{ticket['customer']}:{ticket.get('contact', MAIN_CONTACT)}"),
        asset_id=demo_id("asset", f"{ticket['customer']}:{ticket['asset']}") if ticket.get("asset") else None,
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
            **_survey_answers(f"{ticket['key']}:{index}", interaction),
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


def _number(position: int) -> str:
    return f"DEMO-{position:04d}"


def _link_rows(ticket: dict, numbers: dict[str, str], at) -> Iterator[SQLModel]:
    """The ticket's links to others ("links": [{"kind", "to"}]), after every ticket exists,
    each with the "linked" event both ends' trails show."""
    for link in ticket.get("links", []):
        one, other = demo_id("ticket", ticket["key"]), demo_id("ticket", link["to"])
        first, second = sorted((one, other)) if link["kind"] == "related" else (one, other)
        row = TicketLink(id=link_id(link["kind"], first, second), ticket_id=first, other_id=second,
                         kind=link["kind"], created_at=at(ticket["created_min"]))
        yield row
        for this, that in ((ticket["key"], link["to"]), (link["to"], ticket["key"])):
            role = "related" if link["kind"] == "related" else ("child" if this == ticket["key"] else "parent")
            yield TicketEvent(id=demo_id("event", f"{this}:link:{that}"), ticket_id=demo_id("ticket", this),
                              kind="linked", at=at(ticket["created_min"]),
                              author_id=demo_id("agent", ticket["assignee"]), detail=_dumps({"ticket": demo_id("ticket", that), "number": numbers[that], "role": role}))


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
