"""The outbox: every change not on the server yet, grouped by ticket with its state, bytes and
age (palette, ctrl+o or a rebound key, named on the status line); refused changes are part
of it, with their reason; an item is sent again, edited in its ticket's composer and sent
anew, or discarded after a `y`; the status line says how much waits and how fast the link is."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console
from sqlalchemy import func, update
from sqlmodel import select
from textual.widgets import OptionList, Static, TextArea

from cs_console.app import ConsoleApp
from cs_console.config import DEFAULT_KEYS, Config, from_mapping
from cs_console.screens.confirm import ConfirmScreen
from cs_console.screens.outbox import OutboxScreen, notice
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Customer, OutboxOp
from cs_console.sync.cycle import SyncReport
from cs_console.sync.link_speed import remember
from cs_console.sync.schedule import SyncState, size_text
from cs_console.text.strings import Strings
from cs_console.usecases.outbox import outbox_items, refused_changes
from cs_console.usecases.ticket_changes import add_interaction, change_status
from tests.conftest import NOW

SIZE = (80, 24)
NOTE = "Asked the master for the ballast record; he will send the log from the bridge tonight."
REPLY = "The surveyor boards at Ningbo on Tuesday; please have the ballast log ready."


def refused_note(store) -> tuple[str, str]:
    """A ticket, a note on it and a status change, both refused as sync sets them aside;
    returns the ticket's number and the reason given for the note."""
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Ballast log",
                                 first_message="help", team="Maritime Desk", at=NOW - timedelta(hours=3))
    add_interaction(store, ticket.id, "internal_note", NOTE, author_id=agent.id, at=NOW - timedelta(hours=2))
    change_status(store, ticket.id, "waiting_on_customer", author_id=agent.id, at=NOW - timedelta(hours=1))
    operations = store.pending_operations()
    note = next(op for op in operations if op.entity == "interaction" and "ballast record" in op.payload)
    status = [op for op in operations if op.entity == "ticket" and op.action == "update"][-1]
    reason = f"ticket {ticket.number} is not yours, nor in your team's pool"
    # what cs_console.sync.cycle does with the problems of a refused batch
    store.set_aside_operations({note.op_id: reason, status.op_id: f"ticket {ticket.number}: reassigned"})
    return ticket.number, reason


def everything_sent(store) -> None:
    """As if a sync had taken every waiting change."""
    with store.write() as session:
        session.exec(update(OutboxOp).values(acked_at=NOW))


def two_tickets_with_waiting_work(store):
    """Two tickets already on the server; a note waits on the older, then a refused reply and a
    waiting note on the newer. Returns (agent, older, newer, the reason)."""
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    older = store.create_ticket(new_customer=Customer(name="Bohai Drilling"), subject="Mud pump",
                                first_message="vibration", at=NOW - timedelta(days=1))
    newer = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Ballast log",
                                first_message="help", at=NOW - timedelta(days=1))
    everything_sent(store)
    made(store, lambda at: add_interaction(store, older.id, "internal_note", "Pump reading 41 bar",
                                           author_id=agent.id, at=at), NOW - timedelta(hours=5))
    made(store, lambda at: add_interaction(store, newer.id, "public_reply", REPLY, author_id=agent.id, at=at),
         NOW - timedelta(hours=3))
    reply = next(op for op in store.pending_operations() if REPLY[:20] in op.payload)
    reason = f"ticket {newer.number} was closed by Wang Fang"
    store.set_aside_operations({reply.op_id: reason})
    made(store, lambda at: add_interaction(store, newer.id, "internal_note", "Called the bridge, no answer",
                                           author_id=agent.id, at=at), NOW - timedelta(minutes=20))
    return agent, older, newer, reason


def made(store, change, at) -> None:
    """Make a change at `at` by the test's clock, its outbox operations stamped then too."""
    with store.read() as session:
        before = session.exec(select(func.max(OutboxOp.seq))).one() or 0
    change(at)
    with store.write() as session:
        session.exec(update(OutboxOp).where(OutboxOp.seq > before).values(created_at=at))


def option_texts(app) -> list[str]:
    options = app.screen.query_one("#outbox-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def pane_text(app, selector: str) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def highlight(app, text: str) -> None:
    options = app.screen.query_one("#outbox-list", OptionList)
    options.highlighted = next(i for i, prompt in enumerate(option_texts(app)) if text in prompt)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot, condition, what: str, seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.05)):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError(f"never happened: {what}")


async def open_outbox(pilot) -> None:
    await settle(pilot)
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(pilot.app.screen, OutboxScreen)


def test_refused_operations_read_as_what_which_ticket_and_why(store):
    number, reason = refused_note(store)
    status, note = refused_changes(store)  # newest first
    assert (note.kind, note.number, note.title, note.reason) == ("internal_note", number, "Ballast log", reason)
    assert note.text == NOTE and note.preview.startswith("Asked the master") and note.preview.endswith("…")
    assert (status.kind, status.number, status.state) == ("ticket", number, "refused")
    assert "status: waiting_on_customer" in status.text.splitlines()
    assert [c.op_id for c in refused_changes(store, newest=1)] == [status.op_id]
    assert refused_changes(store, newest=0) == []


def test_the_sync_notice_says_what_why_and_which_key_lists_it(store):
    number, reason = refused_note(store)
    changes = refused_changes(store)
    one = notice(changes[1:], Strings("en"), "ctrl+o")
    assert one.startswith(f"The server refused a change (Internal note, {number} Ballast log): {reason}.")
    assert "ctrl+o (or ctrl+p, Outbox) shows it." in one
    assert notice(changes, Strings("en"), "f8").startswith("The server refused 2 changes")
    assert "按 f8" in notice(changes, Strings("zh"), "f8")


def test_a_config_that_still_names_the_refused_list_moves_the_outbox_key():
    assert from_mapping({"keys": {"refused": "f8"}}).key("outbox") == "f8"


def test_the_status_line_says_what_waits_its_bytes_the_key_and_the_link_speed():
    state = SyncState(configured=True, online=True, pending=3, waiting_bytes=1460, speed=600.0,
                      last_synced_at=NOW - timedelta(minutes=3))
    assert state.describe(NOW, Strings("en"), "ctrl+o") == \
        "● online · 3 waiting, 1.5 KB [ctrl+o] · 4.8 kbit/s, synced 3 min ago"
    assert "3 项待同步，1.5 KB [ctrl+o]" in state.describe(NOW, Strings("zh"), "ctrl+o")


def test_the_link_speed_pools_cycles_by_the_bytes_they_moved(store):
    remember(store, 200, 1.0)  # a small cycle, mostly latency
    speed = remember(store, 12_000, 10.0)
    assert 1000 < speed.bytes_per_second < 1200, "the big transfer weighs more than the small one"


async def test_the_outbox_groups_by_ticket_newest_first_with_state_bytes_and_age(store):
    _, older, newer, reason = two_tickets_with_waiting_work(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        status = str(app.screen.query_one("SyncStatusBar", Static).render())
        waiting, waiting_bytes = store.pending_size()
        assert f"{waiting} waiting, {size_text(waiting_bytes)} [ctrl+o]" in status, \
            "the count, the bytes (refused aside), the key"
        items = outbox_items(store)
        assert f"Outbox · 7 not on the server · {size_text(sum(item.size for item in items))} · 1 refused" in \
            pane_text(app, "#outbox-title")
        note = next(item for item in items if "Called the bridge" in item.text)
        texts = option_texts(app)
        assert [i for i, text in enumerate(texts) if "Ballast log" in text or "Mud pump" in text] == [0, 6]
        assert f"{newer.number} Ballast log" in texts[0] and f"{older.number} Mud pump" in texts[6], \
            "the ticket with the newest change first"
        assert texts[2].startswith(f"… waiting · Internal note · {size_text(note.size)} · 20m") and "Called the bridge" in texts[2]
        assert texts[5].startswith("✖ refused · Reply · ") and "· 3h" in texts[5] and reason in texts[5]
        assert texts[8].startswith("… waiting · Internal note ·") and "· 5h" in texts[8]

        app.sync_started_at = NOW  # a sync carries what was made before it started
        app.screen.reload()
        await settle(pilot)
        texts = option_texts(app)
        assert texts[2].startswith("↑ sending") and texts[8].startswith("↑ sending")
        assert texts[5].startswith("✖ refused")
        highlight(app, "Called the bridge")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen), "a change going up now is not discarded"
        assert "going up now" in [n.message for n in app._notifications][-1]


async def test_discarding_asks_first_and_the_message_leaves_the_device(store):
    _, _, newer, _ = two_tickets_with_waiting_work(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        highlight(app, "Called the bridge")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "never reach the server" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert len(option_texts(app)) == 9, "n keeps it"

        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await until(pilot, lambda: len(option_texts(app)) == 8, "the list without it")
        assert not any("Called the bridge" in text for text in option_texts(app))
        assert not any("Called the bridge" in op.payload for op in store.pending_operations())
        bodies = [i.body for i in store.ticket_detail(newer.id).interactions]
        assert "Called the bridge, no answer" not in bodies, "gone from the ticket on this device too"
        assert not any("Called the bridge" in item.text for item in outbox_items(store))


async def test_a_refused_change_is_sent_again_as_the_newest(store):
    _, _, _, reason = two_tickets_with_waiting_work(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        highlight(app, reason)
        await pilot.press("r")
        await until(pilot, lambda: not any("refused" in text for text in option_texts(app)), "no longer refused")
        reply = next(text for text in option_texts(app) if "Reply" in text)
        assert reply.startswith("… waiting") and reason not in reply
        waiting = store.pending_operations()
        assert REPLY in waiting[-1].payload, "it goes after every change made before the retry"
        assert store.refused_operations() == []


async def test_a_refused_reply_is_edited_in_its_ticket_and_sent_anew(store):
    _, _, newer, reason = two_tickets_with_waiting_work(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        highlight(app, reason)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen), "its ticket opens")
        composer = app.screen.query_one("#composer", TextArea)
        await until(pilot, lambda: composer.text == REPLY, "the refused text is in the composer")
        assert "Reply" in str(app.screen.query_one("#composer-label", Static).render())
        await pilot.press("end", *" Reopened as agreed.", "ctrl+s")
        await until(pilot, lambda: any(f"{REPLY} Reopened as agreed." in op.payload
                                       for op in store.pending_operations()), "the edited reply waits to go up")
        assert store.refused_operations() == [], "the refused one is not kept beside the new one"
        bodies = [i.body for i in store.ticket_detail(newer.id).interactions]
        assert REPLY not in bodies and f"{REPLY} Reopened as agreed." in bodies
        await pilot.press("ctrl+o")
        await settle(pilot)
        texts = option_texts(app)
        assert not any(reason in text for text in texts)
        assert any(text.startswith("… waiting · Reply") for text in texts)


async def test_a_rebindable_key_opens_it_from_any_screen_and_an_empty_outbox_says_so(store):
    agent = store.create_agent("Lin Wei")
    store.set_current_agent(agent.id)
    store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Ballast log", first_message="help")
    everything_sent(store)
    app = ConsoleApp(store, Config(keys={**DEFAULT_KEYS, "outbox": "f8"}), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen), "rebound: ctrl+o no longer opens it"
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen)
        assert option_texts(app) == []
        assert "Nothing waits" in pane_text(app, "#outbox-text")


async def test_the_palette_opens_it_and_a_sync_that_sets_changes_aside_says_where(store):
    number, reason = refused_note(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Outbox")
        await until(pilot, lambda: any("Outbox" in str(option.prompt) for option in app.screen.query(OptionList)
                                       .first().options), "the palette offers the outbox")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen)
        listed = len(option_texts(app))
        assert sum(text.startswith("✖ refused") for text in option_texts(app)) == 2
        await pilot.press("enter")
        await settle(pilot)
        whole = " ".join(pane_text(app, "#outbox-text").split())
        assert "The server's reason:" in whole
        # the app's side of a cycle that set one more change aside
        ticket = store.ticket_numbered(number)
        add_interaction(store, ticket.id, "public_reply", "We have the log now.", author_id=None, at=NOW)
        reply = next(op for op in store.pending_operations() if "We have the log now." in op.payload)
        store.set_aside_operations({reply.op_id: "the ticket was closed"})
        app._synced(SyncReport(refused=1), store.current_agent(), refused_changes(store, newest=1))
        await settle(pilot)
        [message] = [n.message for n in app._notifications]
        assert message.startswith(f"The server refused a change (Reply, {number} Ballast log): the ticket was closed.")
        assert "ctrl+o" in message
        assert len(option_texts(app)) > listed, "the open outbox reads the store again"
        assert sum(text.startswith("✖ refused") for text in option_texts(app)) == 3


async def test_a_change_settled_by_a_later_one_shows_both_values_until_its_notice_is_cleared(store):
    from cs_console.sync.apply import store_sync_page

    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Ballast log",
                                 first_message="help", team="Maritime Desk", at=NOW - timedelta(hours=3))
    store.change_priority(ticket.id, "high", author_id=agent.id, at=NOW - timedelta(hours=1))
    change = store.pending_operations()[-2]  # the priority (the last is its trail event)
    assert change.entity == "ticket" and "priority" in change.payload
    # what cs_console.sync.cycle stores from a server that took it but kept a later "urgent"
    store_sync_page(store, acked_through=store.pending_operations()[-1].seq, rows={}, cursor=1, library_cursor=0,
                    server_ms=0, settled=[(change.op_id, "priority", "high", "urgent")])
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(pilot)
        title = str(app.screen.query_one("#outbox-title", Static).render())
        assert "0 not on the server" in title and "1 settled by a later change" in title
        entry = next(text for text in option_texts(app) if "settled" in text)
        assert "priority: yours high, a later change's urgent stays" in entry and "Ticket change" in entry
        highlight(app, "settled")
        await pilot.press("d")  # a notice only: no question
        await until(pilot, lambda: not any("settled" in text for text in option_texts(app)), "the notice gone")
        assert "Notice cleared" in " ".join(n.message for n in app._notifications)
    assert store.settled_operations() == []
