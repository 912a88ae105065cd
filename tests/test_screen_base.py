"""Every screen and dialog of the console stands on the shared base (`screens/base.py`), so
the app can tick and reload any of them, and each speaks the interface language."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.screen import Screen

import cs_console.screens
from cs_console.screens.base import Console


def test_every_screen_stands_on_the_console_base():
    screens = []
    for module in pkgutil.iter_modules(cs_console.screens.__path__):
        found = importlib.import_module(f"cs_console.screens.{module.name}")
        screens += [cls for _, cls in inspect.getmembers(found, inspect.isclass)
                    if issubclass(cls, Screen) and cls.__module__ == found.__name__]
    assert screens, "the screens package was found"
    assert [cls.__name__ for cls in screens if not issubclass(cls, Console)] == []
