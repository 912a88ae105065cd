"""Sync messages as bytes: msgpack for structure, zstd (with a trained dictionary) for size.

At 300 bytes a second every byte is airtime, so ids travel as 16 raw bytes instead of 36
characters of text and the body is compressed with a dictionary trained on typical
payloads (assets/sync), which helps most on the small bodies of a quiet cycle. JSON is
spoken too, uncompressed, for people with curl and for the naive baseline of the bench.

It refuses bodies that grow past `MAX_DECODED_BYTES` while decompressing (a zstd bomb),
msgpack strings, arrays and maps longer than a message can hold before they are allocated,
JSON nested past the interpreter's recursion limit, and frames made with a dictionary
this build does not ship.
"""

from __future__ import annotations

import functools
import json
import re
import uuid

import msgpack
import zstandard

from cs_console import paths
from cs_console.sync.errors import BadRequest, TooLarge

BINARY_TYPE = "application/x-cs-sync"
"""msgpack compressed with zstd."""
JSON_TYPE = "application/json"

MAX_DECODED_BYTES = 8 * 1024 * 1024
"""The largest body either side unpacks: a page (`MAX_PAGE_BYTES`, 1 MiB) plus the one row
or operation allowed past its budget, whose text fields hold at most 200,000 characters
(800 KB of UTF-8) each."""
MAX_ITEMS = 100_000
"""The longest array or map in a message: a page of small rows holds a few ten thousand."""
MAX_STRING_BYTES = 1024 * 1024
"""The longest string or bytes value: 200,000 characters of four-byte UTF-8, with room."""

ZSTD_LEVEL = 19
"""Pages are bounded to a few hundred kilobytes, so the slowest level still costs only
milliseconds of CPU, and on these links a byte saved is worth far more."""

DICTIONARY_ASSET = "sync/payloads.zdict"
DICTIONARY_LIMIT = 256 * 1024
"""Measured on first-sync pages: the dictionary saves 40% at 3 KiB, 4% at 160 KiB, and
costs 2-8% from 600 KiB up, where the body is its own best dictionary."""
"""Trained by `python -m cs_console.scripts.bench_sync --train-dictionary`."""

_UUID_EXT = 1
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


@functools.cache
def dictionary() -> zstandard.ZstdCompressionDict:
    """The shipped dictionary.

    Raises:
        InstallationError: the installation lacks it; both sides must ship the same one.
    """
    trained = zstandard.ZstdCompressionDict(paths.asset(DICTIONARY_ASSET).read_bytes())
    trained.precompute_compress(level=ZSTD_LEVEL)
    return trained


def _pack_ids(value):
    """Canonical UUID text becomes a 16-byte extension; everything else stays as it is."""
    if isinstance(value, str):
        if len(value) == 36 and _UUID_TEXT.match(value):
            return msgpack.ExtType(_UUID_EXT, uuid.UUID(value).bytes)
        return value
    if isinstance(value, dict):
        return {key: _pack_ids(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_pack_ids(item) for item in value]
    return value


def _ext_hook(code: int, data: bytes):
    if code == _UUID_EXT and len(data) == 16:
        return str(uuid.UUID(bytes=data))
    raise BadRequest(f"the body carries an unknown msgpack extension type {code}")


def compress(data: bytes, use_dictionary: bool = True) -> bytes:
    """zstd, with the dictionary for bodies small enough to gain from it."""
    if not use_dictionary or len(data) > DICTIONARY_LIMIT:
        return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(data)
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL, dict_data=dictionary()).compress(data)


def decompress(data: bytes) -> bytes:
    """Raises:
        BadRequest: not a zstd frame, or made with a dictionary this build lacks.
        TooLarge: it would grow past MAX_DECODED_BYTES.
    """
    try:
        dict_id = zstandard.get_frame_parameters(data).dict_id
    except zstandard.ZstdError:
        raise BadRequest("the body is not zstd-compressed") from None
    trained = dictionary() if dict_id else None
    if trained is not None and trained.dict_id() != dict_id:
        raise BadRequest(
            f"the body was compressed with zstd dictionary {dict_id}, which this side does not ship; "
            "upgrade the older of the two"
        )
    decompressor = zstandard.ZstdDecompressor(dict_data=trained) if dict_id else zstandard.ZstdDecompressor()
    try:
        with decompressor.stream_reader(data) as reader:
            out = reader.read(MAX_DECODED_BYTES + 1)
            while len(out) <= MAX_DECODED_BYTES and (more := reader.read(MAX_DECODED_BYTES + 1 - len(out))):
                out += more
    except zstandard.ZstdError as error:
        raise BadRequest(f"the body is damaged zstd data ({error})") from None
    if len(out) > MAX_DECODED_BYTES:
        raise TooLarge(f"the body unpacks to more than {MAX_DECODED_BYTES // (1024 * 1024)} MiB")
    return out


def pack(message: dict) -> bytes:
    """msgpack bytes, before compression (what page budgets are measured in)."""
    return msgpack.packb(_pack_ids(message), use_bin_type=True)


def encode(message: dict, content_type: str = BINARY_TYPE) -> bytes:
    if content_type == JSON_TYPE:
        return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
    return compress(pack(message))


def decode(body: bytes, content_type: str) -> dict:
    """The message in `body`.

    Raises:
        BadRequest: an unknown content type, or bytes that are not a message.
        TooLarge: the body unpacks to more than MAX_DECODED_BYTES.
    """
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == JSON_TYPE:
            if len(body) > MAX_DECODED_BYTES:
                raise TooLarge(f"the body is over {MAX_DECODED_BYTES // (1024 * 1024)} MiB of JSON")
            message = json.loads(body)
        elif kind == BINARY_TYPE:
            message = msgpack.unpackb(
                decompress(body), ext_hook=_ext_hook, raw=False, strict_map_key=False,
                max_str_len=MAX_STRING_BYTES, max_bin_len=MAX_STRING_BYTES, max_array_len=MAX_ITEMS,
                max_map_len=MAX_ITEMS, max_ext_len=16,
            )
        else:
            raise BadRequest(f"unknown content type {content_type!r}; send {BINARY_TYPE} or {JSON_TYPE}")
    except RecursionError:
        raise BadRequest("the body is nested too deep to be a sync message") from None
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as error:
        raise BadRequest(f"the body is not a readable sync message ({error})") from None
    if not isinstance(message, dict):
        raise BadRequest("the body must be one message (a map), not a list or a value")
    return message
