import uuid
from datetime import UTC, datetime, timedelta

import pytest

from scoremate_shared.upload_token import (
    InvalidUploadToken,
    UploadClaim,
    issue_upload_token,
    verify_upload_token,
)

SECRET = "a-test-secret-of-enough-length-0123456789"


def _claim(expires_in: float = 60) -> UploadClaim:
    return UploadClaim(
        user_id=uuid.uuid4(),
        score_id=uuid.uuid4(),
        object_key="u/scores/s/original.pdf",
        size_bytes=1000,
        mime="application/pdf",
        content_hash="ab" * 32,
        filename="bach.pdf",
        expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
    )


def test_roundtrip_keeps_every_field():
    claim = _claim()
    parsed = verify_upload_token(SECRET, issue_upload_token(SECRET, claim))
    assert parsed.user_id == claim.user_id
    assert parsed.score_id == claim.score_id
    assert (parsed.object_key, parsed.size_bytes, parsed.mime, parsed.content_hash) == (
        claim.object_key,
        claim.size_bytes,
        claim.mime,
        claim.content_hash,
    )


def test_expired_token_is_refused():
    with pytest.raises(InvalidUploadToken, match="expired"):
        verify_upload_token(SECRET, issue_upload_token(SECRET, _claim(expires_in=-5)))


def test_token_signed_with_another_secret_is_refused():
    with pytest.raises(InvalidUploadToken):
        verify_upload_token(SECRET, issue_upload_token("another-secret-entirely-xyz-0123456789abc", _claim()))


def test_garbage_is_refused():
    with pytest.raises(InvalidUploadToken):
        verify_upload_token(SECRET, "not.a.token")
