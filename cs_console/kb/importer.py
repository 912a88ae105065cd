"""Reading knowledge-base articles and standard phrases from files, checked, as entries.

Teams keep articles and templates as files — Markdown with front matter, spreadsheets
saved as CSV, JSON lines (the demo's own format) — and import them again after each edit.
This module reads and checks the files and says what a row becomes (`merged`); it is pure
(files in, entries out) and refuses to touch the store: `cs_console.usecases.kb_import`
writes the entries, with ids made from each row's key exactly as the demo makes its own,
so importing a file again, or the demo's files, updates rows in place.

What it refuses:
- half a file. Every row of a file is read and checked first; one bad row (missing
  title, unknown language, malformed JSON, bad tags, unknown kind or field, a template
  without text...) refuses the whole file, and every problem is reported with the file
  and line. Other files still import.
- file types it does not know, by name (a folder silently skips them).
- deleting. A row missing from a file is left alone; importing a row that was deleted
  brings it back.

Formats (the fields are the same in all three):
- `.md`: one row per file. A front matter block between `---` lines holds `name: value`
  lines; lists are `tags: [a, b]` or `tags:` followed by `  - a` lines; values may be
  quoted. The text after the block is the body. `key` defaults to the file name's stem.
  (A strict parser of its own rather than PyYAML: YAML's guessing turns `lang: no` into
  False and `1.10` into 1.1, and its errors do not name the field a user got wrong.)
- `.csv`: UTF-8, comma separated, a header row naming the fields (`id` may stand for
  `key`). Lists are separated by `;` or `|`.
- `.jsonl`: one JSON object per line; lists are JSON arrays of strings.

Fields: kind (article, template or macro), key (required), title (required), body
(required for templates; macros have none), tags, lang (en or zh; when absent, zh if the
title or body has Chinese characters, else en), category and compliance_triggers (articles
only), uses (templates only), steps (macros only, required: one action per item, as
`cs_console.kb.macros` reads them). An empty value counts as not given, except for body, tags and compliance_triggers,
where it means none. A field not given keeps the value the row already has, so a file
without `uses` does not reset a template's usage count.

The kind defaults to template for a file whose name contains "template" (such as the
demo's templates.jsonl), to macro for one whose name contains "macro", to article
otherwise; a `kind` field always wins.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cs_console.errors import UserError
from cs_console.kb.macros import StepError, parse_steps

SUFFIXES = (".md", ".csv", ".jsonl")
"""The file types `import` reads; anything else named on the command line is refused."""
_SUFFIX_LIST = ", ".join(SUFFIXES)
KINDS = ("article", "template", "macro")
LANGUAGES = ("en", "zh")
FIELDS = ("kind", "key", "title", "body", "tags", "lang", "category", "compliance_triggers", "uses", "steps")
KIND_ONLY = {"article": frozenset({"category", "compliance_triggers"}), "template": frozenset({"uses"}),
             "macro": frozenset({"steps"})}
"""The fields only one kind of row has."""
LIST_FIELDS = frozenset({"tags", "compliance_triggers", "steps"})
ID_KINDS = {"article": "kb", "template": "template", "macro": "macro"}
"""The kind part of the demo's ids for each row kind, so imported and demo ids coincide."""
MAX_TAG_CHARS = 50
"""A longer "tag" is almost always a sentence pasted into the wrong column."""
LIST_SEPARATORS = re.compile(r"[;|]")
"""How CSV cells separate list items; a comma inside a tag usually means a wrong separator."""
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file; `line` is None when the whole file is at fault."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


class RefusedFile(UserError):
    """A file that was not imported at all; its problems say where and why."""

    def __init__(self, path: Path, problems: Iterable[Problem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Entry:
    """One checked row of a file: what it is, and the fields the file gives for it."""

    kind: str
    key: str
    line: int
    given: Mapping[str, object]
    """Field name to value: str, list of str for tags and triggers, int for uses."""


@dataclass
class _Raw:
    """A row as a format reader found it, before checking; lines per field for messages."""

    line: int
    fields: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


# -- finding and reading files --------------------------------------------------------------


def importable_files(path: Path) -> list[Path]:
    """`path` itself, or the importable files of a folder (not its subfolders) in name order.

    Hidden files are skipped, so editors' backup files in a folder are not imported.

    Raises:
        RefusedFile: the path does not exist, or is a folder without any importable file.
    """
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
        )
        if not files:
            raise RefusedFile(path, [Problem(path, None, f"folder has no {_SUFFIX_LIST} files")])
        return files
    if not path.exists():
        raise RefusedFile(path, [Problem(path, None, "no such file or folder")])
    return [path]


def read_entries(path: Path) -> list[Entry]:
    """Every row of a file, checked.

    Raises:
        RefusedFile: the file is unreadable, of an unknown type, empty, or has bad rows.
    """
    readers = {".md": _read_markdown, ".csv": _read_csv, ".jsonl": _read_jsonl}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise RefusedFile(path, [Problem(path, None, f"unknown file type; cs-console imports {_SUFFIX_LIST} files")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise RefusedFile(path, [Problem(path, None, f"not UTF-8 text ({error.reason} at byte {error.start})")]) from None
    except OSError as error:
        raise RefusedFile(path, [Problem(path, None, f"cannot be read ({error.strerror})")]) from None
    problems: list[Problem] = []
    raws = reader(path, text, problems)
    if not raws and not problems:
        problems.append(Problem(path, None, "has no articles or templates"))
    name = path.name.lower()
    default_kind = "template" if "template" in name else "macro" if "macro" in name else "article"
    entries = [entry for raw in raws if (entry := _check(path, raw, default_kind, problems))]
    problems += _duplicates(path, entries)
    if problems:
        raise RefusedFile(path, sorted(problems, key=lambda p: p.line or 0))
    return entries


# -- format readers: text to raw rows, reporting what they cannot parse ----------------------


def _read_jsonl(path: Path, text: str, problems: list[Problem]) -> list[_Raw]:
    raws = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(path, number, f"not valid JSON ({error.msg} at column {error.colno})"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(path, number, f"expected a JSON object {{...}}, got {type(value).__name__}"))
            continue
        raws.append(_Raw(number, value))
    return raws


def _read_csv(path: Path, text: str, problems: list[Problem]) -> list[_Raw]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [_field_name(name) for name in next(reader, [])]
    except csv.Error as error:
        problems.append(Problem(path, 1, f"header row is not valid CSV ({error})"))
        return []
    if not header:
        return []
    unknown = [name for name in header if name not in FIELDS and name != "id"]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown:
        problems.append(Problem(path, 1, f"unknown column {', '.join(unknown)}; known: id, {', '.join(FIELDS)}"))
    if repeated:
        problems.append(Problem(path, 1, f"column {', '.join(repeated)} appears twice"))
    if unknown or repeated:
        return []
    raws = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(path, start, f"not valid CSV ({error})"))
            break
        if any(cell.strip() for cell in cells):
            if len(cells) != len(header):
                problems.append(Problem(path, start, f"has {len(cells)} cells; the header has {len(header)}"))
            else:
                raws.append(_Raw(start, {name: _csv_value(name, cell) for name, cell in zip(header, cells)}))
        start = reader.line_num + 1
    return raws


def _field_name(name: str) -> str:
    return name.strip().lower()


def _csv_value(name: str, cell: str) -> object:
    if name in LIST_FIELDS:
        return [item.strip() for item in LIST_SEPARATORS.split(cell) if item.strip()]
    return cell


_FRONT_LINE = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:(?:\s+(?P<value>.*?))?\s*$")
_LIST_ITEM = re.compile(r"\s*-\s+(?P<value>.*?)\s*$")
_INLINE_ITEM = re.compile(r"""\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<plain>(?:[^,"'\]\s][^,"\]]*?)?))\s*(?:,|$)""")


def _read_markdown(path: Path, text: str, problems: list[Problem]) -> list[_Raw]:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        problems.append(Problem(path, 1, "expected front matter: a first line '---', then 'title: ...' lines, then '---'"))
        return []
    end = next((index for index in range(1, len(lines)) if lines[index].strip() == "---"), None)
    if end is None:
        problems.append(Problem(path, 1, "front matter is not closed by a '---' line"))
        return []
    raw = _Raw(1)
    open_list: tuple[str, list[str]] | None = None
    """The field whose `- item` lines are being read, and its list."""
    for number in range(2, end + 1):
        line = lines[number - 1]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _LIST_ITEM.match(line)
        if item and open_list is not None:
            try:
                open_list[1].append(_unquote(item["value"]))
            except ValueError as error:
                problems.append(Problem(path, number, f"{open_list[0]}: {error}"))
            continue
        open_list = None
        entry = _FRONT_LINE.match(line)
        if entry is None or line[0].isspace():
            problems.append(Problem(path, number, "expected 'name: value' or, under 'name:', a '- item' line"))
            continue
        name, value = _field_name(entry["name"]), entry["value"] or ""
        if name in raw.fields:
            problems.append(Problem(path, number, f"{name}: given twice (first on line {raw.lines[name]})"))
            continue
        raw.lines[name] = number
        try:
            if not value:
                open_list = (name, [])
                raw.fields[name] = open_list[1]
            else:
                raw.fields[name] = _inline_list(value) if value.startswith("[") else _unquote(value)
        except ValueError as error:
            problems.append(Problem(path, number, f"{name}: {error}"))
    if "key" not in raw.fields and "id" not in raw.fields:
        raw.fields["key"] = path.stem
    if "body" in raw.fields:
        problems.append(Problem(path, raw.lines["body"], "body: write the body below the front matter"))
    raw.fields["body"] = "\n".join(lines[end + 1 :]).strip()
    for name, value in raw.fields.items():
        if value == [] and name not in LIST_FIELDS:
            raw.fields[name] = ""
    return [] if problems else [raw]  # checking a half-read row would only repeat these problems


def _unquote(value: str) -> str:
    if value[:1] in ("'", '"'):
        if len(value) < 2 or value[-1] != value[0]:
            raise ValueError(f"the quote in {value!r} is not closed")
        return value[1:-1]
    return value


def _inline_list(value: str) -> list[str]:
    if not value.endswith("]"):
        raise ValueError(f"the list {value!r} is not closed by ']'")
    inside = value[1:-1]
    if not inside.strip():
        return []
    items, position = [], 0
    while position < len(inside):
        match = _INLINE_ITEM.match(inside, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read the list {value!r}; quote items that contain quotes or commas")
        items.append(next(group for group in match.group("double", "single", "plain") if group is not None))
        position = match.end()
    return items


# -- checking: one set of rules for every format ---------------------------------------------


def _check(path: Path, raw: _Raw, default_kind: str, problems: list[Problem]) -> Entry | None:
    """The row as an Entry, or None after adding its problems to `problems`."""
    found: list[Problem] = []

    def problem(name: str | None, message: str) -> None:
        found.append(Problem(path, raw.lines.get(name or "", raw.line), message))

    fields = {name: _stripped(name, value) for name, value in raw.fields.items()}
    fields = {name: value for name, value in fields.items() if value != "" or name == "body"}
    if "id" in fields:
        if "key" in fields:
            problem("id", "give either key or id, not both")
        fields["key"] = fields.pop("id")
    for name in fields:
        if name not in FIELDS:
            problem(name, f"unknown field {name!r}; known: {', '.join(FIELDS)}")
    for name in ("key", "title", "kind", "lang", "category", "body"):
        if name in fields and not isinstance(fields[name], str):
            problem(name, f"{name}: expected text, got {json.dumps(fields[name], ensure_ascii=False)}")
    kind = fields.get("kind", default_kind)
    if isinstance(kind, str) and kind not in KINDS:
        problem("kind", f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    for name in ("key", "title"):
        if name not in fields:
            problem(None, f"{name} is missing")
        elif isinstance(fields[name], str) and "\n" in fields[name]:
            problem(name, f"{name}: must be one line")
    if "lang" in fields and fields["lang"] not in LANGUAGES:
        problem("lang", f"lang: {fields['lang']!r} is not one of {', '.join(LANGUAGES)}")
    for name in sorted(LIST_FIELDS & fields.keys()):
        message = _steps_problem(fields[name]) if name == "steps" else _list_problem(name, fields[name])
        if message:
            problem(name, message)
    if "uses" in fields:
        uses = fields["uses"]
        if isinstance(uses, str) and uses.isdigit():
            fields["uses"] = int(uses)
        elif not (isinstance(uses, int) and not isinstance(uses, bool) and uses >= 0):
            problem("uses", f"uses: expected a whole number 0 or more, got {uses!r}")
    wrong_kind = frozenset().union(*(only for other, only in KIND_ONLY.items() if other != kind)) if kind in KINDS \
        else frozenset()
    for name in sorted(wrong_kind & {n for n, v in fields.items() if v not in ("", [])}):
        problem(name, f"{name}: {kind}s have no {name}")
    if kind == "template" and not (isinstance(fields.get("body"), str) and fields["body"].strip()):
        problem("body", "body: a template needs text")
    if kind == "macro":
        if isinstance(fields.get("body"), str) and fields["body"].strip():
            problem("body", "body: macros have no text of their own; insert one with a 'template: KEY' step")
        fields.pop("body", None)
        if "steps" not in fields:
            problem(None, "steps is missing: a macro needs at least one step")
    problems += found
    if found:
        return None
    given = {name: value for name, value in fields.items() if name not in ("kind", "key")}
    return Entry(kind=kind, key=fields["key"], line=raw.line, given=given)


def _stripped(name: str, value: object) -> object:
    """Values without surrounding blanks; a body is kept exactly as written."""
    if isinstance(value, str) and name != "body":
        return value.strip()
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


def _list_problem(name: str, value: object) -> str | None:
    example = '["ballast", "压载水"]'
    if not isinstance(value, list):
        return f"{name}: expected a list such as {example}, got {json.dumps(value, ensure_ascii=False)}"
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            return f"{name}[{index}]: expected non-empty text, got {json.dumps(item, ensure_ascii=False)}"
        if len(item) > MAX_TAG_CHARS or "\n" in item:
            return f"{name}[{index}]: {item[:20]!r}... is longer than {MAX_TAG_CHARS} characters or spans lines"
        if LIST_SEPARATORS.search(item) or "," in item:
            return f"{name}[{index}]: {item!r} holds a separator; give each item on its own"
        if name == "compliance_triggers" and len(item.strip()) < 2:
            return f"{name}[{index}]: {item!r} is too short to trigger anything useful"
    return None


def _steps_problem(value: object) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return f'steps: expected a list of steps such as ["status: waiting_on_customer", "tag: typhoon"], got {value!r}'
    try:
        parse_steps(value)
    except StepError as error:
        return str(error)
    return None


def _duplicates(path: Path, entries: list[Entry]) -> list[Problem]:
    first: dict[tuple[str, str], int] = {}
    problems = []
    for entry in entries:
        seen = first.setdefault((entry.kind, entry.key), entry.line)
        if seen != entry.line:
            problems.append(Problem(path, entry.line, f"key {entry.key!r}: already used by the {entry.kind} on line {seen}"))
    return problems


# -- rows: checked entries merged with what the database already has -------------------------

_DEFAULTS = {
    "article": {"body": "", "tags": [], "category": "other", "compliance_triggers": []},
    "template": {"body": "", "tags": [], "uses": 0},
    "macro": {"tags": [], "steps": []},
}
"""What a new row gets for a field its file does not give (lang is guessed from the text)."""


def merged(entry: Entry, before: Mapping[str, object] | None, *, deleted: bool = False) -> dict[str, object] | None:
    """The fields to store for `entry` (lists encoded as JSON), given the fields its row has
    now (`stored_values`; None for a new row); None when the row stays as it is. A `deleted`
    row comes back even when the file gives it nothing new."""
    values = dict(before or _DEFAULTS[entry.kind]) | dict(entry.given)
    values.setdefault("lang", "zh" if _CJK.search(f"{values['title']}{values.get('body', '')}") else "en")
    if before is not None and not deleted and values == before:
        return None
    for name in LIST_FIELDS & values.keys():
        values[name] = json.dumps(values[name], ensure_ascii=False)
    return values


def stored_values(row: object) -> dict[str, object]:
    """A stored article's, template's or macro's importable fields, with lists decoded."""
    values: dict[str, object] = {
        name: getattr(row, name) for name in FIELDS if name not in ("kind", "key") and hasattr(row, name)
    }
    for name in LIST_FIELDS & values.keys():
        values[name] = json.loads(str(values[name]) or "[]")
    return values
