"""Hundreds of syncs through a link that throttles, delays, resets and stalls connections
at random byte offsets, against a real server process: nothing lost, nothing doubled.

Each run makes a few changes on one of three devices, then syncs through the emulated
link until a cycle finishes (every attempt is a new connection with a new draw of fate).
A reset in the server's answer after it committed is the case that makes duplicates
elsewhere; here the repeat is acknowledged and changes nothing. Payloads and delays are
small so the whole file stays well under a minute per backend.
"""

from __future__ import annotations

import random
import uuid

from sqlalchemy import func, select
from sqlmodel import select as model_select

from cs_console.scripts.link_emulator import LinkEmulator, LinkProfile
from cs_console.server.db import applied_ops
from cs_console.storage.models import Customer, OutboxOp
from cs_console.usecases.ticket_changes import add_interaction, change_status
from cs_console.vocabulary import STATUSES
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    device_ticket,
    server,
    server_ticket,
    via,
)

RUNS = 200
SEED = 20261124
PROFILES = (
    LinkProfile(kbit_per_second=256, round_trip_ms=6, cut_probability=0.35, stall_probability=0.05, cut_window=900),
    LinkProfile(kbit_per_second=4000, round_trip_ms=2, cut_probability=0.6, cut_window=700),
)
"""A slow satellite link in miniature, and a fast one that breaks more often."""


def test_two_hundred_broken_syncs_lose_and_double_nothing(tmp_path, server, database):
    rng = random.Random(SEED)
    team = f"rig-{uuid.uuid4().hex[:6]}"
    devices = [device(tmp_path, server.url, database, "lead", team, read_timeout=0.5) for _ in range(3)]
    for member in devices:
        member.sync_until_done()
    first = devices[0]
    tickets = [
        first.store.create_ticket(new_customer=Customer(name=f"Rig {n}"), subject=f"Mud pump {n}", first_message="vibration", team=team).id
        for n in range(3)
    ]
    for member in devices:
        member.sync_until_done()
    notes: list[str] = []
    failures = answers_lost_after_commit = 0
    with LinkEmulator(("127.0.0.1", server.port), PROFILES[0], seed=SEED) as link:
        for run in range(RUNS):
            member = rng.choice(devices)
            for _ in range(rng.randint(1, 3)):
                ticket_id = rng.choice(tickets)
                if rng.random() < 0.6:
                    body = f"run {run}: {uuid.uuid4().hex[:8]}" + " reading" * rng.randint(1, 40)
                    add_interaction(member.store, ticket_id, "internal_note", body, author_id=member.agent_id)
                    notes.append(body)
                else:
                    change_status(member.store, ticket_id, rng.choice(STATUSES), author_id=member.agent_id)
            link.profile = rng.choice(PROFILES)
            linked = via(link.url, member)
            for _attempt in range(40):
                report = linked.sync()
                if report.ok and report.pending == 0:
                    break
                failures += 1
                answers_lost_after_commit += _applied_but_unacknowledged(database, member)
            else:
                raise AssertionError(f"run {run} (seed {SEED}) never got through: {report}")
        stats = link.stats
    assert stats.cuts > RUNS // 4 and stats.stalls > 0 and failures > RUNS // 4  # the link really broke
    assert answers_lost_after_commit > 0  # the case that makes duplicates elsewhere happened

    for _ in range(2):
        for member in devices:
            member.sync_until_done()
    for ticket_id in tickets:
        truth = server_ticket(database, ticket_id)
        assert all(device_ticket(member, ticket_id) == truth for member in devices)
    on_server = [body for t in tickets for _, _, body, _ in server_ticket(database, t)["interactions"] if body.startswith("run ")]
    assert sorted(on_server) == sorted(notes)  # every note exactly once
    for member in devices:
        with member.store.read() as session:
            made = len(session.exec(model_select(OutboxOp)).all())
        with database.read() as session:
            query = select(func.count()).select_from(applied_ops).where(applied_ops.c.device_id == member.store.device_id)
            assert session.execute(query).scalar_one() == made  # each operation applied once


def _applied_but_unacknowledged(database, member) -> int:
    """1 when the server holds an operation the device still waits to see acknowledged."""
    waiting = [op.op_id for op in member.store.pending_operations()]
    if not waiting:
        return 0
    with database.read() as session:
        query = select(func.count()).select_from(applied_ops).where(applied_ops.c.op_id.in_(waiting))
        return int(session.execute(query).scalar_one() > 0)
