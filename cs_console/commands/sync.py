"""Syncing from the command line: `cs-console login` saves the server and token, `sync` runs
one cycle.

`login` needs no local database. It reads the token from standard input when that is not
a terminal, and asks for it otherwise: a token in the command line lands in the shell's
history and the process list (and one that starts with "-" reads as an option), so
`--token` is for scripts. `login` and `sync --server` refuse plain http to another
machine unless `--insecure`; login remembers that choice for its server. `sync` sends
this device's outbox and fetches the rest through the same client the console's
background sync uses. A failed cycle exits 1 with the reason on stderr (`--json` still
prints what moved); a missing login exits 2. It refuses to retry by itself: the
console's scheduler does that, a script decides for itself.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cs_console.store import Store


def add_commands(commands) -> None:
    """Add `sync` and `login` to the subcommand parser."""
    sync = commands.add_parser("sync", help="sync once with the server: send local changes, fetch the rest")
    sync.add_argument("--server", metavar="URL", help="another server than the one logged in to")
    sync.add_argument("--json", action="store_true", help="print what moved as one JSON object")
    sync.add_argument("--insecure", action="store_true", help="allow --server to be plain http to another machine")
    login = commands.add_parser("login", help="save the sync server and this agent's token (file mode 0600)")
    login.add_argument("url", metavar="URL")
    login.add_argument("--token", metavar="T",
                       help="the token from `server add-agent`, for scripts: it lands in shell history; by default "
                            "it is read from standard input or asked for (a token starting with - needs --token=T)")
    login.add_argument("--insecure", action="store_true",
                       help="send the token over plain http to another machine (a network you trust)")


def login(args) -> int:
    """Check the token with the server and save both; returns the exit status."""
    import getpass

    from cs_console.sync.client import login
    from cs_console.sync.cycle import TransportError
    from cs_console.sync.errors import SyncError
    from cs_console.sync.login import LoginError, settings_path

    token = args.token or (getpass.getpass("Token: ") if sys.stdin.isatty() else sys.stdin.readline()).strip()
    if not token:
        print("cs-console: login failed: no token given (type it when asked, or pipe it in)", file=sys.stderr)
        return 2
    try:
        settings = login(args.url, token, insecure=args.insecure)
    except LoginError as error:
        print(f"cs-console: login refused: {error}; use https://, or add --insecure on a network you trust",
              file=sys.stderr)
        return 2
    except (SyncError, TransportError) as error:
        print(f"cs-console: login failed: {error}", file=sys.stderr)
        return 2
    print(f"Logged in to {settings.server} as {settings.agent_name}; saved to {settings_path()} (readable by you only)")
    return 0


def sync(store: Store, args) -> int:
    """One sync cycle; returns the exit status."""
    import json
    from dataclasses import asdict

    from cs_console.sync.client import cleartext_problem, sync_once
    from cs_console.sync.login import load_settings
    from cs_console.text.strings import english

    settings = load_settings().with_server(args.server)
    trusted = args.insecure or settings.insecure
    problem = None if trusted or not args.server else cleartext_problem(args.server)
    if problem:
        print(f"cs-console: sync refused: {problem}; use https://, or add --insecure on a network you trust",
              file=sys.stderr)
        return 2
    report = sync_once(store, settings)
    if report.new_identity and not args.json:
        print(english("sync.new_identity", prefix=store.ticket_prefix))
    if args.json:
        print(json.dumps({**asdict(report), "ok": report.ok, "server": settings.server}))
    elif report.ok:
        print(f"Synced with {settings.server}: sent {report.sent} changes, received {report.received} rows "
              f"in {report.pages} pages ({report.bytes_up:,} bytes up, {report.bytes_down:,} down); "
              f"{report.pending} waiting" + (f", {report.refused} refused by the server" if report.refused else ""))
    if not report.ok:
        print(f"cs-console: sync failed: {report.error}", file=sys.stderr)
    return 0 if report.ok else 1
