"""The mail workers of one server process: a background thread that fetches each team's
mailbox when its poll is due and sends the replies that are due.

Every process may run them: the work is claimed through the database (`mail_claims`). A
failure (a mailbox refusing login, a relay down) is one line in the server log, kept for
the leads (`mail_health`), and tried again at the next poll; it never stops the thread or
the sync API.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from cs_console.server import mail_in, mail_out
from cs_console.server.db import Database
from cs_console.server.mail_config import MailConfig

SEND_POLL_SECONDS = 10.0
"""The longest a reply waits on the server before its send is tried, with slow mailbox polls."""

log = logging.getLogger("cs_console.server.mail")


class MailWorkers:
    """`start()` runs the thread until `stop()`."""

    def __init__(self, database: Database, config: MailConfig) -> None:
        self.database = database
        self.config = config
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cs-console-mail", daemon=True)
        polls = [mailbox.poll_seconds for mailbox in config.mailboxes]
        self._tick = min([SEND_POLL_SECONDS, *polls])

    def start(self) -> MailWorkers:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=SEND_POLL_SECONDS * 2)

    def _run(self) -> None:
        due = {mailbox.team: 0.0 for mailbox in self.config.mailboxes}
        while not self._stop.is_set():
            for mailbox in self.config.mailboxes:
                if time.monotonic() >= due[mailbox.team]:
                    due[mailbox.team] = time.monotonic() + mailbox.poll_seconds
                    self._guarded(f"mailbox {mailbox.address}", mail_in.fetch_mailbox,
                                  self.database, self.config, mailbox, self.holder, _now_ms())
            if self.config.smtp is not None:
                self._guarded("replies to send", self._send)
            self._stop.wait(self._tick)

    def _send(self) -> None:
        mail_out.enqueue(self.database, self.config)
        mail_out.send_due(self.database, self.config, self.holder, _now_ms())

    def _guarded(self, what: str, work, *args) -> None:
        try:
            work(*args)
        except mail_in.MailboxUnavailable as error:
            log.error("%s; fetching again at the next poll", error)
        except Exception:
            log.exception("mail work on %s failed; trying again at the next poll", what)


def _now_ms() -> int:
    return int(time.time() * 1000)
