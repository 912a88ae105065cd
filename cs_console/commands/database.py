"""`cs-console backup`, `restore` and `doctor`: the device's database kept safe, and mended.

None of them opens the store: a damaged database must still be examined and replaced, and
a backup must not upgrade or write the file it copies. `backup` copies consistently while
the console runs; `restore` refuses while a console has the database open; `doctor` never
writes to the file it examines.
"""

from __future__ import annotations

from pathlib import Path

from cs_console import paths
from cs_console.errors import UserError

COMMANDS = ("backup", "restore", "doctor")


def add_commands(commands) -> None:
    """Add `backup`, `restore` and `doctor` to the subcommand parser."""
    backup = commands.add_parser(
        "backup", help="copy the database now, safely while the console runs (default: into the backups folder)")
    backup.add_argument("path", nargs="?", type=Path, metavar="PATH", help="the file (or folder) to write")
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database (the replaced file is kept beside it)")
    restore.add_argument("path", type=Path, metavar="PATH", help="the backup to restore")
    doctor = commands.add_parser(
        "doctor", help="check the database and count what can be read; --recover copies it into a new file")
    doctor.add_argument("--recover", type=Path, metavar="NEW_FILE",
                        help="copy every readable row into this new file (the database is not touched)")


def run(database: Path, args) -> int:
    """Run one of `COMMANDS` on the database file; returns the exit status."""
    from cs_console.utc import utcnow

    if args.command == "backup":
        return _backup(database, args.path, utcnow())
    if args.command == "restore":
        return _restore(database, args.path, utcnow())
    return _doctor(database, args.recover)


def _backup(database: Path, target: Path | None, now) -> int:
    from cs_console.storage import backups

    if not database.is_file():
        raise UserError(f"{database}: no such database, nothing to back up")
    if target is None:
        made = backups.back_up_to_folder(database, now)
    else:
        target = target.expanduser()
        made = backups.back_up(database, target / backups.backup_name(database, now) if target.is_dir() else target)
    print(f"Backed up {database} to {made}")
    return 0


def _restore(database: Path, backup: Path, now) -> int:
    from cs_console.storage import backups

    aside = backups.restore(backup.expanduser(), database, now)
    print(f"Restored {database} from {backup}")
    if aside is not None:
        print(f"The database it replaced is kept as {aside}")
    return 0


def _doctor(database: Path, recover_into: Path | None) -> int:
    from cs_console.storage import backups, doctor
    from cs_console.storage.failures import command_for

    if recover_into is not None:
        target = recover_into.expanduser()
        tables = doctor.recover(database, target)
        print(f"Recovered into {target}:")
        _print_tables(tables)
        print(f"Check it, then put it in place: {command_for(database, f'restore {target}')}")
        return 0
    found = doctor.examine(database)
    if not found.problems:
        print(f"{database}: whole (integrity check ok)")
        _print_tables(found.tables)
        return 0
    print(f"{database}: damaged; the integrity check found {len(found.problems)} problem(s), first: "
          f"{found.problems[0]}")
    if found.schema_readable:
        print("Rows that can still be read:")
        _print_tables(found.tables)
        print(f"Copy them into a new file: {command_for(database, 'doctor --recover NEW_FILE')}")
    else:
        print("Its list of tables cannot be read: nothing can be copied out of it.")
    newest = backups.daily_backups(database)
    where = f"newest: {newest[-1]}" if newest else f"none in {paths.backups_dir(database)}"
    print(f"Or restore a backup ({where}): {command_for(database, 'restore BACKUP')}")
    return 1


def _print_tables(tables) -> None:
    width = max((len(table.name) for table in tables), default=0)
    for table in tables:
        note = "  (damaged: some rows lost)" if table.damaged else ""
        print(f"  {table.name:<{width}}  {table.readable:>8,}{note}")
