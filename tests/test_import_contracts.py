"""The layers of pyproject's [tool.importlinter] hold, and no module imports itself round a cycle.

Screens and commands sit above use cases, use cases above the store, the store above storage;
domain packages import no Textual, database or network code; storage knows no domain; the
console runs without the server extra; nothing the product runs imports `cs_console.scripts`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import grimp
from importlinter import cli

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_the_import_contracts_are_kept():
    # lint-imports configures logging with dictConfig, which disables every logger that
    # exists by then (the server's, the mail workers'): give them back to later tests.
    loggers = [logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    enabled = [logger for logger in loggers if not logger.disabled]
    try:
        assert cli.lint_imports(config_filename=str(PYPROJECT), no_cache=True) == 0
    finally:
        for logger in enabled:
            logger.disabled = False


def test_no_module_is_part_of_an_import_cycle():
    graph = grimp.build_graph("cs_console", exclude_type_checking_imports=True, cache_dir=None)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if importer.startswith(imported + ".") or imported.startswith(importer + "."):
                continue  # a package and its own modules
            chain = graph.find_shortest_chain(importer=imported, imported=importer)
            if chain:
                cycles.append(" -> ".join((importer, *chain)))
    assert cycles == []
