"""`cs-console demo`: the demo data set, and with `--tickets N` a desk's history at scale.

Loading the demo is safe to repeat (rows already there are left alone); generating
history is refused, exit status 2, on a database that has it already.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from cs_console.commands import whole_number

if TYPE_CHECKING:
    from cs_console.config import Config
    from cs_console.store import Store


def add_commands(commands) -> None:
    """Add `demo` to the subcommand parser."""
    demo = commands.add_parser("demo", help="load the demo data set into the database (safe to repeat)")
    demo.add_argument("--tickets", type=whole_number, metavar="N",
                      help="also generate N tickets of a desk's history, for trials at scale (once per database)")


def run(store: Store, config: Config, args) -> int:
    """Load the demo, then any history asked for; returns the exit status."""
    from cs_console.demo.data_set import load_demo
    from cs_console.utc import utcnow

    added = load_demo(store, utcnow())
    if added:
        print(f"Loaded the demo data: {added} rows into {store.path}")
    else:
        print(f"The demo data is already in {store.path}; nothing added")
    if args.tickets:
        from cs_console.demo.history import AlreadyGenerated, generate

        try:
            agent = store.current_agent()
            found = generate(store, args.tickets, now=utcnow(), agent_id=agent.id,
                             config=config.for_agent(agent.timezone))
        except AlreadyGenerated as error:
            print(f"cs-console: error: {error}", file=sys.stderr)
            return 2
        print(f"Generated {found.tickets:,} tickets of history for {found.customers:,} customers into {store.path}")
    return 0
