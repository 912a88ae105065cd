"""Keeps every test away from the developer's own data and config, and gives stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cs_console.store import Store

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
"""A Tuesday morning: the demo's relative times are placed around it in tests."""


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CS_CONSOLE_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    # English unless a test's config says otherwise: the interface follows the locale.
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return home


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "store.db")
    yield opened
    opened.close()


@pytest.fixture
def demo_store(store):
    from cs_console.demo.data_set import load_demo

    load_demo(store, NOW)
    return store
