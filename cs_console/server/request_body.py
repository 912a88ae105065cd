"""Reading a request's body under a cap, refusing it (413 naming the limit) before more than
the limit is held in memory: by its declared length when it has one, else as it streams in.
"""

from __future__ import annotations

from starlette.requests import Request

from cs_console.sync.errors import TooLarge


async def read_capped(request: Request, limit: int, advice: str) -> bytes:
    """The whole body, at most `limit` bytes; `advice` ends the refusal's sentence.

    Raises:
        TooLarge: the body declares, or turns out to have, more than `limit` bytes.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the body is {int(declared)} bytes; at most {limit} are read; {advice}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the body is over {limit} bytes; {advice}")
    return bytes(body)
