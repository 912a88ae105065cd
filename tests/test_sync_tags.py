"""Tags converge: two devices and the server, with adds and removals made offline on each."""

from __future__ import annotations

from types import SimpleNamespace

from sqlmodel import select

from cs_console.storage.models import TicketTag
from cs_console.usecases.tagging import change_tags
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    server,
)


def tags_on(session, ticket_id: str) -> set[str]:
    return set(session.exec(select(TicketTag.tag).where(TicketTag.ticket_id == ticket_id, TicketTag.active)))


def test_tags_added_and_removed_offline_on_two_devices_converge(tmp_path, server, database):  # noqa: F811
    alice = device(tmp_path, server.url, database, "agent", name=None)
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = pool_ticket(lena)
    change_tags(lena.store, [ticket.id], "vip typhoon", author_id=lena.agent_id)
    lena.sync_until_done()
    alice.sync_until_done()
    assert alice.store.ticket_tags(ticket.id) == ["typhoon", "vip"]

    # offline: Lena removes #vip and adds #台风; Alice, later, adds #port-closure and #台风 too
    change_tags(lena.store, [ticket.id], "-vip 台风", author_id=lena.agent_id)
    change_tags(alice.store, [ticket.id], "port-closure 台风", author_id=alice.agent_id)
    # and a concurrent add and removal of one tag: Lena drops #typhoon, Alice adds it again afterwards
    change_tags(lena.store, [ticket.id], "-typhoon", author_id=lena.agent_id)
    change_tags(alice.store, [ticket.id], "-typhoon", author_id=alice.agent_id)
    change_tags(alice.store, [ticket.id], "typhoon", author_id=alice.agent_id)

    for member in (alice, lena, alice, lena):
        member.sync_until_done()

    expected = ["port-closure", "typhoon", "台风"]
    assert alice.store.ticket_tags(ticket.id) == lena.store.ticket_tags(ticket.id) == expected, (
        "Lena's removal of #vip survives Alice's unrelated adds; Alice's later add of #typhoon wins")
    with database.read() as session:
        assert tags_on(session, ticket.id) == set(expected)
    assert alice.store.pending_count() == lena.store.pending_count() == 0


def sync_done(store, central, token: str) -> None:
    from tests.test_sync_harness import sync_in_process

    for _ in range(20):
        report = sync_in_process(store, central, token)
        if report.ok and report.pending == 0:
            return
    raise AssertionError(f"sync never finished: {report}")


def test_an_upgraded_server_tags_from_its_notes_hashtags_for_every_device(tmp_path):
    import sqlite3

    from cs_console.server.db import Database
    from cs_console.store import Store
    from cs_console.usecases.ticket_changes import add_interaction
    from tests.test_sync_harness import account

    url = f"sqlite:///{tmp_path / 'central.db'}"
    central = Database.open(url)
    (lena, lena_token), (_alice, alice_token) = account(central, "lead"), account(central, "lead")
    first = Store.open(tmp_path / "first.db")
    sync_done(first, central, lena_token)
    ticket = pool_ticket(SimpleNamespace(store=first))
    add_interaction(first, ticket.id, "internal_note",
                    "Port closed, #Typhoon warning", author_id=lena.agent_id)
    sync_done(first, central, lena_token)
    central.engine.dispose()
    with sqlite3.connect(tmp_path / "central.db") as earlier:  # as a release before tags left them
        earlier.execute("DROP TABLE ticket_tag")
        earlier.execute("DELETE FROM sync_change WHERE entity = 'ticket_tag'")

    central = Database.open(url)
    Database.open(url).engine.dispose()  # a second process starting finds them made
    with central.read() as session:
        assert tags_on(session, ticket.id) == {"typhoon"}
    second = Store.open(tmp_path / "second.db")
    sync_done(second, central, alice_token)
    assert second.ticket_tags(ticket.id) == ["typhoon"], "a device that never upgraded the notes gets them"

    change_tags(first, [ticket.id], "-typhoon", author_id=lena.agent_id)  # the row the server made is the same
    sync_done(first, central, lena_token)
    sync_done(second, central, alice_token)
    assert second.ticket_tags(ticket.id) == first.ticket_tags(ticket.id) == []
    for store in (first, second):
        store.close()
    central.engine.dispose()
