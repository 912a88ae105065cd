"""The bilingual glossary: terms found in queries, longest first, and bad lines named."""

from __future__ import annotations

import pytest

from cs_console.kb.glossary import Glossary, GlossaryError
from cs_console.usecases.kb_catalog import shipped_glossary


def test_the_longest_term_wins_and_latin_terms_match_whole_words():
    glossary = Glossary([("typhoon", "台风"), ("delay", "延误"), ("typhoon delay", "台风延误"), ("port", "港口")])
    assert glossary.translations("typhoon delay") == ["台风延误"]
    assert glossary.translations("台风延误") == ["typhoon delay"]
    assert glossary.translations("台风 delay") == ["typhoon 延误"]
    assert glossary.translations("passport") == [], "port inside a word is not the term"
    assert glossary.translations("typhoon delays") == ["台风"], "a longer term cut inside a word gives way to a shorter"
    assert glossary.translations("nothing here") == []


def test_alternative_spellings_give_a_second_query():
    glossary = Glossary([("liferaft | life raft", "救生筏"), ("refund", "退款 | 退还")])
    assert glossary.translations("life raft") == ["救生筏"]
    assert glossary.translations("refund") == ["退款", "退还"]


def test_a_line_that_is_not_a_pair_is_named_by_its_number():
    with pytest.raises(GlossaryError, match="glossary line 3: expected English<TAB>Chinese"):
        Glossary.from_text("# terms\ntyphoon\t台风\nballast water 压载水\n")


def test_the_shipped_glossary_has_a_few_hundred_pairs_of_the_desks_terms():
    glossary = shipped_glossary()
    assert len(glossary) >= 500  # spellings of both sides
    for english, chinese in (("MARPOL", "防污公约"), ("SOLAS", "海上人命安全公约"), ("ballast water", "压载水"),
                             ("port state control", "港口国检查"), ("bunkering", "加油作业"), ("typhoon", "台风"),
                             ("SIM card", "sim卡"), ("bid bond", "投标保证金"), ("crew certificate", "船员证书")):
        assert glossary.translations(english)[0] == chinese, english
