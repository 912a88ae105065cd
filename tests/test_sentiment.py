"""The soothing lexicon: Chinese and English, editable, matched like red lines."""

from __future__ import annotations

import pytest

from cs_console.config import ConfigError, from_mapping, lexicon_from_config
from cs_console.lead.sentiment import DEFAULT_LEXICON, needs_soothing, soothing_flags


@pytest.mark.parametrize(("text", "found"), [
    ("这个问题一直无法解决，我要投诉！", ("无法", "投诉")),
    ("This is UNACCEPTABLE.", ("unacceptable",)),
    ("Ｕｎａｃｃｅｐｔａｂｌｅ", ("unacceptable",)),
    ("We are still   waiting for the certificate", ("still waiting",)),
    ("无法接受这种答复", ("无法接受",)),
    ("Thanks, the certificate arrived.", ()),
    ("", ()),
    (None, ()),
])
def test_messages_that_need_soothing(text, found):
    assert needs_soothing(text) == found


def test_latin_words_match_whole():
    assert needs_soothing("complaints department") == ()
    assert needs_soothing("I want to complain") == ("complain",)


def test_flags_only_the_tickets_that_need_it():
    flags = soothing_flags({"t1": "谢谢，已收到", "t2": "太差了，我要投诉", "t3": "fine"})
    assert flags == {"t2": ("太差", "投诉")}


def test_the_lexicon_is_edited_in_the_config():
    added = lexicon_from_config({"sentiment": {"extra_words": ["退钱", "scam"]}})
    assert added[: len(DEFAULT_LEXICON)] == DEFAULT_LEXICON and added[-2:] == ("退钱", "scam")
    replaced = from_mapping({"sentiment": {"words": ["退钱"]}}).lexicon
    assert replaced == ("退钱",)
    assert needs_soothing("我要投诉", replaced) == ()
    assert needs_soothing("马上退钱", replaced) == ("退钱",)


@pytest.mark.parametrize(("table", "message"), [
    ({"sentiment": "angry"}, "sentiment: expected a table"),
    ({"sentiment": {"words": "投诉"}}, r"sentiment.words: expected a list"),
    ({"sentiment": {"extra_words": ["ok", "!!"]}}, r"sentiment.extra_words\[1\]: expected a word"),
    ({"sentiment": {"mood": []}}, "sentiment.mood: unknown setting"),
])
def test_a_bad_lexicon_is_refused_by_name(table, message):
    with pytest.raises(ConfigError, match=message):
        from_mapping(table)
