"""What the sync tests share: server databases (SQLite, and PostgreSQL where one answers),
real server processes, devices with their own store files, and state snapshots to compare.

Test modules import the fixtures they use from here. The tests in this file check the
harness itself: the link emulator throttles, delays, cuts and stalls as it says.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from cs_console.scripts.link_emulator import LinkEmulator, LinkProfile
from cs_console.server import accounts
from cs_console.server.app import handle_sync
from cs_console.server.db import Database
from cs_console.server.process import ServerProcess
from cs_console.storage.models import Interaction, Ticket, TicketEvent
from cs_console.store import Store
from cs_console.sync.client import sync_once
from cs_console.sync.cycle import SyncReport, run_cycle
from cs_console.sync.errors import SyncError
from cs_console.sync.login import Settings

POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_unavailable() -> str | None:
    """Why the PostgreSQL backend cannot be tested here, or None when it can."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # any failure means: skip, and say why
        return f"no PostgreSQL answers at 127.0.0.1:5432 (user postgres, database test): {error}"
    return None


class PostgresSchema:
    """A schema of its own in the `test` database, dropped at the end."""

    def __init__(self) -> None:
        import psycopg

        self.name = f"cs_sync_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{self.name}"')
        self.url = f"{POSTGRES_URL}?options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A fresh server database for the module, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.db'}"
        return
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    schema = PostgresSchema()
    yield schema.url
    schema.drop()


@pytest.fixture(scope="module")
def database(database_url):
    """The test's own handle on the server database: stateless servers share it."""
    opened = Database.open(database_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def server(database_url, database, tmp_path_factory):
    """A real `cs-console server` process on a free loopback port."""
    with ServerProcess(database_url, home=tmp_path_factory.mktemp("server-home")) as running:
        yield running


def account(database: Database, role: str, team: str = "deck", name: str | None = None) -> tuple[accounts.Account, str]:
    """A new account with a unique name; returns it and its token."""
    return accounts.add_agent(database, name or f"{role.title()} {uuid.uuid4().hex[:6]}", role, team)


@dataclass
class Device:
    """One device: its own store file, logged in as one account."""

    store: Store
    settings: Settings
    agent_id: str

    def sync(self) -> SyncReport:
        return sync_once(self.store, self.settings)

    def sync_until_done(self, attempts: int = 50) -> SyncReport:
        """Sync until a cycle finishes with nothing left to send."""
        for _ in range(attempts):
            report = self.sync()
            if report.ok and report.pending == 0:
                return report
        raise AssertionError(f"sync never finished: {report}")


def device(tmp_path: Path, server_url: str, database: Database, role: str, team: str = "deck", *, name: str | None = None,
           read_timeout: float = 30.0) -> Device:
    agent, token = account(database, role, team, name)
    store = Store.open(tmp_path / f"device-{uuid.uuid4().hex[:8]}.db")
    settings = Settings(server=server_url, token=token, agent_id=agent.agent_id, agent_name=agent.name,
                        connect_timeout=read_timeout, read_timeout=read_timeout)
    return Device(store, settings, agent.agent_id)


def via(link_url: str, target: Device) -> Device:
    """The same device, syncing through another address (a link emulator)."""
    return replace(target, settings=replace(target.settings, server=link_url))


def in_process_transport(database: Database, token: str, faults=None):
    """A transport that calls the server's handler directly, without HTTP.

    `faults`, when given, is called with the request and a function that delivers it; it
    may deliver it (once, twice, later) or not, and returns the answer or raises
    TransportError.
    """
    def deliver(body: bytes, content_type: str) -> tuple[int, bytes, str]:
        try:
            caller = accounts.authenticate(database, f"Bearer {token}")
            answer, answer_type = handle_sync(database, caller, body, content_type)
        except SyncError as error:
            return error.status, json.dumps(error.body()).encode(), "application/json"
        return 200, answer, answer_type

    def transport(body: bytes, content_type: str) -> tuple[int, bytes, str]:
        return deliver(body, content_type) if faults is None else faults(body, content_type, deliver)

    return transport


def sync_in_process(store: Store, database: Database, token: str, faults=None) -> SyncReport:
    return run_cycle(store, in_process_transport(database, token, faults))


def ticket_view(session, ticket_id: str) -> dict:
    """A ticket as both sides must agree on it: its fields, messages and events."""
    ticket = session.get(Ticket, ticket_id)
    fields = ticket.model_dump(exclude={"field_clocks"})
    notes = sorted((i.id, i.kind, i.body, i.author_id) for i in session.exec(select(Interaction).where(Interaction.ticket_id == ticket_id)))
    events = sorted((e.id, e.kind) for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)))
    return {"ticket": fields, "interactions": notes, "events": events}


def server_ticket(database: Database, ticket_id: str) -> dict:
    with database.read() as session:
        return ticket_view(session, ticket_id)


def device_ticket(target: Device | Store, ticket_id: str) -> dict:
    store = target.store if isinstance(target, Device) else target
    with store.read() as session:
        return ticket_view(session, ticket_id)


# -- the link emulator itself -----------------------------------------------------------------


@pytest.fixture(scope="module")
def echo_server(tmp_path_factory):
    """A server on loopback to shape traffic to."""
    home = tmp_path_factory.mktemp("echo")
    with ServerProcess(f"sqlite:///{home / 'server.db'}", home=home) as running:
        yield running


def test_the_link_delays_by_the_round_trip_and_throttles_to_the_bit_rate(echo_server):
    profile = LinkProfile(kbit_per_second=16, round_trip_ms=200)
    with LinkEmulator(("127.0.0.1", echo_server.port), profile) as link:
        with httpx.Client(base_url=link.url) as http:
            http.get("/v1/health")  # connect first
            started = time.monotonic()
            body = http.get("/openapi.json").content
            elapsed = time.monotonic() - started
        stats = link.stats
    assert stats.bytes_down > len(body) and stats.connections == 1
    # a round trip plus the answer's airtime at 16 kbit/s (no upper bound: machines vary)
    assert elapsed >= 0.2 + len(body) * 8 / 16000 * 0.9


def test_the_link_resets_and_stalls_connections_at_random_offsets(echo_server):
    outcomes = []
    profile = LinkProfile(cut_probability=0.5, stall_probability=0.5, cut_window=100)
    with LinkEmulator(("127.0.0.1", echo_server.port), profile, seed=7) as link:
        for _ in range(12):
            try:
                httpx.get(f"{link.url}/v1/health", timeout=0.5)
                outcomes.append("answer")
            except httpx.TimeoutException:
                outcomes.append("stall")
            except httpx.TransportError:
                outcomes.append("reset")
        stats = link.stats
    assert {"stall", "reset"} <= set(outcomes) and stats.connections == 12
    assert (stats.cuts, stats.stalls) == (outcomes.count("reset"), outcomes.count("stall"))


def test_a_device_that_cannot_reach_the_server_reports_it_and_keeps_its_work(tmp_path):
    store = Store.open(tmp_path / "ship.db")
    agent = store.create_agent("Lin Wei")
    settings = Settings(server="http://127.0.0.1:9", token="x", connect_timeout=1, read_timeout=1)
    report = sync_once(store, settings)
    assert not report.ok and "cannot reach" in report.error
    assert report.pending == 1 and store.pending_operations()[0].entity_id == agent.id
