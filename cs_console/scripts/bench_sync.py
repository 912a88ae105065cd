"""Sync over a satellite link, measured: a field day, a naive baseline, a first sync.

    python -m cs_console.scripts.bench_sync [--quick] [--time-scale K] [--train-dictionary] [--attachments]

A real server process on loopback; every device talks to it through the link emulator at
9.6 kbit/s with 800 ms round trips. The field day: a rig's agent makes 300 ticket changes
and writes half of 500 messages of realistic size, while the shore writes the customers'
half onto the same tickets; the agent syncs every so often. The same day, on a twin set of
tickets, is replayed by a naive client (one uncompressed JSON request per object, up and
down) over an identical link in the same run. Then a new device's first sync onto 5,000
tickets and 2,000 articles, over the best link these ships get (256 kbit/s, 600 ms).

Prints ONE JSON object. Bytes are what crossed the emulated link (headers included);
round trips are HTTP requests. With --time-scale K the field day's link runs K times
faster and its seconds are scaled back (server CPU time is scaled too, which flatters
neither side); K=1 is real time and takes the baseline most of an hour. The first sync
always runs in real time. `--train-dictionary` writes
the zstd dictionary shipped in assets/sync from a day with another seed.

`--attachments` measures attached files instead: a 2 MB photo, then 20 small PDFs, sent
offline-first through the same 9.6 kbit/s link that now cuts connections (`CUTTING_LINK`),
by the console (resumable chunks after the sync) and by the baseline (each whole file in
one request per try, to a sink that takes it), in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import zstandard

from cs_console import paths
from cs_console.scripts.link_emulator import UP, LinkEmulator, LinkProfile
from cs_console.server import accounts
from cs_console.server.db import Database
from cs_console.server.process import ServerProcess
from cs_console.storage.models import Customer, Interaction, KbArticle, Ticket, TicketEvent
from cs_console.store import Store
from cs_console.sync import codec
from cs_console.sync.apply import store_sync_page
from cs_console.sync.attachment_budget import Budget
from cs_console.sync.client import HttpTransport, open_http, sync_once
from cs_console.sync.cycle import SyncReport, run_cycle
from cs_console.sync.login import Settings
from cs_console.sync.protocol import SYNC_PATH, response_from_wire
from cs_console.usecases.ticket_changes import add_interaction, change_status
from cs_console.utc import utcnow

FIELD_LINK = LinkProfile(kbit_per_second=9.6, round_trip_ms=800)
FIRST_SYNC_LINK = LinkProfile(kbit_per_second=256, round_trip_ms=600)
DAY = {"ticket_changes": 300, "messages": 500, "tickets": 40, "cycles": 20}
QUICK_DAY = {"ticket_changes": 60, "messages": 100, "tickets": 12, "cycles": 6}
FIRST_SYNC = {"tickets": 5000, "articles": 2000}
QUICK_FIRST_SYNC = {"tickets": 500, "articles": 200}
CHANGES = ("waiting_on_customer", "open", "solution_proposed", "resolved")
"""The statuses a field agent moves tickets between during the day."""
DICTIONARY_BYTES = 16 * 1024
"""Measured: 4 KiB saved 37% on the bodies of a day synced 100 times, 16 KiB 46%, 32 KiB
47%; on text of a vocabulary it never saw, 16 KiB still saved 16% (the structure)."""
TRAINING_SEED = 99
"""The dictionary's day differs from the measured day (--seed, default 1)."""


# -- realistic text ---------------------------------------------------------------------------

VESSELS = ("MV Blue Whale", "MV Hai Xing", "MT Nordic Star", "Rig Bohai-7", "FPSO Liwan", "MV Ocean Pride",
           "MT Cape Kestrel", "Rig Panyu-4", "MV Sea Lantern", "OSV Pacific Tern")
PORTS = ("Ningbo", "Singapore", "Qingdao", "Rotterdam", "Busan", "Shenzhen", "Tianjin", "Hong Kong", "Dalian")
PARTS = ("liferaft", "EPIRB", "gyro compass", "mud pump", "ballast pump", "VSAT modem", "radar magnetron",
         "fuel purifier", "fire detection panel", "emergency generator", "BOP control pod", "crane slew ring")
EN_OPENERS = ("Good morning,", "Hello,", "Dear support team,", "Hi,", "Following up on our call,", "Urgent:")
EN_ISSUES = (
    "the {part} on {vessel} failed its weekly test again at {time}.",
    "our {part} certificate expires on {date} and the class surveyor boards in {port}.",
    "we need a spare {part} delivered to {port} before the vessel sails on {date}.",
    "the {part} alarm keeps sounding every {n} minutes since the last port call.",
    "after the storm the {part} reads {n}% lower than the reference value.",
    "the technician you sent to {port} could not get the {part} running; error code E{n}.",
)
EN_DETAILS = (
    "Photos of the nameplate are attached.", "The master asks for a written confirmation.",
    "We are anchored outside {port} until the weather clears.", "Serial number {serial}.",
    "Please call the bridge on the satellite phone after 14:00 UTC.", "Crew already tried a restart twice.",
    "Charter party penalties start on {date}, so this is time-critical.", "Last service was in {port}.",
)
EN_CLOSERS = ("Thanks.", "Best regards,\nChief Engineer", "Regards, Master", "Please advise.", "Kind regards.")
ZH_ISSUES = (
    "{vessel}的{part}又出现故障，{time}自检未通过。",
    "{part}证书将于{date}到期，船检在{port}登船检查。",
    "船舶{date}离港前需要把备用{part}送到{port}。",
    "上次靠港后{part}每隔{n}分钟报警一次。",
    "台风过后{part}读数比基准低{n}%。",
    "派到{port}的工程师没能修好{part}，错误代码E{n}。",
)
ZH_DETAILS = ("铭牌照片已附上。", "船长要求书面确认。", "因天气原因在{port}锚地等待。", "序列号{serial}。",
              "请在北京时间下午两点后通过卫星电话联系驾驶台。", "船员已经重启过两次。", "租约罚金从{date}开始计算。")
REPLIES = (
    "Thank you for the details. We have booked a service engineer in {port} for {date}.",
    "A spare {part} is reserved for {vessel}; the agent in {port} will deliver it on board.",
    "Please switch the {part} to manual mode and send us the log from the last {n} hours.",
    "We have raised this with the manufacturer; reference number {serial}.",
    "收到，已安排{port}的工程师于{date}登船检修{part}。",
    "备用{part}已预留给{vessel}，由{port}代理送船。",
)
NOTES = (
    "Spoke to the chief engineer; {part} fault confirmed, parts ordered from {port}.",
    "Customer prefers a call after 14:00 UTC. Escalate if no slot in {port} by {date}.",
    "Class surveyor contact in {port}: waiting for confirmation.",
    "已与轮机长通话，确认{part}故障，配件从{port}发出。",
)


class Writer:
    """Customer-service text from phrase banks, with the numbers and names that vary."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            part=r.choice(PARTS), vessel=r.choice(VESSELS), port=r.choice(PORTS), n=r.randint(2, 95),
            time=f"{r.randint(0, 23):02d}:{r.choice((0, 15, 30, 45)):02d}", serial=f"{r.choice('ABKZ')}{r.randint(10000, 99999)}",
            date=f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        )

    def customer_message(self) -> str:
        r = self.rng
        if r.random() < 0.35:
            return "".join(self._fill(t) for t in (r.choice(ZH_ISSUES), *r.sample(ZH_DETAILS, r.randint(1, 3))))
        parts = [r.choice(EN_OPENERS), self._fill(r.choice(EN_ISSUES)),
                 *(self._fill(d) for d in r.sample(EN_DETAILS, r.randint(1, 4))), r.choice(EN_CLOSERS)]
        return " ".join(parts)

    def reply(self) -> str:
        return " ".join(self._fill(self.rng.choice(REPLIES)) for _ in range(self.rng.randint(1, 3)))

    def note(self) -> str:
        return self._fill(self.rng.choice(NOTES))

    def subject(self) -> str:
        return f"{self.rng.choice(VESSELS)}: {self.rng.choice(PARTS)} {self.rng.choice(('failure', 'certificate', 'spare', 'alarm', 'service'))}"

    def article(self, n: int) -> KbArticle:
        part = self.rng.choice(PARTS)
        body = "\n\n".join(" ".join(self._fill(self.rng.choice(REPLIES + NOTES)) for _ in range(4)) for _ in range(4))
        return KbArticle(title=f"{part.title()} procedure {n}", body=body, tags=json.dumps([part, "procedure"]),
                         lang="zh" if n % 3 == 0 else "en", category="equipment")


# -- devices and the link -----------------------------------------------------------------------


def scaled(profile: LinkProfile, k: float) -> LinkProfile:
    return replace(profile, kbit_per_second=profile.kbit_per_second * k, round_trip_ms=profile.round_trip_ms / k)


@dataclass
class Member:
    store: Store
    token: str
    agent_id: str


class Recording:
    """A transport that keeps every packed body that crossed, for the dictionary."""

    def __init__(self, inner, bodies: list[bytes] | None) -> None:
        self.inner = inner
        self.bodies = bodies

    def __call__(self, body: bytes, content_type: str):
        status, answer, answer_type = self.inner(body, content_type)
        if self.bodies is not None:
            self.bodies.append(codec.decompress(body))
            if status == 200:
                self.bodies.append(codec.decompress(answer))
        return status, answer, answer_type


def our_cycle(member: Member, url: str, bodies: list[bytes] | None = None) -> SyncReport:
    """Sync as the console's worker does: again after a failure; the report adds up every try."""
    settings = Settings(server=url, token=member.token, read_timeout=600, connect_timeout=60)
    total = SyncReport()
    for _attempt in range(5):
        with open_http(settings) as http:
            report = run_cycle(member.store, Recording(HttpTransport(http, url), bodies))
        total = SyncReport(**{name: getattr(total, name) + getattr(report, name) for name in
                              ("sent", "received", "pages", "round_trips", "bytes_up", "bytes_down", "refused")},
                           pending=report.pending, error=report.error)
        if report.ok:
            return total
    raise SystemExit(f"bench: sync kept failing: {report.error}")


class NaiveClient:
    """The baseline: one uncompressed JSON request per object, each way, httpx as it comes."""

    def __init__(self, member: Member, url: str) -> None:
        self.member = member
        self.http = httpx.Client(base_url=url, timeout=600, headers={"authorization": f"Bearer {member.token}"})
        self.cursor = self.library_cursor = 0
        self.round_trips = 0

    def _post(self, ops: list, budget: int) -> dict:
        body = {"v": 1, "d": self.member.store.device_id, "c": self.cursor, "k": self.library_cursor, "b": budget, "o": ops}
        self.round_trips += 1
        answer = self.http.post(SYNC_PATH, json=body)
        answer.raise_for_status()
        return answer.json()

    def cycle(self) -> None:
        store = self.member.store
        for op in store.pending_operations():
            wire = [op.seq, op.op_id, op.entity, op.entity_id, op.action, json.loads(op.payload), op.hlc]
            answer = self._post([wire], 0)
            store_sync_page(store, acked_through=answer["a"], rows={}, cursor=self.cursor,
                            library_cursor=self.library_cursor, server_ms=answer["t"])
        while True:
            response = response_from_wire(self._post([], 1))
            store_sync_page(store, acked_through=None, rows=response.rows, cursor=response.cursor,
                            library_cursor=response.library_cursor, server_ms=response.server_ms)
            self.cursor, self.library_cursor = response.cursor, response.library_cursor
            if not response.more:
                return


def member(tmp: Path, database: Database, role: str, team: str) -> Member:
    account, token = accounts.add_agent(database, f"{role} {uuid.uuid4().hex[:6]}", role, team)
    return Member(Store.open(tmp / f"{uuid.uuid4().hex}.db"), token, account.agent_id)


# -- the field day --------------------------------------------------------------------------------


def _day_script(day: dict, seed: int) -> list[list[tuple]]:
    """Per cycle, the actions of the day: (who, what, ticket index, text or status)."""
    rng = random.Random(seed)
    writer = Writer(seed)
    actions = [("field", "change", None) for _ in range(day["ticket_changes"])]
    for n in range(day["messages"]):
        if n % 2:
            actions.append(("shore", "customer_message", writer.customer_message()))
        else:
            kind = rng.choice(("public_reply", "public_reply", "internal_note", "call_log"))
            actions.append(("field", kind, writer.note() if kind == "internal_note" else writer.reply()))
    rng.shuffle(actions)
    cycles: list[list[tuple]] = [[] for _ in range(day["cycles"])]
    for index, (who, what, text) in enumerate(actions):
        ticket = rng.randrange(day["tickets"])
        if what == "change":
            what, text = ("status", rng.choice(CHANGES)) if rng.random() < 0.8 else ("escalate", None)
        cycles[index * day["cycles"] // len(actions)].append((who, what, ticket, text))
    return cycles


ESCALATION_TEAM = "shore experts"
"""The expert team the field day's escalations go to."""


def _act(field: Member, shore: Member, tickets: list[str], action: tuple) -> None:
    who, what, index, text = action
    ticket_id = tickets[index]
    if who == "shore":
        add_interaction(shore.store, ticket_id, "customer_message", text, author_id=None)
    elif what == "status":
        change_status(field.store, ticket_id, text, author_id=field.agent_id)
    elif what == "escalate":
        field.store.escalate(ticket_id, ESCALATION_TEAM, "needs the shore experts", author_id=field.agent_id)
    else:
        add_interaction(field.store, ticket_id, what, text, author_id=field.agent_id)


def field_day(tmp: Path, server: ServerProcess, database: Database, day: dict, k: float, seed: int,
              bodies: list[bytes] | None = None, with_baseline: bool = True) -> dict:
    team = f"rig-{uuid.uuid4().hex[:4]}"
    shore = member(tmp, database, "lead", team)
    ours, naive = member(tmp, database, "agent", team), member(tmp, database, "agent", team)
    our_cycle(shore, server.url)
    writer = Writer(seed + 1)
    twins: dict[str, list[str]] = {"ours": [], "naive": []}
    for _ in range(day["tickets"]):
        subject, message, customer = writer.subject(), writer.customer_message(), f"{writer.rng.choice(VESSELS)} owners"
        for name, field in (("ours", ours), ("naive", naive)):
            ticket = shore.store.create_ticket(new_customer=Customer(name=customer), subject=subject, first_message=message,
                                               assignee_id=field.agent_id, team=team)
            twins[name].append(ticket.id)
    our_cycle(shore, server.url)
    our_cycle(ours, server.url)
    baseline_start = NaiveClient(naive, server.url)
    baseline_start.cycle()

    profile = scaled(FIELD_LINK, k)
    totals = {"ours": [0.0, 0, 0], "naive": [0.0, 0]}  # seconds, round trips, pages
    per_cycle = []
    with LinkEmulator(("127.0.0.1", server.port), profile) as our_link, \
            LinkEmulator(("127.0.0.1", server.port), profile) as naive_link:
        baseline = NaiveClient(naive, naive_link.url)
        baseline.cursor, baseline.library_cursor = baseline_start.cursor, baseline_start.library_cursor
        for actions in _day_script(day, seed):
            for action in actions:
                _act(ours, shore, twins["ours"], action)
                if with_baseline:
                    _act(naive, shore, twins["naive"], action)
            our_cycle(shore, server.url)

            def run_naive() -> None:
                started = time.monotonic()
                baseline.cycle()
                totals["naive"][0] += (time.monotonic() - started) * k

            naive_thread = threading.Thread(target=run_naive)
            if with_baseline:
                naive_thread.start()
            started = time.monotonic()
            report = our_cycle(ours, our_link.url, bodies)
            totals["ours"][0] += (time.monotonic() - started) * k
            totals["ours"][1] += report.round_trips
            totals["ours"][2] += report.pages
            per_cycle.append(report.round_trips)
            if with_baseline:
                naive_thread.join()
        our_stats, naive_stats = our_link.stats, naive_link.stats
    result = {
        "bytes_up": our_stats.bytes_up,
        "bytes_down": our_stats.bytes_down,
        "round_trips": totals["ours"][1],
        "seconds": round(totals["ours"][0], 1),
        "cycles": len(per_cycle),
        "max_round_trips_per_cycle": max(per_cycle),
        "baseline": {
            "bytes_up": naive_stats.bytes_up,
            "bytes_down": naive_stats.bytes_down,
            "round_trips": baseline.round_trips,
            "seconds": round(totals["naive"][0], 1),
        },
    }
    return result


# -- the first sync of a new device -------------------------------------------------------------


def _big_rows(writer: Writer, team: str, agents: list[str], tickets: int, articles: int, now):
    customers = [Customer(name=f"{vessel} owners {n}", sites=json.dumps([vessel])) for n, vessel in
                 enumerate(writer.rng.choice(VESSELS) for _ in range(max(1, tickets // 4)))]
    yield from customers
    for n in range(tickets):
        created = now - timedelta(minutes=writer.rng.randint(60, 60 * 24 * 90))
        ticket = Ticket(number=f"BENCH-{n:05d}", customer_id=writer.rng.choice(customers).id, assignee_id=writer.rng.choice(agents),
                        team=team, subject=writer.subject(), priority=writer.rng.choice(("urgent", "high", "normal", "low")),
                        status=writer.rng.choice(("open", "waiting_on_customer", "resolved", "closed")),
                        created_at=created, updated_at=created)
        yield ticket
        yield TicketEvent(ticket_id=ticket.id, kind="created", at=created)
        yield Interaction(ticket_id=ticket.id, kind="customer_message", body=writer.customer_message(), created_at=created)
        if n % 2:
            yield Interaction(ticket_id=ticket.id, kind="public_reply", body=writer.reply(), author_id=ticket.assignee_id,
                              created_at=created + timedelta(minutes=30))
            yield TicketEvent(ticket_id=ticket.id, kind="first_response", at=created + timedelta(minutes=30), author_id=ticket.assignee_id)
    for n in range(articles):
        yield writer.article(n)


def first_sync(tmp: Path, server: ServerProcess, database: Database, size: dict, seed: int) -> dict:
    """In real time: its seconds are mostly server and device CPU, which a time scale would inflate."""
    team = f"fleet-{uuid.uuid4().hex[:4]}"
    admin = member(tmp, database, "admin", team)
    agents = [member(tmp, database, "agent", team).agent_id for _ in range(8)]
    our_cycle(admin, server.url)
    rows = _big_rows(Writer(seed), team, agents, size["tickets"], size["articles"], utcnow())
    admin.store.import_rows(rows)
    while admin.store.pending_count():
        our_cycle(admin, server.url)
    newcomer = member(tmp, database, "lead", team)
    with LinkEmulator(("127.0.0.1", server.port), FIRST_SYNC_LINK) as link:
        started = time.monotonic()
        report = our_cycle(newcomer, link.url)
        seconds = time.monotonic() - started
        stats = link.stats
    return {
        **size,
        "rows": report.received,
        "bytes": stats.bytes_up + stats.bytes_down,
        "bytes_down": stats.bytes_down,
        "round_trips": report.round_trips,
        "seconds": round(seconds, 1),
        "link": {"kbit_per_second": FIRST_SYNC_LINK.kbit_per_second, "round_trip_ms": FIRST_SYNC_LINK.round_trip_ms},
    }


# -- the dictionary --------------------------------------------------------------------------------


def dictionary_effect(bodies: list[bytes]) -> dict:
    """Bytes of the day's bodies compressed with and without the shipped dictionary."""
    with_dictionary = sum(len(codec.compress(body)) for body in bodies)
    without = sum(len(codec.compress(body, use_dictionary=False)) for body in bodies)
    return {
        "dictionary_id": codec.dictionary().dict_id(),
        "bodies": len(bodies),
        "packed_bytes": sum(len(body) for body in bodies),
        "compressed_with": with_dictionary,
        "compressed_without": without,
        "saving": round(1 - with_dictionary / without, 3),
    }


def train_dictionary(tmp: Path, server: ServerProcess, database: Database) -> dict:
    bodies: list[bytes] = []
    field_day(tmp, server, database, DAY | {"cycles": 120}, 50, seed=TRAINING_SEED, bodies=bodies, with_baseline=False)
    trained = zstandard.train_dictionary(DICTIONARY_BYTES, bodies, level=codec.ZSTD_LEVEL)
    path = paths.CHECKOUT_ASSETS / codec.DICTIONARY_ASSET
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(trained.as_bytes())
    return {"trained_on": len(bodies), "dictionary": str(path), "bytes": len(trained.as_bytes())}


# -- attached files -------------------------------------------------------------------------------

PHOTO_BYTES = 2 * 1024 * 1024
CUTTING_LINK = replace(FIELD_LINK, cut_probability=0.5, cut_window=600_000, fault_direction=UP)
"""Half the connections are cut on their way up within their first 600 kB."""


def photo_bytes(rng: random.Random) -> bytes:
    """A JPEG's worth of bytes: a header, then data that compresses no better than a photo's."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(PHOTO_BYTES - 11)


def pdf_bytes(writer: Writer, n: int) -> bytes:
    """A small PDF as ships send them: a page or two of text (a deficiency list, a survey
    note) in uncompressed content streams, and often a small scanned stamp or signature."""
    lines = [writer.customer_message() for _ in range(writer.rng.randint(8, 30))]
    text = "\n".join(f"BT /F1 10 Tf 40 {780 - 14 * i} Td ({line[:90]}) Tj ET" for i, line in enumerate(lines))
    stamp = writer.rng.randbytes(writer.rng.choice((0, 12_000, 30_000)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1", "replace") + b"\nendstream",
               b"<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length %d >>\nstream\n" % len(stamp)
               + stamp + b"\nendstream"]
    body = b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n" for i, o in enumerate(objects))
    return body + b"%%EOF\n% deficiency list " + str(n).encode() + b"\n"


class _Sink(BaseHTTPRequestHandler):
    """The baseline's server: takes a whole file in one POST and checks its hash."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["content-length"]))
        ok = hashlib.sha256(body).hexdigest() == self.path.rsplit("/", 1)[-1]
        self.send_response(201 if ok else 422)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


class _SinkServer(ThreadingHTTPServer):
    def handle_error(self, *_args) -> None:
        pass  # a cut upload: the client tries again


def _baseline_files(files: list[bytes], profile: LinkProfile, seed: int, k: float) -> dict:
    sink = _SinkServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    round_trips, started = 0, time.monotonic()
    with LinkEmulator(sink.server_address, profile, seed=seed) as link:
        for data in files:
            while True:
                round_trips += 1
                try:
                    with httpx.Client(base_url=link.url, timeout=600) as http:
                        if http.post(f"/files/{hashlib.sha256(data).hexdigest()}", content=data).status_code == 201:
                            break
                except httpx.HTTPError:
                    continue  # the naive client tries the whole file again
        stats = link.stats
    sink.shutdown()
    return {"bytes": stats.bytes_up + stats.bytes_down, "round_trips": round_trips, "cuts": stats.cuts,
            "seconds": round((time.monotonic() - started) * k, 1)}


def _our_files(tmp: Path, server: ServerProcess, database: Database, files: list[tuple[str, bytes]],
               profile: LinkProfile, seed: int, k: float) -> dict:
    team = f"rig-{uuid.uuid4().hex[:4]}"
    field = member(tmp, database, "agent", team)
    settings = Settings(server=server.url, token=field.token, read_timeout=600, connect_timeout=60)
    sync_once(field.store, settings)
    ticket = field.store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Hatch cover seal",
                                       first_message="water in hold 3", team=team, assignee_id=field.agent_id)
    sync_once(field.store, settings)
    for name, data in files:
        field.store.attach(ticket.id, data, filename=name, content_type="application/octet-stream",
                           author_id=field.agent_id)
    send_all = Budget(defer_above_bytes=PHOTO_BYTES * 2, auto_download_bytes=0)
    round_trips, started = 0, time.monotonic()
    with LinkEmulator(("127.0.0.1", server.port), profile, seed=seed) as link:
        linked = replace(settings, server=link.url)
        for _attempt in range(500):
            report = sync_once(field.store, linked, send_all)
            round_trips += report.round_trips
            if report.ok and report.files_waiting == 0:
                break
        else:
            raise SystemExit(f"bench: the files never got through: {report.error}")
        stats = link.stats
    return {"bytes": stats.bytes_up + stats.bytes_down, "round_trips": round_trips, "cuts": stats.cuts,
            "seconds": round((time.monotonic() - started) * k, 1)}


def attachments(tmp: Path, server: ServerProcess, database: Database, k: float, seed: int) -> dict:
    """The photo and the PDFs, each by the console and by the baseline, over twin links."""
    rng, writer = random.Random(seed), Writer(seed)
    profile = scaled(CUTTING_LINK, k)
    cases = {"photo_2mb": [("hatch.jpg", photo_bytes(rng))],
             "pdfs_20": [(f"deficiency-{n}.pdf", pdf_bytes(writer, n)) for n in range(20)]}
    result = {}
    for name, files in cases.items():
        result[name] = {"files": len(files), "file_bytes": sum(len(data) for _, data in files),
                        **_our_files(tmp, server, database, files, profile, seed, k),
                        "baseline": _baseline_files([data for _, data in files], profile, seed, k)}
    result["link"] = {"kbit_per_second": CUTTING_LINK.kbit_per_second, "round_trip_ms": CUTTING_LINK.round_trip_ms,
                      "cut_probability": CUTTING_LINK.cut_probability, "cut_window": CUTTING_LINK.cut_window,
                      "time_scale": k}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a fifth of the day and a tenth of the first sync")
    parser.add_argument("--time-scale", type=float, default=10.0, metavar="K",
                        help="run the link K times faster and scale the seconds back (default 10; 1 is real time)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-dictionary", action="store_true", help="write assets/sync's dictionary, then stop")
    parser.add_argument("--attachments", action="store_true", help="measure attached files (a photo, 20 PDFs) only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with ServerProcess(f"sqlite:///{tmp / 'server.db'}", home=tmp) as server:
            database = Database.open(f"sqlite:///{tmp / 'server.db'}")
            if args.train_dictionary:
                print(json.dumps(train_dictionary(tmp, server, database)))
                return 0
            if args.attachments:
                print(json.dumps(attachments(tmp, server, database, args.time_scale, args.seed)))
                return 0
            bodies: list[bytes] = []
            day = QUICK_DAY if args.quick else DAY
            result = field_day(tmp, server, database, day, args.time_scale, args.seed, bodies)
            baseline = result["baseline"]
            ours_bytes = result["bytes_up"] + result["bytes_down"]
            result |= {
                "bytes_vs_baseline": round(ours_bytes / (baseline["bytes_up"] + baseline["bytes_down"]), 3),
                "link": {"kbit_per_second": FIELD_LINK.kbit_per_second, "round_trip_ms": FIELD_LINK.round_trip_ms,
                         "time_scale": args.time_scale},
                "day": {k: day[k] for k in ("ticket_changes", "messages", "tickets", "cycles")},
                "first_sync": first_sync(tmp, server, database, QUICK_FIRST_SYNC if args.quick else FIRST_SYNC, args.seed),
                "dictionary": dictionary_effect(bodies),
            }
            database.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
