"""A desk with years of history: 20,000 generated tickets, driven through the pilot.

The queue must list, order and filter exactly as the straightforward way does (every
ticket loaded with its events, every clock computed, all sorted by `queue_order`), while
computing clocks only for the tickets whose place moves with time; and the ticket opened
from the end of a long list must be the one shown there.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from cs_console.app import ConsoleApp
from cs_console.clocks.follow_up import queue_order
from cs_console.clocks.sla import follow_up_clocks
from cs_console.config import Config, from_mapping
from cs_console.demo.history import generate
from cs_console.screens import queue as queue_screen
from cs_console.screens.customer import CustomerScreen
from cs_console.screens.queue import ACTIVE_STATUSES, QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage import migrations
from cs_console.storage.models import Customer
from cs_console.store import Store
from cs_console.usecases import queue_list
from cs_console.usecases.queue_list import QueueFilter, QueueList, settled_at
from cs_console.usecases.ticket_changes import add_interaction, change_status
from cs_console.vocabulary import PRIORITIES, STATUSES, TRAIL_EVENT_KINDS
from cs_console.widgets.virtual_table import VirtualTable
from tests.conftest import NOW
from tests.test_tui_first_loop import screen_text, settle

TICKETS = 20_000
CONFIG = Config()
SIZE = (110, 30)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """The generated store's path, what was generated, and the expected order of everyone's tickets."""
    path = tmp_path_factory.mktemp("desk") / "desk.db"
    store = Store.open(path)
    generated = generate(store, TICKETS, now=NOW, seed=20)
    config = Config()
    rows = store.ticket_facts()  # every ticket with all its events, whatever the queue's index says
    reminders = {row.id: row for row in store.live_tickets(None, NOW) if row.reminder is not None}
    keys = {
        row.id: queue_order(row.priority, follow_up_clocks(row.events, row.priority, config.policy, config.calendar, NOW),
                            row.created_at, row.id in reminders and queue_list.reminder_due(reminders[row.id], NOW))
        for row in rows
    }
    expected = sorted(rows, key=lambda row: keys[row.id])
    store.close()
    return path, generated, expected


async def loaded(pilot) -> None:
    """Settle until the queue on screen holds every page (the load runs in a worker that
    starts only once the screen is up)."""
    for _ in range(100):
        await settle(pilot)
        screen = pilot.app.screen
        if not isinstance(screen, QueueScreen) or (screen.queue is not None and screen.queue.complete):
            return
    raise AssertionError("the queue never finished loading")


@pytest.fixture
def desk_app(desk):
    path, _, _ = desk
    store = Store.open(path)
    yield ConsoleApp(store, Config(), clock=lambda: NOW)
    store.close()


async def test_everyone_s_queue_scrolls_to_the_end_and_opens_the_last_ticket(desk, desk_app):
    _, _, expected = desk
    app = desk_app
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        await pilot.press("a", "s")  # everyone's tickets, every status
        await loaded(pilot)
        assert screen.queue.complete and len(screen.rows) == TICKETS
        assert [row.id for row in screen.rows] == [row.id for row in expected]

        await pilot.press("end")
        await pilot.pause()
        table = screen.query_one(VirtualTable)
        last = expected[-1]
        assert table.cursor_row == TICKETS - 1 and table.cursor_key == last.id
        shown = [table.render_line(y).text for y in range(1, len(table.visible_range()) + 1)]
        assert shown[-1].startswith(f">{last.number}"), "the last line on screen is the last ticket"

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == last.id
        assert last.subject in screen_text(app)


async def filtered(pilot) -> None:
    """Settle until the queue's filter has tested every row (a slice per frame)."""
    for _ in range(200):
        await pilot.pause()
        if pilot.app.screen.queue.filtered:
            return
    raise AssertionError("the filter never finished")


@pytest.mark.parametrize("rows_per_frame", [queue_screen.FILTER_SLICE, 1_500], ids=["one slice", "many slices"])
async def test_typing_a_filter_narrows_to_the_same_tickets_and_opens_the_right_one(desk, desk_app, monkeypatch,
                                                                                   rows_per_frame):
    _, _, expected = desk
    app = desk_app
    monkeypatch.setattr(queue_screen, "FILTER_SLICE", rows_per_frame)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("a", "s")
        await loaded(pilot)
        screen = app.screen
        await pilot.press("slash")
        for typed in ("o", "oc", "ocean", "ocean p"):
            await pilot.press(*typed[len(screen.search_text):])  # keys typed together may beat the last slice
            await filtered(pilot)
            words = typed.split()
            matching = [row.id for row in expected
                        if all(any(word in field.casefold() for field in (row.number, row.subject, row.customer_name,
                                                                          " ".join(f"#{tag}" for tag in row.tags)))
                               for word in words)]
            assert [row.id for row in screen.rows] == matching, typed
        assert 0 < len(screen.rows) < TICKETS

        await pilot.press("tab", "end")  # to the list (Enter would open the highlighted match), then the last
        await pilot.pause()
        target = screen.rows[len(screen.rows) - 1]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == target.id
        assert target.subject in screen_text(app)


async def test_the_agent_s_own_active_queue_is_ordered_as_before(desk, desk_app):
    _, generated, expected = desk
    app = desk_app
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        mine = [row.id for row in expected if row.assignee_id == generated.agent_id and row.status in ACTIVE_STATUSES]
        assert [row.id for row in app.screen.rows] == mine
        await pilot.press("s", "p")  # every status, urgent only
        await pilot.pause()
        assert [row.id for row in app.screen.rows] == [
            row.id for row in expected if row.assignee_id == generated.agent_id and row.priority == "urgent"]


async def test_a_tick_computes_clocks_for_the_rows_on_screen_and_the_agent_s_own_only(desk, desk_app, monkeypatch):
    app = desk_app
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("a", "s")
        await loaded(pilot)
        screen = app.screen
        computed = []
        real = follow_up_clocks
        monkeypatch.setattr("cs_console.screens.queue.follow_up_clocks",
                            lambda *args: computed.append(args) or real(*args))
        app.tick()
        own = screen.queue.own(app.agent.id)
        assert 0 < len(computed) <= len(own) + len(screen.table.visible_range())
        assert len(screen.queue.live) < TICKETS // 10, "the live part is the working set, not the desk"


async def test_a_long_customer_history_lists_every_interaction_and_opens_the_oldest(desk, desk_app):
    _, generated, _ = desk
    app = desk_app
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await app.push_screen(CustomerScreen(generated.busiest_customer_id))
        await settle(pilot)
        history = app.screen.query_one("#customer-history", VirtualTable)
        with app.store.read() as session:
            count = session.connection().exec_driver_sql(
                "SELECT count(*) FROM interaction i JOIN ticket t ON t.id = i.ticket_id WHERE t.customer_id = ?",
                (generated.busiest_customer_id,)).scalar()
            oldest = session.connection().exec_driver_sql(
                "SELECT t.id FROM interaction i JOIN ticket t ON t.id = i.ticket_id WHERE t.customer_id = ? "
                "ORDER BY i.created_at, i.id LIMIT 1", (generated.busiest_customer_id,)).scalar()
            trail = session.connection().exec_driver_sql(
                "SELECT count(*) FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id WHERE t.customer_id = ? "
                "AND e.kind IN (SELECT value FROM json_each(?))",
                (generated.busiest_customer_id, json.dumps(TRAIL_EVENT_KINDS))).scalar()
        assert count > 2_000 and history.row_count == count + trail, "every message and every step of the trail"
        assert app.screen.query_one("#customer-tickets", VirtualTable).row_count == len(
            {entry.ticket_id for entry in app.screen.entries})
        history.focus()
        await pilot.press("end")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == oldest


def test_a_new_event_puts_a_settled_ticket_back_among_the_live_ones(tmp_path):
    store = Store.open(tmp_path / "store.db")
    agent = store.create_agent("Lin Wei")
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Callback made",
                                 first_message="Please call back", assignee_id=agent.id, at=NOW - timedelta(days=9))
    add_interaction(store, ticket.id, "public_reply", "On it", author_id=agent.id, at=NOW - timedelta(days=9))
    change_status(store, ticket.id, "solution_proposed", author_id=agent.id, at=NOW - timedelta(days=8))
    add_interaction(store, ticket.id, "callback", "Fixed", author_id=agent.id, satisfaction=5, at=NOW - timedelta(days=8))
    change_status(store, ticket.id, "closed", author_id=agent.id, at=NOW - timedelta(days=8))

    assert [row.id for row in store.live_tickets(agent.id, NOW)] == [ticket.id], "not checked yet: live"
    [(ticket_id, priority, events)] = store.unchecked_tickets(10)
    assert ticket_id == ticket.id and [kind for kind, _ in events][-3:] == ["callback", "closed", "status_changed"]
    store.save_settled({ticket.id: (settled_at(priority, events, CONFIG.policy, CONFIG.calendar), len(events))})
    assert store.unchecked_tickets(10) == [] and store.live_tickets(agent.id, NOW) == ()
    assert [key.id for key in store.settled_page(agent.id, NOW, None, 10)] == [ticket.id]

    change_status(store, ticket.id, "open", author_id=agent.id, at=NOW)  # reopened
    assert [row.id for row in store.live_tickets(agent.id, NOW)] == [ticket.id]
    assert store.settled_page(agent.id, NOW, None, 10) == []
    store.save_settled(  # worked out before the reopening
        {ticket.id: (settled_at(priority, events, CONFIG.policy, CONFIG.calendar), len(events))})
    assert [ticket_id for ticket_id, _, _ in store.unchecked_tickets(10)] == [ticket.id], "a stale answer is refused"
    store.close()


def test_a_ticket_closed_without_a_callback_settles_at_its_closure_due(tmp_path):
    store = Store.open(tmp_path / "store.db")
    agent = store.create_agent("Lin Wei")
    closed = NOW - timedelta(days=2)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="No callback",
                                 first_message="Please help", assignee_id=agent.id, at=closed - timedelta(days=1))
    change_status(store, ticket.id, "closed", author_id=agent.id, at=closed)
    store.check_clocks_again_unless(CONFIG.clock_settings)
    [(_, priority, events)] = store.unchecked_tickets(10)
    due = follow_up_clocks(events, priority, CONFIG.policy, CONFIG.calendar, NOW).closure.due
    assert due == closed + timedelta(days=6), "7 days from its creation"
    assert settled_at(priority, events, CONFIG.policy, CONFIG.calendar) == due
    store.save_settled({ticket.id: (due, len(events))})
    assert [row.id for row in store.live_tickets(agent.id, NOW)] == [ticket.id], "the callback can still be on time"
    later = due + timedelta(minutes=1)
    assert store.live_tickets(agent.id, later) == ()
    assert [row.id for row in store.settled_page(agent.id, later, None, 10)] == [ticket.id]

    store.check_clocks_again_unless(CONFIG.clock_settings)
    assert store.unchecked_tickets(10) == [], "checked under these settings already"
    shorter = from_mapping({"sla": {"normal": {"closure": "4d"}}})
    store.check_clocks_again_unless(shorter.clock_settings)
    assert [ticket_id for ticket_id, _, _ in store.unchecked_tickets(10)] == [ticket.id], "other settings: checked again"
    assert settled_at(priority, events, shorter.policy, shorter.calendar) == closed + timedelta(days=3)
    store.close()


def test_a_filter_tested_a_slice_at_a_time_finds_what_a_whole_pass_finds(desk):
    path, _, _ = desk
    store = Store.open(path)
    queue = QueueList(store.live_tickets(None, NOW), CONFIG.policy, CONFIG.calendar, NOW)
    after = None
    while page := store.settled_page(None, NOW, after, 5_000):
        queue.add_settled(page, last=False)
        after = page[-1]
    with pytest.raises(ValueError):
        queue.set_filter(QueueFilter(text="ocean"), budget=100)  # still loading: whole only
    queue.add_settled([], last=True)
    store.close()

    for text in ("o", "oc", "ocean", "ocean p", "hist-01"):
        queue.set_filter(QueueFilter(text=text))
        whole = list(queue.positions)
        queue.set_filter(QueueFilter(text=""))
        queue.set_filter(QueueFilter(text=text), budget=700)
        first = list(queue.positions)
        while not queue.filtered:
            queue.filter_more(700)
        assert queue.positions == whole, text
        assert whole[:len(first)] == first, "the first slice's matches head the result"

    wholes = {}
    for text in ("o", "oc", "oce", "ocean", "sea", "hist-01"):
        queue.set_filter(QueueFilter(text=text))
        wholes[text] = list(queue.positions)
    queue.set_filter(QueueFilter(text=""))
    for text in ("o", "oc", "oce", "ocean", "sea", "hist-01"):  # typed on before each filter is through
        queue.set_filter(QueueFilter(text=text), budget=700)
        assert not queue.filtered
        queue.filter_more(700)
        shown = list(queue.positions)
        assert wholes[text][:len(shown)] == shown, text
    while not queue.filtered:
        queue.filter_more(700)
    assert queue.positions == wholes["hist-01"]
    queue.set_filter(QueueFilter(text="oc"), budget=700)
    queue.set_filter(QueueFilter(text="ocean"), budget=700)
    while not queue.filtered:
        queue.filter_more(700)
    assert queue.positions == wholes["ocean"], "narrowed from a filter that was not through"


def test_settled_pages_follow_one_another_without_gaps(tmp_path):
    store = Store.open(tmp_path / "store.db")
    generate(store, 600, now=NOW, seed=3)
    everything = store.settled_page(None, NOW, None, 10_000)
    paged, after = [], None
    while page := store.settled_page(None, NOW, after, 7):
        paged += page
        after = page[-1]
    assert paged == everything and len(everything) > 400
    assert [(PRIORITIES.index(k.priority), k.created_at) for k in everything] == sorted(
        (PRIORITIES.index(k.priority), k.created_at) for k in everything)
    assert {k.status for k in everything} <= set(STATUSES)
    store.close()


def test_upgrading_fills_the_queue_index_from_the_history_already_there(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=2)
    old.execute("INSERT INTO customer VALUES ('c1', 'Hai Xing Shipping', '', '', '', '', 'zh', '[]', '', '', "
                "'2026-11-01 00:00:00.000000', '2026-11-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO ticket VALUES ('t1', 'OLD-0001', 'c1', NULL, '', 'Ballast record', 'other', 'normal', "
                "'phone', 'open', '2026-11-24 08:00:00.000000', '2026-11-24 08:00:00.000000', '{}')")
    for n, (kind, at) in enumerate((("created", "08:00"), ("closed", "09:00"), ("reopened", "09:00"), ("callback", "08:30"))):
        old.execute("INSERT INTO ticket_event VALUES (?, 't1', ?, ?, NULL, '')", (f"e{n}", kind, f"2026-11-24 {at}:00.000000"))
    old.execute("INSERT INTO interaction VALUES ('i1', 't1', 'customer_message', NULL, 'Please help', NULL, "
                "'2026-11-24 08:00:00.000000', '')")
    old.close()

    store = Store.open(path)
    [row] = store.live_tickets(None, NOW)
    assert (row.number, row.customer_name) == ("OLD-0001", "Hai Xing Shipping")
    assert [kind for kind, _ in row.events] == ["created", "callback", "closed", "reopened"], "time order, ties as stored"
    assert [entry.id for entry in store.customer_interactions_page("c1", None, 10)] == ["i1"]
    store.close()
