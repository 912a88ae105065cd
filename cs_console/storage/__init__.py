"""Behind `cs_console.store`: the tables, their migrations, the SQLite engine and write
stamps, and one module per concern of what the store reads and writes (agents, tickets,
queue_rows, customers, team_facts, knowledge_base, sync_state, data_sets). It returns its
own rows and imports no domain, UI or sync module."""
