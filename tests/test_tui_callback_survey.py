"""The callback survey keyed through the pilot: one digit per question, the cursor moving on
by itself, Tab skipping, 10 on the NPS question, Chinese and English questions, and what is
saved (the overall part as the callback's satisfaction, the NPS as its nps, the rest in
its survey)."""

from __future__ import annotations

import json

import pytest

from cs_console.config import from_mapping
from cs_console.screens.callback import AnswerField, CallbackScreen, keyed_answer
from cs_console.screens.help import HelpScreen
from cs_console.screens.ticket import TicketScreen
from tests.test_interface_strings import SIZE, seeded, settle, shown
from tests.test_tui_drafts import until


async def open_callback(pilot, ticket) -> None:
    await settle(pilot)
    pilot.app.push_screen(TicketScreen(ticket.id))
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CallbackScreen)


def callbacks(store, ticket) -> list:
    return [i for i in store.ticket_detail(ticket.id).interactions if i.kind == "callback"]


def focused_key(app) -> str | None:
    focused = app.focused
    return focused.question.key if isinstance(focused, AnswerField) else focused.id if focused else None


@pytest.mark.parametrize(("scores", "current", "key", "expected"), [
    (range(1, 6), None, "4", (4, True)),
    (range(1, 6), None, "6", None),  # off the 1-5 scale: no answer
    (range(1, 6), None, "0", None),
    (range(1, 8), None, "7", (7, True)),
    (range(11), None, "1", (1, False)),  # a 1 on the 0-10 scale waits for a 0
    (range(11), 1, "0", (10, True)),
    (range(11), 1, "5", (5, True)),
    (range(11), None, "0", (0, True)),
    (range(11), None, "+", (10, True)),
    (range(1, 6), None, "+", None),
    (range(1, 6), None, "x", None),
])
def test_what_a_key_makes_of_an_answer(scores, current, key, expected):
    assert keyed_answer(scores, current, key) == expected


async def test_all_parts_keyed_with_one_digit_each(store):
    app, ticket = seeded(store, "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_callback(pilot, ticket)
        assert focused_key(app) == "speed", "the cursor starts on the first question"
        await pilot.press("4")
        assert focused_key(app) == "accuracy", "a digit answers and moves on"
        await pilot.press("5", "3", "4", "5", "6", "+")
        assert focused_key(app) == "callback-comment"
        await pilot.press(*"Fixed fast", "enter")
        await until(pilot, lambda: "satisfaction 5/5 · NPS 10/10 · Response speed 4/5 · Answer accuracy 5/5"
                    in shown(app), "the callback's answers in the thread")
        assert isinstance(app.screen, TicketScreen)
    [callback] = callbacks(store, ticket)
    assert (callback.satisfaction, callback.nps, callback.body) == (5, 10, "Fixed fast")
    assert json.loads(callback.survey) == {"speed": 4, "accuracy": 5, "attitude": 3, "resolution": 4, "ces": 6}


async def test_tab_skips_and_every_part_is_optional(store):
    app, ticket = seeded(store, "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_callback(pilot, ticket)
        await pilot.press("tab", "tab", "tab", "tab", "9", "3")  # 9 is no 1-5 answer: the overall part waits
        assert focused_key(app) == "ces"
        await pilot.press("tab", "1", "0", "enter")  # NPS 1 then 0 is 10; Enter saves
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
    [callback] = callbacks(store, ticket)
    assert (callback.satisfaction, callback.nps, json.loads(callback.survey)) == (3, 10, {})


async def test_a_callback_with_no_answer_still_counts_as_made(store):
    app, ticket = seeded(store, "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_callback(pilot, ticket)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
    [callback] = callbacks(store, ticket)
    assert (callback.satisfaction, callback.nps, callback.survey) == (None, None, "{}")
    assert "callback" in [e.kind for e in store.ticket_detail(ticket.id).events], "the closure clock sees it"


async def test_an_nps_of_one_is_kept_by_tab_and_backspace_clears(store):
    app, ticket = seeded(store, "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_callback(pilot, ticket)
        await pilot.press("2", "shift+tab")
        assert focused_key(app) == "speed" and app.focused.answer == 2
        await pilot.press("backspace")
        assert app.focused.answer is None, "Backspace clears the answer where the cursor is"
        await pilot.press(*["tab"] * 6)
        assert focused_key(app) == "nps"
        await pilot.press("1")
        assert focused_key(app) == "nps", "a 1 waits for a possible 0"
        await pilot.press("tab", "enter")
        await settle(pilot)
        await settle(pilot)
    [callback] = callbacks(store, ticket)
    assert (callback.nps, json.loads(callback.survey)) == (1, {})


async def test_questions_in_chinese_and_the_keys_in_help(store):
    app, ticket = seeded(store, "zh")
    async with app.run_test(size=SIZE) as pilot:
        await open_callback(pilot, ticket)
        screen = shown(app)
        for part in ("客服响应速度", "解答准确率", "服务态度", "问题解决效率", "咨询满意度", "客户费力度", "推荐意愿"):
            assert part in screen
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "10 分按 +" in shown(app)


async def test_the_questions_come_from_the_config(store):
    app, ticket = seeded(store, "en")
    app.config = from_mapping({"survey": {"questions": [
        {"key": "overall", "scale": "score", "en": "All in all, how was it?", "zh": "总体如何？"},
        {"key": "callback_time", "scale": "score", "en": "Was this a good time to call?", "zh": "现在方便通话吗？"},
    ]}})
    async with app.run_test(size=SIZE) as pilot:
        await open_callback(pilot, ticket)
        assert "Was this a good time to call?" in shown(app) and "Response speed" not in shown(app)
        await pilot.press("4", "2", "enter")
        await settle(pilot)
        await settle(pilot)
    [callback] = callbacks(store, ticket)
    assert (callback.satisfaction, json.loads(callback.survey)) == (4, {"callback_time": 2})
