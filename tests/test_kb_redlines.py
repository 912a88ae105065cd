"""Red-line phrases and compliance prompts in the composer, Chinese and English."""

from __future__ import annotations

import json

import pytest

from cs_console.config import ConfigError, red_lines_from_config
from cs_console.kb.redlines import (
    DEFAULT_RED_LINES,
    RULE_MAX_CHARS,
    CompliancePrompt,
    RedLineHit,
    article_rule,
    compliance_prompts,
    find_red_lines,
)
from cs_console.storage.models import KbArticle


def phrases_found(text: str, phrases=DEFAULT_RED_LINES) -> list[str]:
    return [text[hit.start : hit.end] for hit in find_red_lines(text, phrases)]


def test_chinese_red_lines_are_found_with_positions():
    text = "这个问题不归我管，你自己看着办吧。"
    assert find_red_lines(text) == [
        RedLineHit("不归我管", 4, 8),
        RedLineHit("你自己看着办", 9, 15),
    ]


def test_english_red_lines_ignore_case_and_curly_apostrophes():
    assert phrases_found("Sorry, That’s NOT my job.") == ["That’s NOT my job"]
    assert phrases_found("I dont know when it comes back") == ["I dont know"]


def test_spacing_punctuation_and_full_width_variants_match():
    assert phrases_found("please  calm\ndown") == ["calm\ndown"]
    assert phrases_found("calm-down!") == ["calm-down"]
    assert phrases_found("ＣＡＬＭ ＤＯＷＮ") == ["ＣＡＬＭ ＤＯＷＮ"]
    assert phrases_found("不 归 我 管") == ["不 归 我 管"]
    assert phrases_found("这不归、我管") == ["不归、我管"]


def test_latin_phrases_match_whole_words_only():
    assert phrases_found("the calm downstairs lounge") == []
    assert phrases_found("there is nothing I can donate") == []
    assert phrases_found("notnothing I can do") == []


def test_a_hit_inside_a_longer_one_is_reported_once():
    hits = find_red_lines("我也没办法，真的没办法")
    assert [(hit.phrase, hit.start, hit.end) for hit in hits] == [("我也没办法", 0, 5), ("没办法", 8, 11)]


def test_polite_text_has_no_red_lines():
    assert find_red_lines("您好，我们已安排工程师在24小时内回复。 We will call you back by 14:00.") == []


def test_config_replaces_and_extends_the_defaults():
    assert red_lines_from_config({}) == DEFAULT_RED_LINES
    assert red_lines_from_config({"composer": {"red_lines": ["不归我管", "no way"]}}) == ("不归我管", "no way")
    extended = red_lines_from_config({"composer": {"extra_red_lines": ["whatever", "随便你"]}})
    assert extended[-2:] == ("whatever", "随便你") and extended[:-2] == DEFAULT_RED_LINES
    both = red_lines_from_config({"composer": {"red_lines": ["a b"], "extra_red_lines": [" A-B ", "c"]}})
    assert both == ("a b", "c")
    assert red_lines_from_config({"composer": {"red_lines": []}}) == ()


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"composer": "no"}, "composer:"),
        ({"composer": {"red_lines": "calm down"}}, "composer.red_lines:"),
        ({"composer": {"red_lines": ["ok", 3]}}, "composer.red_lines[1]:"),
        ({"composer": {"extra_red_lines": ["  ", "x"]}}, "composer.extra_red_lines[0]:"),
        ({"composer": {"extra_red_lines": ["!!!"]}}, "composer.extra_red_lines[0]:"),
    ],
)
def test_bad_config_is_refused_naming_the_field(raw, named):
    with pytest.raises(ConfigError, match=r"^config\.toml: " + named.replace("[", r"\[").replace("]", r"\]")):
        red_lines_from_config(raw, source="config.toml")


def article(key: str, title: str, body: str, triggers) -> KbArticle:
    return KbArticle(id=key, title=title, body=body, compliance_triggers=json.dumps(triggers, ensure_ascii=False))


OILY = article(
    "oily",
    "含油污水排放规定 / Oily water discharge",
    "# 含油污水\n\n含油污水不得在港内排放。须经油水分离器处理至15ppm以下并记入油类记录簿。\n\nDetails follow.",
    ["含油污水", "oily water", "bilge water"],
)
BALLAST = article(
    "ballast",
    "Ballast water management",
    "Ballast water must be exchanged at least 200 nm from land. Record every exchange in the ballast log.",
    ["ballast", "压载水"],
)
ARTICLES = [OILY, BALLAST]


def test_compliance_prompts_on_chinese_and_english_triggers():
    prompts = compliance_prompts("船上有含油污水需要处理，另外 ballast 泵也坏了", ARTICLES)
    assert prompts == [
        CompliancePrompt("oily", OILY.title, "含油污水不得在港内排放。须经油水分离器处理至15ppm以下并记入油类记录簿。", "含油污水"),
        CompliancePrompt("ballast", BALLAST.title, BALLAST.body, "ballast"),
    ]


def test_compliance_prompts_are_ordered_by_first_mention_and_given_once():
    prompts = compliance_prompts("Pump the Ballast first, then the OILY  WATER, then ballast again; 压载水", ARTICLES)
    assert [(p.article_id, p.trigger) for p in prompts] == [("ballast", "ballast"), ("oily", "oily water")]


def test_latin_triggers_need_word_boundaries_but_not_next_to_chinese():
    assert compliance_prompts("the ship is ballasted", ARTICLES) == []
    assert compliance_prompts("two ballasts", ARTICLES) == []
    assert compliance_prompts("unballast", ARTICLES) == []
    assert [p.article_id for p in compliance_prompts("检查ballast泵", ARTICLES)] == ["ballast"]
    assert [p.article_id for p in compliance_prompts("bilge-water alarm", ARTICLES)] == ["oily"]


def test_no_prompt_without_triggers_or_with_damaged_triggers():
    damaged = KbArticle(id="x", title="x", body="ballast", compliance_triggers="not json")
    not_a_list = KbArticle(id="y", title="y", body="ballast", compliance_triggers='{"ballast": 1}')
    assert compliance_prompts("ballast", [damaged, not_a_list]) == []
    assert compliance_prompts("a calm reply about the weather", ARTICLES) == []


def test_rule_is_the_first_paragraph_or_a_short_first_sentence():
    assert article_rule(article("a", "T", "- Keep logs.\n- Report.\n\nMore.", [])) == "Keep logs. Report."
    assert article_rule(article("b", "Title only", "", [])) == "Title only"
    long_body = "Do not discharge oily water in port. " + "Explain the regulation in detail. " * 10
    assert article_rule(article("c", "T", long_body, [])) == "Do not discharge oily water in port."
    endless = "x" * 400
    rule = article_rule(article("d", "T", endless, []))
    assert len(rule) == RULE_MAX_CHARS and rule.endswith("…")
    assert article_rule(article("e", "T", "Keep pressure at 3.5 bar at all times " * 8, [])).endswith("…")


def test_a_rule_shows_its_words_not_its_markdown():
    body = "Sulphur content **0.10% m/m** at most in an *ECA*; see [MARPOL VI](https://example.com) and `FONAR`."
    assert article_rule(article("f", "T", body, [])) == (
        "Sulphur content 0.10% m/m at most in an ECA; see MARPOL VI and FONAR.")
    assert article_rule(article("g", "T", "2 * 3 * 4 = 24", [])) == "2 * 3 * 4 = 24"


def test_demo_articles_prompt_on_oily_water_and_ballast(demo_store):
    articles = demo_store.compliance_articles()
    assert {p.trigger for p in compliance_prompts("机舱含油污水怎么处理？", articles)} == {"含油污水"}
    english = compliance_prompts("Can we discharge oily water, and what about ballast?", articles)
    assert {p.trigger for p in english} >= {"oily water", "ballast"}
    assert all(p.rule and len(p.rule) <= RULE_MAX_CHARS for p in english)
    assert compliance_prompts("the vessel is ballasted and ready", articles) == []


def test_no_demo_template_crosses_a_red_line(demo_store):
    templates = [d for d in demo_store.kb_documents() if d["kind"] == "template"]
    assert templates
    assert {d["title"]: find_red_lines(d["body"]) for d in templates if find_red_lines(d["body"])} == {}
