"""Cursors: opaque, bound to one user, impossible to make up or edit."""

import base64
import uuid

import pytest

from scoremate_sync.cursors import CursorCodec, InvalidCursor

codec = CursorCodec("a-test-secret-of-at-least-32-characters")


def test_a_cursor_round_trips_for_its_user_only():
    me, someone = uuid.uuid4(), uuid.uuid4()
    cursor = codec.encode(me, 12345)
    assert codec.decode(me, cursor) == 12345
    with pytest.raises(InvalidCursor, match="not issued to you"):
        codec.decode(someone, cursor)


def test_an_edited_or_made_up_cursor_is_refused():
    me = uuid.uuid4()
    raw = bytearray(base64.urlsafe_b64decode(codec.encode(me, 7) + "=="))
    raw[8] ^= 0x01  # the sequence number, 7 -> 6
    edited = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    for bad in (edited, "", "not a cursor", "A" * 34, codec.encode(me, 7)[:-1], "é" * 34):
        with pytest.raises(InvalidCursor):
            codec.decode(me, bad)


def test_a_cursor_signed_under_another_secret_is_refused():
    me = uuid.uuid4()
    other = CursorCodec("another-secret-of-at-least-32-characters")
    with pytest.raises(InvalidCursor):
        codec.decode(me, other.encode(me, 1))
