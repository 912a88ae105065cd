"""The `cs-console` command: the console itself and its subcommands.

Heavy modules (Textual, the demo loader) are imported by the subcommand that needs them, so
`cs-console --help` and start-up stay quick.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from cs_console import __version__, paths
from cs_console.commands import lead as lead_commands
from cs_console.errors import UserError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cs-console",
        description="A keyboard-first terminal workstation for customer-service agents.",
    )
    parser.add_argument("--version", action="version", version=f"cs-console {__version__}")
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help=f"the local database file (default: {paths.default_database()}; "
        f"${paths.HOME_VARIABLE} moves data and config to one folder)",
    )
    parser.add_argument("--agent", metavar="NAME", help="work as NAME on this device from now on (as `agent use`)")
    parser.add_argument("--readonly", action="store_true",
                        help="review only: nothing can be changed, so a stray key over a slow link does no harm")
    parser.add_argument("--low-bandwidth", action="store_true",
                        help="fewer frames and countdowns ticking once a minute, for slow SSH hops and satellite links")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the console (the default when no command is given)")
    demo = commands.add_parser("demo", help="load the demo data set into the database (safe to repeat)")
    demo.add_argument("--tickets", type=_positive_int, metavar="N",
                      help="also generate N tickets of a desk's history, for trials at scale (once per database)")
    _add_kb_commands(commands)
    _add_sync_commands(commands)
    lead_commands.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except UserError as error:
        print(f"cs-console: error: {error}", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    database = args.db or paths.default_database()
    if args.command == "server":
        return _server(args)
    if args.command == "login":
        return _login(args)
    from cs_console.config import load
    from cs_console.store import Store, StoreError

    try:
        config = load(paths.config_file())
        store = Store.open(database)
    except StoreError as error:
        print(f"cs-console: error: {error}", file=sys.stderr)
        return 2
    try:
        if args.agent is not None:
            from cs_console.text.strings import Strings, interface_language

            try:
                lead_commands.use_agent(store, args.agent, Strings(interface_language(config.raw, config.language)))
            except lead_commands.CommandError as error:
                print(f"cs-console: error: --agent: {error}", file=sys.stderr)
                return 2
        store.readonly = args.readonly
        if args.low_bandwidth:
            config = dataclasses.replace(config, low_bandwidth=True)
        if args.command in lead_commands.COMMANDS:
            return lead_commands.run(store, config, args)
        if args.readonly and args.command in (None, "run") and store.current_agent() is None:
            print("cs-console: error: --readonly: nobody works on this device yet; add --agent NAME "
                  "(or run once without --readonly)", file=sys.stderr)
            return 2
        if args.command == "demo":
            return _demo(store, config, args.tickets)
        if args.command == "kb":
            return _kb(store, args)
        if args.command == "sync":
            return _sync(store, args)
        return _run(store, config)
    finally:
        store.close()


def _add_kb_commands(commands) -> None:
    kb = commands.add_parser("kb", help="the knowledge base: import articles and templates, search them")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="COMMAND", required=True)
    kb_import = kb_commands.add_parser(
        "import",
        help="import articles and templates from .md, .csv and .jsonl files or folders; "
        "a file with a bad row is refused whole (exit status 2)",
    )
    kb_import.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    kb_search = kb_commands.add_parser("search", help="search articles and templates as the console does")
    kb_search.add_argument("query", metavar="QUERY")
    kb_search.add_argument("--limit", type=_positive_int, default=20, metavar="N", help="at most N hits (default 20)")
    kb_search.add_argument("--json", action="store_true", help="print a JSON list of hits, for scripts")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number 1 or more, got {text!r}")
    return int(text)


def _kb(store, args) -> int:
    if args.kb_command == "import":
        return _kb_import(store, args.paths)
    return _kb_search(store, args.query, args.limit, args.json)


def _kb_import(store, paths: list[Path]) -> int:
    from cs_console.kb.importer import import_paths

    outcome = import_paths(store, paths)
    for report in outcome.reports:
        print(report)
    for refused in outcome.refused:
        print(f"cs-console: {refused.path}: refused, nothing imported:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
    return 2 if outcome.refused else 0


def _kb_search(store, query: str, limit: int, as_json: bool) -> int:
    import json

    from cs_console.kb.search import SearchIndex

    documents = store.kb_documents()
    if not documents:
        print("cs-console: the knowledge base is empty; run `cs-console demo` or "
              "`cs-console kb import PATH` first", file=sys.stderr)
    hits = SearchIndex(documents).search(query, limit=limit) if documents else []
    if as_json:
        print(json.dumps(
            [{"id": hit.id, "kind": hit.kind, "title": hit.title, "score": hit.score,
              "spans": [list(span) for span in hit.title_spans]} for hit in hits],
            ensure_ascii=False,
        ))
    else:
        for hit in hits:
            print(f"{hit.kind:<9} {hit.score:>7.1f}  {hit.title}")
        if documents and not hits:
            print(f"cs-console: nothing in the knowledge base matches {query!r}", file=sys.stderr)
    return 0


def _add_sync_commands(commands) -> None:
    server = commands.add_parser("server", help="run the central sync server, or manage its agent accounts")
    server.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=_positive_int, default=8737, help="port to listen on (default 8737)")
    database_help = "the server database: a sqlite:/// path or a postgresql+psycopg:// URL (default: server.db in the data folder)"
    server.add_argument("--database-url", metavar="URL", help=database_help)
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
    for command in (add, listing, disable, rotate):
        command.add_argument("--database-url", metavar="URL", default=argparse.SUPPRESS, help=database_help)
    sync = commands.add_parser("sync", help="sync once with the server: send local changes, fetch the rest")
    sync.add_argument("--server", metavar="URL", help="another server than the one logged in to")
    sync.add_argument("--json", action="store_true", help="print what moved as one JSON object")
    login = commands.add_parser("login", help="save the sync server and this agent's token (file mode 0600)")
    login.add_argument("url", metavar="URL")
    login.add_argument("--token", metavar="T", help="the token from `server add-agent` (asked for when left out)")


SERVER_EXTRA_MODULES = frozenset({"fastapi", "uvicorn", "starlette", "psycopg"})
"""What `pip install 'cs-console[server]'` adds; a ship terminal installs only the console."""


def _server(args) -> int:
    try:
        return _serve_or_administer(args)
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] not in SERVER_EXTRA_MODULES:
            raise
        print(f"cs-console: error: the sync server needs {missing.name}, which this installation lacks; "
              "install the server extra: pip install 'cs-console[server]' "
              "(pipx: pipx install 'cs-console[server]')", file=sys.stderr)
        return 2


def _serve_or_administer(args) -> int:
    if args.server_command is None:
        from cs_console.server.app import serve

        print(f"cs-console sync server on http://{args.host}:{args.port} (API docs at /docs)", flush=True)
        serve(args.host, args.port, args.database_url)
        return 0
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


def _login(args) -> int:
    import getpass

    from cs_console.sync.client import login, settings_path
    from cs_console.sync.cycle import TransportError
    from cs_console.sync.errors import SyncError

    token = args.token or getpass.getpass("Token: ").strip()
    try:
        settings = login(args.url, token)
    except (SyncError, TransportError) as error:
        print(f"cs-console: login failed: {error}", file=sys.stderr)
        return 2
    print(f"Logged in to {settings.server} as {settings.agent_name}; saved to {settings_path()} (readable by you only)")
    return 0


def _sync(store, args) -> int:
    import json
    from dataclasses import asdict

    from cs_console.sync.client import load_settings, sync_once

    settings = load_settings().with_server(args.server)
    report = sync_once(store, settings)
    if args.json:
        print(json.dumps({**asdict(report), "ok": report.ok, "server": settings.server}))
    elif report.ok:
        print(f"Synced with {settings.server}: sent {report.sent} changes, received {report.received} rows "
              f"in {report.pages} pages ({report.bytes_up:,} bytes up, {report.bytes_down:,} down); "
              f"{report.pending} waiting" + (f", {report.refused} refused by the server" if report.refused else ""))
    if not report.ok:
        print(f"cs-console: sync failed: {report.error}", file=sys.stderr)
    return 0 if report.ok else 1


def _demo(store, config, tickets: int | None = None) -> int:
    from cs_console.demo.data_set import load_demo
    from cs_console.utc import utcnow

    added = load_demo(store, utcnow())
    if added:
        print(f"Loaded the demo data: {added} rows into {store.path}")
    else:
        print(f"The demo data is already in {store.path}; nothing added")
    if tickets:
        from cs_console.demo.history import AlreadyGenerated, generate

        try:
            agent = store.current_agent()
            found = generate(store, tickets, now=utcnow(), agent_id=agent.id, config=config.for_agent(agent.timezone))
        except AlreadyGenerated as error:
            print(f"cs-console: error: {error}", file=sys.stderr)
            return 2
        print(f"Generated {found.tickets:,} tickets of history for {found.customers:,} customers into {store.path}")
    return 0


LOW_BANDWIDTH_FPS = 4
"""Frames per second at most in low-bandwidth mode (Textual's default is 60): a burst of
changes goes out as one frame. Read by Textual when it is imported, so set before that."""


def _run(store, config) -> int:
    if config.low_bandwidth:
        os.environ.setdefault("TEXTUAL_FPS", str(LOW_BANDWIDTH_FPS))
    from cs_console.app import ConsoleApp

    app = ConsoleApp(store, config)
    app.run()
    return app.return_code or 0
