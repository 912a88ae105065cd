"""The `cs-console` command: the console itself and its subcommands.

Heavy modules (Textual, the demo loader) are imported by the subcommand that needs them, so
`cs-console --help` and start-up stay quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cs_console import __version__, paths


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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the console (the default when no command is given)")
    commands.add_parser("demo", help="load the demo data set into the database (safe to repeat)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    database = args.db or paths.default_database()
    from cs_console.config import ConfigError, load
    from cs_console.store import Store, StoreError

    try:
        config = load(paths.config_file())
        store = Store.open(database)
    except (StoreError, ConfigError) as error:
        print(f"cs-console: error: {error}", file=sys.stderr)
        return 2
    try:
        if args.command == "demo":
            return _demo(store)
        return _run(store, config)
    finally:
        store.close()


def _demo(store) -> int:
    from cs_console.demo import load_demo
    from cs_console.utc import utcnow

    added = load_demo(store, utcnow())
    if added:
        print(f"Loaded the demo data: {added} rows into {store.path}")
    else:
        print(f"The demo data is already in {store.path}; nothing added")
    return 0


def _run(store, config) -> int:
    from cs_console.app import ConsoleApp

    ConsoleApp(store, config).run()
    return 0
