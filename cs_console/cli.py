"""The `cs-console` command: parses the global options, opens the store, and hands each
subcommand to its group in `cs_console.commands` (or starts the console).

It holds no subcommand's work. Heavy modules (Textual, SQLAlchemy, the demo loader, the
server) are imported by the subcommand that needs them, so `cs-console --version`,
`--help` and start-up stay quick.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from cs_console import __version__, paths
from cs_console.commands import database as database_commands
from cs_console.commands import demo as demo_commands
from cs_console.commands import kb as kb_commands
from cs_console.commands import lead as lead_commands
from cs_console.commands import review as review_commands
from cs_console.commands import server as server_commands
from cs_console.commands import sync as sync_commands
from cs_console.errors import UserError


def _global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
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
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = _global_options(argparse.ArgumentParser(
        prog="cs-console",
        description="A keyboard-first terminal workstation for customer-service agents.",
    ))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the console (the default when no command is given)")
    call = commands.add_parser(
        "call", help="open the console on a caller: their open ticket, else a new ticket for them "
                     "(for a softphone's run-on-incoming-call hook)")
    call.add_argument("number", metavar="NUMBER", help="the caller's number, e.g. +86 138 0013 8000 or 13800138000")
    demo_commands.add_commands(commands)
    kb_commands.add_commands(commands)
    server_commands.add_commands(commands)
    sync_commands.add_commands(commands)
    lead_commands.add_commands(commands)
    review_commands.add_commands(commands)
    database_commands.add_commands(commands)
    return parser


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line. The console's own start (global options only, the usual case) is
    read without building the thirty-odd subcommands' parsers: 1.5 ms against 6.0 ms of a
    start of about 0.28 s (bench_start). Anything else, help and mistakes included, goes
    to the whole parser."""
    quick = _global_options(argparse.ArgumentParser(prog="cs-console", add_help=False, exit_on_error=False))
    try:
        args, rest = quick.parse_known_args(argv)
    except argparse.ArgumentError:
        rest = ["?"]
    if rest:
        return _parser().parse_args(argv)
    args.command = None
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        return _dispatch(args)
    except UserError as error:
        print(f"cs-console: error: {error}", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    database = args.db or paths.default_database()
    if args.command == "server":
        return server_commands.run(args)
    if args.command == "login":
        return sync_commands.login(args)
    if args.command in database_commands.COMMANDS:
        return database_commands.run(database.expanduser(), args)
    from cs_console.config import load

    config = load(paths.config_file())
    store = _open_store(database, console=args.command in (None, "run"))
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
        if args.command in review_commands.COMMANDS:
            return review_commands.run(store, config, args)
        if args.readonly and args.command in (None, "run") and store.working_agent() is None:
            print("cs-console: error: --readonly: nobody works on this device yet; add --agent NAME "
                  "(or run once without --readonly)", file=sys.stderr)
            return 2
        if args.command == "demo":
            return demo_commands.run(store, config, args)
        if args.command == "kb":
            return kb_commands.run(store, args)
        if args.command == "sync":
            return sync_commands.sync(store, args)
        call = None
        if args.command == "call":
            from cs_console.usecases.caller_lookup import phone_or_refuse

            try:
                call = phone_or_refuse(args.number, config.phone_region)
            except ValueError as error:
                print(f"cs-console: error: call: {error}", file=sys.stderr)
                return 2
        return _run(store, config, call)
    finally:
        store.close()


def _open_store(database: Path, console: bool):
    """The store for a subcommand, or for the console a `LazyStore`, whose first screen
    shows before SQLAlchemy is loaded.

    Raises:
        StoreError: the database cannot be opened (`Store.open`).
    """
    if console:
        from cs_console.lazy_store import LazyStore

        return LazyStore.open(database)
    from cs_console.store import Store

    return Store.open(database)


LOW_BANDWIDTH_FPS = 4
"""Frames per second at most in low-bandwidth mode (Textual's default is 60): a burst of
changes goes out as one frame. Read by Textual when it is imported, so set before that."""


def _run(store, config, call: str | None = None) -> int:
    if config.low_bandwidth:
        os.environ.setdefault("TEXTUAL_FPS", str(LOW_BANDWIDTH_FPS))
    from cs_console.app import ConsoleApp

    app = ConsoleApp(store, config, call=call)
    app.run()
    return app.return_code or 0
