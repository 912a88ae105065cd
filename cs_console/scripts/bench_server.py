"""The sync server's intake, measured: one big push, many devices at once, a first sync.

    python -m cs_console.scripts.bench_server [--quick] [--backends sqlite,postgresql]
        [--devices 1,20,100] [--push-ops 21000] [--first-sync-tickets 5000]
        [--baseline-python /tmp/venv-base/bin/python] [--runs 3]

Each server is a real `cs-console server` process on loopback; with --baseline-python the
same measurements run, alternately, against the server of that interpreter's cs-console
(the clients are always this checkout's), and each figure is printed beside the
baseline's median and their ratio. PostgreSQL runs in a schema of its own at
127.0.0.1:5432 (user postgres, database test), dropped afterwards.

- push: one device sends `--push-ops` operations (new customers and tickets, messages,
  events, status changes) in requests of 5,000, the protocol's most, each also asking
  for a page as the device's cycle does: operations per second.
- devices: N devices, each in a closed loop for `--seconds`: a sync that pushes a new
  ticket with its customer, a message, a reply, its first-response event and a status
  change, and pulls a page; syncs per second, p50/p95 latency, errors, and whether the
  server holds exactly the rows the devices made (`exact`). The server and the devices
  share the machine's cores, so it also prints the CPU milliseconds each sync cost the
  server process (`server_cpu_ms`, from /proc; null elsewhere) and the devices (`devices_cpu_ms`,
  this process: building, encoding and decoding the requests).
- first sync: a new lead device's first sync onto `--first-sync-tickets` tickets through
  the link emulator at 256 kbit/s and 600 ms round trips, against what the link alone
  needs for the bytes and round trips that crossed it (`link_seconds`).

Prints ONE JSON object. It asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from cs_console.scripts.bench_sync import FIRST_SYNC_LINK, Writer, first_sync
from cs_console.server import accounts
from cs_console.server.db import Database, applied_ops
from cs_console.server.process import ServerProcess
from cs_console.storage import hlc
from cs_console.storage.columns import row_payload
from cs_console.storage.models import Customer, Interaction, Ticket, TicketEvent
from cs_console.storage.sync_state import ENTITY_NAMES
from cs_console.sync import codec
from cs_console.sync.protocol import MAX_OPS, SYNC_PATH, Op, SyncRequest, response_from_wire
from cs_console.utc import utcnow

POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PAGE_BYTES = 64 * 1024
"""The page a device asks for by default (`sync.cycle.DEFAULT_PAGE_BYTES`)."""
OPS_PER_TICKET = 6
"""customer, ticket, customer message, reply, first_response event, status change."""
FULL = {"devices": (1, 20, 100), "push_ops": 21_000, "first_sync_tickets": 5000, "seconds": 20.0}
QUICK = {"devices": (1, 5), "push_ops": 1200, "first_sync_tickets": 200, "seconds": 4.0}


# -- a device that speaks the protocol, nothing else --------------------------------------------


class Device:
    """Makes tickets as operations and syncs them; what a console's outbox would send."""

    def __init__(self, url: str, token: str, agent_id: str, team: str, writer: Writer) -> None:
        self.id = str(uuid.uuid4())
        self.agent_id, self.team, self.writer = agent_id, team, writer
        self.http = httpx.Client(base_url=url, timeout=600, headers={"authorization": f"Bearer {token}"})
        self.seq = 0
        self.clock = hlc.ZERO
        self.cursor = self.library_cursor = 0
        self.prefix = uuid.uuid4().hex[:6].upper()
        self.tickets = 0

    def _op(self, row, action: str, payload: dict | None = None) -> Op:
        self.seq += 1
        self.clock = hlc.tick(self.clock, int(time.time() * 1000), self.id[:8])
        if payload is None:  # a new row: fields at their model default stay out, so a baseline
            fields = type(row).model_fields  # server that predates a column takes the row too
            payload = {name: value for name, value in row_payload(row).items()
                       if name == "id" or fields[name].is_required() or value != fields[name].default}
        payload.pop("field_clocks", None)
        return Op(self.seq, str(uuid.uuid4()), ENTITY_NAMES[type(row)], row.id, action, payload, str(self.clock))

    def new_ticket(self) -> list[Op]:
        """A customer's first ticket, answered: six operations."""
        now = utcnow()
        self.tickets += 1
        customer = Customer(name=f"Owner {self.prefix} {self.tickets}")
        ticket = Ticket(number=f"{self.prefix}-{self.tickets:05d}", customer_id=customer.id, assignee_id=self.agent_id,
                        team=self.team, subject=self.writer.subject(), created_at=now, updated_at=now)
        message = Interaction(ticket_id=ticket.id, kind="customer_message", body=self.writer.customer_message(),
                              created_at=now)
        reply = Interaction(ticket_id=ticket.id, kind="public_reply", body=self.writer.reply(), author_id=self.agent_id,
                            created_at=now + timedelta(seconds=1))
        event = TicketEvent(ticket_id=ticket.id, kind="first_response", at=now + timedelta(seconds=1),
                            author_id=self.agent_id)
        return [self._op(customer, "insert"), self._op(ticket, "insert"), self._op(message, "append"),
                self._op(reply, "append"), self._op(event, "append"),
                self._op(ticket, "update", {"status": "solution_proposed"})]

    def sync(self, ops: list[Op]) -> tuple[int, float]:
        """One request; returns its HTTP status and seconds."""
        request = SyncRequest(self.id, self.cursor, self.library_cursor, PAGE_BYTES, tuple(ops))
        body = codec.encode(request.to_wire(), codec.BINARY_TYPE)
        started = time.perf_counter()
        answer = self.http.post(SYNC_PATH, content=body, headers={"content-type": codec.BINARY_TYPE})
        seconds = time.perf_counter() - started
        if answer.status_code == 200:
            response = response_from_wire(codec.decode(answer.content, answer.headers["content-type"]))
            self.cursor, self.library_cursor = response.cursor, response.library_cursor
        return answer.status_code, seconds


# -- servers and their databases -----------------------------------------------------------------


@contextmanager
def server_database(backend: str, python: str, tmp: Path):
    """A fresh database on `backend`, and a server process of `python`'s cs-console on it."""
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'server-{uuid.uuid4().hex[:8]}.db'}"
    else:
        import psycopg

        schema = f"cs_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        with ServerProcess(url, home=tmp, python=python) as server:
            database = Database.open(url)
            try:
                yield server, database
            finally:
                database.close()
    finally:
        if schema is not None:
            import psycopg

            with psycopg.connect(POSTGRES_DSN, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def new_device(server: ServerProcess, database: Database, team: str, seed: int) -> Device:
    account, token = accounts.add_agent(database, f"Bench {uuid.uuid4().hex[:8]}", "agent", team)
    return Device(server.url, token, account.agent_id, team, Writer(seed))


def counts(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("customer", Customer), ("ticket", Ticket), ("interaction", Interaction),
                                    ("ticket_event", TicketEvent), ("applied_op", applied_ops))}


# -- the measurements ------------------------------------------------------------------------------


def big_push(server: ServerProcess, database: Database, ops_wanted: int) -> dict:
    device = new_device(server, database, f"push-{uuid.uuid4().hex[:4]}", seed=1)
    ops = [op for _ in range(max(1, ops_wanted // OPS_PER_TICKET)) for op in device.new_ticket()]
    before = counts(database)
    errors = 0
    started = time.perf_counter()
    for start in range(0, len(ops), MAX_OPS):
        status, _ = device.sync(ops[start : start + MAX_OPS])
        errors += status != 200
    seconds = time.perf_counter() - started
    after = counts(database)
    tickets = len(ops) // OPS_PER_TICKET
    exact = (after["ticket"] - before["ticket"] == tickets and after["interaction"] - before["interaction"] == 2 * tickets
             and after["applied_op"] - before["applied_op"] == len(ops))
    return {"ops": len(ops), "seconds": round(seconds, 2), "ops_per_s": round(len(ops) / seconds, 1),
            "errors": errors, "exact": exact}


def many_devices(server: ServerProcess, database: Database, devices: int, seconds: float) -> dict:
    team = f"crowd-{uuid.uuid4().hex[:4]}"
    crowd = [new_device(server, database, team, seed=n) for n in range(devices)]
    for device in crowd:
        device.sync([])  # the first page, so the loop measures steady syncs
    before = counts(database)
    latencies: list[float] = []
    errors = [0]
    made = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(device: Device) -> None:
        while time.perf_counter() < stop:
            ops = device.new_ticket()
            try:
                status, took = device.sync(ops)
            except httpx.HTTPError:
                status, took = 0, 0.0
            with lock:
                if status == 200:
                    latencies.append(took)
                    made[0] += 1
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=run, args=(device,)) for device in crowd]
    server_cpu, devices_cpu = cpu_seconds(server.pid), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    devices_cpu = time.process_time() - devices_cpu
    server_cpu = None if server_cpu is None else cpu_seconds(server.pid) - server_cpu
    after = counts(database)
    tickets = made[0]
    exact = (after["ticket"] - before["ticket"] == tickets and after["customer"] - before["customer"] == tickets
             and after["interaction"] - before["interaction"] == 2 * tickets
             and after["ticket_event"] - before["ticket_event"] == tickets
             and after["applied_op"] - before["applied_op"] == OPS_PER_TICKET * tickets)
    ordered = sorted(latencies) or [0.0]
    return {
        "devices": devices,
        "syncs": len(latencies),
        "syncs_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 1),
        "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
        "server_cpu_ms": None if server_cpu is None else round(1000 * server_cpu / max(1, len(latencies)), 2),
        "devices_cpu_ms": round(1000 * devices_cpu / max(1, len(latencies)), 2),
        "errors": errors[0],
        "exact": exact,
    }


def cpu_seconds(pid: int) -> float | None:
    """The user and system CPU seconds process `pid` has used so far (Linux /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_sync_figures(tmp: Path, server: ServerProcess, database: Database, tickets: int) -> dict:
    """bench_sync's first sync, beside what the link itself needs for what crossed it."""
    figures = first_sync(tmp, server, database, {"tickets": tickets, "articles": tickets * 2 // 5}, seed=1)
    link = FIRST_SYNC_LINK
    link_seconds = figures["bytes"] * 8 / (link.kbit_per_second * 1000) + figures["round_trips"] * link.round_trip_ms / 1000
    return {"tickets": tickets, "rows": figures["rows"], "seconds": figures["seconds"],
            "link_seconds": round(link_seconds, 1), "over_link": round(figures["seconds"] / link_seconds, 2)}


def measure(python: str, backend: str, size: dict, tmp: Path) -> dict:
    """Every figure for one server build on one backend."""
    result: dict = {}
    with server_database(backend, python, tmp) as (server, database):
        result["push"] = big_push(server, database, size["push_ops"])
        for devices in size["devices"]:
            result[f"devices_{devices}"] = many_devices(server, database, devices, size["seconds"])
    if size["first_sync_tickets"]:
        with server_database(backend, python, tmp) as (server, database):
            result["first_sync"] = first_sync_figures(tmp, server, database, size["first_sync_tickets"])
    return result


def _median_tree(runs: list[dict]) -> dict:
    merged = {}
    for key, value in runs[0].items():
        values = [run[key] for run in runs]
        if isinstance(value, dict):
            merged[key] = _median_tree(values)
        elif isinstance(value, bool):
            merged[key] = all(values)
        elif isinstance(value, (int, float)):
            merged[key] = round(statistics.median(values), 2)
        else:
            merged[key] = value
    return merged


def _ratios(current: dict, baseline: dict) -> dict:
    change = {}
    for key, value in current.items():
        other = baseline.get(key)
        if isinstance(value, dict) and isinstance(other, dict):
            change[key] = _ratios(value, other)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(other, (int, float)) and other:
            change[key] = round(value / other, 2)
    return change


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a try")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--devices", help="comma-separated device counts (default 1,20,100)")
    parser.add_argument("--push-ops", type=int, help="operations in the big push (default 21000)")
    parser.add_argument("--first-sync-tickets", type=int, help="tickets for the first sync; 0 skips it (default 5000)")
    parser.add_argument("--seconds", type=float, help="seconds each crowd of devices syncs (default 20)")
    parser.add_argument("--baseline-python", metavar="PATH", help="an interpreter whose cs-console server is the baseline")
    parser.add_argument("--runs", type=int, default=1, help="runs of each side, alternating (default 1)")
    options = parser.parse_args(argv)
    size = dict(QUICK if options.quick else FULL)
    if options.devices:
        size["devices"] = tuple(int(n) for n in options.devices.split(","))
    for name in ("push_ops", "first_sync_tickets", "seconds"):
        if getattr(options, name) is not None:
            size[name] = getattr(options, name)
    backends = [b.strip() for b in options.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend {', '.join(sorted(unknown))}; choose sqlite or postgresql")
    sides = {"current": sys.executable}
    if options.baseline_python:
        sides["baseline"] = options.baseline_python
    runs: dict[str, dict[str, list[dict]]] = {side: {backend: [] for backend in backends} for side in sides}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(options.runs):
            for backend in backends:
                for side, python in sides.items():
                    tmp = Path(folder) / f"{side}-{backend}-{run}"
                    tmp.mkdir()
                    runs[side][backend].append(measure(python, backend, size, tmp))
    output: dict = {"bench": "bench_server", "runs": options.runs,
                    "size": {**size, "devices": list(size["devices"])}}
    for side in sides:
        output[side] = {backend: _median_tree(runs[side][backend]) for backend in backends}
    if "baseline" in sides:
        output["change"] = {backend: _ratios(output["current"][backend], output["baseline"][backend]) for backend in backends}
    print(json.dumps(output, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
