"""The device's HTTP side of sync.

`cs-console login URL` checks the token with the server, then saves the login through
`cs_console.sync.login` (which reads and writes the file without importing httpx).
`sync_once(store, settings)` runs one cycle (`cs_console.sync.cycle`) and returns a
`SyncReport`; it never raises for the link or the server and opens its own connection, so
a Textual thread worker can call it while the screens go on.

Timeouts suit 600-1500 ms round trips on links that stall: a read or write that sees no
byte for `READ_TIMEOUT` seconds (`cs_console.sync.login`) means the link is gone, however
long a slow page takes in total. Headers are kept to the few the server needs, because at 300 bytes a second they
cost airtime. It refuses to follow redirects, so a token never travels to another host,
and to log in over plain http to another machine unless told the network is trusted.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import httpx

from cs_console.storage.errors import NotFound
from cs_console.store import Store, StoreError
from cs_console.sync import file_transfer, link_speed
from cs_console.sync.attachment_budget import Budget
from cs_console.sync.cycle import SyncReport, TransportError, run_cycle
from cs_console.sync.errors import SyncError, from_body
from cs_console.sync.login import LoginError, Settings, save_settings
from cs_console.sync.protocol import SYNC_PATH


def open_http(settings: Settings) -> httpx.Client:
    """An HTTP client for the server: its timeouts, the token, and no other headers."""
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout, pool=settings.connect_timeout)
    client = httpx.Client(base_url=settings.server.rstrip("/"), timeout=timeout, follow_redirects=False)
    for name in ("user-agent", "accept", "accept-encoding"):
        client.headers.pop(name, None)
    client.headers["authorization"] = f"Bearer {settings.token}"
    return client


def _describe(error: httpx.HTTPError, server: str) -> str:
    kind = type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return f"the link to {server} went silent ({kind}); what arrived is kept, the rest comes next time"
    if isinstance(error, httpx.ConnectError):
        return f"cannot reach {server} ({error or kind}); working offline"
    return f"the link to {server} dropped ({error or kind}); what arrived is kept, the rest comes next time"


class HttpTransport:
    """Posts sync bodies over one keep-alive connection."""

    def __init__(self, http: httpx.Client, server: str) -> None:
        self._http = http
        self._server = server

    def __call__(self, body: bytes, content_type: str) -> tuple[int, bytes, str]:
        try:
            answer = self._http.post(SYNC_PATH, content=body, headers={"content-type": content_type})
        except httpx.HTTPError as error:
            raise TransportError(_describe(error, self._server)) from None
        return answer.status_code, answer.content, answer.headers.get("content-type", "")


def whoami(settings: Settings) -> dict:
    """The account the token belongs to, as the server says.

    Raises:
        SyncError: the server refused the token.
        TransportError: the server could not be reached.
    """
    with open_http(settings) as http:
        try:
            answer = http.get("/v1/me")
        except httpx.HTTPError as error:
            raise TransportError(_describe(error, settings.server)) from None
    try:
        body = answer.json()
    except ValueError:
        raise SyncError(f"{settings.server} answered HTTP {answer.status_code}, not like a cs-console server") from None
    if answer.status_code != 200:
        raise from_body(answer.status_code, body)
    return body


def cleartext_problem(server: str) -> str | None:
    """Why sending a token to `server` would expose it on the network, or None.

    Plain http is fine to this machine (loopback), where no one else sees the traffic."""
    url = httpx.URL(server)
    if url.scheme != "http":
        return None
    host = url.host
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host == "localhost" or host.endswith(".localhost")
    if local:
        return None
    return f"{server} is plain http to another machine: the token would cross the network readable by anyone on the way"


def login(server: str, token: str, *, insecure: bool = False) -> Settings:
    """Check the token with the server, then save the login (with `insecure`, so later syncs
    with this server take the same choice); over plain http only to this machine, unless `insecure`.

    Raises:
        LoginError: the address would expose the token (`cleartext_problem`).
        SyncError, TransportError: the server refused the token or could not be reached.
    """
    problem = None if insecure else cleartext_problem(server)
    if problem:
        raise LoginError(problem)
    account = whoami(Settings(server=server, token=token))
    settings = Settings(server=server, token=token, agent_id=account["agent_id"], agent_name=account["name"],
                        insecure=insecure)
    save_settings(settings)
    return settings


def _demo_refusal(store: Store) -> str:
    """Why a demo database does not sync, and what to do instead."""
    return (f"{store.path} holds the demo data, which never goes to a server; "
            "work in a database of your own to sync (cs-console --db PATH, or move this file away)")


def sync_once(store: Store, settings: Settings, budget: Budget = Budget(),
              on_progress: file_transfer.Progress | None = None) -> SyncReport:
    """One sync cycle with the server; safe to call from a thread worker.

    Once the operations are up, attached files follow as the `budget` allows, then others'
    files up to its auto-download size come down (`sync.file_transfer`).

    Each cycle's bytes and time go into the link's measured speed (`sync.link_speed`).
    Once the account's agent row is on the device, the device works as that agent. A demo
    database is refused before anything is sent (`Store.holds_demo`).
    """
    try:
        if store.holds_demo():
            return SyncReport(error=_demo_refusal(store), pending=store.pending_count())
        with open_http(settings) as http:
            report = run_cycle(store, HttpTransport(http, settings.server))
            if report.ok:
                report = _with_files(store, report, file_transfer.send_files(store, http, budget, on_progress))
            if report.ok:
                report = _with_files(store, report, file_transfer.fetch_small_files(store, http, budget))
        link_speed.remember(store, report.bytes_up + report.bytes_down, report.seconds)
        if report.ok and settings.agent_id:
            _work_as(store, settings.agent_id)
    except StoreError as error:
        return SyncReport(error=f"the local database failed during sync: {error}", pending=0)
    return report


def fetch_attachment(store: Store, settings: Settings, sha256: str, size: int) -> str | None:
    """Bring one attached file down now (an agent opened it); the failure's sentence, or None."""
    with open_http(settings) as http:
        report = file_transfer.fetch_file(store, http, sha256, size)
    if report.unavailable:
        return "the server does not hold it yet (its sender has not sent it)"
    return report.error


def _with_files(store: Store, report: SyncReport, files: file_transfer.FileReport) -> SyncReport:
    return replace(report, files_sent=report.files_sent + files.sent, files_waiting=len(store.transfers_unsent()),
                   round_trips=report.round_trips + files.round_trips, bytes_up=report.bytes_up + files.bytes_up,
                   bytes_down=report.bytes_down + files.bytes_down, seconds=report.seconds + files.seconds,
                   error=files.error)


def _work_as(store: Store, agent_id: str) -> None:
    current = store.current_agent()
    if current is None or current.id != agent_id:
        try:
            store.set_current_agent(agent_id)
        except NotFound:
            pass  # the agent's row has not come down yet
