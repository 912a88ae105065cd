"""Times are stored as fixed-width UTC text, so that the text sorts as the times do.

Every time read from the store or from a device's operation goes through `from_text`: it
must give back exactly the time `to_text` wrote, and refuse text in any other layout, one
that would sort out of order or carry a zone the column does not keep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_console.utc import from_text, to_text


@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])))
def test_a_time_written_as_text_reads_back_the_same_and_sorts_as_text(moment):
    text = to_text(moment)

    assert from_text(text) == moment
    assert from_text(text).tzinfo is UTC
    assert len(text) == 26


@pytest.mark.parametrize("text", [
    "2026-02-25T02:28:44.216812",  # ISO's T
    "2026-02-25 02:28:44",  # no fraction
    "2026-02-25 02:28:44.216+00",  # a zone where the fraction ends
    "2026-02-25 02:28:44.21681Z",
    "2026-02- 5 02:28:44.216812",  # a space for a leading zero sorts before every digit
    "2026-02-25  2:28:44.216812",
    "2026-02-30 02:28:44.216812",  # no such day
    "２026-02-25 02:28:44.216812",  # a digit, but not an ASCII one
    "2026-02-25 02:28:44.21681²",
])
def test_text_in_another_layout_is_refused(text):
    with pytest.raises(ValueError, match="does not match format"):
        from_text(text)
