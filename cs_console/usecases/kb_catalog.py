"""The knowledge base as the console holds it: one search index, shared by every screen.

Built once, off the event loop, from the store; kept current when a template is used. The
index caches per keystroke and is not safe for two threads at once, so every search goes
through one lock; a search takes milliseconds, so the lock is never held long.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from cs_console.kb.search import Hit, SearchIndex
from cs_console.store import Store


class Catalog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._documents: dict[str, dict] = {doc["id"]: doc for doc in store.kb_documents()}
        self._index = SearchIndex(self._documents.values())

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
            self._index.upsert(document)
