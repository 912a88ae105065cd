"""The central sync server from the command line: `cs-console server` runs it, its
`add-agent`, `list-agents`, `disable-agent` and `rotate-token` manage agent accounts, and
`add-integration`, `list-integrations`, `disable-integration` and `rotate-integration` the
intake API's integrations.

The server's dependencies are an extra (`cs-console[server]`); a ship terminal installs
only the console. This module is the one place that says so: when a server module is
missing it prints the command that installs the extra and exits 2, instead of a
traceback. It never opens the device's local database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cs_console.commands import whole_number

SERVER_EXTRA_MODULES = frozenset({"fastapi", "uvicorn", "starlette", "psycopg"})
"""What `pip install 'cs-console[server]'` adds; a ship terminal installs only the console."""


def add_commands(commands) -> None:
    """Add `server` and its account subcommands to the subcommand parser."""
    server = commands.add_parser("server", help="run the central sync server, or manage its agent accounts")
    server.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=whole_number, default=8737, help="port to listen on (default 8737)")
    database_help = "the server database: a sqlite:/// path or a postgresql+psycopg:// URL (default: server.db in the data folder)"
    server.add_argument("--database-url", metavar="URL", help=database_help)
    server.add_argument("--mail-config", metavar="FILE", type=Path,
                        help="mail settings (TOML): the mailboxes to fetch and the SMTP relay (see the README)")
    server.add_argument("--workers", type=whole_number, default=1, metavar="N",
                        help="server processes sharing the port (default 1; several want PostgreSQL, see the README)")
    server.add_argument("--attachments-dir", metavar="DIR", type=Path,
                        help="where attached files are kept (default: attachments/ in the data folder)")
    server.add_argument("--max-attachment-mb", type=whole_number, metavar="MB",
                        help="the largest attached file taken (default 25); larger ones are refused with 413")
    accounts = server.add_subparsers(dest="server_command", metavar="COMMAND")
    add = accounts.add_parser("add-agent", help="create an account; prints its token once")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=("agent", "lead", "admin"), required=True)
    add.add_argument("--team", default="", metavar="T")
    listing = accounts.add_parser("list-agents", help="list the accounts")
    disable = accounts.add_parser("disable-agent", help="refuse an account's token from now on")
    disable.add_argument("name", metavar="NAME_OR_ID")
    rotate = accounts.add_parser("rotate-token", help="give an account a new token (the old one stops working)")
    rotate.add_argument("name", metavar="NAME_OR_ID")
    backup = accounts.add_parser("backup", help="copy the server's SQLite database now, safely while it serves "
                                 "(PostgreSQL: pg_dump, see the README)")
    backup.add_argument("path", type=Path, metavar="PATH", help="the file to write")
    integration = accounts.add_parser(
        "add-integration", help="let a web form, monitoring system or partner portal file tickets for a team "
                                "(POST /v1/intake/tickets); prints its token once")
    integration.add_argument("name", metavar="NAME")
    integration.add_argument("--team", required=True, metavar="T", help="the team whose unassigned pool gets the tickets")
    integrations = accounts.add_parser("list-integrations", help="list the integrations and their teams")
    disable_integration = accounts.add_parser("disable-integration", help="refuse an integration's token from now on")
    disable_integration.add_argument("name", metavar="NAME_OR_ID")
    rotate_integration = accounts.add_parser(
        "rotate-integration", help="give an integration a new token (the old one stops working); prints it once")
    rotate_integration.add_argument("name", metavar="NAME_OR_ID")
    for command in (add, listing, disable, rotate, backup, integration, integrations, disable_integration,
                    rotate_integration):
        command.add_argument("--database-url", metavar="URL", default=argparse.SUPPRESS, help=database_help)


def run(args) -> int:
    """Serve, or manage an account; returns the exit status."""
    try:
        return _serve_or_administer(args)
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] not in SERVER_EXTRA_MODULES:
            raise
        print(f"cs-console: error: the sync server needs {missing.name}, which this installation lacks; "
              "install the server extra: pip install 'cs-console[server]' "
              "(pipx: pipx install 'cs-console[server]')", file=sys.stderr)
        return 2


def _file_store_settings(args) -> None:
    """Hand the file store's settings to every server process through the environment."""
    import os

    from cs_console.server import blob_store

    if args.attachments_dir is not None:
        os.environ[blob_store.FOLDER_VARIABLE] = str(args.attachments_dir.expanduser().resolve())
    if args.max_attachment_mb is not None:
        os.environ[blob_store.MAX_BYTES_VARIABLE] = str(args.max_attachment_mb * 1024 * 1024)


def _serve_or_administer(args) -> int:
    if args.server_command is None:
        from cs_console.server.app import serve
        from cs_console.server.mail_config import load

        mail = load(args.mail_config) if args.mail_config is not None else None
        _file_store_settings(args)
        print(f"cs-console sync server on http://{args.host}:{args.port} (API docs at /docs)", flush=True)
        if mail is not None:
            teams = ", ".join(f"{m.team} <{m.address}>" for m in mail.mailboxes) or "none"
            print(f"Mail: mailboxes {teams}; replies sent {'via ' + mail.smtp.host if mail.smtp else 'nowhere (no [smtp])'}",
                  flush=True)
        serve(args.host, args.port, args.database_url, mail, args.workers)
        return 0
    if args.server_command == "backup":
        return _backup(args.database_url, args.path.expanduser())
    from cs_console.server import accounts
    from cs_console.server.db import Database

    database = Database.open(args.database_url)
    try:
        if args.server_command == "list-agents":
            for account in accounts.list_agents(database):
                state = "disabled" if account.disabled else "enabled"
                print(f"{account.name:<24} {account.role:<6} {account.team or '-':<12} {state:<9} {account.agent_id}")
            return 0
        if args.server_command == "disable-agent":
            account = accounts.disable_agent(database, args.name)
            print(f"Disabled {account.name}; their token no longer syncs.")
            return 0
        if "integration" in args.server_command:
            return _integrations(database, args)
        if args.server_command == "add-agent":
            account, token = accounts.add_agent(database, args.name, args.role, args.team)
        else:
            account, token = accounts.rotate_token(database, args.name)
        team = f", team {account.team}" if account.team else ""
        print(f"{account.name} ({account.role}{team}), agent id {account.agent_id}")
        print("Token, shown this once (on the device: cs-console login URL --token TOKEN):")
        print(token)
        return 0
    finally:
        database.close()


def _backup(database_url: str | None, target: Path) -> int:
    """Copy the server's SQLite file with SQLite's online backup API (consistent while it serves).

    Raises:
        UserError: the database is PostgreSQL (pg_dump is its tool), or missing, or unreadable.
    """
    from cs_console.errors import UserError
    from cs_console.server.db import sqlite_file
    from cs_console.storage.backups import back_up

    source = sqlite_file(database_url)
    if source is None:
        raise UserError("the server database is PostgreSQL: back it up with pg_dump "
                        "(pg_dump --format=custom --file=PATH URL, see the README)")
    if not source.is_file():
        raise UserError(f"{source}: no such server database, nothing to back up")
    made = back_up(source, target)
    print(f"Backed up {source} to {made}")
    return 0


def _integrations(database, args) -> int:
    from cs_console.server import integrations

    if args.server_command == "list-integrations":
        for found in integrations.list_integrations(database):
            state = "disabled" if found.disabled else "enabled"
            print(f"{found.name:<24} {found.team:<16} {state:<9} {found.id}")
        return 0
    if args.server_command == "disable-integration":
        made = integrations.disable_integration(database, args.name)
        print(f"Disabled integration {made.name}; its token files no more tickets.")
        return 0
    if args.server_command == "rotate-integration":
        made, token = integrations.rotate_integration(database, args.name)
    else:
        made, token = integrations.add_integration(database, args.name, args.team)
    print(f"Integration {made.name} files tickets for team {made.team} (id {made.id})")
    print("Token, shown this once (send it as Authorization: Bearer TOKEN to POST /v1/intake/tickets):")
    print(token)
    return 0
