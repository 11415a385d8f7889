"""Pure account rules: e-mail normalisation, passwords, referral codes, refresh rotation, lockout."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from scoremate_auth.schemas import LoginIn, RegisterIn, normalise_email
from scoremate_auth.service import REFERRAL_ALPHABET, login_lock_seconds, new_referral_code
from scoremate_auth.tokens import RefreshOutcome, hash_refresh_token, judge_refresh_token, new_refresh_token

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _field_errors(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in err["loc"]) for err in exc.errors()}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  ada@example.com\n", "ada@example.com"),
        ("ADA.Lovelace+scores@Example.org", "ada.lovelace+scores@example.org"),
    ],
)
def test_email_is_stripped_and_lower_cased(given, expected):
    assert normalise_email(given) == expected
    assert RegisterIn(email=given, password="long enough").email == expected


@pytest.mark.parametrize(
    "bad", ["", "ada", "ada@", "@example.com", "ada@example", "a..b@example.com", "ada@x.test"]
)
def test_invalid_email_is_rejected_naming_the_field(bad):
    with pytest.raises(ValidationError) as caught:
        RegisterIn(email=bad, password="long enough")
    assert _field_errors(caught.value) == {"email"}


def test_password_shorter_than_8_is_rejected_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        RegisterIn(email="ada@example.com", password="1234567")
    assert _field_errors(caught.value) == {"password"}
    assert RegisterIn(email="ada@example.com", password="12345678").password == "12345678"


def test_huge_password_is_rejected():
    with pytest.raises(ValidationError) as caught:
        RegisterIn(email="ada@example.com", password="x" * 1025)
    assert _field_errors(caught.value) == {"password"}


def test_password_is_kept_verbatim():
    assert RegisterIn(email="ada@example.com", password="  spaced  ").password == "  spaced  "


def test_referral_code_is_normalised_and_blank_means_none():
    def code(given):
        return RegisterIn(email="a@example.com", password="long enough", referral_code=given).referral_code

    assert code(" ab3k ") == "AB3K"
    assert code("  ") is None
    assert code(None) is None


def test_login_email_is_normalised_without_syntax_check():
    assert LoginIn(email=" Ada@Example.com ", password="x").email == "ada@example.com"
    assert LoginIn(email="not-an-email", password="x").email == "not-an-email"


def test_referral_code_format():
    codes = {new_referral_code(8) for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(f"[{REFERRAL_ALPHABET}]{{8}}", code)
    assert not set("01OIL") & set(REFERRAL_ALPHABET)
    assert len(new_referral_code(12)) == 12


def test_refresh_token_is_random_and_stored_as_sha256():
    token = new_refresh_token()
    assert len(token) >= 43
    assert new_refresh_token() != token
    digest = hash_refresh_token(token)
    assert re.fullmatch("[0-9a-f]{64}", digest)
    assert digest == hash_refresh_token(token)
    assert token not in digest


@dataclass
class _Token:
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None


def test_fresh_refresh_token_rotates():
    assert judge_refresh_token(_Token(NOW + timedelta(days=1)), NOW) is RefreshOutcome.ROTATE


def test_unknown_refresh_token_is_rejected():
    assert judge_refresh_token(None, NOW) is RefreshOutcome.REJECT


def test_expired_refresh_token_is_rejected():
    assert judge_refresh_token(_Token(NOW), NOW) is RefreshOutcome.REJECT


def test_revoked_refresh_token_is_rejected():
    token = _Token(NOW + timedelta(days=1), revoked_at=NOW - timedelta(minutes=1))
    assert judge_refresh_token(token, NOW) is RefreshOutcome.REJECT


def test_rotated_refresh_token_presented_again_is_a_reuse():
    token = _Token(NOW + timedelta(days=1), rotated_at=NOW - timedelta(minutes=1))
    assert judge_refresh_token(token, NOW) is RefreshOutcome.REUSED
    # Even after expiry, an exchanged token coming back means a copy exists.
    token = _Token(NOW - timedelta(days=1), rotated_at=NOW - timedelta(days=2))
    assert judge_refresh_token(token, NOW) is RefreshOutcome.REUSED


def test_revoked_family_stays_dead_even_for_a_rotated_token():
    token = _Token(NOW + timedelta(days=1), rotated_at=NOW, revoked_at=NOW)
    assert judge_refresh_token(token, NOW) is RefreshOutcome.REJECT


def test_login_lock_grows_from_the_threshold_and_is_capped():
    lock = [login_lock_seconds(n, max_failures=5, base_seconds=30, cap_seconds=900) for n in range(1, 12)]
    assert lock[:4] == [0, 0, 0, 0]
    assert lock[4:9] == [30, 60, 120, 240, 480]
    assert lock[9:] == [900, 900]
    assert login_lock_seconds(10_000, max_failures=5, base_seconds=30, cap_seconds=900) == 900
