"""`cs-console` prints any `UserError` as one line on stderr and exits with status 2."""

from __future__ import annotations

from cs_console import cli


def test_a_missing_login_is_one_line_and_status_2(isolated_home, capsys):
    assert cli.main(["sync"]) == 2
    assert capsys.readouterr().err == (
        "cs-console: error: this device is not logged in to a sync server; run: cs-console login URL\n"
    )

