"""Attached files against a real server process: a photo taken offline reaches the server
whole through a slow link that keeps breaking, resuming where each cut left it; the budget
holds a big file back until "send now"; an urgent reply written after the photo is on the
server before the photo's first byte; the file reaches only devices in the ticket's scope.

The Done-when figure is 9.6 kbit/s with an 800 ms round trip; a 2 MB photo takes about half
an hour at that rate, so the test runs the same cuts on a faster link (`TEST_LINK`) and the
bench (`bench_sync attachments`) keeps the 9.6 kbit/s figure.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from sqlmodel import select

from cs_console.scripts.link_emulator import UP, LinkEmulator, LinkProfile
from cs_console.server import blob_store, mail_config, mail_in
from cs_console.server.process import ServerProcess, free_port
from cs_console.storage.models import Attachment, Customer, Interaction
from cs_console.sync.attachment_budget import Budget
from cs_console.sync.client import open_http, sync_once
from cs_console.usecases.ticket_changes import add_interaction
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    server,
    server_ticket,
    via,
)

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
PHOTO_BYTES = 2 * 1024 * 1024
CUT_EVERY = 400_000
TEST_LINK = LinkProfile(kbit_per_second=8000, round_trip_ms=20, cut_probability=1.0, cut_window=CUT_EVERY,
                        fault_direction=UP)
"""Every connection is cut on its way up within its first 400 kB: at least six cuts for 2 MiB."""
SEND_ALWAYS = Budget(defer_above_bytes=PHOTO_BYTES * 2)


def photo(seed: int = 3) -> bytes:
    """A JPEG's worth of bytes: a header, then data that compresses no better than a photo's."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + random.Random(seed).randbytes(PHOTO_BYTES - 11)


def bodies(view: dict) -> set[str]:
    return {body for _, _, body, _ in view["interactions"]}


def rig_with_ticket(tmp_path, server, database, team: str):
    rig = device(tmp_path, server.url, database, "agent", team)
    rig.sync_until_done()
    hatch = rig.store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Hatch cover seal",
                                    first_message="water in hold 3", team=team, assignee_id=rig.agent_id)
    rig.sync_until_done()
    return rig, hatch


def test_a_photo_attached_offline_reaches_the_server_whole_across_cuts_after_the_urgent_reply(tmp_path, server,
                                                                                              database):
    rig, hatch = rig_with_ticket(tmp_path, server, database, "rig-att-1")
    data = photo()
    attached = rig.store.attach(hatch.id, data, filename="hatch.jpg", content_type="image/jpeg",
                                author_id=rig.agent_id)
    reply = "A technician boards at 14:00 with a new seal."
    add_interaction(rig.store, hatch.id, "public_reply", reply, author_id=rig.agent_id)
    starts: list[int] = []
    reply_first: list[bool] = []

    def progress(_sha: str, offset: int, _size: int) -> None:
        if not reply_first:
            reply_first.append(reply in bodies(server_ticket(database, hatch.id)))
        starts.append(offset)

    with LinkEmulator(("127.0.0.1", server.port), TEST_LINK, seed=17) as link:
        linked = via(link.url, rig)
        for _attempt in range(200):
            report = sync_once(rig.store, linked.settings, SEND_ALWAYS, progress)
            if report.ok and report.files_waiting == 0:
                break
        else:
            raise AssertionError(f"the photo never got through: {report}")
        stats = link.stats
    assert reply_first == [True], "the photo went before the urgent reply"
    assert stats.cuts >= 5, f"only {stats.cuts} cuts: the link did not break enough to test resuming"
    assert stats.bytes_up < 2 * len(data), f"{stats.bytes_up:,} bytes sent for {len(data):,}: restarts from zero"
    assert starts == sorted(starts), "a resumed transfer went back"
    with open_http(rig.settings) as http:
        answer = http.get(f"/v1/attachments/{attached.sha256}")
    assert answer.status_code == 200 and hashlib.sha256(answer.content).hexdigest() == attached.sha256
    [held] = rig.store.attached_files(hatch.id)
    assert held.transfer.done and held.held


def test_a_file_over_the_budget_waits_until_send_now(tmp_path, server, database):
    rig, hatch = rig_with_ticket(tmp_path, server, database, "rig-att-2")
    budget = Budget(defer_above_bytes=256 * 1024, fast_link_bytes_per_second=10**12)
    small = rig.store.attach(hatch.id, b"%PDF-1.4 deficiency list " * 400, filename="psc.pdf",
                             content_type="application/pdf", author_id=rig.agent_id)
    big = rig.store.attach(hatch.id, photo(5), filename="hatch.jpg", content_type="image/jpeg",
                           author_id=rig.agent_id)
    report = sync_once(rig.store, rig.settings, budget)
    assert report.ok and report.files_sent == 1 and report.files_waiting == 1
    with open_http(rig.settings) as http:
        assert http.head(f"/v1/attachments/{small.sha256}").headers["upload-complete"] == "1"
        assert http.head(f"/v1/attachments/{big.sha256}").headers["upload-offset"] == "0"
    assert sync_once(rig.store, rig.settings, budget).files_waiting == 1, "the budget let it go on its own"
    rig.store.send_now([big.sha256])
    report = sync_once(rig.store, rig.settings, budget)
    assert report.ok and report.files_sent == 1 and report.files_waiting == 0
    with open_http(rig.settings) as http:
        assert http.head(f"/v1/attachments/{big.sha256}").headers["upload-complete"] == "1"


def test_files_reach_only_devices_that_see_the_ticket(tmp_path, server, database):
    rig, hatch = rig_with_ticket(tmp_path, server, database, "rig-att-3")
    data = b"certificate scan " * 2000
    attached = rig.store.attach(hatch.id, data, filename="cert.pdf", content_type="application/pdf",
                                author_id=rig.agent_id)
    assert sync_once(rig.store, rig.settings, SEND_ALWAYS).files_waiting == 0
    lead = device(tmp_path, server.url, database, "lead", "rig-att-3")
    report = sync_once(lead.store, lead.settings, Budget(auto_download_bytes=len(data)))
    assert report.ok
    [seen] = lead.store.attached_files(hatch.id)
    assert seen.held and lead.store.blobs.read(attached.sha256) == data, "the small file did not come down"
    stranger = device(tmp_path, server.url, database, "agent", "other-team")
    with open_http(stranger.settings) as http:
        assert http.head(f"/v1/attachments/{attached.sha256}").status_code == 404
        assert http.get(f"/v1/attachments/{attached.sha256}").status_code == 404
        put = http.put(f"/v1/attachments/{attached.sha256}", params={"offset": 0}, content=data[:100])
        assert put.status_code == 404


def test_a_file_over_the_servers_limit_is_refused_naming_the_limit(tmp_path, database_url, database, monkeypatch):
    monkeypatch.setenv("CS_CONSOLE_SERVER_MAX_ATTACHMENT_BYTES", "10000")
    home = tmp_path / "small-server"
    home.mkdir()
    with ServerProcess(database_url, home=home) as small:
        rig, hatch = rig_with_ticket(tmp_path, small, database, "rig-att-4")
        rig.store.attach(hatch.id, os.urandom(20_000), filename="scan.tif", content_type="image/tiff",
                         author_id=rig.agent_id)
        report = sync_once(rig.store, rig.settings, SEND_ALWAYS)
    assert not report.ok and "at most 10000 bytes" in report.error and report.files_waiting == 1


def test_a_chunk_at_the_wrong_offset_is_told_where_the_server_stands_and_a_wrong_hash_starts_over(
        tmp_path, server, database):
    rig, hatch = rig_with_ticket(tmp_path, server, database, "rig-att-5")
    data = os.urandom(5000)
    attached = rig.store.attach(hatch.id, data, filename="a.bin", content_type="application/octet-stream",
                                author_id=rig.agent_id)
    report = sync_once(rig.store, rig.settings, Budget(defer_above_bytes=100, fast_link_bytes_per_second=10**12))
    assert report.ok and report.files_waiting == 1
    url = f"/v1/attachments/{attached.sha256}"
    with open_http(rig.settings) as http:
        assert http.put(url, params={"offset": 0}, content=data[:1000]).headers["upload-offset"] == "1000"
        ahead = http.put(url, params={"offset": 3000}, content=data[3000:])
        assert ahead.status_code == 409 and ahead.headers["upload-offset"] == "1000"
        damaged = http.put(url, params={"offset": 1000}, content=bytes(4000))
        assert damaged.status_code == 422 and "SHA-256" in damaged.json()["message"]
        assert http.head(url).headers["upload-offset"] == "0"
        past = http.put(url, params={"offset": 0}, content=data + b"x")
        assert past.status_code == 400 and "5000 bytes" in past.json()["message"]
    rig.store.send_now([attached.sha256])
    assert sync_once(rig.store, rig.settings).files_waiting == 0


def test_a_mailed_attachment_reaches_devices_as_an_attachment_of_its_message(tmp_path, database_url, database,
                                                                            monkeypatch):
    monkeypatch.setenv(blob_store.FOLDER_VARIABLE, str(tmp_path / "server-files"))
    team = f"deck-{uuid.uuid4().hex[:6]}"
    settings = tmp_path / "mail.toml"
    settings.write_text(f'[[mailbox]]\nteam = "{team}"\naddress = "support@seanet.example"\nname = "Fleet Support"\n'
                        'host = "127.0.0.1"\nport = 1\nsecurity = "plain"\nuser = "support@seanet.example"\n'
                        'password = "x"\n\n[smtp]\nhost = "127.0.0.1"\nport = 1\nsecurity = "plain"\n')
    config = mail_config.load(settings)
    raw = (FIXTURES / "applemail_attachment.eml").read_bytes().replace(
        b"Message-Id: <", b"Message-Id: <" + uuid.uuid4().hex.encode(), 1)
    mail_in.ingest(database, config.mailboxes[0], raw, config.own_addresses, int(time.time() * 1000))
    home = tmp_path / "server-home"
    home.mkdir()
    with ServerProcess(database_url, home=home) as mail_server:
        lead = device(tmp_path, mail_server.url, database, "lead", team)
        report = sync_once(lead.store, lead.settings)
        assert report.ok
        with lead.store.read() as session:
            [row] = session.exec(select(Attachment).where(Attachment.filename == "crew change Bohai 7.pdf")).all()
            message = session.get(Interaction, row.interaction_id)
        [mailed] = lead.store.attached_files(row.ticket_id)
    assert message.kind == "customer_message" and "crew change Bohai 7.pdf" in message.body
    assert mailed.held, "a 69-byte file, under the auto-download size, stayed on the server"
    assert lead.store.blobs.read(row.sha256).startswith(b"%PDF-1.4")


@pytest.fixture(scope="module")
def s3_service(tmp_path_factory):
    """A real S3-compatible service on loopback (moto's server, in its own process)."""
    port = free_port()
    log = tmp_path_factory.mktemp("s3") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the S3 service never answered: {log.read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_files_kept_in_an_s3_bucket_go_up_in_chunks_and_come_down_by_range(tmp_path, database_url, database,
                                                                            s3_service, monkeypatch):
    import boto3

    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), (blob_store.S3_ENDPOINT_VARIABLE, s3_service),
                        (blob_store.S3_BUCKET_VARIABLE, "ship-files")):
        monkeypatch.setenv(name, value)
    bucket = boto3.client("s3", endpoint_url=s3_service)
    bucket.create_bucket(Bucket="ship-files")
    home = tmp_path / "s3-server-home"
    home.mkdir()
    with ServerProcess(database_url, home=home) as s3_server:
        rig, hatch = rig_with_ticket(tmp_path, s3_server, database, "rig-att-s3")
        data = photo(9)[:300_000]
        attached = rig.store.attach(hatch.id, data, filename="hatch.jpg", content_type="image/jpeg",
                                    author_id=rig.agent_id)
        rig.store.set_sync_value("file_chunk_bytes", "65536")  # a few chunks, staged on disk
        report = sync_once(rig.store, rig.settings, SEND_ALWAYS)
        assert report.ok and report.files_waiting == 0, report
        kept = bucket.get_object(Bucket="ship-files", Key=f"attachments/{attached.sha256}")["Body"].read()
        assert hashlib.sha256(kept).hexdigest() == attached.sha256
        assert not any((home / "attachments").rglob(attached.sha256)), "the whole file stayed on the server's disk"
        lead = device(tmp_path, s3_server.url, database, "lead", "rig-att-s3")
        lead.sync_until_done()
        with open_http(lead.settings) as http:
            part = http.get(f"/v1/attachments/{attached.sha256}", headers={"range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == data[1000:2000]
