"""Reviews in the device's database: a store made before reviews existed upgrades without
loss, a review and its outbox operation are written in one transaction (or not at all), a
correction changes the same review, and a read-only store refuses both."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlmodel import select

from cs_console.demo.data_set import demo_id
from cs_console.storage import migrations
from cs_console.storage.errors import NotFound, ReadOnly
from cs_console.storage.models import OutboxOp, Review
from cs_console.store import Store
from tests.conftest import NOW

LIN, ZHAO = demo_id("agent", "lin.wei"), demo_id("agent", "zhao.min")
REVIEW_STEP = next(m.version for m in migrations.MIGRATIONS if "lead reviews" in m.description)


def test_a_store_from_before_reviews_upgrades_and_keeps_its_tickets(demo_store, tmp_path):
    path = tmp_path / "before.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=REVIEW_STEP - 1)
    old.execute("INSERT INTO meta VALUES ('device_id', '6f1c1d52-6a43-4f0e-8b1e-1f9e6c1b2a77')")
    old.execute("INSERT INTO agent VALUES ('a1', 'Lin', 'agent', 'deck', '[]', '[]', 'UTC', 1, '{}')")
    old.close()
    store = Store.open(path)
    try:
        assert [agent.name for agent in store.agents()] == ["Lin"]
        assert store.reviews_of("a1") == []
    finally:
        store.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
        assert check.execute("SELECT count(*) FROM review").fetchone()[0] == 0


def outbox(store: Store) -> list[OutboxOp]:
    with store.read() as session:
        return list(session.exec(select(OutboxOp).where(OutboxOp.entity == "review")))


def test_a_review_and_its_correction_go_to_the_outbox_with_them(demo_store):
    ticket = demo_id("ticket", "t007")
    review = demo_store.save_review(ticket_id=ticket, agent_id=LIN, reviewer_id=ZHAO, scores='{"empathy":3}',
                                    comment="ok", at=NOW)
    demo_store.save_review(ticket_id=ticket, agent_id=LIN, reviewer_id=ZHAO, scores='{"empathy":5}',
                           comment="better on a second look", at=NOW, review_id=review.id)
    ops = outbox(demo_store)
    assert [(op.action, op.entity_id) for op in ops] == [("insert", review.id), ("update", review.id)]
    assert json.loads(ops[1].payload)["comment"] == "better on a second look"
    stored = demo_store.review_of_ticket(ticket, LIN)
    assert (stored.id, stored.scores, stored.comment) == (review.id, '{"empathy":5}', "better on a second look")
    row = demo_store.reviews_of(LIN)[0]
    assert (row.number, row.reviewer) == ("DEMO-0007", "赵敏 Zhao Min")


def test_a_review_of_a_missing_ticket_or_in_a_read_only_store_writes_nothing(demo_store):
    before = len(demo_store.reviews_between(NOW.replace(year=2000), NOW.replace(year=2100)))
    with pytest.raises(NotFound, match="no ticket with id nope"):
        demo_store.save_review(ticket_id="nope", agent_id=LIN, reviewer_id=ZHAO, scores="{}", comment="", at=NOW)
    demo_store.readonly = True
    with pytest.raises(ReadOnly):
        demo_store.save_review(ticket_id=demo_id("ticket", "t007"), agent_id=LIN, reviewer_id=ZHAO,
                               scores='{"empathy":3}', comment="", at=NOW)
    with demo_store.read() as session:
        assert len(session.exec(select(Review)).all()) == before
    assert outbox(demo_store) == []


def test_a_waiting_review_reads_as_one_in_the_outbox(demo_store):
    from cs_console.screens.outbox import kind_label
    from cs_console.text.strings import Strings
    from cs_console.usecases.outbox import outbox_items

    demo_store.save_review(ticket_id=demo_id("ticket", "t007"), agent_id=LIN, reviewer_id=ZHAO,
                           scores='{"empathy":3}', comment="greet by name", at=NOW)
    item = next(item for item in outbox_items(demo_store) if item.kind == "review")
    assert kind_label(item, Strings("en")) == "Review of a conversation" and "greet by name" in item.text
    assert kind_label(item, Strings("zh")) == "对话质检"
