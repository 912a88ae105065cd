"""Mail work claimed through the database, so any number of server processes share it and
each piece runs once: a lease on a mailbox, and send jobs.

A claim is a conditional UPDATE in a transaction of its own (SQLite begins it IMMEDIATE,
so claimers queue); on PostgreSQL the candidates are read `FOR UPDATE SKIP LOCKED`, so two
processes never wait on, or take, the same job. A claim runs out (`lease_until_ms`): a
process that dies mid-send frees its jobs for another.
"""

from __future__ import annotations

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from cs_console.server.db import Database, mail_jobs, mail_leases


def claim_lease(database: Database, name: str, holder: str, now_ms: int, lease_ms: int) -> bool:
    """Hold the lease `name` until now + lease_ms, unless another holder has it; returns whether held."""
    with Session(database.writer) as session, session.begin():
        claimed = session.execute(
            update(mail_leases)
            .where(mail_leases.c.name == name, or_(mail_leases.c.holder == holder, mail_leases.c.until_ms < now_ms))
            .values(holder=holder, until_ms=now_ms + lease_ms)
        ).rowcount
        if claimed:
            return True
        if session.execute(select(mail_leases.c.name).where(mail_leases.c.name == name)).first():
            return False
        try:
            with session.begin_nested():
                session.execute(insert(mail_leases).values(name=name, holder=holder, until_ms=now_ms + lease_ms))
        except IntegrityError:
            return False
        return True


def release_lease(database: Database, name: str, holder: str) -> None:
    with Session(database.writer) as session, session.begin():
        session.execute(update(mail_leases).where(mail_leases.c.name == name, mail_leases.c.holder == holder)
                        .values(holder=None, until_ms=0))


def claim_jobs(database: Database, holder: str, now_ms: int, lease_ms: int, limit: int) -> list[str]:
    """Claim up to `limit` queued send jobs that are due and not held; returns their job ids."""
    due = and_(mail_jobs.c.state == "queued", mail_jobs.c.due_ms <= now_ms, mail_jobs.c.lease_until_ms < now_ms)
    with Session(database.writer) as session, session.begin():
        candidates = session.execute(
            select(mail_jobs.c.job_id).where(due).order_by(mail_jobs.c.due_ms).limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars().all()
        claimed = []
        for job_id in candidates:
            taken = session.execute(
                update(mail_jobs).where(mail_jobs.c.job_id == job_id, due)
                .values(holder=holder, lease_until_ms=now_ms + lease_ms)
            ).rowcount
            if taken:
                claimed.append(job_id)
        return claimed
