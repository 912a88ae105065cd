"""Searching everything on the device: tickets, every message and note, customers.

Through the use case the search screen calls, over a real SQLite store: what an agent types
finds the ticket or customer they mean, in Chinese or English, whatever wrote the row (this
device, a sync, a store from before the search existed)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from cs_console.demo.data_set import demo_id
from cs_console.search.query import QueryError
from cs_console.storage import migrations
from cs_console.storage.models import Customer, Interaction
from cs_console.store import Store
from cs_console.usecases.search_all import find_customers, search_everything
from cs_console.usecases.ticket_changes import add_interaction
from tests.conftest import NOW


def titles(store, text: str) -> list[str]:
    return [found.title for found in search_everything(store, text, now=NOW)]


def ids(store, text: str) -> list[str]:
    return [found.id for found in search_everything(store, text, now=NOW)]


def test_a_phrase_said_in_a_closed_tickets_message_finds_that_ticket(demo_store):
    found = search_everything(demo_store, "scrubber commissioning", now=NOW)
    assert (found[0].kind, found[0].id) == ("ticket", demo_id("ticket", "t001"))
    assert found[0].snippet[slice(*found[0].spans[0])].casefold() == "scrubber"


def test_chinese_of_two_characters_english_imo_and_contact(demo_store):
    assert any("台风" in f.snippet for f in search_everything(demo_store, "台风", now=NOW))
    assert titles(demo_store, "9413274")[0] == "海星国际船务（宁波）有限公司", "an IMO number in the customer's sites"
    assert "海星国际船务（宁波）有限公司" in titles(demo_store, "周建国")
    assert "海星国际船务（宁波）有限公司" in titles(demo_store, "hxgj"), "pinyin initials of the name"


def test_filters_narrow_tickets_and_a_bad_one_is_refused(demo_store):
    closed = search_everything(demo_store, "status:closed", now=NOW)
    assert closed and all(f.kind == "ticket" and f.detail.startswith("closed") for f in closed)
    still_open = search_everything(demo_store, "scrubber status:open", now=NOW)
    assert all(f.detail.startswith("open") for f in still_open)
    assert demo_id("ticket", "t001") not in [f.id for f in still_open], "t001 is closed"
    with pytest.raises(QueryError, match="unknown filter colour:"):
        search_everything(demo_store, "colour:red", now=NOW)


@pytest.mark.parametrize(("typed", "wanted"), [
    ("priority:urgent", "t.priority = 'urgent'"),
    ("channel:email", "t.channel = 'email'"),
    ("team:maritime", "t.team = 'Maritime Desk'"),
    ("agent:Lin", "a.name = '林伟 Lin Wei'"),
    ('customer:"Meridian Bulk"', "c.name = 'Meridian Bulk Carriers Pte Ltd'"),
    ("after:2026-11-20", "t.created_at >= '2026-11-21'"),
    ("before:2026-11-20", "t.created_at < '2026-11-20'"),
    ("is:overdue", "t.status NOT IN ('resolved', 'closed') AND t.created_at < '2026-11-17 10:00'"),
])
def test_each_filter_alone_takes_exactly_the_tickets_it_names(demo_store, typed, wanted):
    """Dates are whole days, the day itself left out; is:overdue is unfinished a week after it
    came in (NOW is 2026-11-24 10:00); names match a part, in any case."""
    with sqlite3.connect(demo_store.path) as db:
        expected = {row[0] for row in db.execute(
            "SELECT t.id FROM ticket t JOIN customer c ON c.id = t.customer_id "
            f"LEFT JOIN agent a ON a.id = t.assignee_id WHERE {wanted}")}
    assert expected, "the demo has such tickets"
    assert set(ids(demo_store, typed)) == expected  # the demo has fewer tickets than a page of results


def test_a_message_written_here_and_one_that_came_by_sync_are_found_at_once(demo_store):
    ticket_id = demo_id("ticket", "t001")
    add_interaction(demo_store, ticket_id, "internal_note", "Sounding pipe cracked #hullcrack", author_id=None, at=NOW)
    assert ids(demo_store, "sounding pipe cracked")[0] == ticket_id
    assert ids(demo_store, "#hullcrack")[0] == ticket_id
    demo_store.bulk_load(Interaction, [{"id": "synced-1", "ticket_id": ticket_id, "kind": "customer_message",
                                        "body": "救生艇释放钩再次故障", "created_at": NOW + timedelta(minutes=5)}])
    assert ids(demo_store, "释放钩再次")[0] == ticket_id


def test_short_words_give_what_a_plain_scan_gives(demo_store):
    """Words under three characters cannot be looked up in a trigram index: they narrow, or
    are scanned for; either way the tickets are the ones a LIKE scan finds."""
    with sqlite3.connect(demo_store.path) as db:
        expected = {row[0] for row in db.execute(
            "SELECT DISTINCT t.id FROM ticket t LEFT JOIN interaction i ON i.ticket_id = t.id "
            "WHERE (t.subject LIKE '%台风%' AND t.subject LIKE '%锚地%') OR (i.body LIKE '%台风%' AND i.body LIKE '%锚地%')")}
    assert expected
    found = {f.id for f in search_everything(demo_store, "台风 锚地", limit=500, now=NOW) if f.kind == "ticket"}
    assert found == expected


def test_words_of_one_or_two_characters_are_found_at_the_very_end_of_a_text(store):
    """A trigram index holds no trigram for the last two characters of a text unless the
    text is padded; `台风` ending a subject, `5g` ending a message, and `风` are found."""
    created = store.create_ticket(new_customer=Customer(name="Donghai Ocean Shipping"), subject="船舶遭遇台风",
                                  first_message="No signal on 5g", at=NOW)
    for word in ("台风", "风", "5g", "5G", "g"):
        assert created.id in ids(store, word), word
    assert not search_everything(store, "台x", now=NOW), "a short word that starts no trigram finds nothing"


def test_a_store_from_before_the_search_is_indexed_when_upgraded(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=11)
    old.execute("INSERT INTO customer VALUES ('c1', 'Meridian Bulk Carriers', 'shipping_line', 'Lars Eriksen', '', "
                "'ops@meridian.example', 'en', '[]', '', '', '2025-01-01 00:00:00.000000', "
                "'2025-01-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO ticket VALUES ('t1', 'OLD-0001', 'c1', NULL, '', 'Ballast pump', 'other', 'normal', "
                "'phone', 'closed', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO interaction (id, ticket_id, kind, body, created_at, hlc) VALUES ('i1', 't1', "
                "'customer_message', 'The ballast pipe burst overnight', '2025-01-01 00:00:00.000000', '')")
    old.close()
    store = Store.open(path)
    try:
        assert titles(store, "pipe burst") == ["OLD-0001 Ballast pump"]
        assert titles(store, "Lars")[0] == "Meridian Bulk Carriers"
    finally:
        store.close()


@pytest.mark.parametrize("typed", ["meridain", "Meridan Bulk", "rajesh.menon@meridianbulk.example", "MERIDIAN"])
def test_the_customer_picker_finds_a_name_with_a_slip_or_by_email(demo_store, typed):
    assert "Meridian Bulk Carriers Pte Ltd" in [hit.name for hit in find_customers(demo_store, typed)][:3]


def test_a_renamed_customer_is_found_by_the_new_name_only(demo_store):
    customer_id = demo_id("customer", "meridian-bulk")
    assert [hit.id for hit in find_customers(demo_store, "meridain")] == [customer_id]  # names now held
    with demo_store.write() as session:
        customer = session.get(Customer, customer_id)
        customer.name = "Meridian Dry Bulk"
        session.add(customer)
    assert [hit.name for hit in find_customers(demo_store, "Dry Bulk")] == ["Meridian Dry Bulk"]
    assert "Meridian Dry Bulk" in [hit.name for hit in find_customers(demo_store, "Dryy Bulk")], "typo, new name"
