"""What a queue row tells the agent beyond its clocks: a customer who needs soothing, and
every word in the interface language. Driven through Textual's pilot."""

from __future__ import annotations

from datetime import timedelta

from cs_console.app import ConsoleApp
from cs_console.config import from_mapping
from cs_console.lead.sentiment import SOOTHE_MARK
from cs_console.screens.queue import QueueScreen
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.widgets.virtual_table import VirtualTable
from tests.conftest import NOW
from tests.test_tui_first_loop import seeded_app, settle

SIZE = (110, 24)


def shown_lines(app) -> list[str]:
    """The queue's lines as drawn, heading first."""
    table = app.screen.query_one("#queue-table", VirtualTable)
    return [table.render_line(y).text for y in range(table.row_count + 1)]


def line_of(app, subject: str) -> str:
    [line] = [line for line in shown_lines(app) if subject in line]
    return line


async def test_a_customer_who_needs_soothing_is_marked_until_they_write_calmly(store):
    app, tickets = seeded_app(store)
    angry = tickets["SIM activation failed at Stavanger base"]
    add_interaction(store, angry.id, "customer_message", "三天了还没开通，我要投诉！", author_id=None, at=NOW - timedelta(hours=1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"{SOOTHE_MARK} SIM activation failed" in line_of(app, "SIM activation failed")
        assert SOOTHE_MARK not in line_of(app, "Oil record book entry missing")

        add_interaction(store, angry.id, "customer_message", "It works now, thank you.", author_id=None, at=NOW - timedelta(minutes=5))
        await pilot.press("r")
        await settle(pilot)
        assert SOOTHE_MARK not in line_of(app, "SIM activation failed"), "the latest message decides"


async def test_the_queue_speaks_chinese_when_configured(store):
    _, tickets = seeded_app(store)
    app = ConsoleApp(store, from_mapping({"language": "zh"}), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        heading, *rows = shown_lines(app)
        assert "工单" in heading and "主题" in heading and "Subject" not in heading
        assert "‼ 紧急" in line_of(app, "Oil record book entry missing")
        assert all("待处理" in row for row in rows)
        title = str(app.screen.query_one("#queue-title").render())
        assert "队列 · Lin Wei · 3 个工单 · 状态：处理中 · 优先级：不限" == title
        await pilot.press("s")
        assert "状态：全部" in str(app.screen.query_one("#queue-title").render())
    assert tickets
