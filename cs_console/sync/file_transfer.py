"""Attached files up and down, apart from the sync call, in resumable chunks.

After a sync cycle has carried the operations (so an urgent reply written after a photo
still reaches the server first), `send_files` sends each file the server has the row of
and the budget allows (`attachment_budget`) chunk by chunk, each compressed when that pays;
a file cut before first asks the server how much it holds (HEAD), and a chunk sent at
another offset than the server's is answered with the right one (409). A cut transfer resumes
at the server's offset next time, never from zero; a change written while a file goes up
stops it between two chunks, so the next cycle carries the change first. Chunks adapt like
sync batches (halved after a failure, doubled after a success, remembered in the store),
never longer than `CHUNK_SECONDS` of the link's measured speed. `fetch_file` brings a
file down the same way, by ranges, for an agent who opens it or under the auto-download
size. Neither raises for the link: the report carries the sentence.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import zstandard

from cs_console.storage.blobs import Arriving, squeeze
from cs_console.store import Store
from cs_console.sync import link_speed
from cs_console.sync.attachment_budget import Budget
from cs_console.utc import utcnow

PATH = "/v1/attachments/{}"
FIRST_CHUNK = 16 * 1024
"""16 KiB: 14 s at 9.6 kbit/s, so a cut loses little; doubled after each success."""
MAX_CHUNK = 256 * 1024
MIN_CHUNK = 4 * 1024
CHUNK_SECONDS = 10
"""A chunk never takes longer than this at the link's measured speed, so a cut loses little."""
CHUNK_SETTING = "file_chunk_bytes"
SENT_TODAY_SETTING = "files_sent_today"

Progress = Callable[[str, int, int], None]
"""(sha256, bytes the server holds, size), called before each chunk goes."""


@dataclass
class FileReport:
    """What one round of file transfers moved."""

    sent: int = 0
    """Files now whole on the server."""
    deferred: dict[str, str] = field(default_factory=dict)
    """Hash to the reason the budget keeps it back."""
    round_trips: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    seconds: float = 0.0
    unavailable: list[str] = field(default_factory=list)
    """Files to fetch that the server does not hold whole yet (their sender has not sent them)."""
    error: str | None = None


class _Chunks:
    """The chunk size: halved after a failure, doubled after a success, up to what the link
    carries in `CHUNK_SECONDS`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.size = int(store.sync_value(CHUNK_SETTING) or FIRST_CHUNK)
        speed = link_speed.recalled(store).bytes_per_second
        self._largest = MAX_CHUNK if speed is None else max(MIN_CHUNK, min(MAX_CHUNK, int(speed * CHUNK_SECONDS)))

    def _save(self, size: int) -> None:
        if size != self.size:
            self.size = size
            self._store.set_sync_value(CHUNK_SETTING, str(size))

    def grow(self) -> None:
        self._save(min(self._largest, self.size * 2))

    def shrink(self) -> None:
        self._save(max(MIN_CHUNK, self.size // 2))


def sent_today(store: Store) -> int:
    day, _, amount = (store.sync_value(SENT_TODAY_SETTING) or "").partition(" ")
    return int(amount) if day == utcnow().date().isoformat() and amount.isdigit() else 0


def _count_today(store: Store, size: int) -> None:
    store.set_sync_value(SENT_TODAY_SETTING, f"{utcnow().date().isoformat()} {sent_today(store) + size}")


def deferrals(store: Store, budget: Budget) -> dict[str, str]:
    """Hash to the reason the budget keeps each unsent file back (those that may go are absent)."""
    speed = link_speed.recalled(store).bytes_per_second
    today = sent_today(store)
    reasons = {}
    for transfer in store.transfers_unsent():
        reason = budget.deferral(transfer.size, send_now=transfer.send_now, speed=speed, sent_today=today)
        if reason:
            reasons[transfer.sha256] = reason
    return reasons


def _request(report: FileReport, http: httpx.Client, method: str, url: str, **options) -> httpx.Response:
    started = time.monotonic()
    answer = http.request(method, url, **options)
    report.seconds += time.monotonic() - started
    report.round_trips += 1
    report.bytes_up += len(options.get("content") or b"")
    report.bytes_down += len(answer.content)
    return answer


def _held(answer: httpx.Response) -> tuple[int, bool]:
    return int(answer.headers.get("upload-offset", 0)), answer.headers.get("upload-complete") == "1"


def send_files(store: Store, http: httpx.Client, budget: Budget, on_progress: Progress | None = None) -> FileReport:
    """Send every file the budget lets go, each from where the server stands."""
    report = FileReport()
    chunks = _Chunks(store)
    reasons = deferrals(store, budget)
    for transfer in store.transfers_waiting():
        if transfer.sha256 in reasons:
            report.deferred[transfer.sha256] = reasons[transfer.sha256]
            continue
        url = PATH.format(transfer.sha256)
        try:
            offset, complete = 0, False
            if transfer.sent:  # a transfer cut before: the server may hold more than was noted
                answer = _request(report, http, "HEAD", url)
                if answer.status_code == 404:
                    continue  # the row was refused or set aside: nothing to send it for
                if answer.status_code != 200:
                    report.error = f"the server answered HTTP {answer.status_code} about file {transfer.sha256[:12]}"
                    return report
                offset, complete = _held(answer)
            data = store.blobs.read(transfer.sha256) if not complete else b""
            while not complete:
                if store.pending_count():
                    return report  # a change written meanwhile goes up first, with the next cycle
                if on_progress is not None:
                    on_progress(transfer.sha256, offset, transfer.size)
                piece = data[offset: offset + chunks.size]
                packed = squeeze(piece)
                headers = {"content-type": "application/octet-stream"}
                if packed is not None:
                    piece, headers["content-encoding"] = packed, "zstd"
                try:
                    answer = _request(report, http, "PUT", url, params={"offset": offset}, content=piece,
                                      headers=headers)
                except httpx.HTTPError:
                    chunks.shrink()
                    raise
                if answer.status_code == 409:
                    offset, complete = _held(answer)
                    continue
                if answer.status_code == 422 and offset:
                    offset = 0  # the server dropped what it held (its hash did not match): once more, whole
                    continue
                if answer.status_code == 404:
                    break  # the row was refused or set aside: nothing to send it for
                if answer.status_code != 204:
                    report.error = _refusal(answer, transfer.sha256)
                    return report
                chunks.grow()
                before = offset
                offset, complete = _held(answer)
                _count_today(store, offset - before)
                store.note_transfer(transfer.sha256, offset, done=complete)
            if complete:
                store.note_transfer(transfer.sha256, transfer.size, done=True)
                report.sent += 1
        except httpx.HTTPError as error:
            report.error = f"the link dropped while sending a file ({error or type(error).__name__}); it resumes next time"
            return report
    return report


def _refusal(answer: httpx.Response, sha256: str) -> str:
    try:
        message = answer.json()["message"]
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {answer.status_code}"
    return f"the server refused file {sha256[:12]}: {message}"


def fetch_file(store: Store, http: httpx.Client, sha256: str, size: int, report: FileReport | None = None) -> FileReport:
    """Bring one file down (resuming a cut download); `report.error` says why it did not come."""
    report = report or FileReport()
    if store.blobs.has(sha256):
        return report
    chunks = _Chunks(store)
    arriving = Arriving(store.blobs, sha256)
    try:
        while arriving.received < size:
            start = arriving.received
            answer = _request(report, http, "GET", PATH.format(sha256), headers={
                "range": f"bytes={start}-{min(size, start + chunks.size) - 1}", "accept-encoding": "zstd"})
            if answer.status_code == 404:
                report.unavailable.append(sha256)
                return report
            if answer.status_code not in (200, 206):
                report.error = _refusal(answer, sha256)
                return report
            data = answer.content
            if answer.headers.get("x-encoding") == "zstd":
                data = zstandard.ZstdDecompressor().decompress(data, max_output_size=MAX_CHUNK * 2)
            arriving.add(data)
            chunks.grow()
        if not arriving.finish():
            report.error = f"file {sha256[:12]} came down damaged (its hash does not match); it is fetched again next time"
    except httpx.HTTPError as error:
        chunks.shrink()
        report.error = f"the link dropped while fetching a file ({error or type(error).__name__}); it resumes next time"
    return report


def fetch_small_files(store: Store, http: httpx.Client, budget: Budget) -> FileReport:
    """Fetch others' files up to the auto-download size."""
    report = FileReport()
    for attachment in store.attachments_to_fetch(budget.auto_download_bytes):
        fetch_file(store, http, attachment.sha256, attachment.size, report)
        if report.error:
            break
    return report
