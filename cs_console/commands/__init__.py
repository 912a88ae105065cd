"""The `cs-console` subcommands, one module per group; `cs_console.cli` parses and dispatches.

Each group module adds its parsers (`add_commands`) and runs its subcommands (`run`). At
import a group module loads nothing heavier than argparse: the store, Textual, the sync
client and the server are imported by the subcommand that needs them, so
`cs-console --version` and `--help` stay quick.
"""

from __future__ import annotations

import argparse


def whole_number(text: str) -> int:
    """An argument that must be a whole number 1 or more, as every group's counts are."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number 1 or more, got {text!r}")
    return int(text)
