"""argon2id hashing: correctness, the unknown-user path, rehash on new parameters, loop not blocked."""

import asyncio

from scoremate_auth.passwords import PasswordHashing
from scoremate_auth.settings import AuthSettings


def _settings(**overrides) -> AuthSettings:
    base = {
        "database_url": "postgresql+asyncpg://auth:pw@127.0.0.1:1/none",
        "amqp_url": "amqp://guest:guest@127.0.0.1:1/",
        "jwks_url": "http://127.0.0.1:1/jwks.json",
        "signing_key_encryption_key": "unit-test-signing-key-encryption-key-0123456789",
        "s3_endpoint_url": "http://127.0.0.1:1",
        "s3_public_endpoint_url": "http://127.0.0.1:1",
        "s3_access_key": "unit-test-auth-storage",
        "s3_secret_key": "unit-test-auth-storage-key-0123456789",
        "email_delivery": "smtp",
        "smtp_host": "127.0.0.1",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "argon2_parallelism": 1,
    }
    return AuthSettings(**{**base, **overrides})


async def test_hash_is_argon2id_and_verifies_only_the_right_password():
    passwords = PasswordHashing(_settings())
    digest = await passwords.hash("correct horse")
    assert digest.startswith("$argon2id$")
    assert "correct horse" not in digest
    assert await passwords.verify(digest, "correct horse")
    assert not await passwords.verify(digest, "correct horsE")


async def test_unknown_user_is_false_and_still_hashes():
    passwords = PasswordHashing(_settings())
    assert not await passwords.verify(None, "correct horse")
    # The dummy hash exists now: the unknown-user path did the same argon2 work.
    assert passwords._dummy_hash is not None
    assert passwords._dummy_hash.startswith("$argon2id$")


async def test_garbage_hash_is_a_mismatch_not_an_error():
    assert not await PasswordHashing(_settings()).verify("not-a-hash", "correct horse")


async def test_changed_parameters_ask_for_a_rehash():
    old = await PasswordHashing(_settings()).hash("correct horse")
    stronger = PasswordHashing(_settings(argon2_time_cost=2))
    assert stronger.needs_rehash(old)
    assert not stronger.needs_rehash(await stronger.hash("correct horse"))
    assert await stronger.verify(old, "correct horse")


async def test_hashing_runs_off_the_event_loop():
    passwords = PasswordHashing(_settings(argon2_time_cost=4, argon2_memory_kib=64 * 1024))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        await passwords.hash("correct horse")
    finally:
        task.cancel()
    assert ticks >= 3
