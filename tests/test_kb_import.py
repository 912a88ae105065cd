"""Importing articles and templates: the three formats, refusals by file and line, upserts."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cs_console.demo.data_set import demo_id
from cs_console.kb.importer import Entry, RefusedFile, merged, read_entries
from cs_console.paths import asset
from cs_console.storage.models import KbArticle
from cs_console.usecases.kb_import import FileReport, import_file, import_paths
from tests.conftest import stored_template

ARTICLES_JSONL = [
    {"key": "vsat-reset", "title": "VSAT 终端重启步骤", "body": "先断电三十秒，再按顺序上电。", "tags": ["vsat", "卫星"],
     "lang": "zh", "category": "maritime"},
    {"key": "oily-water", "title": "Oily water discharge", "body": "Never discharge oily water in port.",
     "tags": ["marpol"], "lang": "en", "category": "maritime", "compliance_triggers": ["oily water", "含油污水"]},
]
TEMPLATES_JSONL = [
    {"key": "greeting-en", "title": "Greeting", "body": "Dear {customer.contact_name},", "tags": ["greeting"],
     "lang": "en", "uses": 12},
]


def write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def counts(store) -> dict[str, int]:
    documents = store.kb_documents()
    return {kind: sum(1 for d in documents if d["kind"] == kind) for kind in ("article", "template")}


def by_id(store, document_id: str) -> dict:
    return next(d for d in store.kb_documents() if d["id"] == document_id)


# -- the three formats ------------------------------------------------------------------------


def test_jsonl_articles_and_templates_import_with_demo_ids(store, tmp_path):
    articles = write_jsonl(tmp_path / "kb.jsonl", ARTICLES_JSONL)
    templates = write_jsonl(tmp_path / "team_templates.jsonl", TEMPLATES_JSONL)
    assert import_file(store, articles) == FileReport(articles, 2, 0, 0)
    assert import_file(store, templates) == FileReport(templates, 1, 0, 0)
    oily = store.article(demo_id("kb", "oily-water"))
    assert json.loads(oily.compliance_triggers) == ["oily water", "含油污水"]
    assert oily.category == "maritime" and oily.lang == "en"
    greeting = stored_template(store, demo_id("template", "greeting-en"))
    assert greeting.uses == 12 and greeting.body == "Dear {customer.contact_name},"
    assert oily in store.compliance_articles()


def test_csv_with_mixed_kinds_list_separators_and_multiline_bodies(store, tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text(
        "\ufeffKind,ID,Title,Body,Tags,Lang,Category,Compliance_Triggers,Uses\n"
        'article,ballast,Ballast water,"Exchange ballast 200 nm from land.\n\nLog it.",marpol; ballast|压载水,en,maritime,ballast|压载水,\n'
        "template,sorry-zh,致歉,非常抱歉给您带来不便。,道歉,zh,,,3\n",
        encoding="utf-8",
    )
    assert import_file(store, path).added == 2
    ballast = store.article(demo_id("kb", "ballast"))
    assert ballast.body == "Exchange ballast 200 nm from land.\n\nLog it."
    assert json.loads(ballast.tags) == ["marpol", "ballast", "压载水"]
    assert stored_template(store, demo_id("template", "sorry-zh")).uses == 3


def test_markdown_with_front_matter(store, tmp_path):
    path = tmp_path / "typhoon-delay.md"
    path.write_text(
        "---\n"
        "title: \"台风延误: 客户告知要点\"\n"
        "tags: [台风, 'delay', \"port closure\"]\n"
        "# a comment line\n"
        "compliance_triggers:\n"
        "  - 台风\n"
        "  - typhoon\n"
        "category: maritime\n"
        "---\n"
        "\n"
        "# 要点\n\n告知客户预计恢复时间。\n",
        encoding="utf-8",
    )
    [entry] = read_entries(path)
    assert entry.key == "typhoon-delay" and entry.kind == "article"
    import_file(store, path)
    stored = store.article(demo_id("kb", "typhoon-delay"))
    assert stored.title == "台风延误: 客户告知要点"
    assert json.loads(stored.tags) == ["台风", "delay", "port closure"]
    assert stored.body == "# 要点\n\n告知客户预计恢复时间。"
    assert json.loads(stored.compliance_triggers) == ["台风", "typhoon"]
    assert stored.lang == "zh"


def test_kind_follows_the_file_name_unless_given(tmp_path):
    row = {"key": "k", "title": "T", "body": "text"}
    assert read_entries(write_jsonl(tmp_path / "templates.jsonl", [row]))[0].kind == "template"
    assert read_entries(write_jsonl(tmp_path / "Template-Greetings.jsonl", [row]))[0].kind == "template"
    assert read_entries(write_jsonl(tmp_path / "articles.jsonl", [row]))[0].kind == "article"
    assert read_entries(write_jsonl(tmp_path / "templates2.jsonl", [row | {"kind": "article"}]))[0].kind == "article"


def test_language_is_guessed_only_when_absent(store, tmp_path):
    path = write_jsonl(tmp_path / "kb.jsonl", [{"key": "a", "title": "压载水", "body": ""},
                                               {"key": "b", "title": "Ballast", "body": "x"}])
    import_file(store, path)
    assert store.article(demo_id("kb", "a")).lang == "zh"
    assert store.article(demo_id("kb", "b")).lang == "en"


# -- refusals: file and line, and nothing of the file lands ----------------------------------

GOOD = {"key": "good", "title": "Good", "body": "fine"}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"key": "x", "title": "T",}', "not valid JSON"),
        ('["key", "x"]', "expected a JSON object"),
        ({"key": "x", "body": "no title"}, "title is missing"),
        ({"title": "no key"}, "key is missing"),
        ({"key": "x", "title": "T", "lang": "fr"}, "lang: 'fr' is not one of en, zh"),
        ({"key": "x", "title": "T", "tags": "a;b"}, "tags: expected a list"),
        ({"key": "x", "title": "T", "tags": ["ok", 3]}, "tags[1]: expected non-empty text"),
        ({"key": "x", "title": "T", "tags": ["a, b"]}, "tags[0]: 'a, b' holds a separator"),
        ({"key": "x", "title": "T", "kind": "faq"}, "kind: 'faq' is not one of article, template"),
        ({"key": "x", "title": "T", "kind": ["template"]}, "kind: expected text"),
        ({"key": "x", "title": "T", "kind": "template", "body": "  "}, "body: a template needs text"),
        ({"key": "x", "title": "T", "kind": "template", "body": "b", "category": "c"}, "category: templates have no category"),
        ({"key": "x", "title": "T", "uses": 2}, "uses: articles have no uses"),
        ({"key": "x", "title": "T", "kind": "template", "body": "b", "uses": -1}, "uses: expected a whole number"),
        ({"key": "x", "title": "T", "tag": ["typo"]}, "unknown field 'tag'"),
        ({"key": "x", "title": "T", "compliance_triggers": ["油"]}, "too short"),
        ({"key": 7, "title": "T"}, "key: expected text"),
        ({"key": "good", "title": "Again"}, "key 'good': already used by the article on line 1"),
    ],
)
def test_a_bad_jsonl_row_refuses_the_whole_file_naming_file_and_line(store, tmp_path, bad, message):
    path = write_jsonl(tmp_path / "kb.jsonl", [GOOD, "", bad])
    with pytest.raises(RefusedFile) as refused:
        import_file(store, path)
    assert refused.value.path == path
    assert [(p.path, p.line) for p in refused.value.problems] == [(path, 3)]
    assert message in str(refused.value)
    assert str(refused.value).startswith(f"{path}:3: ")
    assert counts(store) == {"article": 0, "template": 0}
    assert store.pending_operations() == []


def test_every_bad_row_is_reported_not_only_the_first(tmp_path):
    path = write_jsonl(tmp_path / "kb.jsonl", [{"key": "a"}, GOOD, {"key": "b", "title": "T", "lang": "de"}])
    with pytest.raises(RefusedFile) as refused:
        read_entries(path)
    assert [p.line for p in refused.value.problems] == [1, 3]


def test_csv_problems_name_the_line_a_row_starts_on(store, tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text(
        "key,title,body,lang\n"
        'a,First,"two\nlines",en\n'
        "b,,missing title,en\n"
        "c,Third,x,xx\n"
        "d,Too,many,en,cells\n",
        encoding="utf-8",
    )
    with pytest.raises(RefusedFile) as refused:
        import_file(store, path)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}:4: title is missing",
        f"{path}:5: lang: 'xx' is not one of en, zh",
        f"{path}:6: has 5 cells; the header has 4",
    ]
    assert counts(store)["article"] == 0


def test_csv_unknown_column_is_refused_at_the_header(tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text("key,title,summary\na,A,s\n", encoding="utf-8")
    with pytest.raises(RefusedFile, match=r"kb\.csv:1: unknown column summary"):
        read_entries(path)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: no opening\n---\n", 1, "expected front matter"),
        ("---\ntitle: never closed\n", 1, "not closed"),
        ("---\ntitle: T\nthis is not a field\n---\nbody", 3, "expected 'name: value'"),
        ("---\ntitle: T\ntags: [a, b\n---\nbody", 3, "tags: the list '[a, b' is not closed"),
        ("---\ntitle: T\ntitle: U\n---\nbody", 3, "title: given twice (first on line 2)"),
        ("---\ntitle: 'T\n---\nbody", 2, "title: the quote"),
        ("---\ntitle: T\nlang: jp\n---\nbody", 3, "lang: 'jp'"),
        ("---\ntitle: T\ntags: urgent\n---\nbody", 3, "tags: expected a list"),
        ("---\ntitle: T\nbody: inline\n---\nbody", 3, "body: write the body below"),
        ("---\ntitle:\n---\nbody", 1, "title is missing"),
    ],
)
def test_markdown_problems_name_the_line(tmp_path, text, line, message):
    path = tmp_path / "note.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RefusedFile) as refused:
        read_entries(path)
    assert refused.value.problems[0].line == line
    assert message in refused.value.problems[0].message


def test_unreadable_and_empty_files_are_refused(tmp_path):
    latin1 = tmp_path / "kb.csv"
    latin1.write_bytes("key,title\na,Café\n".encode("latin-1"))
    with pytest.raises(RefusedFile, match="not UTF-8"):
        read_entries(latin1)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(RefusedFile, match="has no articles or templates"):
        read_entries(empty)


# -- re-import updates, never duplicates -------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(store, tmp_path):
    path = write_jsonl(tmp_path / "kb.jsonl", ARTICLES_JSONL)
    import_file(store, path)
    operations = len(store.pending_operations())
    assert import_file(store, path) == FileReport(path, 0, 0, 2)
    assert len(store.pending_operations()) == operations
    assert counts(store)["article"] == 2


def test_reimporting_a_changed_file_updates_only_the_changed_fields(store, tmp_path):
    path = write_jsonl(tmp_path / "kb.jsonl", ARTICLES_JSONL)
    import_file(store, path)
    changed = [ARTICLES_JSONL[0] | {"title": "VSAT 终端重启（新版）", "tags": ["vsat"]}, ARTICLES_JSONL[1]]
    write_jsonl(path, changed)
    assert import_file(store, path) == FileReport(path, 0, 1, 1)
    article = store.article(demo_id("kb", "vsat-reset"))
    assert article.title == "VSAT 终端重启（新版）" and json.loads(article.tags) == ["vsat"]
    update = store.pending_operations()[-1]
    assert update.action == "update" and set(json.loads(update.payload)) == {"title", "tags", "updated_at"}
    assert counts(store)["article"] == 2


def test_fields_a_file_does_not_give_keep_their_values(store, tmp_path):
    path = write_jsonl(tmp_path / "templates.jsonl", TEMPLATES_JSONL)
    import_file(store, path)
    template_id = demo_id("template", "greeting-en")
    store.count_template_use(template_id)
    without_uses = {key: value for key, value in TEMPLATES_JSONL[0].items() if key != "uses"}
    write_jsonl(path, [without_uses | {"body": "Dear {customer.name},"}])
    assert import_file(store, path).updated == 1
    template = stored_template(store, template_id)
    assert template.uses == 13 and template.body == "Dear {customer.name},"


def test_importing_a_deleted_article_brings_it_back(store, tmp_path):
    path = write_jsonl(tmp_path / "kb.jsonl", ARTICLES_JSONL[:1])
    import_file(store, path)
    article_id = demo_id("kb", "vsat-reset")
    gone = store.article(article_id).model_copy(update={"deleted": True})
    store.import_rows([KbArticle.model_validate(gone.model_dump())], update_existing=True)
    assert counts(store)["article"] == 0
    assert import_file(store, path).updated == 1
    assert counts(store)["article"] == 1


DEMO_FILES = [asset("demo/kb_articles.jsonl"), asset("demo/templates.jsonl")]


@pytest.mark.skipif(not all(p.exists() for p in DEMO_FILES), reason="the demo knowledge base is not written yet")
def test_reimporting_the_demo_files_updates_instead_of_duplicating(demo_store):
    before = counts(demo_store)
    outcome = import_paths(demo_store, DEMO_FILES)
    assert outcome.refused == ()
    assert [(r.added, r.updated) for r in outcome.reports] == [(0, 0), (0, 0)]
    assert sum(r.unchanged for r in outcome.reports) == sum(len(read_entries(path)) for path in DEMO_FILES)
    assert counts(demo_store) == before


# -- folders and file types ----------------------------------------------------------------------


def test_a_folder_imports_every_known_file_and_skips_the_rest(store, tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    write_jsonl(folder / "articles.jsonl", ARTICLES_JSONL)
    write_jsonl(folder / "templates.jsonl", TEMPLATES_JSONL)
    (folder / "ballast.md").write_text("---\ntitle: Ballast\n---\nExchange at sea.\n", encoding="utf-8")
    (folder / "phrases.csv").write_text("key,title,body\nbye,Goodbye,Best regards\n", encoding="utf-8")
    (folder / "README.txt").write_text("not imported", encoding="utf-8")
    (folder / ".draft.md").write_text("broken", encoding="utf-8")
    write_jsonl(folder / "broken.jsonl", ["{oops"])
    outcome = import_paths(store, [folder])
    assert [r.path.name for r in outcome.reports] == ["articles.jsonl", "ballast.md", "phrases.csv", "templates.jsonl"]
    assert [r.path.name for r in outcome.refused] == ["broken.jsonl"]
    assert counts(store) == {"article": 4, "template": 1}


def test_unknown_types_missing_paths_and_empty_folders_are_refused_by_name(store, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    outcome = import_paths(store, [notes, tmp_path / "missing.jsonl", empty])
    assert [str(r) for r in outcome.refused] == [
        f"{notes}: unknown file type; cs-console imports .md, .csv, .jsonl files",
        f"{tmp_path / 'missing.jsonl'}: no such file or folder",
        f"{empty}: folder has no .md, .csv, .jsonl files",
    ]


# -- the command ---------------------------------------------------------------------------------


def cli(database: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cs_console", "--db", str(database), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def test_kb_import_command_reports_per_file_and_exits_2_on_a_refusal(tmp_path):
    database = tmp_path / "cli.db"
    good = write_jsonl(tmp_path / "kb.jsonl", ARTICLES_JSONL)
    bad = write_jsonl(tmp_path / "bad_templates.jsonl", [TEMPLATES_JSONL[0], {"key": "x", "title": "T", "lang": "fr", "body": "b"}])
    result = cli(database, "kb", "import", str(good), str(bad))
    assert result.returncode == 2, result.stderr
    assert f"{good}: 2 added, 0 updated, 0 unchanged" in result.stdout
    assert f"{bad}: refused, nothing imported" in result.stderr
    assert f"{bad}:2: lang: 'fr' is not one of en, zh" in result.stderr
    again = cli(database, "kb", "import", str(good))
    assert again.returncode == 0, again.stderr
    assert f"{good}: 0 added, 0 updated, 2 unchanged" in again.stdout


def test_kb_import_command_refuses_an_unknown_file_type_by_name(tmp_path):
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK")
    result = cli(tmp_path / "cli.db", "kb", "import", str(notes))
    assert result.returncode == 2
    assert f"{notes}: unknown file type" in result.stderr


def test_kb_search_json_lists_hits_for_scripts(tmp_path):
    database = tmp_path / "cli.db"
    cli(database, "kb", "import", str(write_jsonl(tmp_path / "kb.jsonl", ARTICLES_JSONL)))
    result = cli(database, "kb", "search", "oily", "--json", "--limit", "5")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits and len(hits) <= 5
    assert set(hits[0]) == {"id", "kind", "title", "score", "spans"}
    assert hits[0]["id"] == demo_id("kb", "oily-water") and hits[0]["kind"] == "article"
    assert all(isinstance(span, list) and len(span) == 2 for span in hits[0]["spans"])
    plain = cli(database, "kb", "search", "oily")
    assert "Oily water discharge" in plain.stdout and "article" in plain.stdout


def test_kb_search_on_an_empty_knowledge_base_gives_a_hint(tmp_path):
    result = cli(tmp_path / "cli.db", "kb", "search", "ballast")
    assert result.returncode == 0
    assert "cs-console demo" in result.stderr and "kb import" in result.stderr
    assert json.loads(cli(tmp_path / "cli.db", "kb", "search", "ballast", "--json").stdout) == []


def test_unicode_line_separators_inside_json_strings_do_not_split_rows(store, tmp_path):
    path = write_jsonl(tmp_path / "kb.jsonl", [{"key": "a", "title": "T", "body": "one\u2028two"}, GOOD])
    assert import_file(store, path).added == 2
    assert store.article(demo_id("kb", "a")).body == "one\u2028two"


def test_an_entry_merges_with_its_row_without_a_database():
    """What a row becomes is decided in the pure importer; only saving needs the store."""
    entry = Entry("template", "sorry-zh", 1, {"title": "致歉", "body": "抱歉给您带来不便。"})
    new = merged(entry, None)
    assert new["lang"] == "zh" and new["uses"] == 0 and new["tags"] == "[]", "a new row: defaults, language guessed"
    before = {"title": "致歉", "body": "抱歉给您带来不便。", "tags": ["道歉"], "lang": "zh", "uses": 7}
    assert merged(entry, before) is None, "nothing new: the row stays as it is"
    assert merged(entry, before, deleted=True)["uses"] == 7, "a deleted row comes back with what it had"
    edited = merged(replace(entry, given={**entry.given, "body": "再次抱歉。"}), before)
    assert edited["body"] == "再次抱歉。" and json.loads(edited["tags"]) == ["道歉"], "fields not given are kept"
