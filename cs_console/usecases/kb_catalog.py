"""The knowledge base as the console holds it: one search index, shared by every screen.

Loaded once, off the event loop, from the index saved beside the database or else built
from the store (`cs_console.usecases.kb_index_file`); kept current when a template is used. The
index caches per keystroke and is not safe for two threads at once, so every search goes
through one lock; a search takes milliseconds, so the lock is never held long.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from cs_console.kb.glossary import Glossary, counterpart, search_across
from cs_console.kb.search import Hit
from cs_console.paths import asset
from cs_console.store import Store
from cs_console.usecases.kb_index_file import load_or_build


class Catalog:
    def __init__(self, store: Store, glossary: Glossary | None = None) -> None:
        self._store = store
        self.glossary = glossary if glossary is not None else shipped_glossary()
        self._lock = threading.Lock()
        self._documents, self._index = load_or_build(store)
        self._counterparts: dict[str, str | None] = {}

    def __len__(self) -> int:
        return len(self._documents)

    def search(self, query: str, limit: int = 20, lang: str | None = None) -> list[Hit]:
        """The best `limit` documents for `query`, in both languages when it holds glossary
        terms (`cs_console.kb.glossary`), the agent's language (`lang`) first."""
        with self._lock:
            return search_across(lambda text, most: self._index.search(text, limit=most, lang=lang), self.glossary,
                                 query, limit, lambda doc_id: self._documents[doc_id].get("lang"), lang)

    def counterpart(self, doc_id: str) -> Mapping | None:
        """The article that says the same in the other language, when the glossary links
        one both ways (`cs_console.kb.glossary.counterpart`); worked out once per article."""
        with self._lock:
            if doc_id not in self._counterparts:
                self._counterparts[doc_id] = counterpart(
                    lambda text, most: self._index.search(text, limit=most), self.glossary, doc_id,
                    lambda found: self._documents[found]["title"], lambda found: self._documents[found].get("lang"))
            found = self._counterparts[doc_id]
        return self._documents[found] if found is not None else None

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


def shipped_glossary(extra: Mapping[str, str] | None = None) -> Glossary:
    """The domain glossary shipped in assets/glossary.tsv, with `extra` pairs (English to
    Chinese, the config's [glossary] table) added or overriding."""
    return Glossary.from_text(asset("glossary.tsv").read_text(encoding="utf-8"), extra)
