"""A TCP proxy that behaves like a satellite link: slow, late, and cut at random.

Between a sync client and the server on loopback it throttles each direction to a bit
rate, delays every byte by half the round trip, and cuts chosen connections at a random
byte offset (reset, not a polite close) or stalls them (bytes stop, the socket stays
open, as when a dish loses the satellite). Toxiproxy cannot throttle below 8 kbit/s; this
can. It counts the bytes that crossed, for the bench.

Used in-process by the tests and the bench (`LinkEmulator(...).start()`), or on its own:

    python -m cs_console.scripts.link_emulator --target 127.0.0.1:8737 --listen 9737 \\
        --kbit 9.6 --rtt-ms 800 --cut 0.2

It only ever listens on and connects to addresses given to it (loopback by default).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, replace

CHUNK_BYTES = 512
"""Bytes forwarded at a time: at 9.6 kbit/s one chunk is about 0.4 s of airtime."""


@dataclass(frozen=True)
class LinkProfile:
    kbit_per_second: float | None = None
    """Each direction's rate; None leaves the link unthrottled."""
    round_trip_ms: float = 0.0
    cut_probability: float = 0.0
    """The chance that a connection is reset at a random byte offset."""
    stall_probability: float = 0.0
    """The chance that a connection goes silent at a random byte offset and stays open."""
    cut_window: int = 2048
    """Cuts and stalls fall below this byte offset of one direction, chosen at random."""
    fault_direction: int | None = None
    """The direction cuts and stalls fall in (`UP`, client to server, or `DOWN`); None: either."""


@dataclass(frozen=True)
class LinkStats:
    bytes_up: int = 0
    """Client to server."""
    bytes_down: int = 0
    connections: int = 0
    cuts: int = 0
    stalls: int = 0


class _Direction:
    """One direction of the link: a queue of chunks, each released when it has crossed."""

    def __init__(self, profile: LinkProfile) -> None:
        self.profile = profile
        self.free_at = 0.0

    def arrival(self, size: int) -> float:
        now = time.monotonic()
        airtime = 0.0 if self.profile.kbit_per_second is None else size * 8 / (self.profile.kbit_per_second * 1000)
        self.free_at = max(now, self.free_at) + airtime
        return self.free_at + self.profile.round_trip_ms / 2000


class LinkEmulator:
    """Forwards `listen_port` (0: any free port) to `target`, shaped by a profile."""

    def __init__(
        self,
        target: tuple[str, int],
        profile: LinkProfile = LinkProfile(),
        *,
        seed: int | None = None,
        listen: tuple[str, int] = ("127.0.0.1", 0),
    ) -> None:
        self.target = target
        self.profile = profile
        self._listen = listen
        self._random = random.Random(seed)
        self._stats = LinkStats()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._ready = threading.Event()
        self.port = 0

    # -- control, from any thread --------------------------------------------------------

    def start(self) -> LinkEmulator:
        self._thread = threading.Thread(target=self._run, name="link-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> LinkEmulator:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self._listen[0]}:{self.port}"

    @property
    def stats(self) -> LinkStats:
        with self._lock:
            return self._stats

    def _count(self, **deltas: int) -> None:
        with self._lock:
            self._stats = replace(self._stats, **{k: getattr(self._stats, k) + v for k, v in deltas.items()})

    # -- the link, on its own event loop ------------------------------------------------------

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._connection, *self._listen))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self._loop.close()

    def _fault(self) -> _Fault | None:
        profile = self.profile
        draw = self._random.random()
        if draw < profile.cut_probability:
            kind = "cut"
        elif draw < profile.cut_probability + profile.stall_probability:
            kind = "stall"
        else:
            return None
        direction = self._random.randrange(2)
        if profile.fault_direction is not None:
            direction = profile.fault_direction
        return _Fault(kind, direction, self._random.randrange(profile.cut_window))

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self._count(connections=1)
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(client_writer)
            return
        link = _Connection(self._fault())
        await asyncio.sleep(self.profile.round_trip_ms / 1000)  # the handshake's round trip
        pumps = [
            asyncio.create_task(self._pump(link, client_reader, server_writer, UP)),
            asyncio.create_task(self._pump(link, server_reader, client_writer, DOWN)),
        ]
        try:
            await link.done.wait()
        except asyncio.CancelledError:
            pass  # the emulator is stopping
        for pump in pumps:
            pump.cancel()
        for writer in (client_writer, server_writer):
            if link.fault and link.fault.kind == "cut":
                _reset(writer)
            else:
                writer.close()

    async def _pump(self, link: _Connection, reader, writer, direction: int) -> None:
        """Carry one direction until its end of file, or until this connection's fault."""
        shape = _Direction(self.profile)
        queue: asyncio.Queue = asyncio.Queue()
        fault = link.fault if link.fault and link.fault.direction == direction else None

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                arrival, data = item
                await asyncio.sleep(max(0.0, arrival - time.monotonic()))
                if link.stalled:
                    continue
                # Counted as handed over, before the reader can have it all: a test that reads
                # the stats once its answer arrived sees every byte of it.
                self._count(**{"bytes_down" if direction == DOWN else "bytes_up": len(data)})
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        sent = 0
        try:
            while True:
                data = await reader.read(CHUNK_BYTES)
                if fault is not None and sent + len(data) >= fault.offset:
                    queue.put_nowait((shape.arrival(fault.offset - sent), data[: fault.offset - sent]))
                    queue.put_nowait(None)
                    await sender
                    if fault.kind == "cut":
                        self._count(cuts=1)
                        link.done.set()
                    else:
                        self._count(stalls=1)
                        link.stalled = True  # silent but open, until the client gives up
                        if direction == UP:
                            while await reader.read(CHUNK_BYTES):
                                pass
                            link.done.set()
                    return
                if not data:
                    break
                sent += len(data)
                queue.put_nowait((shape.arrival(len(data)), data))
            queue.put_nowait(None)
            await sender
            if link.stalled and direction == UP:
                link.done.set()  # the client gave up on the silent link
            elif writer.can_write_eof():
                writer.write_eof()
            link.finished += 1
            if link.finished == 2:
                link.done.set()
        except (ConnectionError, OSError):
            link.done.set()
        finally:
            sender.cancel()


UP, DOWN = 0, 1


@dataclass(frozen=True)
class _Fault:
    kind: str
    """"cut" (reset) or "stall" (silence)."""
    direction: int
    offset: int


class _Connection:
    """One proxied connection's shared state."""

    def __init__(self, fault: _Fault | None) -> None:
        self.fault = fault
        self.stalled = False
        self.finished = 0
        self.done = asyncio.Event()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset, as a dropped link looks to the far side."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A slow, late, breaking TCP link on loopback.")
    parser.add_argument("--target", required=True, metavar="HOST:PORT")
    parser.add_argument("--listen", type=int, default=9737, metavar="PORT")
    parser.add_argument("--kbit", type=float, help="kbit/s each way (default: unthrottled)")
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    parser.add_argument("--cut", type=float, default=0.0, help="chance a connection is reset")
    parser.add_argument("--stall", type=float, default=0.0, help="chance a connection goes silent")
    args = parser.parse_args(argv)
    host, _, port = args.target.rpartition(":")
    profile = LinkProfile(args.kbit, args.rtt_ms, args.cut, args.stall)
    with LinkEmulator((host, int(port)), profile, listen=("127.0.0.1", args.listen)) as link:
        print(f"link {link.url} -> {args.target}: {profile}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(link.stats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
