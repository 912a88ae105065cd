"""The errors of a sync call, each carrying the sentence a user reads.

The server turns them into a small JSON body (`code`, `message`, and for a refused batch
the `problems`, one per operation); the client turns that body back into the same error.
A refused batch is applied not at all, so the client can set the named operations aside
and send the rest. Nothing here talks to the network or a database.
"""

from __future__ import annotations

from dataclasses import dataclass

from cs_console.errors import UserError


@dataclass(frozen=True)
class Problem:
    """Why the server refused one operation."""

    op_id: str
    seq: int
    code: str
    """"malformed" (shape or value), "unknown" (names a row the caller cannot see), "scope"."""
    message: str


class SyncError(UserError):
    """A sync call failed; `str(error)` is the sentence for the user."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict:
        return {"code": self.code, "message": self.message}


class BadRequest(SyncError):
    """The body is not a sync message this server can read."""


class TooLarge(SyncError):
    status = 413
    code = "too_large"


class Unauthorized(SyncError):
    """No token, or one the server does not know."""

    status = 401
    code = "unauthorized"


class Forbidden(SyncError):
    """The token is known but may not do this (a disabled account, another account's device)."""

    status = 403
    code = "forbidden"


class VersionMismatch(SyncError):
    """The two sides speak different protocol versions; the message says which to upgrade."""

    status = 426
    code = "version"


class Forked(SyncError):
    """The device's history departs from what the server saw of its device id: the file was
    copied to another machine, or put back from a backup. Nothing was applied; the device
    takes a new identity and syncs again."""

    status = 409
    code = "forked"


class BatchRefused(SyncError):
    """One or more operations were refused, so none of the batch was applied."""

    code = "refused"

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"change #{first.seq} was refused: {first.message}{more}; nothing of this batch was applied")
        self.problems = problems

    @property
    def status(self) -> int:  # type: ignore[override]
        return 403 if any(p.code == "scope" for p in self.problems) else 422

    def body(self) -> dict:
        return {
            **super().body(),
            "problems": [
                {"op_id": p.op_id, "seq": p.seq, "code": p.code, "message": p.message} for p in self.problems
            ],
        }


class ServerError(SyncError):
    """The server failed in a way the client cannot fix; retrying later may help."""

    status = 500
    code = "server"


_BY_CODE: dict[str, type[SyncError]] = {
    cls.code: cls for cls in (BadRequest, TooLarge, Unauthorized, Forbidden, VersionMismatch, Forked, ServerError)
}


def from_body(status: int, body: dict) -> SyncError:
    """The error a server's JSON error body describes."""
    code = body.get("code")
    message = str(body.get("message") or f"the server answered HTTP {status}")
    if code == BatchRefused.code and body.get("problems"):
        return BatchRefused(
            tuple(
                Problem(str(p["op_id"]), int(p["seq"]), str(p["code"]), str(p["message"]))
                for p in body["problems"]
            )
        )
    cls = _BY_CODE.get(code) or (ServerError if status >= 500 else BadRequest)
    return cls(message)
