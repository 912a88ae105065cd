"""The survey's questions as data: the shipped ones, a config's own, and what is refused,
on the device (config) and on the wire (the sync schema)."""

from __future__ import annotations

import pytest

from cs_console.config import ConfigError, from_mapping
from cs_console.lead.survey import answers_of, split_answers
from cs_console.sync.schema import ENTITIES, survey_problem, values_problem
from cs_console.usecases.survey import shipped_questions, survey_questions


def question(**fields) -> dict:
    return {"key": "speed", "scale": "score", "en": "Speed?", "zh": "速度？", **fields}


def test_the_shipped_survey_is_the_standards_five_parts_then_effort_and_nps():
    questions = shipped_questions()
    assert [(q.key, q.scale) for q in questions] == [
        ("speed", "score"), ("accuracy", "score"), ("attitude", "score"), ("resolution", "score"),
        ("overall", "score"), ("ces", "effort"), ("nps", "nps")]
    assert [q.label("zh") for q in questions[:5]] == ["客服响应速度", "解答准确率", "服务态度", "问题解决效率", "咨询满意度"]
    assert survey_questions(from_mapping({})) == questions


def test_a_config_replaces_the_questions():
    config = from_mapping({"survey": {"questions": [question(en="Quick enough?"), question(key="wait_ok")]}})
    assert [q.key for q in survey_questions(config)] == ["speed", "wait_ok"]


@pytest.mark.parametrize(("questions", "says"), [
    ([question(scale="effort")], "question 1 (speed): the speed part is on the score scale, not effort"),
    ([question(), question()], "question 2: key 'speed' is asked twice"),
    ([question(key="Speed!")], "question 1: key 'Speed!' must be lower-case letters"),
    ([question(zh="")], "question 1 (speed): zh is missing"),
    ([question(scale="stars")], "scale 'stars' is not one of score, effort, nps"),
    ([], "expected a list of questions"),
])
def test_a_wrong_question_is_refused_by_name(questions, says):
    with pytest.raises(ConfigError, match="survey.questions") as refused:
        from_mapping({"survey": {"questions": questions}})
    assert says in str(refused.value)


@pytest.mark.parametrize(("text", "says"), [
    ('{"speed": 4, "ces": 7, "wait_ok": 10}', None),
    ('{"speed": 6}', "speed 6 is not a whole number from 1 to 5"),
    ('{"ces": 0}', "ces 0 is not a whole number from 1 to 7"),
    ('{"wait_ok": 11}', "wait_ok 11 is not a whole number from 0 to 10"),
    ('{"speed": true}', "speed True is not a whole number"),
    ('{"Bad Key": 1}', "'Bad Key' is not a question key"),
    ("[4, 5]", "must be a JSON object"),
    ("not json", "must be a JSON object"),
])
def test_the_wire_refuses_malformed_answers(text, says):
    problem = survey_problem(text)
    assert problem is None if says is None else says in problem


def test_only_a_callback_carries_survey_answers():
    problem = values_problem(ENTITIES["interaction"], {"kind": "public_reply", "survey": '{"speed": 4}'}, new_row=False)
    assert problem == "only a callback carries interaction.survey, not a public_reply"


def test_answers_are_stored_where_the_callback_always_kept_its_scores():
    satisfaction, nps, rest = split_answers({"speed": 4, "overall": 5, "nps": 9})
    assert (satisfaction, nps, rest) == (5, 9, {"speed": 4})
    assert answers_of(satisfaction, nps, rest.items()) == {"speed": 4, "overall": 5, "nps": 9}


@pytest.mark.parametrize(("values", "says"), [
    ({"started_on": "2026-3-1"}, "agent.started_on '2026-3-1' is not a day like 2026-03-01"),
    ({"left_on": "2026-02-29"}, "agent.left_on '2026-02-29' is not a day"),
    ({"started_on": "2026-03-01", "left_on": "2026-02-28"}, "agent.left_on 2026-02-28 is before agent.started_on"),
    ({"started_on": "2026-03-01", "left_on": None}, None),
])
def test_agents_days_are_days(values, says):
    problem = values_problem(ENTITIES["agent"], values, new_row=False)
    assert problem is None if says is None else says in problem
