"""The agent's screens speak the interface language.

Driven through Textual's pilot: the screens are opened with `language = "zh"` and with
English, and what the terminal would show (every cell, footer included) is read back. The
data is Chinese in the Chinese run and English in the English one, so any word of the other
language on screen is the interface's, not the data's.
"""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

from textual.widgets import Input, Static

import cs_console.text.strings
from cs_console.app import ConsoleApp
from cs_console.config import from_mapping
from cs_console.screens.customer import CustomerScreen
from cs_console.screens.help import HelpScreen
from cs_console.screens.new_ticket import NewTicketScreen
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Contact, Customer
from cs_console.text.strings import CATALOG, Strings
from cs_console.usecases.ticket_changes import add_interaction
from tests.conftest import NOW

SIZE = (160, 40)
"""Wide enough that the footer shows every key label in full, in either language."""
CJK = re.compile(r"[\u4e00-\u9fff]")
SCREEN_SECTIONS = {
    TicketScreen: ("ticket.mode.", "clock.", "clock_state.", "status.", "interaction.", "channel.", "sync.", "delivery."),
    CustomerScreen: ("customer.col.", "customer.no_", "status.short.", "interaction."),
    NewTicketScreen: ("new_ticket.", "category.", "priority.", "channel."),
    HelpScreen: ("help.",),
}
"""Where each screen's own sentences live in the catalogue."""
FOOTER_KEYS = {
    TicketScreen: ("reply", "note", "set_status", "customer", "propose_solution", "callback", "send", "templates",
                   "back", "help", "quit"),
    CustomerScreen: ("back", "help", "quit"),
    NewTicketScreen: ("save", "cancel", "quit"),
}
"""The key labels each screen's footer shows (`key.<id>`); `?` is not one on the new-ticket
form, whose first field takes it as text."""


def seeded(store, language: str):
    """An agent, a customer and a ticket with a callback, all named in `language`."""
    zh = language == "zh"
    agent = store.create_agent("林伟" if zh else "Lin Wei", team="海事组" if zh else "Maritime Desk")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(
        new_customer=Customer(name="海星航运" if zh else "Hai Xing Shipping"),
        new_contact=Contact(name="陈杰" if zh else "Chen Jie"),
        subject="油类记录簿缺页" if zh else "Oil record book entry missing",
        first_message="请协助补录。" if zh else "Please help us fill it in.",
        priority="urgent", channel="email", assignee_id=agent.id, at=NOW - timedelta(days=3),
    )
    add_interaction(store, ticket.id, "public_reply", "已补录。" if zh else "Entry added.", author_id=agent.id,
                          at=NOW - timedelta(days=2))
    return ConsoleApp(store, from_mapping({"language": language}), clock=lambda: NOW), ticket


async def settle(pilot) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def shown(app) -> str:
    """Every cell of the current screen, as the terminal would show it."""
    return "\n".join("".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips())


def labels(prefixes: tuple[str, ...], language: str) -> dict[str, str]:
    """The fixed sentences (no blanks to fill) of the catalogue under `prefixes`."""
    index = 0 if language == "en" else 1
    return {key: texts[index] for key, texts in CATALOG.items()
            if key.startswith(prefixes) and "{" not in texts[index] and len(texts[index].strip()) > 3}


async def visit(pilot, ticket) -> dict[type, str]:
    """Open the ticket, its customer, the new-ticket form and help; what each showed."""
    app, seen = pilot.app, {}
    await settle(pilot)
    assert isinstance(app.screen, QueueScreen)
    app.push_screen(TicketScreen(ticket.id))
    await settle(pilot)
    seen[TicketScreen] = shown(app)
    await pilot.press("question_mark")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    seen[HelpScreen] = shown(app) + "\n" + str(app.screen.query_one(Static).render())  # and what scrolls
    await pilot.press("escape")
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(app.screen, CustomerScreen)
    seen[CustomerScreen] = shown(app)
    await pilot.press("escape", "escape")
    await settle(pilot)
    app.push_screen(NewTicketScreen())
    await settle(pilot)
    seen[NewTicketScreen] = shown(app)
    return seen


async def test_the_agents_screens_speak_chinese(store):
    app, ticket = seeded(store, "zh")
    zh = Strings("zh")
    async with app.run_test(size=SIZE) as pilot:
        seen = await visit(pilot, ticket)
    for screen, text in seen.items():
        english_words = [label for label in labels(SCREEN_SECTIONS[screen] + ("key.",), "en").values() if label in text]
        assert english_words == [], f"{screen.__name__} shows English: {english_words}"
        for key in FOOTER_KEYS.get(screen, ()):
            assert zh(f"key.{key}") in text, f"{screen.__name__}'s footer lacks {zh(f'key.{key}')}"
    assert zh("ticket.mode.public_reply") in seen[TicketScreen]
    assert zh("delivery.device") in seen[TicketScreen]  # the reply on an email ticket says where it stands
    assert zh("clock.first_response") in seen[TicketScreen] and zh("status.open") in seen[TicketScreen]
    assert "11月21日 周六" in seen[TicketScreen], "the reply's date reads in Chinese"
    assert zh("help.title", screen=zh("help.screen.ticket")) in seen[HelpScreen]
    assert zh("key.escalate") in seen[HelpScreen] and zh("help.general.palette") in seen[HelpScreen]
    assert "可在 config.toml 的 [keys] 中" in seen[HelpScreen]
    assert zh("customer.col.opened") in seen[CustomerScreen] and zh("customer.col.body") in seen[CustomerScreen]
    assert zh("new_ticket.title") in seen[NewTicketScreen] and zh("new_ticket.customer_none") in seen[NewTicketScreen]


async def test_the_agents_screens_speak_english(store):
    app, ticket = seeded(store, "en")
    en = Strings("en")
    async with app.run_test(size=SIZE) as pilot:
        seen = await visit(pilot, ticket)
    for screen, text in seen.items():
        assert not CJK.search(text), f"{screen.__name__} shows Chinese:\n{text}"
        for key in FOOTER_KEYS.get(screen, ()):
            assert en(f"key.{key}") in text, f"{screen.__name__}'s footer lacks {en(f'key.{key}')}"
    assert "Reply to the customer" in seen[TicketScreen] and "15m first response" in seen[TicketScreen]
    assert "Sat 21 Nov" in seen[TicketScreen]
    assert "Keys · Ticket" in seen[HelpScreen] and "Keys are rebound in config.toml under [keys]" in seen[HelpScreen]
    assert "Opened" in seen[CustomerScreen] and "New ticket" in seen[NewTicketScreen]


async def test_the_command_palette_speaks_chinese(store):
    app, _ = seeded(store, "zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen.query_one(Input)
        assert palette.placeholder == "搜索命令…"
    assert {"帮助", "新建工单", "工单队列", "知识库", "主题", "退出"} <= set(titles)
    assert not [title for title in titles if title.isascii()], "Textual's own commands too"


def test_the_catalogue_has_no_key_twice():
    """A dict literal keeps the last of two equal keys silently; several people edit it."""
    tree = ast.parse(Path(cs_console.text.strings.__file__).read_text(encoding="utf-8"))
    catalog = next(node.value for node in ast.walk(tree)
                   if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "CATALOG")
    keys = [key.value for key in catalog.keys]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


