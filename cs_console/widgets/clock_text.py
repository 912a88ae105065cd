"""A clock's text in the style of its state, for every table that shows clocks.

The style follows the state symbol that starts the text (`clocks.sla.STATE_SYMBOLS`),
which is always shown too. In colour, overdue is red and at risk yellow. Under NO_COLOR,
Textual turns every colour into a grey by its brightness, and red becomes a dark grey on a
dark grey: the most urgent clock would be the hardest to read. So there urgency stands out
by weight and reverse video, never by a colour.
"""

from __future__ import annotations

from rich.text import Text

from cs_console.clocks.sla import STATE_SYMBOLS

STATE_STYLES = {STATE_SYMBOLS["breached"]: "bold red", STATE_SYMBOLS["at_risk"]: "bold yellow",
                STATE_SYMBOLS["paused"]: "dim"}
NO_COLOR_STATE_STYLES = {STATE_SYMBOLS["breached"]: "bold reverse", STATE_SYMBOLS["at_risk"]: "bold underline",
                         STATE_SYMBOLS["paused"]: "italic"}


def clock_text(text: str, no_color: bool = False) -> Text:
    """`text` (a next-due countdown, a count of breaches) styled by the symbol it starts with;
    `no_color`: the app runs under NO_COLOR (`App.no_color`)."""
    return Text(text, style=(NO_COLOR_STATE_STYLES if no_color else STATE_STYLES).get(text[:1], ""))


def clock_lines(text: str, no_color: bool = False) -> Text:
    """Lines of clocks (a title, then a state symbol and what follows), each styled from its
    first state symbol on, as `clock_text` styles a cell."""
    styles = NO_COLOR_STATE_STYLES if no_color else STATE_STYLES
    lines = Text("\n").join(Text(line) for line in text.split("\n"))
    offset = 0
    for line in text.split("\n"):
        at = next((i for i, char in enumerate(line) if char in styles), None)
        if at is not None:
            lines.stylize(styles[line[at]], offset + at, offset + len(line))
        offset += len(line) + 1
    return lines
