"""The `cs-console` subcommands, one module per group; `cs_console.cli` parses and dispatches."""
