"""The knowledge base's rows: articles and standard phrases (templates) as stored.

Searching, ranking and importing them is `cs_console.kb`'s; this module hands out the rows
and counts a template's uses, and refuses to know how a search index or an import works.

Methods of `cs_console.store.Store`, which writes through `_update`.
"""

from __future__ import annotations

import json

from sqlmodel import col, select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import KbArticle, Template


class KnowledgeBase:
    """Articles and templates: the search index's documents, one article, compliance triggers."""

    def kb_documents(self) -> list[dict]:
        """Every live article and template, in the form the search index takes."""
        with self.read() as session:
            articles = session.exec(select(KbArticle).where(col(KbArticle.deleted).is_(False)))
            templates = session.exec(select(Template).where(col(Template.deleted).is_(False)))
            return [
                *(
                    {"id": a.id, "kind": "article", "title": a.title, "body": a.body,
                     "tags": json.loads(a.tags), "lang": a.lang, "uses": 0}
                    for a in articles
                ),
                *(
                    {"id": t.id, "kind": "template", "title": t.title, "body": t.body,
                     "tags": json.loads(t.tags), "lang": t.lang, "uses": t.uses}
                    for t in templates
                ),
            ]

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
