"""Agent accounts and their bearer tokens.

An account is an `agent` row (same id, so tickets can be assigned to it) plus a token
hash. The token is 32 random bytes shown once, when it is made; the server keeps only its
SHA-256, so a copied database does not hand out logins. Role and team are read from the
agent row, so an admin's edit of the row takes effect on the next request. It refuses to
decide what a role may see (`scope`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import col

from cs_console.errors import UserError
from cs_console.server.db import Database, accounts
from cs_console.server.merge import server_write
from cs_console.server.scope import Caller
from cs_console.storage.models import Agent, new_id
from cs_console.sync.errors import Forbidden, Unauthorized
from cs_console.vocabulary import ROLES

TOKEN_BYTES = 32


class AccountError(UserError, ValueError):
    """An account command cannot be done; the message says why."""


@dataclass(frozen=True)
class Account:
    agent_id: str
    name: str
    role: str
    team: str
    disabled: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now_ms() -> int:
    return int(time.time() * 1000)


def add_agent(database: Database, name: str, role: str, team: str = "") -> tuple[Account, str]:
    """A new account with a fresh token; returns the account and the token (shown once).

    An agent row of that name without an account (made by an admin's device) gets the
    account instead of a twin.

    Raises:
        AccountError: an unknown role, an empty name, or an account of that name exists.
    """
    name = name.strip()
    if not name:
        raise AccountError("an agent needs a name")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with database.write() as (session, numbers):
        existing = session.execute(select(Agent.id).where(Agent.name == name)).scalars().all()
        with_account = set(session.execute(select(accounts.c.agent_id).where(accounts.c.agent_id.in_(existing))).scalars())
        if with_account:
            raise AccountError(f"an account named {name!r} exists already (id {min(with_account)}); use rotate-token")
        agent_id = existing[0] if existing else new_id()
        values = {"name": name, "role": role, "team": team, "active": True}
        server_write(session, numbers, "agent", agent_id, values, _now_ms())
        session.execute(insert(accounts).values(agent_id=agent_id, token_hash=hash_token(token), disabled=False))
    return Account(agent_id, name, role, team, False), token


def list_agents(database: Database) -> list[Account]:
    with database.read() as session:
        query = select(Agent, accounts.c.disabled).join(accounts, accounts.c.agent_id == Agent.id).order_by(Agent.name)
        return [Account(agent.id, agent.name, agent.role, agent.team, disabled) for agent, disabled in session.execute(query)]


def _find(session, who: str) -> Agent:
    query = select(Agent).join(accounts, accounts.c.agent_id == Agent.id).where(
        (col(Agent.id) == who) | (col(Agent.name) == who)
    )
    found = session.execute(query).scalars().all()
    if not found:
        raise AccountError(f"no account named {who!r} (list them with: cs-console server list-agents)")
    if len(found) > 1:
        raise AccountError(f"{len(found)} accounts are named {who!r}; name one by its id")
    return found[0]


def disable_agent(database: Database, who: str) -> Account:
    """Refuse the account's token from now on and mark the agent inactive on every device.

    Raises:
        AccountError: no such account, or the name is ambiguous.
    """
    with database.write() as (session, numbers):
        agent = _find(session, who)
        session.execute(update(accounts).where(accounts.c.agent_id == agent.id).values(disabled=True))
        server_write(session, numbers, "agent", agent.id, {"active": False}, _now_ms())
        return Account(agent.id, agent.name, agent.role, agent.team, True)


def rotate_token(database: Database, who: str) -> tuple[Account, str]:
    """A new token for the account (re-enabling it); the old token stops working at once.

    Raises:
        AccountError: no such account, or the name is ambiguous.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with database.write() as (session, numbers):
        agent = _find(session, who)
        session.execute(
            update(accounts).where(accounts.c.agent_id == agent.id).values(token_hash=hash_token(token), disabled=False)
        )
        if not agent.active:
            server_write(session, numbers, "agent", agent.id, {"active": True}, _now_ms())
        return Account(agent.id, agent.name, agent.role, agent.team, False), token


_agents = Agent.__table__
_CALLER_BY_TOKEN = (
    select(_agents.c.id, _agents.c.name, _agents.c.role, _agents.c.team, accounts.c.disabled)
    .join(accounts, accounts.c.agent_id == _agents.c.id)
    .where(accounts.c.token_hash == bindparam("token_hash"))
)
"""Every request asks it: built once, read as plain columns (no ORM object per request)."""


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header.

    Raises:
        Unauthorized: the header names no bearer token.
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this call needs a bearer token; log in with: cs-console login URL")
    return token.strip()


def authenticate(database: Database, authorization: str | None) -> Caller:
    """The caller an `Authorization: Bearer <token>` header names.

    Raises:
        Unauthorized: no token, or one this server does not know.
        Forbidden: the account is disabled.
    """
    token = bearer_token(authorization)
    with database.engine.connect() as connection:
        found = connection.execute(_CALLER_BY_TOKEN, {"token_hash": hash_token(token)}).first()
    if found is None:
        raise Unauthorized(
            "this server does not know the token (mistyped, or replaced by rotate-token); "
            "ask an admin for a new one and run: cs-console login URL"
        )
    agent_id, name, role, team, disabled = found
    if disabled:
        raise Forbidden(f"the account of {name} is disabled; ask an admin to enable it")
    return Caller(agent_id=agent_id, name=name, role=role, team=team)
