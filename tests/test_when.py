"""Follow-up times typed by an agent, read in the agent's own zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cs_console.text.when import WhenError, parse_when

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


@pytest.mark.parametrize(
    ("text", "expected_local"),
    [
        ("+2h", datetime(2026, 11, 24, 12, 0)),
        ("+30m", datetime(2026, 11, 24, 10, 30)),
        ("14:30", datetime(2026, 11, 24, 14, 30)),
        ("9:00", datetime(2026, 11, 25, 9, 0)),
        ("tomorrow 9", datetime(2026, 11, 25, 9, 0)),
        ("明天 10：00", datetime(2026, 11, 25, 10, 0)),
        ("Tue 10:00", datetime(2026, 12, 1, 10, 0)),
        ("tue 11:00", datetime(2026, 11, 24, 11, 0)),
        ("周五 15:00", datetime(2026, 11, 27, 15, 0)),
        ("friday", datetime(2026, 11, 27, 9, 0)),
        ("2026-12-01 10:00", datetime(2026, 12, 1, 10, 0)),
    ],
)
def test_accepted_forms(text, expected_local):
    assert parse_when(text, NOW, SHANGHAI) == expected_local.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "problem"), [
    ("", "say when"), ("someday", "is not a time"), ("25:00", "is not a time"), ("2025-01-01 10:00", "already past"),
])
def test_refused_forms_say_why(text, problem):
    with pytest.raises(WhenError, match=problem):
        parse_when(text, NOW, SHANGHAI)
