"""Under NO_COLOR an overdue clock stands out by reverse video and weight, in the queue (in a
real terminal) and on the ticket screen.

Textual turns colours into greys under NO_COLOR; a clock styled red came out dark grey
(237) on dark grey (235). tmux keeps the SGR attributes of each cell, so they are read back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.test_terminal import Terminal, pytestmark  # noqa: F401  (skips without tmux)


def sgr_attributes(sequences: str) -> set[str]:
    """The SGR parameters in force after `sequences` (a reset, `0`, clears what came before)."""
    attributes: set[str] = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", sequences):
        parts = params.split(";") if params else ["0"]
        index = 0
        while index < len(parts):
            part = parts[index]
            if part in ("38", "48"):  # 38;5;N or 48;5;N: a colour, three parameters
                attributes = {a for a in attributes if not a.startswith(part)}
                attributes.add(f"{part};{';'.join(parts[index + 1:index + 3])}")
                index += 3
                continue
            attributes = set() if part == "0" else attributes | {part}
            index += 1
    return attributes


def test_an_overdue_clock_is_reverse_and_bold_under_no_color(tmp_path):
    home = tmp_path / "home"
    env = {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    subprocess.run([sys.executable, "-m", "cs_console", "demo"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    terminal = Terminal(f"env NO_COLOR=1 {sys.executable} -m cs_console", env, width=100, height=30)
    try:
        terminal.wait_for("? Help")
        styled = terminal.styled_screen()
        overdue = [line.split("✖ -")[0] for line in styled.splitlines() if "✖ -" in line]
        assert overdue, styled
        for sequences in overdue:  # what is in force where the clock starts, from the line's start
            attributes = sgr_attributes(sequences)
            assert {"1", "7"} <= attributes, f"bold and reverse, not a grey: {sequences!r}"
            assert not any(a.startswith("38;5;23") for a in attributes), f"no dark-grey text: {sequences!r}"
        terminal.quit()
    finally:
        terminal.close()


async def test_an_overdue_clock_on_the_ticket_screen_is_reverse_and_bold_under_no_color(demo_store):
    from cs_console.app import ConsoleApp
    from cs_console.config import Config
    from cs_console.screens.ticket import TicketScreen
    from tests.conftest import NOW
    from tests.test_interface_strings import shown
    from tests.test_tui_first_loop import settle

    app = ConsoleApp(demo_store, Config(), clock=lambda: NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.no_color
        line = next(line for line in shown(app).splitlines() if "✖ -" in line)
        number = re.search(r"DEMO-\d{4}", line).group(0)
        app.open_ticket(next(row.id for row in app.screen.rows if row.number == number))
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        segments = [segment for strip in app.screen._compositor.render_strips() for segment in strip
                    if "✖" in segment.text]
        assert segments, "an overdue clock on screen"
        assert all(segment.style.bold and segment.style.reverse for segment in segments), segments
