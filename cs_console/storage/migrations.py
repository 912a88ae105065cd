"""The local database's schema, as numbered forward steps.

Each step is frozen once released: a database written by any earlier release is brought to
the newest schema in place, inside one transaction, so a crash mid-upgrade leaves the old
version intact. `PRAGMA user_version` holds the step a file has reached. The models in
`cs_console.storage.models` describe the same tables; tests/test_migrations.py keeps them equal.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


INTERACTION_CHANNEL_BACKFILL = """UPDATE interaction SET channel = CASE
    WHEN kind IN ('call_log', 'callback') THEN 'phone'
    ELSE (SELECT channel FROM ticket WHERE ticket.id = interaction.ticket_id) END
    WHERE channel IS NULL AND kind != 'internal_note'"""
"""Gives the messages written before channels were recorded the one `vocabulary.message_channel`
would have given them; the central server runs it too when it adds the column."""

SEARCHED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ticket_search", "ticket", ("number", "subject", "category")),
    ("message_search", "interaction", ("body",)),
    ("customer_search", "customer", ("name", "contact_name", "phone", "email", "sites", "notes")),
)
"""The full-text indexes of step 9: index, the table whose text it indexes, and its columns.
The trigram tokenizer matches any run of three or more characters, Chinese as well as
English, so it needs no word segmentation; cs_console/scripts/bench_search_all.py measures
it against word tokens plus Han bigrams. Each index has a vocabulary, `<index>_terms`
(fts5vocab), through which a word of one or two characters is found as the trigrams it
starts (`cs_console.storage.full_text`). Rowids key the index, so anything that VACUUMs the
file must fill these indexes again after, as step 9 does."""

PADDING = "  "
"""Appended to each indexed text, so that every character, the last two as well, starts a
trigram: a word of one or two characters is then always found through the trigrams it
starts."""


def _padded(prefix: str, columns: tuple[str, ...]) -> str:
    """The SQL of each column's text followed by PADDING."""
    return ", ".join(f"{prefix}{column} || '{PADDING}'" for column in columns)


FULL_TEXT_INDEXES: tuple[str, ...] = (
    # Contentless indexes: the text stays in its table, the index holds the trigrams
    # of each column followed by PADDING, keyed by the row's rowid. Written to be
    # harmless when run again.
    *(
        statement
        for index, table, columns in SEARCHED
        for statement in (
            f"""CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({", ".join(columns)},
                content='', tokenize='trigram')""",
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {index}_terms USING fts5vocab({index}, 'row')",
            f"INSERT INTO {index}({index}) VALUES ('delete-all')",
            f"INSERT INTO {index}(rowid, {', '.join(columns)}) SELECT rowid, {_padded('', columns)} FROM {table}",
            f"""CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} BEGIN
                INSERT INTO {index}(rowid, {", ".join(columns)}) VALUES (NEW.rowid, {_padded("NEW.", columns)});
            END""",
            f"""CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} BEGIN
                INSERT INTO {index}({index}, rowid, {", ".join(columns)})
                VALUES ('delete', OLD.rowid, {_padded("OLD.", columns)});
            END""",
            f"""CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE OF {", ".join(columns)} ON {table}
            BEGIN
                INSERT INTO {index}({index}, rowid, {", ".join(columns)})
                VALUES ('delete', OLD.rowid, {_padded("OLD.", columns)});
                INSERT INTO {index}(rowid, {", ".join(columns)}) VALUES (NEW.rowid, {_padded("NEW.", columns)});
            END""",
        )
    ),
)
"""Step 12's full-text indexes, their fill and their triggers. `cs_console.storage.doctor`
runs them again over a recovered copy, whose rows have new rowids."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "agents, customers, tickets, interactions, events, knowledge base, templates, outbox",
        (
            """CREATE TABLE agent (
                id VARCHAR NOT NULL PRIMARY KEY,
                name VARCHAR NOT NULL,
                role VARCHAR NOT NULL,
                team VARCHAR NOT NULL,
                languages VARCHAR NOT NULL,
                skills VARCHAR NOT NULL,
                timezone VARCHAR NOT NULL,
                active BOOLEAN NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            """CREATE TABLE customer (
                id VARCHAR NOT NULL PRIMARY KEY,
                name VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                contact_name VARCHAR NOT NULL,
                phone VARCHAR NOT NULL,
                email VARCHAR NOT NULL,
                language VARCHAR NOT NULL,
                sites VARCHAR NOT NULL,
                preferences VARCHAR NOT NULL,
                notes VARCHAR NOT NULL,
                created_at VARCHAR(26) NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX ix_customer_name ON customer (name)",
            """CREATE TABLE ticket (
                id VARCHAR NOT NULL PRIMARY KEY,
                number VARCHAR NOT NULL UNIQUE,
                customer_id VARCHAR NOT NULL REFERENCES customer (id),
                assignee_id VARCHAR REFERENCES agent (id),
                team VARCHAR NOT NULL,
                subject VARCHAR NOT NULL,
                category VARCHAR NOT NULL,
                priority VARCHAR NOT NULL,
                channel VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                created_at VARCHAR(26) NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX ix_ticket_customer_id ON ticket (customer_id)",
            """CREATE TABLE interaction (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
                kind VARCHAR NOT NULL,
                author_id VARCHAR REFERENCES agent (id),
                body VARCHAR NOT NULL,
                satisfaction INTEGER,
                created_at VARCHAR(26) NOT NULL,
                hlc VARCHAR NOT NULL)""",
            "CREATE INDEX ix_interaction_ticket ON interaction (ticket_id, created_at)",
            """CREATE TABLE ticket_event (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
                kind VARCHAR NOT NULL,
                at VARCHAR(26) NOT NULL,
                author_id VARCHAR REFERENCES agent (id),
                hlc VARCHAR NOT NULL)""",
            "CREATE INDEX ix_ticket_event_ticket ON ticket_event (ticket_id, at)",
            """CREATE TABLE kb_article (
                id VARCHAR NOT NULL PRIMARY KEY,
                title VARCHAR NOT NULL,
                body VARCHAR NOT NULL,
                tags VARCHAR NOT NULL,
                lang VARCHAR NOT NULL,
                category VARCHAR NOT NULL,
                compliance_triggers VARCHAR NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                deleted BOOLEAN NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            """CREATE TABLE template (
                id VARCHAR NOT NULL PRIMARY KEY,
                title VARCHAR NOT NULL,
                body VARCHAR NOT NULL,
                tags VARCHAR NOT NULL,
                lang VARCHAR NOT NULL,
                uses INTEGER NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                deleted BOOLEAN NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            """CREATE TABLE outbox (
                seq INTEGER NOT NULL PRIMARY KEY,
                op_id VARCHAR NOT NULL UNIQUE,
                device_id VARCHAR NOT NULL,
                entity VARCHAR NOT NULL,
                entity_id VARCHAR NOT NULL,
                action VARCHAR NOT NULL,
                payload VARCHAR NOT NULL,
                hlc VARCHAR NOT NULL,
                created_at VARCHAR(26) NOT NULL,
                acked_at VARCHAR(26))""",
            """CREATE TABLE meta (
                "key" VARCHAR NOT NULL PRIMARY KEY,
                value VARCHAR NOT NULL)""",
        ),
    ),
    Migration(
        2,
        "personal follow-up reminders; queue index by assignee and status",
        (
            """CREATE TABLE reminder (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
                agent_id VARCHAR REFERENCES agent (id),
                due_at VARCHAR(26) NOT NULL,
                note VARCHAR NOT NULL,
                done BOOLEAN NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX ix_reminder_due ON reminder (done, due_at)",
            "CREATE INDEX ix_ticket_queue ON ticket (assignee_id, status)",
        ),
    ),
    Migration(
        3,
        "lists that stay instant at 100,000 tickets: a local queue index (each ticket's "
        "listed columns, event history and when its clocks all stopped) kept current by "
        "triggers; keyset indexes for the queue and the customer history",
        (
            # Derived from synced rows, local to the device and never synced itself. Triggers
            # keep it current whichever path writes (a screen, an import, a sync page): a
            # ticket's row is made with it and follows its changes and its customer's name;
            # each new event is appended to the history ("kind@at;", in the order stored)
            # and unchecks the row, which the queue then checks again.
            """CREATE TABLE queue_entry (
                ticket_id VARCHAR NOT NULL PRIMARY KEY REFERENCES ticket (id),
                number VARCHAR NOT NULL,
                priority VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                subject VARCHAR NOT NULL,
                customer_name VARCHAR NOT NULL,
                assignee_id VARCHAR,
                created_at VARCHAR(26) NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                history VARCHAR NOT NULL,
                settled_at VARCHAR(26),
                checked BOOLEAN NOT NULL)""",
            """INSERT INTO queue_entry
                SELECT t.id, t.number, t.priority, t.status, t.subject, c.name, t.assignee_id, t.created_at,
                    t.updated_at, coalesce((SELECT group_concat(kind || '@' || at || ';', '') FROM
                        (SELECT kind, at FROM ticket_event e WHERE e.ticket_id = t.id ORDER BY at, rowid)), ''),
                    NULL, 0
                FROM ticket t JOIN customer c ON c.id = t.customer_id""",
            "CREATE INDEX ix_queue_entry_settled ON queue_entry (settled_at)",
            "CREATE INDEX ix_queue_entry_order ON queue_entry (priority, created_at, ticket_id)",
            "CREATE INDEX ix_queue_entry_agent_order ON queue_entry (assignee_id, priority, created_at, ticket_id)",
            """CREATE TRIGGER queue_entry_new_ticket AFTER INSERT ON ticket BEGIN
                INSERT INTO queue_entry VALUES (NEW.id, NEW.number, NEW.priority, NEW.status, NEW.subject,
                    (SELECT name FROM customer WHERE id = NEW.customer_id), NEW.assignee_id, NEW.created_at,
                    NEW.updated_at, '', NULL, 0);
            END""",
            """CREATE TRIGGER queue_entry_ticket_changed AFTER UPDATE ON ticket BEGIN
                UPDATE queue_entry SET number = NEW.number, priority = NEW.priority, status = NEW.status,
                    subject = NEW.subject, customer_name = (SELECT name FROM customer WHERE id = NEW.customer_id),
                    assignee_id = NEW.assignee_id, created_at = NEW.created_at, updated_at = NEW.updated_at
                WHERE ticket_id = NEW.id;
            END""",
            """CREATE TRIGGER queue_entry_customer_renamed AFTER UPDATE OF name ON customer BEGIN
                UPDATE queue_entry SET customer_name = NEW.name
                WHERE ticket_id IN (SELECT id FROM ticket WHERE customer_id = NEW.id);
            END""",
            """CREATE TRIGGER queue_entry_new_event AFTER INSERT ON ticket_event BEGIN
                UPDATE queue_entry SET history = history || NEW.kind || '@' || NEW.at || ';',
                    settled_at = NULL, checked = 0
                WHERE ticket_id = NEW.ticket_id;
            END""",
            "CREATE INDEX ix_ticket_customer_created ON ticket (customer_id, created_at, id)",
        ),
    ),
    Migration(
        4,
        "callback NPS scores (how likely the customer is to recommend us, 0-10), for the reports",
        ("ALTER TABLE interaction ADD COLUMN nps INTEGER",),
    ),
    Migration(
        5,
        "a customer's history as one index walk (each interaction's customer and time, kept "
        "by triggers); the queue finds tickets to check again without a scan",
        (
            # A customer's history lists every interaction of all their tickets, newest first:
            # with the customer beside each interaction, one index walk gives any page of it.
            # Written to be harmless when run again over its own tables.
            """CREATE TABLE IF NOT EXISTS history_index (
                interaction_id VARCHAR NOT NULL PRIMARY KEY REFERENCES interaction (id),
                customer_id VARCHAR NOT NULL,
                created_at VARCHAR(26) NOT NULL)""",
            """INSERT OR IGNORE INTO history_index
                SELECT i.id, t.customer_id, i.created_at FROM interaction i JOIN ticket t ON t.id = i.ticket_id""",
            "CREATE INDEX IF NOT EXISTS ix_history_index_customer ON history_index (customer_id, created_at, interaction_id)",
            """CREATE TRIGGER IF NOT EXISTS history_index_new_interaction AFTER INSERT ON interaction BEGIN
                INSERT INTO history_index VALUES (NEW.id, coalesce((SELECT customer_id FROM ticket WHERE id = NEW.ticket_id), ''),
                    NEW.created_at);
            END""",
            """CREATE TRIGGER IF NOT EXISTS history_index_ticket_moved AFTER UPDATE OF customer_id ON ticket BEGIN
                UPDATE history_index SET customer_id = NEW.customer_id
                WHERE interaction_id IN (SELECT id FROM interaction WHERE ticket_id = NEW.id);
            END""",
            "CREATE INDEX IF NOT EXISTS ix_queue_entry_unchecked ON queue_entry (ticket_id) WHERE checked = 0",
        ),
    ),    Migration(
        6,
        "a count of knowledge-base changes (kept by triggers on every insert, update and delete "
        "of articles and templates, local or synced), so a saved search index knows it is stale",
        (
            # Written to be harmless when run again over its own triggers and row.
            # A template's use count is left out: the saved index refreshes uses when it loads,
            # and an agent using a template must not cost the next start a rebuild.
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('kb_generation', '0')",
            *(
                f"""CREATE TRIGGER IF NOT EXISTS kb_generation_{table}_{event.split()[0].lower()} AFTER {event} ON {table} BEGIN
                    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'kb_generation';
                END"""
                for table, events in (
                    ("kb_article", ("INSERT", "UPDATE", "DELETE")),
                    ("template", ("INSERT", "UPDATE OF title, body, tags, lang, deleted", "DELETE")),
                )
                for event in events
            ),
        ),
    ),
    Migration(
        7,
        "drafts: unsent text of a ticket's composer or of the new-ticket form, local to the "
        "device and never synced",
        (
            # Written to be harmless when run again over its own table.
            """CREATE TABLE IF NOT EXISTS draft (
                key VARCHAR NOT NULL PRIMARY KEY,
                body VARCHAR NOT NULL,
                fields VARCHAR NOT NULL,
                updated_at VARCHAR(26) NOT NULL)""",
        ),
    ),
    Migration(
        8,
        "a detail on ticket events (from and to of a status change or reassignment, an escalation's team "
        "and reason, a reminder's note), so the ticket's trail says what happened and who did it",
        ("ALTER TABLE ticket_event ADD COLUMN detail VARCHAR NOT NULL DEFAULT '{}'",),
    ),
    Migration(
        9,
        "the channel of every message (phone, email, api...): older rows take their ticket's "
        "channel, calls and callbacks the phone, internal notes none",
        (
            "ALTER TABLE interaction ADD COLUMN channel VARCHAR",
            INTERACTION_CHANNEL_BACKFILL,
        ),
    ),
    Migration(
        10,
        "reply deliveries: what became of each public reply the server sent by mail (sent, "
        "or failed and why), written by the server and synced down",
        (
            """CREATE TABLE IF NOT EXISTS reply_delivery (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
                state VARCHAR NOT NULL,
                reason VARCHAR NOT NULL,
                attempts INTEGER NOT NULL,
                retry_at VARCHAR(26),
                updated_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
        ),
    ),
    Migration(
        11,
        "mail problems: the last problem of the server with each team's mailbox and the SMTP "
        "relay (login refused, unreachable, a mail too large...), written by the server and "
        "synced down to the leads",
        (
            """CREATE TABLE IF NOT EXISTS mail_problem (
                id VARCHAR NOT NULL PRIMARY KEY,
                team VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                address VARCHAR NOT NULL,
                problem VARCHAR NOT NULL,
                detail VARCHAR NOT NULL,
                count INTEGER NOT NULL,
                since VARCHAR(26),
                last_at VARCHAR(26),
                field_clocks VARCHAR NOT NULL)""",
        ),
    ),
    Migration(
        12,
        "full-text search over tickets, every message and note, and customers (SQLite FTS5, "
        "trigram tokenizer), kept by triggers on every local or synced write, built here for "
        "existing stores",
        (
            *FULL_TEXT_INDEXES,
            # A count of customer changes, so the names held in memory for pinyin and typo
            # matching are read again only when a customer changed.
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('customer_generation', '0')",
            *(
                f"""CREATE TRIGGER IF NOT EXISTS customer_generation_{event.split()[0].lower()} AFTER {event} ON customer
                BEGIN
                    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'customer_generation';
                END"""
                for event in ("INSERT", "UPDATE OF name, contact_name, sites", "DELETE")
            ),
        ),
    ),
    Migration(
        13,
        "attachments: what is attached to tickets, messages and notes (synced; the bytes "
        "travel apart, by hash), and how far each file this device holds has gone up",
        (
            """CREATE TABLE IF NOT EXISTS attachment (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
                interaction_id VARCHAR REFERENCES interaction (id),
                filename VARCHAR NOT NULL,
                content_type VARCHAR NOT NULL,
                size INTEGER NOT NULL,
                sha256 VARCHAR NOT NULL,
                author_id VARCHAR REFERENCES agent (id),
                created_at VARCHAR(26) NOT NULL,
                hlc VARCHAR NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS ix_attachment_ticket_id ON attachment (ticket_id)",
            "CREATE INDEX IF NOT EXISTS ix_attachment_sha256 ON attachment (sha256)",
            """CREATE TABLE IF NOT EXISTS attachment_transfer (
                sha256 VARCHAR NOT NULL PRIMARY KEY,
                size INTEGER NOT NULL,
                sent INTEGER NOT NULL,
                done BOOLEAN NOT NULL,
                send_now BOOLEAN NOT NULL,
                created_at VARCHAR(26) NOT NULL)""",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

APPLICATION_ID = 0x43534331
"""`PRAGMA application_id` of a cs-console database ("CSC1"), so another program's SQLite
file is recognised and refused rather than upgraded."""


def upgrade(connection: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Apply every step above the file's version up to `target`, in one transaction.

    The connection must be in autocommit mode (`isolation_level=None`). Returns the number
    of steps applied.
    """
    current = connection.execute("PRAGMA user_version").fetchone()[0]
    pending = [m for m in MIGRATIONS if current < m.version <= target]
    if not pending:
        return 0
    connection.execute("BEGIN IMMEDIATE")
    try:
        for migration in pending:
            for statement in migration.statements:
                connection.execute(statement)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {pending[-1].version}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return len(pending)
