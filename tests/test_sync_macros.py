"""Macros travel as the knowledge base does: an admin's reach every device through a real
server process; an agent's own is refused by the server, with the reason kept on the device."""

from __future__ import annotations

import json

from cs_console.storage.models import Macro
from cs_console.usecases.kb_import import import_file
from cs_console.usecases.macros import macro_choices
from tests.test_macros import MACROS, TEMPLATES
from tests.test_sync_harness import database, database_url, device, server  # noqa: F401  (fixtures)


def test_an_admins_macros_reach_an_agents_device_and_an_agents_own_is_refused(tmp_path, server, database):
    admin = device(tmp_path, server.url, database, "admin")
    agent = device(tmp_path, server.url, database, "agent")
    (tmp_path / "templates.jsonl").write_text(TEMPLATES, encoding="utf-8")
    (tmp_path / "macros.jsonl").write_text(MACROS, encoding="utf-8")
    import_file(admin.store, tmp_path / "templates.jsonl")
    import_file(admin.store, tmp_path / "macros.jsonl")
    admin.sync_until_done()
    agent.sync_until_done()
    received = {choice.title: choice for choice in macro_choices(agent.store)}
    sent = {choice.title: choice for choice in macro_choices(admin.store)}
    assert {"Typhoon: ask for the ETA and wait", "Close as spam"} <= received.keys()
    assert all(received[title].steps == sent[title].steps for title in sent)

    agent.store.import_rows([Macro(title="My own shortcut", steps=json.dumps(["priority: urgent"]))])
    agent.sync()
    [(op, reason)] = [(op, reason) for op, reason in agent.store.refused_operations() if op.entity == "macro"]
    assert "only an admin edits macros" in reason
    admin.sync_until_done()
    assert "My own shortcut" not in {choice.title for choice in macro_choices(admin.store)}
