"""Tags on tickets: their one written form, what a tagging writes, and stores that upgrade
with #hashtags in their notes."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from cs_console.storage import migrations
from cs_console.store import ReadOnly, Store, StoreError
from cs_console.tags import BadTag, normal_tag, tag_changes, tag_id
from cs_console.usecases.queue_list import QueueFilter
from cs_console.usecases.tagging import change_tags, tags_in_use
from cs_console.usecases.ticket_facts import ticket_facts
from tests.conftest import NOW, queue_rows
from tests.test_store import new_ticket, outbox

BEFORE_TAGS = next(m.version for m in migrations.MIGRATIONS if m.description.startswith("tags on tickets")) - 1


def test_a_tag_is_kept_in_one_form_whatever_was_typed():
    assert normal_tag("  #Typhoon ") == normal_tag("typhoon") == "typhoon"
    assert normal_tag("#台风") == "台风"
    assert tag_changes("typhoon, -#VIP 台风 typhoon") == (["typhoon", "台风"], ["vip"])
    for typed, says in (("#", "needs a word"), ("#4471", "number"), ("a/b", "one word"),
                        ("x -x", "both added and removed"), ("   ", "type a tag")):
        with pytest.raises(BadTag, match=says):
            tag_changes(typed)
    assert tag_id("t1", "typhoon") == tag_id("t1", normal_tag("#TYPHOON")) != tag_id("t2", "typhoon")


def test_tagging_writes_the_rows_the_trail_and_the_outbox_in_one_step(store):
    agent = store.create_agent("Lin Wei")
    ticket = new_ticket(store)
    before = len(outbox(store))
    tagged = change_tags(store, [ticket.id], "#Typhoon 台风", author_id=agent.id, at=NOW)
    assert (tagged.added, tagged.changed) == (("typhoon", "台风"), 2)
    assert store.ticket_tags(ticket.id) == ["typhoon", "台风"]
    ops = outbox(store)[before:]
    assert [(op.entity, op.action) for op in ops] == [("ticket_tag", "insert"), ("ticket_event", "append")] * 2
    assert ops[0].entity_id == tag_id(ticket.id, "typhoon")

    again = change_tags(store, [ticket.id], "typhoon -台风", author_id=agent.id, at=NOW + timedelta(minutes=1))
    assert again.changed == 1, "typhoon was there already"
    assert store.ticket_tags(ticket.id) == ["typhoon"]
    events = [(e.kind, json.loads(e.detail)) for e in store.ticket_detail(ticket.id).events if "tag" in e.kind]
    assert events == [("tagged", {"tag": "typhoon"}), ("tagged", {"tag": "台风"}), ("untagged", {"tag": "台风"})]
    assert tags_in_use(store) == ["typhoon"]


def test_a_failed_tagging_leaves_every_ticket_as_it_was(store):
    ticket = new_ticket(store)
    with pytest.raises(StoreError):
        change_tags(store, [ticket.id, "no-such-ticket"], "vip", author_id=None)
    assert store.ticket_tags(ticket.id) == []
    store.stop_writing("read-only session")
    with pytest.raises(ReadOnly):
        change_tags(store, [ticket.id], "vip", author_id=None)


def test_the_queue_filter_finds_tickets_by_tag(store):
    typhoon = new_ticket(store, subject="Berth delayed")
    other = new_ticket(store, subject="Typhoon season rates")
    change_tags(store, [typhoon.id], "typhoon", author_id=None)
    found = queue_rows(store, None, QueueFilter(text="#typhoon"))
    assert [row.id for row in found] == [typhoon.id], "the subject's word is no tag"
    assert {row.id for row in queue_rows(store, None, QueueFilter(text="typhoon"))} == {typhoon.id, other.id}
    change_tags(store, [typhoon.id], "-typhoon", author_id=None)
    assert queue_rows(store, None, QueueFilter(text="#typhoon")) == []


def test_an_upgraded_store_turns_its_notes_hashtags_into_tags_and_keeps_the_notes(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=BEFORE_TAGS)
    old.close()
    store = Store.open(path)
    ticket = new_ticket(store)
    with sqlite3.connect(path, isolation_level=None) as older:  # as a release before tags wrote them
        older.execute("DROP TABLE ticket_tag")  # and its triggers
        older.execute("ALTER TABLE queue_entry DROP COLUMN tags")
        for n, body in enumerate(("#Typhoon delay, #vip", "still #typhoon; berth #3", "台风 #台风 C#")):
            older.execute(
                "INSERT INTO interaction (id, ticket_id, kind, author_id, body, satisfaction, created_at, hlc, nps, "
                "channel) VALUES (?, ?, 'internal_note', NULL, ?, NULL, ?, ?, NULL, NULL)",
                (f"note{n}", ticket.id, body, f"2026-11-24 10:0{n}:00.000000", f"000001{n}:0000:aaaaaaaa"))
        older.execute(f"PRAGMA user_version = {BEFORE_TAGS}")
        pending = older.execute("SELECT count(*) FROM outbox").fetchone()[0]
    store.close()

    store = Store.open(path)
    assert store.ticket_tags(ticket.id) == ["typhoon", "vip", "台风"]
    assert [f.tags for f in ticket_facts(store)] == [("typhoon", "vip", "台风")]
    assert [row.id for row in queue_rows(store, None, QueueFilter(text="#vip"))] == [ticket.id]
    bodies = [i.body for i in store.ticket_detail(ticket.id).interactions if i.kind == "internal_note"]
    assert bodies == ["#Typhoon delay, #vip", "still #typhoon; berth #3", "台风 #台风 C#"], "notes keep their text"
    assert len(outbox(store)) == pending, "every device and the server make the same rows: nothing to send"
    with store.read() as session:
        from cs_console.storage.models import TicketTag

        typhoon = session.get(TicketTag, tag_id(ticket.id, "typhoon"))
    assert json.loads(typhoon.field_clocks)["active"] == "0000010:0000:aaaaaaaa", "stamped by the note that named it"
    store.close()


def test_search_finds_tickets_by_the_tags_they_carry_now(store):
    from cs_console.search.query import parse
    from cs_console.usecases.search_all import search_everything

    tagged = new_ticket(store, subject="Berth delayed")
    untagged = new_ticket(store, subject="Berth delayed again")
    change_tags(store, [tagged.id, untagged.id], "台风 vip", author_id=None)
    change_tags(store, [untagged.id], "-台风", author_id=None)
    assert [hit.id for hit in search_everything(store, "berth #台风", now=NOW)] == [tagged.id]
    assert {hit.id for hit in search_everything(store, "#VIP", now=NOW)} == {tagged.id, untagged.id}
    assert parse("#4471").words == ("#4471",), "an order number is a word to find, not a tag"


def test_reports_count_the_tags_tickets_carry_in_every_format(store):
    import io

    from rich.console import Console

    from cs_console.config import Config
    from cs_console.lead import reports
    from cs_console.lead.periods import period_containing
    from cs_console.lead.team import Scope
    from cs_console.screens.lead import kpi_renderable
    from cs_console.text.strings import Strings
    from cs_console.usecases.reports import service_report

    tickets = [new_ticket(store, subject=f"Berth {n}") for n in range(3)]
    change_tags(store, [t.id for t in tickets], "台风 vip", author_id=None, at=NOW)
    change_tags(store, [tickets[0].id], "-vip", author_id=None, at=NOW)
    period = period_containing("weekly", NOW.date(), "UTC")
    report = service_report(store, Config(), period, NOW + timedelta(days=1), Scope(None))
    assert [(line.name, line.count) for line in report.top_tags] == [("台风", 3), ("vip", 2)]
    as_json = json.loads(reports.render(report, "json", Strings("en")))
    assert [(t["name"], t["count"]) for t in as_json["voice_of_customer"]["top_tags"]] == [("台风", 3), ("vip", 2)]
    for form in ("md", "csv", "html"):
        written = reports.render(report, form, Strings("en"))
        assert "台风" in written and "vip" in written, form
    pane = Console(width=80, record=True, file=io.StringIO())
    pane.print(kpi_renderable(report, Strings("en")))
    assert "Top tags: #台风 3, #vip 2" in pane.export_text(), "the lead's KPI view"


def test_the_demo_tickets_carry_tags(demo_store):
    from cs_console.demo.data_set import demo_id

    assert demo_store.ticket_tags(demo_id("ticket", "t051")) == ["claim", "vip", "台风"]
    in_use = dict(demo_store.tags_in_use())
    assert in_use["台风"] == 4 and in_use["psc-detention"] == 3
    typhoon = {row.id for row in queue_rows(demo_store, None, QueueFilter(text="#台风"))}
    assert demo_id("ticket", "t059") in typhoon and len(typhoon) == 4
