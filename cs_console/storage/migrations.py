"""The local database's schema, as numbered forward steps.

Each step is frozen once released: a database written by any earlier release is brought to
the newest schema in place, inside one transaction, so a crash mid-upgrade leaves the old
version intact. `PRAGMA user_version` holds the step a file has reached. The models in
`cs_console.storage.models` describe the same tables; tests/test_migrations.py keeps them equal.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from cs_console.storage.organisation_upgrade import move_customer_details
from cs_console.tags import tags_of_notes

Step = str | Callable[[sqlite3.Connection], None]
"""One SQL statement, or a function run on the connection for what SQL cannot say."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[Step, ...]


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


ORGANISATION_SEARCHED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("contact_search", "contact", ("name", "role", "phones", "emails")),
    ("asset_search", "asset", ("name", "imo", "flag", "vessel_type")),
)
"""The full-text indexes of the organisations' contacts and assets (the step that made them),
built like SEARCHED's: a customer is found by its people's names, phones and addresses and by
its vessels' names and IMO numbers."""


def _padded(prefix: str, columns: tuple[str, ...]) -> str:
    """The SQL of each column's text followed by PADDING."""
    return ", ".join(f"{prefix}{column} || '{PADDING}'" for column in columns)


def full_text_statements(searched: tuple[tuple[str, str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """The statements that make, fill and keep these full-text indexes."""
    return tuple(
        # Contentless indexes: the text stays in its table, the index holds the trigrams
        # of each column followed by PADDING, keyed by the row's rowid. Written to be
        # harmless when run again.
        statement
        for index, table, columns in searched
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
    )


FULL_TEXT_INDEXES: tuple[str, ...] = full_text_statements(SEARCHED)
"""Step 12's full-text indexes, their fill and their triggers. `cs_console.storage.doctor`
runs them again over a recovered copy, whose rows have new rowids (and ORGANISATION_SEARCHED's)."""


MERGE_AND_LINK = Migration(
    15,
    "merge and link: a merged ticket points to the ticket it was merged into (whose thread shows "
    "its messages, notes and activity); links between related tickets, one row per link, synced",
    (
        # The index and the table are written to be harmless when made again.
        "ALTER TABLE ticket ADD COLUMN merged_into VARCHAR",
        "CREATE INDEX IF NOT EXISTS ix_ticket_merged_into ON ticket (merged_into)",
        """CREATE TABLE IF NOT EXISTS ticket_link (
            id VARCHAR NOT NULL PRIMARY KEY,
            ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
            other_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            removed BOOLEAN NOT NULL,
            created_at VARCHAR(26) NOT NULL,
            field_clocks VARCHAR NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS ix_ticket_link_ticket ON ticket_link (ticket_id)",
        "CREATE INDEX IF NOT EXISTS ix_ticket_link_other ON ticket_link (other_id)",
    ),
)
"""Named: its tests build a store of the version before it."""

QUEUE_TAGS = """coalesce((SELECT group_concat('#' || tag, ' ') FROM
    (SELECT tag FROM ticket_tag WHERE ticket_id = {ticket} AND active ORDER BY tag)), '')"""
"""The SQL of a ticket's active tags as the queue filters them: "#typhoon #vip"."""


def tags_from_hashtags(connection: sqlite3.Connection) -> None:
    """Give every ticket the tags its internal notes name as "#hashtags" (the notes keep
    their text). Each tag row is stamped with the note that first named it, so every
    device and the server that upgrade the same notes make the same rows, id and clocks
    alike, and nothing needs to travel (the server does the same, `server.db`); a later
    removal, stamped later, wins."""
    rows = tags_of_notes(connection.execute(
        "SELECT ticket_id, body, created_at, hlc FROM interaction WHERE kind = 'internal_note' AND instr(body, '#') "
        "ORDER BY created_at, hlc"))
    connection.executemany(
        "INSERT OR IGNORE INTO ticket_tag (id, ticket_id, tag, active, updated_at, field_clocks) VALUES (?, ?, ?, 1, ?, ?)",
        [(row_id, ticket_id, tag, at, json.dumps({name: stamp for name in ("ticket_id", "tag", "active", "updated_at")},
                                                  separators=(",", ":")))
         for row_id, (ticket_id, tag, at, stamp) in rows.items()])


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
    ),
    Migration(
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
        "macros: named sequences of ticket actions an admin keeps in the knowledge base",
        (
            """CREATE TABLE IF NOT EXISTS macro (
                id VARCHAR NOT NULL PRIMARY KEY,
                title VARCHAR NOT NULL,
                steps VARCHAR NOT NULL,
                tags VARCHAR NOT NULL,
                lang VARCHAR NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                deleted BOOLEAN NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
        ),
    ),
    Migration(
        14,
        "lead reviews: a lead's rubric scores and comment on one finished conversation, "
        "synced to the reviewed agent",
        (
            """CREATE TABLE IF NOT EXISTS review (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL,
                agent_id VARCHAR NOT NULL REFERENCES agent (id),
                reviewer_id VARCHAR NOT NULL REFERENCES agent (id),
                scores VARCHAR NOT NULL,
                comment VARCHAR NOT NULL,
                reviewed_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS ix_review_agent ON review (agent_id, reviewed_at)",
            "CREATE INDEX IF NOT EXISTS ix_review_ticket ON review (ticket_id)",
        ),
    ),
    MERGE_AND_LINK,
    Migration(
        16,
        "callback surveys: the answers beside the overall satisfaction and NPS (response speed, "
        "accuracy, attitude, resolution, effort...) as a JSON object per callback; older "
        "callbacks keep their satisfaction as the overall part",
        ("ALTER TABLE interaction ADD COLUMN survey VARCHAR NOT NULL DEFAULT '{}'",),
    ),
    Migration(
        17,
        "team stability: the day each agent joined and, once they leave, their last working day",
        ("ALTER TABLE agent ADD COLUMN started_on VARCHAR", "ALTER TABLE agent ADD COLUMN left_on VARCHAR"),
    ),
    Migration(
        18,
        "knowledge-base proposals: an article or template an agent proposes from a resolved "
        "ticket, approved or rejected by a lead or admin, synced with its ticket",
        (
            """CREATE TABLE IF NOT EXISTS kb_proposal (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
                author_id VARCHAR NOT NULL REFERENCES agent (id),
                kind VARCHAR NOT NULL,
                title VARCHAR NOT NULL,
                body VARCHAR NOT NULL,
                category VARCHAR NOT NULL,
                lang VARCHAR NOT NULL,
                state VARCHAR NOT NULL,
                reason VARCHAR NOT NULL,
                reviewer_id VARCHAR REFERENCES agent (id),
                reviewed_at VARCHAR(26),
                created_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS ix_kb_proposal_ticket ON kb_proposal (ticket_id)",
        ),
    ),
    Migration(
        19,
        "organisations as they are: a customer's contacts (name, role, phones, emails, language, "
        "preferred channel) and assets (vessels with IMO number, flag and type; rigs; sites; SIM "
        "batches), synced; a ticket names its contact and asset; the old contact and sites of each "
        "customer move into them; both are found by full-text search",
        (
            """CREATE TABLE IF NOT EXISTS contact (
                id VARCHAR NOT NULL PRIMARY KEY,
                customer_id VARCHAR NOT NULL REFERENCES customer (id),
                name VARCHAR NOT NULL,
                role VARCHAR NOT NULL,
                phones VARCHAR NOT NULL,
                emails VARCHAR NOT NULL,
                language VARCHAR NOT NULL,
                channel VARCHAR NOT NULL,
                removed BOOLEAN NOT NULL,
                created_at VARCHAR(26) NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS ix_contact_customer_id ON contact (customer_id)",
            """CREATE TABLE IF NOT EXISTS asset (
                id VARCHAR NOT NULL PRIMARY KEY,
                customer_id VARCHAR NOT NULL REFERENCES customer (id),
                kind VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                imo VARCHAR NOT NULL,
                flag VARCHAR NOT NULL,
                vessel_type VARCHAR NOT NULL,
                notes VARCHAR NOT NULL,
                removed BOOLEAN NOT NULL,
                created_at VARCHAR(26) NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS ix_asset_customer_id ON asset (customer_id)",
            "ALTER TABLE ticket ADD COLUMN contact_id VARCHAR REFERENCES contact (id)",
            "ALTER TABLE ticket ADD COLUMN asset_id VARCHAR REFERENCES asset (id)",
            "CREATE INDEX IF NOT EXISTS ix_ticket_contact_id ON ticket (contact_id)",
            "CREATE INDEX IF NOT EXISTS ix_ticket_asset_id ON ticket (asset_id)",
            *full_text_statements(ORGANISATION_SEARCHED),
            # The names held in memory for pinyin and typo matching include contacts and assets.
            *(
                f"""CREATE TRIGGER IF NOT EXISTS customer_generation_{table}_{event.split()[0].lower()}
                AFTER {event} ON {table} BEGIN
                    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'customer_generation';
                END"""
                for table in ("contact", "asset")
                for event in ("INSERT", "UPDATE", "DELETE")
            ),
            move_customer_details,
        ),
    ),
    Migration(
        20,
        "tags on tickets as synced rows (one per ticket and tag, switched on and off), the queue's "
        "copy of each ticket's tags for its filter, and the #hashtags of existing notes as tags",
        (
            """CREATE TABLE IF NOT EXISTS ticket_tag (
                id VARCHAR NOT NULL PRIMARY KEY,
                ticket_id VARCHAR NOT NULL REFERENCES ticket (id),
                tag VARCHAR NOT NULL,
                active BOOLEAN NOT NULL,
                updated_at VARCHAR(26) NOT NULL,
                field_clocks VARCHAR NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS ix_ticket_tag_ticket_id ON ticket_tag (ticket_id)",
            "CREATE INDEX IF NOT EXISTS ix_ticket_tag_tag ON ticket_tag (tag)",
            "ALTER TABLE queue_entry ADD COLUMN tags VARCHAR NOT NULL DEFAULT ''",
            # The queue's row of a new ticket names its columns, now that the table has one more.
            "DROP TRIGGER IF EXISTS queue_entry_new_ticket",
            """CREATE TRIGGER queue_entry_new_ticket AFTER INSERT ON ticket BEGIN
                INSERT INTO queue_entry (ticket_id, number, priority, status, subject, customer_name, assignee_id,
                    created_at, updated_at, history, settled_at, checked)
                VALUES (NEW.id, NEW.number, NEW.priority, NEW.status, NEW.subject,
                    (SELECT name FROM customer WHERE id = NEW.customer_id), NEW.assignee_id, NEW.created_at,
                    NEW.updated_at, '', NULL, 0);
            END""",
            *(
                f"""CREATE TRIGGER IF NOT EXISTS queue_entry_tags_{name} AFTER {event} ON ticket_tag BEGIN
                    UPDATE queue_entry SET tags = {QUEUE_TAGS.format(ticket="NEW.ticket_id")}
                    WHERE ticket_id = NEW.ticket_id;
                END"""
                for name, event in (("insert", "INSERT"), ("update", "UPDATE OF active, tag"))
            ),
            tags_from_hashtags,
        ),
    ),
    Migration(
        21,
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
                if callable(statement):
                    statement(connection)
                else:
                    connection.execute(statement)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {pending[-1].version}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return len(pending)
