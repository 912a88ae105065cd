"""The string catalogue: both languages for every key, the same blanks to fill, the right language."""

from __future__ import annotations

import pytest

from cs_console.lead.periods import KINDS
from cs_console.lead.reports import METRICS
from cs_console.lead.routing import Reason
from cs_console.screens.lead import VIEWS, AgentQueueScreen, LeadScreen
from cs_console.text.strings import CATALOG, LANGUAGES, Strings, english, interface_language, placeholders
from cs_console.vocabulary import ACTIVE_STATUSES, ROLES
from cs_console.widgets.ticket_table import TicketTable


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_string_has_both_languages_with_the_same_blanks(key):
    english_text, chinese_text = CATALOG[key]
    assert english_text.strip() and chinese_text.strip()
    assert placeholders(english_text) == placeholders(chinese_text), key


def test_the_keys_built_from_names_all_exist():
    needed = [f"metric.{spec.key}" for spec in METRICS]
    needed += [f"period.{kind}" for kind in KINDS] + [f"lead.tab.{view}" for view in VIEWS]
    needed += [f"lead.role.{role}" for role in ROLES] + [f"staffing.weekday.{day}" for day in range(7)]
    needed += [f"routing.{code}" for code in ("skill", "no_skill", "language", "no_language", "team", "load", "lead")]
    needed += [f"report.{section}" for section in ("top_categories", "rising_categories", "top_tags", "rising_tags")]
    for screen in (LeadScreen, AgentQueueScreen, TicketTable):
        needed += [f"key.{binding.id}" for binding in screen.BINDINGS if binding.id]
    assert [key for key in needed if key not in CATALOG] == []
    assert ACTIVE_STATUSES  # the statuses are data, not strings: nothing to translate


def test_strings_fill_their_blanks():
    assert Strings("en")("lead.moved", count=3, agent="Lin Wei") == "Moved 3 tickets to Lin Wei."
    assert Strings("zh")("lead.moved", count=3, agent="林伟") == "已把 3 个工单转给 林伟。"
    assert english("key.reassign") == "Reassign"
    assert Strings("zh")("routing.load", value="2", points=-2.0) == "负荷 2（-2）"
    assert Reason("load", -2.0, "2")


def test_an_unknown_key_or_a_missing_blank_raises():
    with pytest.raises(KeyError):
        Strings("en")("lead.no_such_thing")
    with pytest.raises(KeyError):
        Strings("en")("lead.moved", count=3)
    with pytest.raises(ValueError, match="'fr' is not one of en, zh"):
        Strings("fr")


@pytest.mark.parametrize(("raw", "language", "environ", "expected"), [
    ({"language": "en"}, "en", {"LANG": "zh_CN.UTF-8"}, "en"),  # the config file wins
    ({"language": "zh"}, "zh", {}, "zh"),
    ({}, "en", {"LANG": "zh_CN.UTF-8"}, "zh"),  # else the locale
    ({}, "en", {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL before LANG
    ({}, "en", {"LC_MESSAGES": "zh_TW", "LANG": "C"}, "zh"),
    ({}, "en", {}, "en"),
])
def test_the_interface_language(raw, language, environ, expected):
    assert interface_language(raw, language, environ) == expected
    assert expected in LANGUAGES


def test_every_string_is_used_somewhere():
    """A key is used literally ("lead.moved") or built from its prefix (f"metric.{key}")."""
    from pathlib import Path

    import cs_console

    source = "\n".join(path.read_text(encoding="utf-8") for path in Path(cs_console.__file__).parent.rglob("*.py")
                       if path.name != "strings.py")
    unused = [key for key in (key.removesuffix(".one") for key in CATALOG)
              if f'"{key}"' not in source and f"'{key}'" not in source and f"{key.rsplit('.', 1)[0]}.{{" not in source]
    assert unused == []


@pytest.mark.parametrize(("key", "values", "english_text"), [
    ("assign.title", {"count": 1, "numbers": "DEMO-0001"}, "Reassign 1 ticket: DEMO-0001"),
    ("assign.title", {"count": 2, "numbers": "DEMO-0001, DEMO-0002"}, "Reassign 2 tickets: DEMO-0001, DEMO-0002"),
    ("lead.moved", {"count": 1, "agent": "Lin Wei"}, "Moved 1 ticket to Lin Wei."),
    ("kb.uses", {"count": 1}, "used once"),
    ("kb.uses", {"count": 0}, "used 0 times"),
])
def test_one_of_a_thing_reads_in_the_singular(key, values, english_text):
    assert english(key, **values) == english_text


def test_no_sentence_hedges_its_plural():
    assert [key for key, (english_text, _) in CATALOG.items() if "(s)" in english_text] == []
