"""Storing a page the server sent: wire rows decoded, merged field by field with this device's.

A field takes the server's value unless an operation of this device still waiting to go up
wrote it with a later stamp; history rows (messages, events) are added when their id is
new. The rows are decoded here (`sync.schema`) and the store writes them, with the
acknowledgements and cursors, in one transaction (`Store.store_remote_page`). It refuses to
open a transaction of its own or to write a row but through the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cs_console.storage import hlc
from cs_console.storage.sync_state import RemoteRows
from cs_console.sync.schema import ENTITIES, to_model_values

if TYPE_CHECKING:
    from cs_console.store import Store


def store_sync_page(
    store: Store,
    *,
    acked_through: int | None,
    rows: dict[str, Sequence[dict]],
    cursor: int,
    library_cursor: int,
    server_ms: int,
    settings: dict[str, str] | None = None,
    settled: Sequence[tuple] = (),
) -> int:
    """Acknowledge operations up to `acked_through`, keep the `settled` writes that lost to
    a later one (`SyncResponse.settled`), merge a page of server rows and move both cursors
    (saving the sync `settings` that go with them), in one transaction.
    Returns the number of rows stored."""
    newest = hlc.Stamp(server_ms, 0, "")
    tables = []
    for entity, spec in ENTITIES.items():
        decoded = []
        for wire in rows.get(entity, ()):
            clocks = wire.get("field_clocks") or {}
            decoded.append((to_model_values(spec, {k: v for k, v in wire.items() if k != "field_clocks"}), clocks))
            for stamp in (*clocks.values(), wire.get("hlc")):
                if stamp:
                    newest = max(newest, hlc.Stamp.parse(stamp))
        tables.append(RemoteRows(spec.model, spec.append_only, decoded))
    return store.store_remote_page(
        acked_through=acked_through,
        tables=tables,
        merge=merge_fields,
        newest=newest,
        cursor=cursor,
        library_cursor=library_cursor,
        settings=settings,
        settled=settled,
    )


def merge_fields(
    local_clocks: dict[str, str], values: dict, clocks: dict[str, str], mine: dict[str, str]
) -> tuple[dict, dict[str, str]]:
    """The fields of a row both sides hold to take from the server, and the row's field clocks
    after: every field but those this device wrote later (`mine`, its waiting operations'
    stamps) than the server's stamp (`clocks`)."""
    taken = {}
    after = dict(local_clocks)
    for name, value in values.items():
        remote = clocks.get(name, "")
        if name == "id" or mine.get(name, "") > remote:
            continue
        taken[name] = value
        if remote:
            after[name] = remote
    return taken, after
