"""Integration tokens: what lets a web form, a monitoring system or a partner portal file
tickets for one team through the intake API, and how an admin disables one or gives it a
new token (as for accounts).

An integration is not an agent: its token is refused by every sync call, and it may only
create tickets in its team's unassigned pool and add customer messages to that team's
tickets (`intake`). As with accounts, the token is shown once and only its SHA-256 kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import insert, or_, select, update

from cs_console.server.accounts import TOKEN_BYTES, AccountError, hash_token
from cs_console.server.db import Database, integrations
from cs_console.storage.models import new_id
from cs_console.sync.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Integration:
    id: str
    name: str
    team: str
    disabled: bool = False


def add_integration(database: Database, name: str, team: str) -> tuple[Integration, str]:
    """A new integration filing tickets for `team`, and its token (shown once).

    Raises:
        AccountError: an empty name or team, or an integration of that name exists.
    """
    name, team = name.strip(), team.strip()
    if not name:
        raise AccountError("an integration needs a name")
    if not team:
        raise AccountError(f"say which team integration {name!r} files tickets for: --team T")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    integration = Integration(new_id(), name, team)
    with database.write() as (session, _numbers):
        if session.execute(select(integrations.c.id).where(integrations.c.name == name)).first():
            raise AccountError(f"an integration named {name!r} exists already")
        session.execute(insert(integrations).values(id=integration.id, name=name, team=team,
                                                    token_hash=hash_token(token), disabled=False))
    return integration, token


_COLUMNS = (integrations.c.id, integrations.c.name, integrations.c.team, integrations.c.disabled)


def list_integrations(database: Database) -> list[Integration]:
    with database.read() as session:
        return [Integration(*row) for row in session.execute(select(*_COLUMNS).order_by(integrations.c.name))]


def _find(session, who: str) -> Integration:
    found = session.execute(select(*_COLUMNS).where(or_(integrations.c.name == who, integrations.c.id == who))).first()
    if found is None:
        raise AccountError(f"no integration named {who!r} (list them with: cs-console server list-integrations)")
    return Integration(*found)


def disable_integration(database: Database, who: str) -> Integration:
    """Refuse the integration's token from now on; the tickets it filed stay.

    Raises:
        AccountError: no integration of that name or id.
    """
    with database.write() as (session, _numbers):
        integration = _find(session, who)
        session.execute(update(integrations).where(integrations.c.id == integration.id).values(disabled=True))
    return Integration(integration.id, integration.name, integration.team, True)


def rotate_integration(database: Database, who: str) -> tuple[Integration, str]:
    """A new token for the integration (enabling it again); the old one stops working at once.

    Raises:
        AccountError: no integration of that name or id.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with database.write() as (session, _numbers):
        integration = _find(session, who)
        session.execute(update(integrations).where(integrations.c.id == integration.id)
                        .values(token_hash=hash_token(token), disabled=False))
    return Integration(integration.id, integration.name, integration.team, False), token


def authenticate_integration(database: Database, authorization: str | None) -> Integration:
    """The integration an `Authorization: Bearer <token>` header names.

    Raises:
        Unauthorized: no token, or not an integration's (an agent's token files no tickets here).
        Forbidden: the integration is disabled.
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the intake API needs an integration's bearer token "
                           "(made by: cs-console server add-integration NAME --team T)")
    with database.read() as session:
        found = session.execute(select(*_COLUMNS).where(integrations.c.token_hash == hash_token(token.strip()))).first()
    if found is None:
        raise Unauthorized("this server knows no integration with that token; "
                           "make one with: cs-console server add-integration NAME --team T")
    integration = Integration(*found)
    if integration.disabled:
        raise Forbidden(f"integration {integration.name!r} is disabled; an admin enables it with a new token: "
                        f"cs-console server rotate-integration {integration.name!r}")
    return integration
