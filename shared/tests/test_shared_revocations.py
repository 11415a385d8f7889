import uuid
from datetime import UTC, datetime

from scoremate_shared.revocations import RevocationList

USER, OTHER = uuid.uuid4(), uuid.uuid4()
SESSION, OTHER_SESSION = uuid.uuid4(), uuid.uuid4()
AT = datetime(2026, 11, 25, 12, 0, 30, 500_000, tzinfo=UTC)
SECOND = int(AT.timestamp())


def test_a_deleted_account_is_gone_whatever_its_token():
    revoked = RevocationList()
    revoked.add(USER, None, AT, "account_deleted")
    assert revoked.account_deleted(USER)
    assert not revoked.account_deleted(OTHER)


def test_a_signed_out_session_ends_its_tokens_only():
    revoked = RevocationList()
    revoked.add(USER, SESSION, AT, "signed_out")
    assert revoked.revoked(USER, SESSION, SECOND + 100)
    assert not revoked.revoked(USER, OTHER_SESSION, SECOND - 100)
    assert not revoked.revoked(USER, None, SECOND - 100)


def test_changed_roles_end_the_tokens_issued_before():
    revoked = RevocationList()
    revoked.add(USER, None, AT, "roles_changed")
    assert revoked.revoked(USER, OTHER_SESSION, SECOND - 1)
    assert not revoked.revoked(USER, OTHER_SESSION, SECOND)  # issued after (same second at most)
    assert not revoked.revoked(OTHER, None, SECOND - 1)
    # A later revocation moves the line; an older one read again does not move it back.
    revoked.add(USER, None, datetime(2026, 11, 25, 12, 5, tzinfo=UTC), "roles_changed")
    revoked.add(USER, None, AT, "roles_changed")
    assert revoked.revoked(USER, None, SECOND + 60)
