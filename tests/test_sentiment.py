"""The soothing mark: weighed Chinese and English phrases, editable, matched like red lines,
and precise on labelled real-style messages in each language."""

from __future__ import annotations

import pytest

from cs_console.config import ConfigError, from_mapping, lexicon_from_config
from cs_console.lead.sentiment import DEFAULT_LEXICON, needs_soothing, soothing_flags
from cs_console.scripts.bench_sentiment import DEFAULT_SETS, PRECISION_TARGET, main, measure, read_set


@pytest.mark.parametrize(("text", "found"), [
    ("这个问题一直无法解决，我要投诉！", ("无法", "我要投诉")),
    ("This is UNACCEPTABLE.", ("unacceptable",)),
    ("Ｕｎａｃｃｅｐｔａｂｌｅ", ("unacceptable",)),
    ("We are still   waiting for the certificate, third time I ask", ("still waiting", "third time")),
    ("无法接受这种答复", ("无法接受",)),
    ("Thanks, the certificate arrived.", ()),
    ("", ()),
    (None, ()),
])
def test_messages_that_need_soothing(text, found):
    assert needs_soothing(text) == found


def test_latin_words_match_whole():
    assert needs_soothing("the furiously fast new link") == ()
    assert needs_soothing("I am furious") == ("furious",)


def test_flags_only_the_tickets_that_need_it():
    flags = soothing_flags({"t1": "谢谢，已收到", "t2": "太差了，我要投诉", "t3": "fine"})
    assert flags == {"t2": ("太差", "我要投诉")}


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


@pytest.mark.parametrize("text", [
    "我们的SIM卡无法激活",
    "请问如何对中标结果提出质疑和投诉？",
    "We are still waiting for the new SIM cards, could you give us a tracking number?",
    "我们不是不满意，就是想知道什么时候能修好",
    "We are not angry, we just need to know when it will be fixed.",
])
def test_a_plain_problem_report_is_not_an_upset_customer(text):
    assert needs_soothing(text) == ()


@pytest.mark.parametrize("text", [
    "太慢了，催了三次了还是没人处理",
    "Nobody answers, nobody calls back. Third time I write.",
])
def test_signs_of_strain_together_mark_a_message(text):
    assert needs_soothing(text)


@pytest.mark.parametrize("path", DEFAULT_SETS, ids=lambda path: path.stem)
def test_the_mark_is_precise_on_the_labelled_messages_of_each_language(path):
    messages = read_set(path)
    assert len(messages) >= 100 and sum(m.upset for m in messages) >= 30
    result = measure(messages)
    assert result["precision"] >= PRECISION_TARGET, result["false_positives"]
    assert result["recall"] >= 0.8, result["missed"]


def test_the_benchmark_prints_precision_and_recall_per_language(capsys):
    assert main([]) == 0
    import json

    sets = json.loads(capsys.readouterr().out)["sets"]
    assert set(sets) == {"zh", "en"} and all({"precision", "recall"} <= set(s) for s in sets.values())
