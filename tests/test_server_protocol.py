"""The server's door: health and docs, tokens, versions, and bad input refused whole.

Every refusal is a 4xx JSON body whose message names the problem, and a refused batch
leaves the database exactly as it was. Runs the ASGI app in-process on each backend.
"""

from __future__ import annotations

import json
import uuid
import warnings

import pytest
import zstandard
from sqlalchemy import func, select
from starlette.exceptions import StarletteDeprecationWarning

from cs_console.server import accounts
from cs_console.server.app import MAX_BODY_BYTES, create_app
from cs_console.server.db import applied_ops
from cs_console.storage import hlc
from cs_console.storage.models import Customer, Ticket
from cs_console.store import Store
from cs_console.sync import codec
from cs_console.sync.errors import VersionMismatch
from cs_console.sync.protocol import PROTOCOL_VERSION, SYNC_PATH, response_from_wire
from cs_console.usecases.ticket_changes import add_interaction
from tests.conftest import queue_rows
from tests.test_sync_harness import account, database, database_url  # noqa: F401  (fixtures)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)  # it would like httpx2 one day
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(database_url, database):
    with TestClient(create_app(database_url)) as http:
        yield http


def wire_ops(store: Store) -> list[list]:
    return [[op.seq, op.op_id, op.entity, op.entity_id, op.action, json.loads(op.payload), op.hlc]
            for op in store.pending_operations()]


def post(client, token: str | None, ops: list, *, device: str | None = None, cursor: int = 0, version: int = PROTOCOL_VERSION):
    body = {"v": version, "d": device or str(uuid.uuid4()), "c": cursor, "k": 0, "b": 65536, "o": ops}
    headers = {"content-type": codec.JSON_TYPE}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return client.post(SYNC_PATH, content=json.dumps(body), headers=headers)


def ticket_count(database) -> int:
    with database.read() as session:
        return session.execute(select(func.count()).select_from(Ticket)).scalar_one()


def offline_ticket(tmp_path, assignee_id: str | None, team: str = "deck") -> Store:
    """A device store holding one new ticket (with its customer) not yet sent."""
    store = Store.open(tmp_path / f"{uuid.uuid4().hex}.db")
    if assignee_id:
        store.import_rows([_agent_row(assignee_id)])
    store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Gyro compass drift",
                        first_message="Heading is off by 3 degrees.", assignee_id=assignee_id, team=team)
    return store


def _agent_row(agent_id: str):
    from cs_console.storage.models import Agent

    return Agent(id=agent_id, name="someone")


def without_agents(ops: list[list]) -> list[list]:
    return [op for op in ops if op[2] != "agent"]


def test_health_needs_no_token_and_the_api_is_documented(client):
    assert client.get("/v1/health").json()["protocol"] == PROTOCOL_VERSION
    assert SYNC_PATH in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 200


def test_a_missing_or_unknown_token_is_refused_with_a_sentence(client, database):
    missing = post(client, None, [])
    assert missing.status_code == 401 and "bearer token" in missing.json()["message"]
    unknown = post(client, "guessed-token", [])
    assert unknown.status_code == 401 and "does not know the token" in unknown.json()["message"]
    agent, token = account(database, "agent")
    accounts.disable_agent(database, agent.agent_id)
    disabled = post(client, token, [])
    assert disabled.status_code == 403 and "disabled" in disabled.json()["message"]
    assert client.get("/v1/me", headers={"authorization": f"Bearer {token}"}).status_code == 403


def test_the_server_keeps_only_a_hash_of_each_token(database):
    _, token = account(database, "agent")
    with database.engine.connect() as connection:
        stored = [row[0] for row in connection.execute(select(accounts.accounts.c.token_hash))]
    assert token not in stored and accounts.hash_token(token) in stored


def test_a_version_mismatch_says_which_side_to_upgrade(client, database):
    _, token = account(database, "agent")
    newer = post(client, token, [], version=PROTOCOL_VERSION + 1)
    assert newer.status_code == 426 and newer.json()["message"].endswith("upgrade the server")
    older = post(client, token, [], version=0)
    assert older.status_code == 426 and "upgrade cs-console on the device" in older.json()["message"]
    other_path = client.post("/v2/sync", content=b"")
    assert other_path.status_code == 426 and "upgrade the server" in other_path.json()["message"]
    with pytest.raises(VersionMismatch, match="upgrade cs-console on this device"):
        response_from_wire({"v": PROTOCOL_VERSION + 1, "a": None, "c": 0, "k": 0, "m": False, "t": 0, "r": {}})


def test_bodies_that_are_not_sync_messages_are_refused(client, database):
    _, token = account(database, "agent")
    headers = {"authorization": f"Bearer {token}"}
    garbage = client.post(SYNC_PATH, content=b"\x00\x01", headers={**headers, "content-type": codec.BINARY_TYPE})
    assert garbage.status_code == 400 and "zstd" in garbage.json()["message"]
    text = client.post(SYNC_PATH, content=b"{not json", headers={**headers, "content-type": codec.JSON_TYPE})
    assert text.status_code == 400 and "not a readable sync message" in text.json()["message"]
    kind = client.post(SYNC_PATH, content=b"x", headers={**headers, "content-type": "text/plain"})
    assert kind.status_code == 400 and "content type" in kind.json()["message"]
    shape = post(client, token, [["one", "two"]])
    assert shape.status_code == 400 and "each operation must be a list" in shape.json()["message"]


def test_oversized_bodies_and_zstd_bombs_are_refused(client, database):
    _, token = account(database, "agent")
    headers = {"authorization": f"Bearer {token}", "content-type": codec.BINARY_TYPE}
    huge = client.post(SYNC_PATH, content=b"\x00" * (MAX_BODY_BYTES + 1), headers=headers)
    assert huge.status_code == 413 and "at most" in huge.json()["message"]
    bomb = zstandard.ZstdCompressor().compress(b"\x00" * (codec.MAX_DECODED_BYTES + 10))
    exploded = client.post(SYNC_PATH, content=bomb, headers=headers)
    assert exploded.status_code == 413 and "MiB" in exploded.json()["message"]


def test_an_unknown_operation_refuses_the_whole_batch(tmp_path, client, database):
    admin, token = account(database, "admin")
    store = offline_ticket(tmp_path, None)
    good = wire_ops(store)
    bad = [99, str(uuid.uuid4()), "spaceship", str(uuid.uuid4()), "insert", {"name": "x"}, good[0][6]]
    before = ticket_count(database)
    answer = post(client, token, [*good, bad])
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "refused" and "nothing of this batch was applied" in body["message"]
    assert [(p["seq"], p["code"]) for p in body["problems"]] == [(99, "malformed")]
    assert "unknown entity 'spaceship'" in body["problems"][0]["message"]
    assert ticket_count(database) == before
    assert post(client, token, good).status_code == 200
    assert ticket_count(database) == before + 1


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("status", "exploded", "'exploded' is not one of open"),
        ("colour", "red", "no writable field 'colour'"),
        ("priority", 3, "must be text"),
        ("created_at", "yesterday", "UTC time text"),
        ("field_clocks", "{}", "no writable field 'field_clocks'"),
    ],
)
def test_a_malformed_field_is_named(tmp_path, client, database, field, value, says):
    _, token = account(database, "admin")
    ops = wire_ops(offline_ticket(tmp_path, None))
    ticket_op = next(op for op in ops if op[2] == "ticket")
    ticket_op[5][field] = value
    answer = post(client, token, ops)
    assert answer.status_code == 422
    assert says in answer.json()["problems"][0]["message"]


def test_a_write_outside_the_callers_scope_is_refused_and_nothing_applies(tmp_path, client, database):
    other, _ = account(database, "agent")
    me, token = account(database, "agent")
    mine = wire_ops(offline_ticket(tmp_path, me.agent_id))
    theirs = wire_ops(offline_ticket(tmp_path, other.agent_id))
    before = ticket_count(database)
    answer = post(client, token, without_agents(mine) + without_agents(theirs))
    assert answer.status_code == 403
    problem = answer.json()["problems"][0]
    assert problem["code"] == "scope" and "a lead's job" in problem["message"]
    assert ticket_count(database) == before


def test_nobody_writes_as_someone_else(tmp_path, client, database):
    other, _ = account(database, "agent")
    me, token = account(database, "agent")
    store = offline_ticket(tmp_path, me.agent_id)
    ticket_id = queue_rows(store, None)[0].id
    add_interaction(store, ticket_id, "internal_note", "signed by someone else", author_id=me.agent_id)
    ops = without_agents(wire_ops(store))
    ops[-2][5]["author_id"] = other.agent_id  # the note (the last op is the ticket's updated_at)
    answer = post(client, token, ops)
    assert answer.status_code == 403 and "only write as yourself" in answer.json()["problems"][0]["message"]


def test_only_an_admin_edits_the_knowledge_base_but_anyone_counts_template_uses(tmp_path, client, database):
    _, admin_token = account(database, "admin")
    _, agent_token = account(database, "agent")
    from cs_console.storage.models import KbArticle, Template

    store = Store.open(tmp_path / "kb.db")
    store.import_rows([KbArticle(title="Liferaft service intervals", body="Every 12 months."), Template(title="Greeting", body="Hello")])
    created = wire_ops(store)
    refused = post(client, agent_token, created)
    assert refused.status_code == 403 and "only an admin edits the knowledge base" in refused.json()["problems"][0]["message"]
    assert post(client, admin_token, created).status_code == 200
    template_id = next(op[3] for op in created if op[2] == "template")
    store.count_template_use(template_id)
    use = wire_ops(store)[-1:]
    assert post(client, agent_token, use).status_code == 200


def test_a_repeated_batch_is_acknowledged_and_changes_nothing(tmp_path, client, database):
    _, token = account(database, "admin")
    ops = wire_ops(offline_ticket(tmp_path, None))
    device = str(uuid.uuid4())
    first = post(client, token, ops, device=device)
    before = ticket_count(database)
    with database.read() as session:
        applied = session.execute(select(func.count()).select_from(applied_ops)).scalar_one()
    again = post(client, token, ops, device=device)
    assert first.status_code == again.status_code == 200
    assert again.json()["a"] == max(op[0] for op in ops)
    assert ticket_count(database) == before
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(applied_ops)).scalar_one() == applied


def test_a_clock_far_ahead_is_clamped_so_it_cannot_win_forever(tmp_path, client, database):
    _, token = account(database, "admin")
    ops = wire_ops(offline_ticket(tmp_path, None))
    day_ahead = hlc.Stamp.parse(ops[0][6]).wall_ms + 86_400_000
    for op in ops:
        op[6] = str(hlc.Stamp(day_ahead, 0, "fastclck"))
    assert post(client, token, ops).status_code == 200
    ticket_id = next(op[3] for op in ops if op[2] == "ticket")
    with database.read() as session:
        clocks = json.loads(session.get(Ticket, ticket_id).field_clocks)
    assert all(hlc.Stamp.parse(stamp).wall_ms < day_ahead - 3_600_000 for stamp in clocks.values())
