"""The knowledge base's rows: articles and standard phrases (templates) as stored.

Searching, ranking and importing them is `cs_console.kb`'s; this module hands out the rows
and counts a template's uses, and refuses to know how a search index or an import works.

Methods of `cs_console.store.Store`, which reads long lists through `_plain_reads` and
writes through `_update`.
"""

from __future__ import annotations

import json

from sqlmodel import col, select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import KbArticle, Macro, Template


class KnowledgeBase:
    """Articles, templates and macros: the search index's documents, one article, compliance
    triggers, the macros a ticket can run."""

    def kb_documents(self) -> list[dict]:
        """Every live article and template, in the form the search index takes.

        Read through plain sqlite3, not the ORM: 100,000 documents in 1.5 s instead of 5.1 s."""
        with self._plain_reads() as db:
            articles = db.execute("SELECT id, title, body, tags, lang FROM kb_article WHERE NOT deleted")
            documents = [{"id": id_, "kind": "article", "title": title, "body": body, "tags": json.loads(tags),
                          "lang": lang, "uses": 0} for id_, title, body, tags, lang in articles]
            templates = db.execute("SELECT id, title, body, tags, lang, uses FROM template WHERE NOT deleted")
            documents.extend({"id": id_, "kind": "template", "title": title, "body": body, "tags": json.loads(tags),
                              "lang": lang, "uses": uses} for id_, title, body, tags, lang, uses in templates)
            return documents

    def kb_generation(self) -> int:
        """A number that grows with every change to an article or template, local or synced,
        except a template's use count (see `template_uses`); kept by triggers (migration 6)."""
        with self._plain_reads() as db:
            found = db.execute("SELECT value FROM meta WHERE key = 'kb_generation'").fetchone()
        return int(found[0]) if found else 0

    def template_uses(self) -> dict[str, int]:
        """How often each live template has been used, by id."""
        with self._plain_reads() as db:
            return dict(db.execute("SELECT id, uses FROM template WHERE NOT deleted"))

    def article(self, article_id: str) -> KbArticle:
        with self.read() as session:
            found = session.get(KbArticle, article_id)
        if found is None:
            raise NotFound(f"no knowledge-base article with id {article_id}")
        return found

    def compliance_articles(self) -> list[KbArticle]:
        """Articles that carry trigger words, for the ticket screen's compliance prompts."""
        with self.read() as session:
            return list(
                session.exec(
                    select(KbArticle).where(
                        col(KbArticle.deleted).is_(False), KbArticle.compliance_triggers != "[]"
                    )
                )
            )

    def template(self, template_id: str) -> Template | None:
        """A live template, or None when there is none with that id."""
        with self.read() as session:
            found = session.get(Template, template_id)
        return found if found is not None and not found.deleted else None

    def macros(self) -> list[Macro]:
        """Every live macro, by title."""
        with self.read() as session:
            return list(session.exec(select(Macro).where(col(Macro.deleted).is_(False)).order_by(Macro.title)))

    def count_template_use(self, template_id: str) -> None:
        """One more use of a template, so the picker ranks it higher among near ties.

        A read-only session counts nothing: using a template is not a change to refuse."""
        if self.readonly:
            return
        with self.write() as session:
            template = session.get(Template, template_id)
            if template is None:
                raise NotFound(f"no template with id {template_id}")
            self._update(session, template, {"uses": template.uses + 1})
