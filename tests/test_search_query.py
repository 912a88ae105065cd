"""The search box's query language: words, phrases and filters, and bad filters named."""

from __future__ import annotations

from datetime import date

import pytest

from cs_console.search.query import QueryError, parse


def test_words_phrases_and_every_filter():
    query = parse('burst "pipe leak" status:closed priority:URGENT agent:Lin customer:"Meridian Bulk" '
                  'team:Maritime channel:email #Typhoon before:2026-02-01 after:2025-12-31 is:overdue 台风')
    assert query.words == ("burst", "pipe leak", "台风")
    assert (query.status, query.priority, query.agent, query.customer, query.team, query.channel) == (
        "closed", "urgent", "Lin", "Meridian Bulk", "Maritime", "email")
    assert query.tags == ("typhoon",)
    assert (query.before, query.after, query.overdue) == (date(2026, 2, 1), date(2025, 12, 31), True)


def test_text_with_colons_that_is_not_a_filter_stays_a_word():
    assert parse("14:30 http://x.example").words == ("14:30", "http://x.example")


@pytest.mark.parametrize(("text", "message"), [
    ("status:bogus", "status:bogus is not one of open"),
    ("colour:red", "unknown filter colour:"),
    ("after:yesterday", "after:yesterday is not a date (use YYYY-MM-DD)"),
    ("is:late", "is:late is not one of overdue"),
])
def test_a_bad_filter_is_named(text, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_nothing_typed_is_empty():
    assert parse("   ").empty and not parse("#vip").empty
