"""The articles and templates behind the search index, as the catalog hands them out.

A shelf keeps every document's text in one long UTF-8 string of bytes, with an array of
where each piece starts, rather than a dict per document: the saved index (`cs_console.usecases.kb_index_file`)
then loads without making 100,000 dicts and their strings (0.16 s of a load at 100,000
documents, `bench_search`'s `load_s`). A document becomes a dict when it is asked for;
one put back (a template used once more) is kept as given.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping
from itertools import accumulate

_PIECES = ("id", "kind", "title", "lang", "body", "tags")
"""The text pieces of one document, in the order they are stored; `tags` as JSON."""


class Shelf(Mapping):
    """Documents by id: mappings with id, kind, title, body, tags, lang and uses."""

    def __init__(self, documents: Iterable[Mapping]) -> None:
        documents = list(documents)
        pieces = [
            json.dumps(list(document.get("tags") or ()), ensure_ascii=False) if name == "tags"
            else str(document.get(name) or "")
            for document in documents for name in _PIECES
        ]
        encoded = [piece.encode("utf-8", "surrogatepass") for piece in pieces]
        self._text = b"".join(encoded)
        self._starts = array("q", accumulate(map(len, encoded), initial=0))
        self._uses = array("q", (int(document.get("uses") or 0) for document in documents))
        self._ids = [str(document["id"]) for document in documents]
        self._put: dict[str, dict] = {}
        self._row_of: dict[str, int] | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_row_of": None}

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __getitem__(self, doc_id: str) -> dict:
        put = self._put.get(doc_id)
        if put is not None:
            return dict(put)
        row = self._rows()[doc_id]
        text, starts, first = self._text, self._starts, row * len(_PIECES)
        found = {
            name: text[starts[first + at] : starts[first + at + 1]].decode("utf-8", "surrogatepass")
            for at, name in enumerate(_PIECES)
        }
        found["tags"] = json.loads(found["tags"])
        found["lang"] = found["lang"] or None
        found["uses"] = self._uses[row]
        return found

    def uses(self, doc_id: str) -> int | None:
        """How often the document has been used, without making its dict; None if unknown."""
        put = self._put.get(doc_id)
        if put is not None:
            return put["uses"]
        row = self._rows().get(doc_id)
        return None if row is None else self._uses[row]

    def put(self, document: Mapping) -> None:
        """Replace the document with the same id."""
        self._put[document["id"]] = dict(document)

    def _rows(self) -> dict[str, int]:
        if self._row_of is None:
            self._row_of = dict(zip(self._ids, range(len(self._ids))))
        return self._row_of
