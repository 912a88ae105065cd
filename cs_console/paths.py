"""Where cs-console keeps its files.

One place decides every location so that tests, `--db` and `CS_CONSOLE_HOME` can move all
of them at once. Nothing here creates a file; callers create what they write.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import platformdirs

from cs_console.errors import InstallationError

APP_NAME = "cs-console"
HOME_VARIABLE = "CS_CONSOLE_HOME"
"""A folder that holds the data and the config together, for tests and portable installs."""

CHECKOUT_ASSETS = Path(__file__).resolve().parent.parent / "assets"
"""Where the assets sit in a source checkout (an editable install runs from there)."""


@functools.cache
def assets_dir() -> Path:
    """Styles, the demo data set and the sync dictionary.

    A wheel carries the repository's top-level `assets/` inside the package as
    `cs_console/assets`; an editable install reads them from the checkout.

    Raises:
        InstallationError: neither place has them, so the installation is incomplete.
    """
    from importlib import resources  # at first use: `--version` and `--help` need no assets

    installed = Path(str(resources.files("cs_console") / "assets"))
    for folder in (installed, CHECKOUT_ASSETS):
        if folder.is_dir():
            return folder
    raise InstallationError(
        f"this installation lacks its assets (looked in {installed} and {CHECKOUT_ASSETS}); "
        "reinstall cs-console"
    )


def asset(relative: str) -> Path:
    """One shipped file, e.g. `asset("sync/payloads.zdict")`.

    Raises:
        InstallationError: the file is not there.
    """
    path = assets_dir() / relative
    if not path.is_file():
        raise InstallationError(f"this installation lacks {relative} (looked in {path}); reinstall cs-console")
    return path


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


def backups_dir(database: Path) -> Path:
    """The folder beside a database that holds its automatic daily backups."""
    return database.expanduser().parent / "backups"


def attachments_dir(database: Path) -> Path:
    """The folder beside a database that holds the bytes of its attached files, by hash."""
    database = database.expanduser()
    return database.parent / f"{database.stem}.attachments"
