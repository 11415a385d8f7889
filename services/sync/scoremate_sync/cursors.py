"""Sync cursors: opaque to clients; inside, a position in one user's feed, signed for that user.

The signature (HMAC-SHA256 under SYNC_CURSOR_SECRET, over the user id and the position) makes a
cursor useless to any other user and impossible to make up or edit: either is a 400, never a
read of some other position.
"""

import base64
import binascii
import hashlib
import hmac
import re
import struct
import uuid

from scoremate_shared.errors import ProblemError

_FORMAT = 1
_POSITION = struct.Struct(">BQ")  # format, sequence number
_MAC_BYTES = 16
_DOMAIN = b"scoremate-sync-cursor\x00"
# 25 bytes in unpadded base64url.
_TEXT = re.compile(r"^[A-Za-z0-9_-]{34}$")

START_AGAIN = "Start again without a cursor: GET /sync answers everything current, and a new cursor."


class InvalidCursor(ProblemError):
    status, slug, title = 400, "invalid-cursor", "Invalid cursor"


class CursorExpired(ProblemError):
    status, slug, title = 410, "cursor-expired", "Cursor expired"


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _mac(self, user_id: uuid.UUID, position: bytes) -> bytes:
        return hmac.new(self._key, _DOMAIN + user_id.bytes + position, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, user_id: uuid.UUID, seq: int) -> str:
        position = _POSITION.pack(_FORMAT, seq)
        return base64.urlsafe_b64encode(position + self._mac(user_id, position)).rstrip(b"=").decode()

    def decode(self, user_id: uuid.UUID, text: str) -> int:
        """The sequence number of a cursor this service gave `user_id`; InvalidCursor otherwise."""
        if not _TEXT.match(text):
            raise InvalidCursor(f"Not a cursor of this service. {START_AGAIN}")
        try:
            raw = base64.urlsafe_b64decode(text + "==")
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursor(f"Not a cursor of this service. {START_AGAIN}") from exc
        position, mac = raw[: _POSITION.size], raw[_POSITION.size :]
        if not hmac.compare_digest(mac, self._mac(user_id, position)):
            # Another user's, edited, or signed under a secret since replaced.
            raise InvalidCursor(f"This cursor was not issued to you. {START_AGAIN}")
        form, seq = _POSITION.unpack(position)
        if form != _FORMAT:
            raise InvalidCursor(f"A cursor of an older format. {START_AGAIN}")
        return int(seq)
