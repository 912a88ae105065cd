"""The knowledge-base search index saved beside the database, so that a new process loads
it instead of reading every article and template and building it again: `cs-console kb
search` at 100,000 documents took 7.8 s before, 2 s with the saved index; the catalog
loads with 0.23 s of processor time instead of 0.48 s now that the file holds long strings
and arrays rather than a dict per document and a list per token (`bench_search` prints
`first_search_cold_s`, `first_search_warm_s`, `load_s` and `first_result_after_k_cpu_s`).

The file is the database's name plus `.kb-index`, written whole to a temporary file in the
same folder and renamed over the old one, so a reader finds the old file or the new one,
never half of one. It starts with its key: the index format (`kb.search.INDEX_FORMAT`), the
database's device id and its knowledge-base generation (`Store.kb_generation`, which
triggers in the database bump on every change to an article or template: an edit, an
import, a synced row). A file with another key is stale and a file that cannot be read
whole is damaged; either is rebuilt and replaced, never shown to the agent as an error.
Template use counts change too often to key on: they are read fresh on every load.

The rest of the file is a pickle of the documents (a `Shelf`) and the index, both kept
mostly as long strings and arrays so that loading makes few Python objects. Unpickling runs whatever
the file's writer chose, so this module loads only what it could have written itself: a
regular file owned by the user running it, writable by nobody else (it is written 0600),
in that user's data folder. Any other file is refused and rebuilt over. It refuses to load
an index from anywhere else, such as the server or another user's folder.
"""

from __future__ import annotations

import os
import pickle
import stat
import tempfile
from pathlib import Path

from cs_console import collector
from cs_console.kb.search import INDEX_FORMAT, SearchIndex
from cs_console.kb.shelf import Shelf
from cs_console.store import Store

SUFFIX = ".kb-index"

def load_or_build(store: Store) -> tuple[Shelf, SearchIndex]:
    """The store's documents and their index: the saved ones while they are current, else
    read and built afresh (and saved for the next process)."""
    path = index_path(store)
    # The generation is read before the documents: a change in between leaves a key older
    # than what was saved, so the next process rebuilds rather than trusting stale rows.
    key = (INDEX_FORMAT, store.device_id, store.kb_generation())
    saved = load(path, key)
    if saved is not None:
        documents, index = saved
        _refresh_uses(documents, index, store.template_uses())
        return documents, index
    rows = store.kb_documents()
    documents, index = Shelf(rows), SearchIndex(rows)
    del rows
    save(path, key, documents, index)
    return documents, index


def index_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + SUFFIX)


def load(path: Path, key: tuple) -> tuple[Shelf, SearchIndex] | None:
    """The documents and index saved at `path` under `key`; None when the file is missing,
    not ours alone, saved under another key, or damaged."""
    try:
        with path.open("rb") as file:
            if not _ours_alone(os.fstat(file.fileno())) or pickle.load(file) != key:
                return None
            # gc paused: 1.6 s -> 0.8 s to load 100k documents' index (a 100 MB file)
            with collector.paused():
                documents, index = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged pickle raises almost anything; the index is then rebuilt
        return None
    if not isinstance(documents, Shelf) or not isinstance(index, SearchIndex) or len(index) != len(documents):
        return None
    return documents, index


def save(path: Path, key: tuple, documents: Shelf, index: SearchIndex) -> None:
    """Replace the file at `path` in one rename; a folder that cannot be written only means
    the next process builds the index again."""
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")  # mode 0600
        with os.fdopen(descriptor, "wb") as file:
            pickle.dump(key, file, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump((documents, index), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _ours_alone(status: os.stat_result) -> bool:
    return stat.S_ISREG(status.st_mode) and status.st_uid == os.getuid() and not status.st_mode & 0o022


def _refresh_uses(documents: Shelf, index: SearchIndex, uses: dict[str, int]) -> None:
    """Bring the saved templates' use counts up to the store's."""
    for template_id, count in uses.items():
        saved = documents.uses(template_id)
        if saved is not None and saved != count:
            document = {**documents[template_id], "uses": count}
            documents.put(document)
            index.upsert(document)
