"""The wire encoding: compact, lossless, and refusing what it cannot read."""

from __future__ import annotations

import json
import uuid

import msgpack
import pytest
import zstandard

from cs_console.sync import codec
from cs_console.sync.errors import BadRequest

MESSAGE = {
    "v": 1,
    "d": str(uuid.uuid4()),
    "o": [[1, str(uuid.uuid4()), "interaction", str(uuid.uuid4()), "append",
           {"body": "台风延误，船期顺延两天。", "author_id": None, "satisfaction": 4}, "0001764000000000.00001.ab12cd34"]],
    "not_an_id": "6F1C1D52-6A43-4F0E-8B1E-1F9E6C1B2A77",
}


@pytest.mark.parametrize("content_type", [codec.BINARY_TYPE, codec.JSON_TYPE])
def test_messages_survive_the_round_trip(content_type):
    assert codec.decode(codec.encode(MESSAGE, content_type), content_type) == MESSAGE


def test_ids_travel_as_sixteen_bytes():
    one_id = {"id": str(uuid.uuid4())}
    assert len(codec.pack(one_id)) == len(msgpack.packb({"id": b"x" * 16}))  # fixext 16 = bin 16
    assert len(codec.pack(one_id)) < len(msgpack.packb(one_id)) - 18
    assert codec.pack({"id": "not-a-uuid"}) == msgpack.packb({"id": "not-a-uuid"})


def test_a_body_compressed_with_an_unknown_dictionary_is_refused():
    foreign = zstandard.train_dictionary(1024, [json.dumps({"n": n, "text": "pump " * (n % 7)}).encode() for n in range(400)])
    body = zstandard.ZstdCompressor(dict_data=foreign).compress(codec.pack(MESSAGE))
    with pytest.raises(BadRequest, match="dictionary"):
        codec.decode(body, codec.BINARY_TYPE)


def test_an_unknown_extension_type_is_refused():
    body = codec.compress(msgpack.packb({"x": msgpack.ExtType(9, b"?")}))
    with pytest.raises(BadRequest, match="extension type 9"):
        codec.decode(body, codec.BINARY_TYPE)


def test_the_shipped_dictionary_is_used_and_pays_on_a_small_body():
    trained = codec.dictionary()
    if trained is None:
        pytest.skip("this build ships no zstd dictionary")
    small = codec.pack(MESSAGE)
    with_dictionary = codec.compress(small)
    assert zstandard.get_frame_parameters(with_dictionary).dict_id == trained.dict_id()
    assert len(with_dictionary) < len(codec.compress(small, use_dictionary=False))
