"""A clock's text in the colour of its state, for every table that shows clocks.

The colour follows the state symbol that starts the text (`clocks.sla.STATE_SYMBOLS`),
which is always shown too, so NO_COLOR and 16-colour terminals lose nothing.
"""

from __future__ import annotations

from rich.text import Text

from cs_console.clocks.sla import STATE_SYMBOLS

STATE_STYLES = {STATE_SYMBOLS["breached"]: "bold red", STATE_SYMBOLS["at_risk"]: "bold yellow",
                STATE_SYMBOLS["paused"]: "dim"}


def clock_text(text: str) -> Text:
    """`text` (a next-due countdown, a count of breaches) styled by the symbol it starts with."""
    return Text(text, style=STATE_STYLES.get(text[:1], ""))
