"""Behind `cs_console.store`: the tables, their migrations, the SQLite engine and write stamps."""
