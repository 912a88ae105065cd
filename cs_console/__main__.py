"""`python -m cs_console` does what the `cs-console` command does."""

from cs_console.cli import main

raise SystemExit(main())
