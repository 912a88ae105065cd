"""The knowledge base as the console holds it: one search index, shared by every screen.

Loaded once, off the event loop, from the index saved beside the database or else built
from the store (`cs_console.usecases.kb_index_file`); kept current when a template is used. The
index caches per keystroke and is not safe for two threads at once, so every search goes
through one lock; a search takes milliseconds, so the lock is never held long.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from cs_console.kb.search import Hit
from cs_console.store import Store
from cs_console.usecases.kb_index_file import load_or_build


class Catalog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._documents, self._index = load_or_build(store)

    def __len__(self) -> int:
        return len(self._documents)

    def search(self, query: str, limit: int = 20, lang: str | None = None) -> list[Hit]:
        with self._lock:
            return self._index.search(query, limit=limit, lang=lang)

    def document(self, doc_id: str) -> Mapping:
        return self._documents[doc_id]

    def note_use(self, template_id: str) -> None:
        """Count one use of a template in the store and in the ranking."""
        self._store.count_template_use(template_id)
        with self._lock:
            document = self._documents[template_id]
            document["uses"] = document.get("uses", 0) + 1
            self._documents.put(document)
            self._index.upsert(document)
