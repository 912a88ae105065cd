"""The intake API over HTTP: `POST /v1/intake/tickets` and `POST /v1/intake/tickets/{number}/messages`.

For web forms, monitoring systems and partner portals, with an integration's token
(`cs-console server add-integration NAME --team T`). The request bodies are documented in
the OpenAPI schema (/docs) from the models below; a bad body is answered 422 with a
sentence naming the field at fault (`validation_error`). It refuses to write: `intake` does.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.concurrency import run_in_threadpool

from cs_console.channels.phone import DEFAULT_REGION, normalise_phone
from cs_console.server import intake
from cs_console.server.db import Database
from cs_console.server.integrations import Integration, authenticate_integration
from cs_console.server.request_body import read_capped
from cs_console.sync.schema import MAX_TEXT_CHARS
from cs_console.vocabulary import CATEGORIES, PRIORITIES

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
"""An address with one @ and a dot in its domain: enough to refuse a typo, not to prove it exists."""
MAX_KEY_CHARS = 200
MAX_BODY_BYTES = 2 * 1024 * 1024
"""The largest intake request read: a message of `MAX_TEXT_CHARS` (200,000) characters,
even all Chinese and escaped in JSON (6 bytes each), is 1.2 MB; anything bigger is refused
(413) before it is held in memory, however it is sent."""

Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(f"holds a NUL character (\\x00) at position {value.index(chr(0))}; remove it")
    return value


class IntakeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_without_nul(cls, value):
        return _no_nul(value) if isinstance(value, str) else value


class CustomerIn(IntakeModel):
    """Who wrote: matched to the team's customer with the same email or phone, else created."""

    name: str = Field(min_length=1, max_length=200, description="The customer's name (a company, vessel or person).")
    email: str = Field("", max_length=254, description="Email address; matched without regard to case.")
    phone: str = Field("", max_length=40, description=(
        f"Phone number, best with its country code (+86 138 0013 8000); one without is read as {DEFAULT_REGION}."))

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not EMAIL.match(value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and normalise_phone(value, DEFAULT_REGION) is None:
            raise ValueError(f"{value!r} is not a phone number")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> CustomerIn:
        if not self.email and not self.phone:
            raise ValueError("give an email or a phone number, so the team can answer")
        return self


class TicketIn(IntakeModel):
    """A new ticket for the integration's team, with the customer's first message."""

    customer: CustomerIn
    subject: str = Field(min_length=1, max_length=300, description="One line: what it is about.")
    message: Text = Field(min_length=1, description="The customer's message, as they wrote it.")
    priority: Literal[PRIORITIES] = Field("normal", description="urgent runs the 15-minute first-response clock.")
    category: Literal[CATEGORIES] = Field("other", description="What the ticket is about.")


class MessageIn(IntakeModel):
    """A further message from the customer on a ticket of the integration's team."""

    message: Text = Field(min_length=1, description="The customer's message, as they wrote it.")


class FiledOut(BaseModel):
    ticket_id: str = Field(description="The ticket's id.")
    number: str = Field(description="The ticket's number, for the customer and for adding messages.")
    customer_id: str
    message_id: str = Field(description="The id of the customer's message this request filed.")
    replayed: bool = Field(description="True when an earlier request with the same Idempotency-Key made it.")


IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=MAX_KEY_CHARS,
    description="Any unique string per ticket or message (a UUID): a retry with the same key returns what the "
                "first request made, never a second ticket.")]


def _integration(request: Request) -> Integration:
    """The integration, checked before the body is read: a stranger learns nothing of it."""
    return authenticate_integration(request.app.state.database, request.headers.get("authorization"))


Caller = Annotated[Integration, Depends(_integration)]


def _field(location: tuple) -> str:
    parts = [str(part) for part in location if part not in ("body", "header")]
    return ".".join(parts) or "body"


async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    """422 naming each field at fault: `customer.email: 'x' is not an email address`."""
    problems = []
    for item in error.errors():
        message = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        problems.append({"field": _field(tuple(item.get("loc", ()))), "message": message})
    first = problems[0] if problems else {"field": "body", "message": "is not valid"}
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    body = {"code": "malformed", "message": f"{first['field']}: {first['message']}{more}", "problems": problems}
    return JSONResponse(body, status_code=422)


class CappedRoute(APIRoute):
    """An intake route whose body is read under `MAX_BODY_BYTES` before FastAPI parses it
    (FastAPI itself would read any size)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def capped(request: Request):
            # FastAPI reads the body as Starlette caches it: filling the cache first caps it.
            request._body = await read_capped(
                request, MAX_BODY_BYTES, f"a message holds at most {MAX_TEXT_CHARS} characters")
            return await handler(request)

        return capped


def router(database: Database) -> APIRouter:
    routes = APIRouter(prefix="/v1/intake", tags=["intake"], route_class=CappedRoute,
                       responses={413: {"description": f"The body is over {MAX_BODY_BYTES} bytes"}})

    def _answer(filed: intake.Filed) -> JSONResponse:
        body = FiledOut(ticket_id=filed.ticket_id, number=filed.number, customer_id=filed.customer_id,
                        message_id=filed.message_id, replayed=filed.replayed)
        return JSONResponse(body.model_dump(), status_code=200 if filed.replayed else 201)

    @routes.post("/tickets", summary="File a ticket for the integration's team", status_code=201,
                 response_model=FiledOut, responses={200: {"description": "A retry: what the first request made"}})
    async def file_ticket(integration: Caller, ticket: TicketIn, idempotency_key: IdempotencyKey = None) -> JSONResponse:
        """The ticket lands in the team's unassigned pool, channel `api`, and reaches the
        team's devices with their next sync."""
        customer = intake.NewCustomer(ticket.customer.name, ticket.customer.email, ticket.customer.phone)
        filed = await run_in_threadpool(intake.file_ticket, database, integration, customer, ticket.subject,
                                        ticket.message, ticket.priority, ticket.category, idempotency_key)
        return _answer(filed)

    @routes.post("/tickets/{number}/messages", summary="Add the customer's message to a ticket of the team",
                 status_code=201, response_model=FiledOut,
                 responses={200: {"description": "A retry"}, 404: {"description": "No such ticket in the team"}})
    async def add_message(integration: Caller, number: str, message: MessageIn,
                          idempotency_key: IdempotencyKey = None) -> JSONResponse:
        filed = await run_in_threadpool(intake.add_message, database, integration, number, message.message,
                                        idempotency_key)
        return _answer(filed)

    return routes
