"""The knowledge-base index saved beside the database: a new process loads it instead of
building it again, and any change to articles or templates, a damaged file or one that is
not ours alone makes it rebuild. "Not rebuilt" is asserted by making a build fail, never by
timing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from cs_console.kb.search import SearchIndex
from cs_console.store import Store
from cs_console.usecases import kb_index_file
from cs_console.usecases.kb_catalog import Catalog
from cs_console.usecases.kb_import import import_file
from tests.test_kb_import import ARTICLES_JSONL, TEMPLATES_JSONL, write_jsonl


@pytest.fixture
def kb_store(store, tmp_path):
    import_file(store, write_jsonl(tmp_path / "kb.jsonl", ARTICLES_JSONL))
    import_file(store, write_jsonl(tmp_path / "team_templates.jsonl", TEMPLATES_JSONL))
    return store


def refuse_builds(index, documents):
    raise AssertionError("the index was built again")


@pytest.fixture
def no_build(monkeypatch):
    """Any build from here on fails the test."""
    monkeypatch.setattr(SearchIndex, "__init__", refuse_builds)


def saved_key(store: Store) -> tuple:
    return kb_index_file.INDEX_FORMAT, store.device_id, store.kb_generation()


def titles(catalog: Catalog, query: str) -> list[str]:
    return [hit.title for hit in catalog.search(query)]


def test_a_second_catalog_loads_the_saved_index(kb_store, monkeypatch):
    first = Catalog(kb_store)
    path = kb_index_file.index_path(kb_store)
    assert path.is_file() and path.stat().st_mode & 0o777 == 0o600
    saved = path.stat()
    monkeypatch.setattr(SearchIndex, "__init__", refuse_builds)
    second = Catalog(kb_store)
    assert len(second) == len(first) == 3
    assert titles(second, "vsat") == titles(first, "vsat") == ["VSAT 终端重启步骤"]
    assert second.document(first.search("greeting")[0].id)["body"] == "Dear {customer.contact_name},"
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (saved.st_ino, saved.st_mtime_ns), "left as it was"


def test_another_process_searches_without_building(kb_store, tmp_path):
    Catalog(kb_store)
    kb_store.close()
    code = (
        "import sys\n"
        "from cs_console.store import Store\n"
        "from cs_console.kb.search import SearchIndex\n"
        "from cs_console.usecases.kb_catalog import Catalog\n"
        "def refuse(index, documents): raise AssertionError('built again')\n"
        "SearchIndex.__init__ = refuse\n"
        "catalog = Catalog(Store.open(sys.argv[1]))\n"
        "print([hit.title for hit in catalog.search('vsat')])\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(kb_store.path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(["VSAT 终端重启步骤"])


def test_a_new_article_rebuilds_the_index_and_is_found(kb_store, tmp_path):
    Catalog(kb_store)
    import_file(kb_store, write_jsonl(tmp_path / "more.jsonl", [
        {"key": "crew-change", "title": "Crew change at Singapore anchorage", "body": "Book the launch early.",
         "tags": ["crew"], "lang": "en", "category": "maritime"},
    ]))
    assert titles(Catalog(kb_store), "crew chnage") == ["Crew change at Singapore anchorage"]


def test_an_edited_article_rebuilds_the_index(kb_store, tmp_path):
    Catalog(kb_store)
    edited = {**ARTICLES_JSONL[0], "title": "VSAT 终端断电重启"}
    import_file(kb_store, write_jsonl(tmp_path / "kb.jsonl", [edited]))
    assert titles(Catalog(kb_store), "vsat") == ["VSAT 终端断电重启"]


def test_any_writer_of_the_rows_makes_the_index_stale(kb_store, no_build):
    """A synced row arrives through the same tables: the triggers count every writer."""
    generation = kb_store.kb_generation()
    with sqlite3.connect(kb_store.path) as db:
        db.execute("UPDATE kb_article SET deleted = 1 WHERE title = 'Oily water discharge'")
    assert kb_store.kb_generation() > generation
    with pytest.raises(AssertionError, match="built again"):
        Catalog(kb_store)


def test_using_a_template_costs_no_rebuild_and_still_counts(kb_store, monkeypatch):
    template_id = Catalog(kb_store).search("greeting")[0].id
    generation = kb_store.kb_generation()
    Catalog(kb_store).note_use(template_id)
    assert kb_store.kb_generation() == generation
    monkeypatch.setattr(SearchIndex, "__init__", refuse_builds)
    assert Catalog(kb_store).document(template_id)["uses"] == 13


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    lambda path: path.write_bytes(b"not a pickle at all"),
    lambda path: path.write_bytes(b""),
])
def test_a_damaged_file_is_rebuilt_not_an_error(kb_store, damage):
    expected = titles(Catalog(kb_store), "vsat")
    path = kb_index_file.index_path(kb_store)
    damage(path)
    assert titles(Catalog(kb_store), "vsat") == expected
    assert kb_index_file.load(path, saved_key(kb_store)) is not None, "saved again, whole"


def test_a_file_others_may_write_is_never_loaded(kb_store):
    Catalog(kb_store)
    path = kb_index_file.index_path(kb_store)
    os.chmod(path, 0o666)
    assert kb_index_file.load(path, saved_key(kb_store)) is None
    os.chmod(path, 0o600)
    assert kb_index_file.load(path, saved_key(kb_store)) is not None


def test_an_index_of_another_format_or_database_is_not_loaded(kb_store):
    Catalog(kb_store)
    path = kb_index_file.index_path(kb_store)
    key = saved_key(kb_store)
    assert kb_index_file.load(path, key) is not None
    assert kb_index_file.load(path, (key[0] + 1, *key[1:])) is None
    assert kb_index_file.load(path, (key[0], "another device", key[2])) is None


def test_a_folder_that_cannot_be_written_only_means_building_again(kb_store, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(kb_index_file.tempfile, "mkstemp", refuse)
    assert titles(Catalog(kb_store), "vsat") == ["VSAT 终端重启步骤"]
    assert not kb_index_file.index_path(kb_store).exists()


def test_the_saved_documents_come_back_as_the_store_gave_them(kb_store):
    Catalog(kb_store)
    documents, _ = kb_index_file.load(kb_index_file.index_path(kb_store), saved_key(kb_store))
    assert {document["id"]: document for document in kb_store.kb_documents()} == dict(documents)
