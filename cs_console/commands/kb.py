"""The knowledge base from the command line: `cs-console kb import` and `kb search`.

Import goes through `cs_console.usecases.kb_import`, search through the same index the
console uses, so a script sees what an agent sees. A refused file is reported with every
problem on stderr and exit status 2; the other files still import. `search` changes nothing
in the database; it only saves the index beside it (`cs_console.usecases.kb_index_file`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cs_console.commands import whole_number

if TYPE_CHECKING:
    from cs_console.store import Store


def add_commands(commands) -> None:
    """Add `kb import` and `kb search` to the subcommand parser."""
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
    kb_search.add_argument("--limit", type=whole_number, default=20, metavar="N", help="at most N hits (default 20)")
    kb_search.add_argument("--json", action="store_true", help="print a JSON list of hits, for scripts")


def run(store: Store, args) -> int:
    """Run `kb import` or `kb search`; returns the exit status."""
    if args.kb_command == "import":
        return _import(store, args.paths)
    return _search(store, args.query, args.limit, args.json)


def _import(store: Store, paths: list[Path]) -> int:
    from cs_console.usecases.kb_import import import_paths

    outcome = import_paths(store, paths)
    for report in outcome.reports:
        print(report)
    for refused in outcome.refused:
        print(f"cs-console: {refused.path}: refused, nothing imported:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
    return 2 if outcome.refused else 0


def _search(store: Store, query: str, limit: int, as_json: bool) -> int:
    import json

    from cs_console.usecases.kb_catalog import Catalog

    catalog = Catalog(store)
    if not len(catalog):
        print("cs-console: the knowledge base is empty; run `cs-console demo` or "
              "`cs-console kb import PATH` first", file=sys.stderr)
    hits = catalog.search(query, limit=limit) if len(catalog) else []
    if as_json:
        print(json.dumps(
            [{"id": hit.id, "kind": hit.kind, "title": hit.title, "score": hit.score,
              "spans": [list(span) for span in hit.title_spans]} for hit in hits],
            ensure_ascii=False,
        ))
    else:
        for hit in hits:
            print(f"{hit.kind:<9} {hit.score:>7.1f}  {hit.title}")
        if len(catalog) and not hits:
            print(f"cs-console: nothing in the knowledge base matches {query!r}", file=sys.stderr)
    return 0
