"""Where cs-console keeps its files.

One place decides every location so that tests, `--db` and `CS_CONSOLE_HOME` can move all
of them at once. Nothing here creates a file; callers create what they write.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "cs-console"
HOME_VARIABLE = "CS_CONSOLE_HOME"
"""A folder that holds the data and the config together, for tests and portable installs."""

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
"""Styles, the demo data set and the sync dictionary, shipped beside the package."""


def data_dir() -> Path:
    home = os.environ.get(HOME_VARIABLE)
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    home = os.environ.get(HOME_VARIABLE)
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_database() -> Path:
    return data_dir() / "cs-console.db"


def config_file() -> Path:
    return config_dir() / "config.toml"
