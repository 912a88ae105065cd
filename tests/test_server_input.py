"""Hostile bodies against a real server process: each gets a 4xx naming what is wrong and
where, and the server goes on answering. A body the server cannot read is refused whole and
writes nothing; a bad value inside one operation's payload refuses that operation alone, so
the rest of the batch goes through when it is sent again without it (as a device does).

Runs on each backend (SQLite, and PostgreSQL where one answers); a hypothesis test puts
such values anywhere in an otherwise good batch.
"""

from __future__ import annotations

import functools
import json
import uuid

import httpx
import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cs_console.server.db import applied_ops
from cs_console.sync import codec
from cs_console.sync.protocol import MAX_DEPTH, PROTOCOL_VERSION, SYNC_PATH
from tests.test_server_protocol import offline_ticket, ticket_count, wire_ops
from tests.test_sync_harness import account, database, database_url, server  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def token(database) -> str:
    return account(database, "admin")[1]


def message(ops: list, **fields) -> dict:
    return {"v": PROTOCOL_VERSION, "d": str(uuid.uuid4()), "c": 0, "k": 0, "b": 65536, "o": ops, **fields}


def send(server, token: str, body: bytes, content_type: str = codec.JSON_TYPE) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}", "content-type": content_type}
    return httpx.post(f"{server.url}{SYNC_PATH}", content=body, headers=headers, timeout=60)


def refused(answer: httpx.Response, status: int, *says: str) -> None:
    assert answer.status_code == status, answer.text
    for words in says:
        assert words in answer.json()["message"]


def ticket_ops(tmp_path) -> list[list]:
    return wire_ops(offline_ticket(tmp_path, None))


@pytest.mark.parametrize("where", ["c", "k", "seq", "field"])
@pytest.mark.parametrize("content_type", [codec.JSON_TYPE, codec.BINARY_TYPE])
def test_integers_past_64_bits_are_refused_by_where_they_are(tmp_path, server, database, token, where, content_type):
    ops = ticket_ops(tmp_path)
    fields = {}
    if where in ("c", "k"):
        fields[where] = 2**63
        named = where
    elif where == "seq":
        ops[0][0] = 2**64 - 1
        named = "o[0][0]"
    else:
        index, op = next((i, op) for i, op in enumerate(ops) if op[2] == "interaction")
        op[5]["satisfaction"] = 2**63
        named = f"change #{op[0]} was refused: interaction.satisfaction"
    before = ticket_count(database)
    refused(send(server, token, codec.encode(message(ops, **fields), content_type), content_type),
            422 if where == "field" else 400, named, "does not fit in 64 bits")
    assert ticket_count(database) == before


def test_a_lone_surrogate_is_refused_by_where_it_is(tmp_path, server, database, token):
    ops = ticket_ops(tmp_path)
    index = next(i for i, op in enumerate(ops) if op[2] == "ticket")
    ops[index][5]["subject"] = "Gyro PLACEHOLDER"
    body = json.dumps(message(ops)).replace("PLACEHOLDER", "\\ud800").encode()
    before = ticket_count(database)
    refused(send(server, token, body), 422, f"change #{ops[index][0]} was refused: ticket.subject", "lone surrogate")
    assert ticket_count(database) == before


@pytest.mark.parametrize("depth", [20, 100_000])
def test_deep_nesting_is_refused(server, token, depth):
    body = '{"v":1,"d":"x","c":0,"k":0,"b":0,"o":' + "[" * depth + "]" * depth + "}"
    refused(send(server, token, body.encode()), 400, "nested")


def test_a_small_body_that_unpacks_past_the_limit_is_refused_before_it_is_unpacked(server, token):
    padded = codec.compress(msgpack.packb(message([], padding="x" * (codec.MAX_DECODED_BYTES + 1))), use_dictionary=False)
    assert len(padded) < 64 * 1024
    refused(send(server, token, padded, codec.BINARY_TYPE), 413, "unpacks to more than 8 MiB")


def test_a_string_longer_than_any_field_is_refused_before_it_is_allocated(server, token):
    long = codec.compress(msgpack.packb(message([], padding="x" * (codec.MAX_STRING_BYTES + 1))), use_dictionary=False)
    refused(send(server, token, long, codec.BINARY_TYPE), 400, "exceeds max_str_len")
    many = codec.compress(msgpack.packb(message([], padding=[0] * (codec.MAX_ITEMS + 1))), use_dictionary=False)
    refused(send(server, token, many, codec.BINARY_TYPE), 400, "exceeds max_array_len")
    assert httpx.get(f"{server.url}/v1/health").status_code == 200


HOSTILE = st.one_of(
    st.integers(min_value=2**63, max_value=2**64 - 1),
    st.integers(max_value=-(2**63) - 1, min_value=-(2**64)),
    st.text(max_size=5).map(lambda text: f"{text}\x00{text}"),
    st.text(max_size=5).map(lambda text: f"{text}\ud800"),
    st.integers(min_value=MAX_DEPTH + 1, max_value=500).map(lambda depth: functools.reduce(lambda inner, _: [inner], range(depth), 0)),
)
"""Values no database column holds: past 64 bits, NUL, a lone surrogate, deep nesting."""


@pytest.fixture(scope="module")
def good_ops(tmp_path_factory) -> list[list]:
    """Two new tickets (customer, ticket, event, message each): the first takes the hostile value."""
    folder = tmp_path_factory.mktemp("ops")
    return ticket_ops(folder) + ticket_ops(folder)


def fresh(ops: list[list]) -> list[list]:
    """The same operations as never seen before: new op ids, row ids and ticket numbers."""
    renamed: dict[str, str] = {}

    def new(value):
        if isinstance(value, str) and (value in renamed or len(value) == 36 and value.count("-") == 4):
            return renamed.setdefault(value, str(uuid.uuid4()))
        return value

    out = []
    for seq, (_, _, entity, entity_id, action, payload, stamp) in enumerate(ops, start=1):
        payload = {name: new(value) for name, value in payload.items()}
        if entity == "ticket":
            payload["number"] = f"T-{uuid.uuid4().hex[:10]}"
        out.append([seq, str(uuid.uuid4()), entity, new(entity_id), action, payload, stamp])
    return out


def applied(database, ops: list[list]) -> set[str]:
    with database.read() as session:
        query = select(applied_ops.c.op_id).where(applied_ops.c.op_id.in_([op[1] for op in ops]))
        return {row[0] for row in session.execute(query)}


def send_as_a_device(server, token: str, ops: list[list]) -> tuple[httpx.Response, dict[str, dict]]:
    """Send, set aside what the server refuses by name, send the rest, until it is taken or
    refused whole; returns the last answer and the refused operations' problems by op id."""
    problems: dict[str, dict] = {}
    while True:
        answer = send(server, token, json.dumps(message(ops)).encode())
        assert answer.status_code < 500, answer.text
        named = {p["op_id"]: p for p in answer.json().get("problems", [])} if answer.status_code in (403, 422) else {}
        if not named:
            return answer, problems
        problems.update(named)
        ops = [op for op in ops if op[1] not in named]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=HOSTILE)
def test_a_hostile_value_is_refused_alone_and_the_good_operations_go_through(
    server, database, token, good_ops, data, value
):
    ops = fresh(good_ops)
    half = len(ops) // 2
    index = data.draw(st.integers(0, half - 1))
    in_payload = data.draw(st.booleans())
    if in_payload:
        ops[index][5][data.draw(st.sampled_from(sorted(ops[index][5])))] = value
    else:
        ops[index][data.draw(st.integers(0, 6))] = value
    answer, problems = send_as_a_device(server, token, ops)
    if not in_payload:
        assert answer.status_code in (400, 413, 422)
        assert not applied(database, [op for at, op in enumerate(ops) if at != index])
        return
    assert answer.status_code == 200, answer.text
    assert ops[index][1] in problems, "the hostile operation is refused by name"
    assert all(p["code"] == "unknown" for op_id, p in problems.items() if op_id != ops[index][1]), (
        "the others refused only need the refused one's row")
    assert applied(database, ops[half:]) == {op[1] for op in ops[half:]}, "the other ticket arrives whole"
    assert applied(database, ops) == {op[1] for op in ops} - set(problems)
