"""A store with years of history, for benchmarks and trials at scale.

`python -m cs_console.demo.history --tickets 100000 --db PATH`, or
`cs-console demo --tickets 100000`, writes a desk that has worked for three years:

- tickets arrive faster as the desk grows (twice as many per day now as three years ago),
  mostly in working hours;
- customers follow a power law, so a long-standing shipping line has thousands of tickets
  and tens of thousands of interactions while most customers have a handful;
- priorities are 5 % urgent, 20 % high, 55 % normal, 20 % low;
- each ticket follows a realistic path (responded, perhaps waiting on the customer or
  escalated, solution, resolved, callback, closed; some reopened), one step after
  another at realistic intervals, so older tickets are finished and the last days' are
  in every state; a few old ones stay open for good (the callback was never made), as on
  any real desk;
- every step leaves the events the 1-3-7 clocks read and the interactions an agent wrote;
- about a third of the tickets carry a tag or two (`GENERATED_TAGS`), drawn from a random
  stream of their own so the rest of the store is the same with or without them.

Subjects, customers and bodies mix Chinese and English from the maritime, offshore,
telecom and tender vocabulary of `cs_console.demo.corpus`. The same seed and `now` give
the same store, ids included. Rows go in through `Store.bulk_load` (as a first sync
would bring them: no outbox), and the queue's settled-clock index is filled the way the
queue fills it, so a benchmark measures a desk in its steady state.
"""

from __future__ import annotations

import argparse
import random
import uuid
from bisect import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from cs_console.config import Config
from cs_console.demo.corpus import ISSUES, TOPICS
from cs_console.storage.models import (
    Agent,
    Contact,
    Customer,
    Interaction,
    Reminder,
    Ticket,
    TicketEvent,
    TicketTag,
)
from cs_console.storage.organisation_upgrade import contact_id_of
from cs_console.store import Store, StoreError
from cs_console.tags import tag_id
from cs_console.usecases.queue_list import settled_at
from cs_console.vocabulary import message_channel

YEARS = 3
"""How long the generated desk has been working."""
CHUNK = 5_000
"""Tickets written per transaction, so memory stays flat however many are asked for."""
TICKETS_PER_CUSTOMER = 20
TICKETS_PER_AGENT = 4_000
CUSTOMER_SKEW = 1.05
"""Zipf exponent of tickets per customer: the largest of 5,000 customers gets about 11 %."""
PRIORITY_WEIGHTS = {"urgent": 5, "high": 20, "normal": 55, "low": 20}
GENERATED_TAGS = ("台风", "vip", "refund", "psc-detention", "scrubber", "crew-change", "claim", "repeat-fault")
"""Tags a generated ticket may carry, in normal form."""
TAGGED_SHARE = 1 / 3
PATHS: dict[str, tuple[int, tuple[str, ...]]] = {
    "standard": (80, ("first_response", "solution_proposed", "resolved", "callback", "closed")),
    "waited": (10, ("first_response", "waiting_on_customer", "customer_replied", "solution_proposed",
                    "resolved", "callback", "closed")),
    "escalated": (4, ("first_response", "escalated", "solution_proposed", "resolved", "callback", "closed")),
    "reopened": (3, ("first_response", "solution_proposed", "resolved", "callback", "closed", "reopened",
                     "solution_proposed", "resolved", "callback", "closed")),
    "no_callback": (2, ("first_response", "solution_proposed", "resolved", "closed")),
    "abandoned": (1, ("first_response", "waiting_on_customer")),
}
"""Weight and steps of each path a ticket can take; the last two never finish."""
MEAN_GAP_HOURS = {"first_response": 0.6, "callback": 36.0, "closed": 0.5}
"""Mean hours from the step before; every other step takes 20 hours on average."""
OTHER_GAP_HOURS = 20.0
STATUS_AFTER = {
    "first_response": "open", "waiting_on_customer": "waiting_on_customer", "customer_replied": "open",
    "solution_proposed": "solution_proposed", "resolved": "resolved", "closed": "closed", "reopened": "open",
}
"""The status a ticket has after each step (escalation and callback leave it as it was)."""
WRITTEN = {
    "first_response": ("public_reply", "Thank you, we are checking {topic} and will update you shortly."),
    "waiting_on_customer": ("public_reply", "Could you send us the {topic} documents so we can continue?"),
    "customer_replied": ("customer_message", "Attached are the {topic} papers you asked for."),
    "escalated": ("internal_note", "Escalated to the expert team: {topic} needs a second opinion."),
    "solution_proposed": ("public_reply", "Proposed solution for the {topic} {issue}: please confirm it works."),
    "callback": ("callback", "Called back; the customer confirmed the {topic} {issue} is settled."),
    "reopened": ("customer_message", "The {topic} {issue} is back again, please reopen."),
}
"""What the agent (or customer) wrote at each step, if anything."""
VESSELS = (
    "MV Ocean Pioneer", "Southern Opal", "Tern Explorer", "Zeeland Trader", "Ridge Sentinel", "Nordlys",
    "Aegean Crest", "Baltic Lynx", "Coral Sea", "Hai Xing 7", "金海精神", "南洋快航", "永丰9", "北方琥珀",
    "海工拖12", "蓝波3", "Polar Subsea 2", "Statfjord B", "Troll A", "渤海钻井5号",
)
NAME_PARTS = (
    ("海星", "永丰", "蓝波", "金海", "南洋", "北方", "渤海", "深蓝", "恒泰", "江南", "华联", "讯达"),
    ("国际船务", "海运", "航运", "海洋工程", "钻探", "通信", "港口工程", "船舶服务", "疏浚"),
    ("Nordic", "Meridian", "Aegean", "Southern", "Baltic", "Coral", "Atlas", "Polar", "Straits", "Fjord"),
    ("Shipping", "Bulk Carriers", "Tankers", "Offshore", "Marine", "Subsea", "Telecom", "Port Systems"),
)
AGENT_NAMES = (
    "林伟 Lin Wei", "赵敏 Zhao Min", "Ingrid Haugen", "陈洁 Chen Jie", "王磊 Wang Lei", "Priya Nair",
    "刘洋 Liu Yang", "孙慧 Sun Hui", "Ole Berg", "周婷 Zhou Ting", "Maria Santos", "吴昊 Wu Hao",
)
NUMBER_PREFIX = "HIST-"
"""Generated ticket numbers: no device's prefix has four letters, so they never collide."""
OPEN_REMINDERS = 12
"""Personal reminders the current agent has open, a third of them due already."""


class AlreadyGenerated(StoreError):
    """The store holds a generated history already; a second one would repeat its ids."""


@dataclass(frozen=True)
class Generated:
    tickets: int
    customers: int
    agents: int
    agent_id: str
    """The agent the console opens as: one of the assignees."""
    busiest_customer_id: str
    """The customer with the longest history."""


def generate(store: Store, tickets: int, *, now: datetime, seed: int = 137, agent_id: str | None = None,
             config: Config | None = None) -> Generated:
    """Write `tickets` tickets of history into `store`, with their customers and agents,
    their clocks checked under `config`'s settings (the defaults when None).

    `agent_id`, when given, is an existing agent who takes a share of the tickets like the
    generated agents (the demo's agent); otherwise the first generated agent does, and
    becomes the current agent when none is set.

    Raises:
        AlreadyGenerated: the store holds a generated history already.
    """
    if store.ticket_numbered(f"{NUMBER_PREFIX}{1:06d}") is not None:
        raise AlreadyGenerated(f"{store.path} holds a generated history already; generate into a new database")
    rng = random.Random(seed)
    tag_rng = random.Random(seed + 1)
    config = config or Config()
    store.check_clocks_again_unless(config.clock_settings)

    def make_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    agents = [Agent(id=make_id(), name=_agent_name(n), team="Maritime Desk")
              for n in range(max(4, min(40, tickets // TICKETS_PER_AGENT)))]
    store.bulk_load(Agent, [agent.model_dump() for agent in agents])
    assignees = [agent.id for agent in agents] + ([agent_id] if agent_id else [])
    current = agent_id or agents[0].id

    customers = [make_id() for _ in range(max(10, tickets // TICKETS_PER_CUSTOMER))]
    people = [_customer(rng, customer_id, n, now) for n, customer_id in enumerate(customers)]
    store.bulk_load(Customer, [customer for customer, _ in people])
    store.bulk_load(Contact, [contact for _, contact in people])
    weights = list(accumulate(1 / (rank + 1) ** CUSTOMER_SKEW for rank in range(len(customers))))

    start = now - timedelta(days=365 * YEARS)
    created = sorted(_arrival(rng, start, now) for _ in range(tickets))
    reminders_for: list[str] = []
    for first in range(0, tickets, CHUNK):
        rows: dict[type, list[dict]] = {Ticket: [], TicketEvent: [], Interaction: [], TicketTag: []}
        settled: dict[str, tuple[datetime | None, int]] = {}
        for number in range(first, min(tickets, first + CHUNK)):
            customer = customers[bisect(weights, rng.random() * weights[-1])]
            ticket_id, events = _ticket(rng, make_id, rows, number, customer, rng.choice(assignees), created[number], now)
            rows[TicketTag] += _tags(tag_rng, ticket_id, created[number])
            priority = rows[Ticket][-1]["priority"]
            settled[ticket_id] = (settled_at(priority, events, config.policy, config.calendar), len(events))
            if settled[ticket_id][0] is None and rows[Ticket][-1]["assignee_id"] == current:
                reminders_for.append(ticket_id)
        for model, found in rows.items():
            store.bulk_load(model, found)
        store.save_settled(settled)
    store.bulk_load(Reminder, [
        {"id": make_id(), "ticket_id": ticket_id, "agent_id": current, "note": "Call the chief engineer back",
         "due_at": now + timedelta(hours=rng.uniform(-24, 48))}
        for ticket_id in rng.sample(reminders_for, min(OPEN_REMINDERS, len(reminders_for)))
    ])
    if store.current_agent() is None:
        store.set_current_agent(current)
    return Generated(tickets, len(customers), len(agents), current, customers[0])


def _tags(rng: random.Random, ticket_id: str, created: datetime) -> list[dict]:
    """The tag rows of one ticket: none for two tickets in three, else one or two tags."""
    if rng.random() >= TAGGED_SHARE:
        return []
    return [{"id": tag_id(ticket_id, tag), "ticket_id": ticket_id, "tag": tag, "updated_at": created}
            for tag in rng.sample(GENERATED_TAGS, rng.choice((1, 1, 2)))]


def _agent_name(n: int) -> str:
    """The n-th agent's name; past the list, names repeat with a number."""
    name = AGENT_NAMES[n % len(AGENT_NAMES)]
    return name if n < len(AGENT_NAMES) else f"{name} {n // len(AGENT_NAMES) + 1}"


def _arrival(rng: random.Random, start: datetime, now: datetime) -> datetime:
    """When a ticket came in: more as the desk grew, mostly in Shanghai working hours."""
    day = max(rng.random(), rng.random()) * ((now - start).days - 1)
    hour = rng.gauss(5.0, 2.5) % 24  # 13:00 in Shanghai, give or take
    return min(now, start + timedelta(days=int(day), hours=hour))


def _customer(rng: random.Random, customer_id: str, n: int, now: datetime) -> tuple[dict, dict]:
    """A customer and its contact (with the id an upgrade would give it, which its tickets name)."""
    chinese = n % 2 == 0
    parts = NAME_PARTS[:2] if chinese else NAME_PARTS[2:]
    name = f"{rng.choice(parts[0])}{'' if chinese else ' '}{rng.choice(parts[1])} {n + 1:04d}"
    since = now - timedelta(days=365 * YEARS + 30)
    language = "zh" if chinese else "en"
    contact = {"id": contact_id_of(customer_id), "customer_id": customer_id, "name": rng.choice(AGENT_NAMES[2::3]),
               "language": language, "created_at": since, "updated_at": since}
    return {"id": customer_id, "name": name, "kind": "shipowner", "language": language, "created_at": since,
            "updated_at": since}, contact


def _ticket(rng: random.Random, make_id, rows: dict, number: int, customer: str, assignee: str,
            created: datetime, now: datetime) -> tuple[str, list[tuple[str, datetime]]]:
    """One ticket's rows, appended to `rows`; returns its id and `(kind, at)` events."""
    ticket_id = make_id()
    domain = rng.choice(list(TOPICS))
    topic_zh, topic = rng.choice(TOPICS[domain])
    issue_zh, issue = rng.choice(ISSUES)
    vessel = rng.choice(VESSELS)
    chinese = rng.random() < 0.5
    subject = f"{vessel} {topic_zh}{issue_zh}" if chinese else f"{topic.capitalize()} {issue} – {vessel}"
    weights = [weight for weight, _ in PATHS.values()]
    _, steps = rng.choices(list(PATHS.values()), weights=weights)[0]
    events = [("created", created)]
    at = created
    status = "open"
    body = {"topic": topic, "issue": issue}
    own_interactions = len(rows[Interaction])
    rows[Interaction].append({"id": make_id(), "ticket_id": ticket_id, "kind": "customer_message",
                              "body": f"{subject}: please help, {topic} {issue} on board.", "created_at": created})
    for kind in steps:
        at += timedelta(hours=rng.expovariate(1 / MEAN_GAP_HOURS.get(kind, OTHER_GAP_HOURS)))
        if at > now:
            break
        events.append((kind, at))
        status = STATUS_AFTER.get(kind, status)
        if kind in WRITTEN:
            written, text = WRITTEN[kind]
            by_agent = written != "customer_message"
            rows[Interaction].append({
                "id": make_id(), "ticket_id": ticket_id, "kind": written, "body": text.format(**body),
                "author_id": assignee if by_agent else None, "created_at": at,
                "satisfaction": rng.choice((3, 4, 4, 5, 5)) if written == "callback" else None,
            })
    channel = rng.choice(("phone", "email", "im"))
    for interaction in rows[Interaction][own_interactions:]:
        interaction["channel"] = message_channel(interaction["kind"], channel)
    rows[Ticket].append({
        "id": ticket_id, "number": f"{NUMBER_PREFIX}{number + 1:06d}", "customer_id": customer, "contact_id": contact_id_of(customer),
        "assignee_id": assignee,
        "team": "Maritime Desk", "subject": subject, "category": domain, "channel": channel,
        "priority": rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0],
        "status": status, "created_at": created, "updated_at": events[-1][1],
    })
    rows[TicketEvent].extend({"id": make_id(), "ticket_id": ticket_id, "kind": kind, "at": moment,
                              "author_id": None if kind == "created" else assignee} for kind, moment in events)
    return ticket_id, events


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="how many tickets (default 100000)")
    parser.add_argument("--db", type=Path, required=True, help="the database file to write (created if missing)")
    parser.add_argument("--seed", type=int, default=137)
    args = parser.parse_args(argv)
    store = Store.open(args.db)
    try:
        found = generate(store, args.tickets, now=datetime.now(UTC), seed=args.seed)
    finally:
        store.close()
    print(f"Generated {found.tickets} tickets for {found.customers} customers and {found.agents} agents in {args.db}")


if __name__ == "__main__":
    main()
