"""The intake API against a real server process on loopback, on SQLite and PostgreSQL: an
integration files tickets and messages for its team, once per Idempotency-Key, and the
tickets reach that team's devices by the ordinary sync, and no other team's."""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
import pytest
from sqlmodel import select

from cs_console.server import integrations
from cs_console.server.accounts import hash_token
from cs_console.server.db import integrations as integration_rows
from cs_console.storage.models import Contact, Customer, Interaction, Ticket
from tests.test_sync_harness import database, database_url, device, server  # noqa: F401  (fixtures)


def team_name() -> str:
    return f"Hotline {uuid.uuid4().hex[:6]}"


def integration(database, team: str) -> str:
    _made, token = integrations.add_integration(database, f"Web form {uuid.uuid4().hex[:6]}", team)
    return token


def post(server, path: str, token: str | None, body, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=30)


def ticket_body(**changes) -> dict:
    body = {
        "customer": {"name": "Hai Xing Shipping", "email": "ops@haixing.example", "phone": "+86 138 0013 8000"},
        "subject": "SIM card not activated",
        "message": "The SIM we bought on Monday still shows no service.",
        "priority": "high",
        "category": "sim_activation",
    }
    body.update(changes)
    return body


def test_a_ticket_filed_by_an_integration_reaches_its_team_and_no_other(server, database, tmp_path):
    team = team_name()
    token = integration(database, team)
    agent = device(tmp_path, server.url, database, "agent", team)
    stranger = device(tmp_path, server.url, database, "agent", team_name())

    answer = post(server, "/v1/intake/tickets", token, ticket_body())
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    assert number.startswith("API-")

    agent.sync_until_done()
    stranger.sync_until_done()
    with agent.store.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
        message = session.exec(select(Interaction).where(Interaction.ticket_id == ticket.id)).one()
        customer = session.get(Customer, ticket.customer_id)
        contact = session.get(Contact, ticket.contact_id)
    assert (ticket.team, ticket.assignee_id, ticket.channel, ticket.priority, ticket.category) == (
        team, None, "api", "high", "sim_activation")
    assert (message.kind, message.channel, message.body) == (
        "customer_message", "api", "The SIM we bought on Monday still shows no service.")
    assert (customer.name, contact.name, contact.phones) == ("Hai Xing Shipping", "Hai Xing Shipping", '["+8613800138000"]')
    assert stranger.store.ticket_numbered(number) is None

    again = post(server, "/v1/intake/tickets", token, ticket_body(
        subject="Second SIM", customer={"name": "H. X.", "phone": "0086-138 0013 8000"}))
    assert again.status_code == 201 and again.json()["customer_id"] == ticket.customer_id, "matched by phone"
    with database.read() as session:
        assert session.get(Ticket, again.json()["ticket_id"]).contact_id == contact.id, "the same contact"


def test_a_retry_with_the_same_key_returns_the_same_ticket(server, database):
    token = integration(database, team_name())
    key = str(uuid.uuid4())
    first = post(server, "/v1/intake/tickets", token, ticket_body(), key)
    retry = post(server, "/v1/intake/tickets", token, ticket_body(), key)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["number"] == first.json()["number"] and retry.json()["replayed"] is True
    with database.read() as session:
        assert len(session.exec(select(Ticket).where(Ticket.id == first.json()["ticket_id"])).all()) == 1
        assert len(session.exec(select(Interaction).where(Interaction.ticket_id == first.json()["ticket_id"])).all()) == 1
    other = post(server, "/v1/intake/tickets", token, ticket_body(subject="Something else"), key)
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["message"]


@pytest.mark.parametrize(("change", "field"), [
    ({"subject": ""}, "subject"),
    ({"priority": "asap"}, "priority"),
    ({"category": "gossip"}, "category"),
    ({"message": "stop\x00here"}, "message"),
    ({"customer": {"name": "X", "email": "not-an-address"}}, "customer.email"),
    ({"customer": {"name": "X", "phone": "call me"}}, "customer.phone"),
    ({"customer": {"name": "X"}}, "customer"),
    ({"customer": {"email": "a@b.example"}}, "customer.name"),
    ({"assignee": "Lin Wei"}, "assignee"),
])
def test_a_bad_field_is_refused_by_name_and_files_nothing(server, database, change, field):
    token = integration(database, team_name())
    with database.read() as session:
        before = len(session.exec(select(Ticket.id)).all())
    answer = post(server, "/v1/intake/tickets", token, ticket_body(**change))
    assert answer.status_code == 422, answer.text
    assert answer.json()["message"].startswith(f"{field}: ")
    with database.read() as session:
        assert len(session.exec(select(Ticket.id)).all()) == before


def test_messages_go_only_to_the_teams_own_tickets(server, database, tmp_path):
    team = team_name()
    token, other_token = integration(database, team), integration(database, team_name())
    number = post(server, "/v1/intake/tickets", token, ticket_body()).json()["number"]
    added = post(server, f"/v1/intake/tickets/{number}/messages", token, {"message": "Still no service."}, "m-1")
    assert added.status_code == 201 and added.json()["number"] == number
    assert post(server, f"/v1/intake/tickets/{number}/messages", token, {"message": "Still no service."},
                "m-1").json()["message_id"] == added.json()["message_id"]
    refused = post(server, f"/v1/intake/tickets/{number}/messages", other_token, {"message": "hello"})
    assert refused.status_code == 404 and number in refused.json()["message"]
    assert post(server, "/v1/intake/tickets/API-99999/messages", token, {"message": "hi"}).status_code == 404
    agent = device(tmp_path, server.url, database, "agent", team)
    agent.sync_until_done()
    ticket = agent.store.ticket_numbered(number)
    bodies = [i.body for i in agent.store.ticket_detail(ticket.id).interactions]
    assert bodies == ["The SIM we bought on Monday still shows no service.", "Still no service."]


def test_an_integration_token_cannot_sync_and_an_agent_token_cannot_file(server, database, tmp_path):
    token = integration(database, team_name())
    agent = device(tmp_path, server.url, database, "agent", "deck")
    for path in ("/v1/sync", "/v1/me"):
        answer = httpx.request("POST" if path == "/v1/sync" else "GET", f"{server.url}{path}", content=b"{}",
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert answer.status_code == 401, path
    assert post(server, "/v1/intake/tickets", agent.settings.token, ticket_body()).status_code == 401
    assert post(server, "/v1/intake/tickets", None, {"subject": ""}).status_code == 401, "no token: not even validated"


def test_the_intake_api_is_documented(server):
    schema = httpx.get(f"{server.url}/openapi.json").json()
    operation = schema["paths"]["/v1/intake/tickets"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    customer = schema["components"]["schemas"]["CustomerIn"]["properties"]
    assert "country code" in customer["phone"]["description"]
    assert "/v1/intake/tickets/{number}/messages" in schema["paths"]


def test_add_integration_prints_a_token_once_needs_a_team_and_keeps_only_its_hash(
        database_url, database, isolated_home):  # noqa: F811
    command = [sys.executable, "-m", "cs_console", "server", "add-integration", "Status page", "--database-url",
               database_url]
    missing = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "--team" in missing.stderr
    made = subprocess.run([*command, "--team", "Ops"], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert "files tickets for team Ops" in made.stdout and len(token) > 30
    with database.read() as session:
        stored = session.execute(select(integration_rows.c.token_hash)).scalars().all()
    assert token not in stored and hash_token(token) in stored


def test_a_body_over_the_cap_is_refused_naming_the_limit_before_it_is_read_whole(server, database):  # noqa: F811
    from cs_console.server.intake_api import MAX_BODY_BYTES

    team = team_name()
    token = integration(database, team)
    huge = ticket_body(message="x" * (MAX_BODY_BYTES + 1))
    declared = post(server, "/v1/intake/tickets", token, huge)
    assert declared.status_code == 413 and f"at most {MAX_BODY_BYTES} are read" in declared.json()["message"]

    def streamed():  # no Content-Length: chunked, so only counting the bytes can stop it
        yield b'{"message": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    chunked = httpx.post(f"{server.url}/v1/intake/tickets", content=streamed(), timeout=30,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert chunked.status_code == 413 and f"the body is over {MAX_BODY_BYTES} bytes" in chunked.json()["message"]
    with database.read() as session:
        assert session.exec(select(Ticket).where(Ticket.team == team)).all() == []


def test_an_integration_can_be_disabled_and_given_a_new_token(server, database, database_url, isolated_home):  # noqa: F811
    team = team_name()
    name = f"Status page {uuid.uuid4().hex[:6]}"
    _made, old = integrations.add_integration(database, name, team)

    def command(*args):
        return subprocess.run([sys.executable, "-m", "cs_console", "server", *args, "--database-url", database_url],
                              capture_output=True, text=True, timeout=60)

    disabled = command("disable-integration", name)
    assert disabled.returncode == 0 and f"Disabled integration {name}" in disabled.stdout
    refused = post(server, "/v1/intake/tickets", old, ticket_body())
    assert refused.status_code == 403 and "rotate-integration" in refused.json()["message"]
    assert f"{name}" in command("list-integrations").stdout and "disabled" in command("list-integrations").stdout
    rotated = command("rotate-integration", name)
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip().splitlines()[-1]
    assert post(server, "/v1/intake/tickets", old, ticket_body()).status_code == 401
    assert post(server, "/v1/intake/tickets", new, ticket_body()).status_code == 201
    unknown = command("disable-integration", "No such form")
    assert unknown.returncode != 0 and "no integration named 'No such form'" in unknown.stderr
