"""`cs-console server --workers N`: several processes serve one port and one database.

Devices syncing at the same time through a server of two workers, on each backend, end
with every ticket each of them made, on the server and on each other's devices.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from cs_console.server.process import ServerProcess
from cs_console.storage.models import Customer, Ticket
from tests.test_sync_harness import database, database_url, device  # noqa: F401  (fixtures)

TICKETS_EACH = 4


def test_two_workers_take_concurrent_syncs_and_every_ticket_lands(tmp_path, database, database_url):  # noqa: F811
    with ServerProcess(database_url, home=tmp_path / "home", workers=2) as server:
        crew = [device(tmp_path, server.url, database, "agent", team="workers") for _ in range(3)]
        made: dict[str, set[str]] = {member.agent_id: set() for member in crew}
        failures: list[BaseException] = []

        def work(member) -> None:
            try:
                for n in range(TICKETS_EACH):
                    ticket = member.store.create_ticket(
                        new_customer=Customer(name=f"Owner {member.agent_id[:6]} {n}"), subject=f"Pump {n}",
                        first_message="The ballast pump trips.", assignee_id=None, team="workers")
                    made[member.agent_id].add(ticket.id)
                    member.sync_until_done()
            except BaseException as error:  # the main thread reports it
                failures.append(error)

        threads = [threading.Thread(target=work, args=(member,)) for member in crew]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures
        everyone = set().union(*made.values())
        with database.read() as session:
            on_server = set(session.execute(select(Ticket.id).where(Ticket.team == "workers")).scalars())
            assert session.execute(select(func.count()).select_from(Ticket).where(Ticket.team == "workers")).scalar() \
                == len(everyone)
        assert on_server == everyone
        for member in crew:
            member.sync_until_done()
            with member.store.read() as session:
                assert set(session.execute(select(Ticket.id).where(Ticket.team == "workers")).scalars()) == everyone
