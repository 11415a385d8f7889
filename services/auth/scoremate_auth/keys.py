"""The signing keys: one active ES256 key, the previous one published until its tokens expired.

CLI: `python -m scoremate_auth.keys rotate` makes a new key active; `... list` shows them.
"""

import argparse
import asyncio
import base64
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_auth.models import SigningKey
from scoremate_auth.settings import AuthSettings
from scoremate_auth.tokens import KeyPair, generate_key_pair, load_key_pair
from scoremate_shared.auth import TokenVerifier
from scoremate_shared.db import Database
from scoremate_shared.migrations import upgrade_to_head
from scoremate_shared.revocations import RevocationList

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Serialises key creation and rotation across every auth instance and the CLI.
_KEYS_LOCK = "scoremate-auth.signing-keys"
# Clock skew and verifier caches: a retired key stays published this much past its last token.
_RETENTION_GRACE = timedelta(seconds=60)

JwksListener = Callable[[dict[str, Any]], None]
_SEALED = "aesgcm:v1:"
_PLAIN_PEM = "-----BEGIN"


class KeyCipher:
    """Private signing keys sealed at rest (AES-256-GCM, the kid as associated data): a dump of
    the auth schema, a backup or a replica does not give its holder the power to sign tokens.
    The key comes from SIGNING_KEY_ENCRYPTION_KEY (any long random text; HKDF makes the AES key).
    """

    def __init__(self, secret: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"scoremate signing keys")
        self._aead = AESGCM(derived.derive(secret.encode()))

    def seal(self, kid: str, private_key_pem: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, private_key_pem.encode(), kid.encode())
        return _SEALED + base64.b64encode(nonce + sealed).decode()

    def open(self, kid: str, stored: str) -> str:
        if stored.startswith(_PLAIN_PEM):
            return stored  # written before keys were sealed; ensure_active_key seals it
        if not stored.startswith(_SEALED):
            raise ValueError(f"signing key {kid} is stored in an unknown form")
        raw = base64.b64decode(stored.removeprefix(_SEALED))
        try:
            return self._aead.decrypt(raw[:12], raw[12:], kid.encode()).decode()
        except InvalidTag as exc:
            raise ValueError(
                f"signing key {kid} cannot be opened: "
                "SIGNING_KEY_ENCRYPTION_KEY is not the one it was sealed with"
            ) from exc


class KeyRing:
    """The active signing key and the published JWKS, read from the `signing_keys` table."""

    def __init__(self, db: Database, settings: AuthSettings) -> None:
        self._db = db
        self._settings = settings
        self._cipher = KeyCipher(settings.signing_key_encryption_key)
        self._active: KeyPair | None = None
        self._jwks: dict[str, Any] = {"keys": []}
        self._loaded_at = float("-inf")
        self.listeners: list[JwksListener] = []

    @property
    def retention(self) -> timedelta:
        """How long a retired key stays published: its last access token must still verify."""
        return (
            timedelta(seconds=self._settings.access_token_ttl_seconds)
            + timedelta(seconds=self._settings.signing_key_refresh_seconds)
            + _RETENTION_GRACE
        )

    async def ensure_active_key(self) -> None:
        """Create the first key if there is none (once, even with several instances starting)."""
        # Spans several transactions because the key is committed (and the advisory lock freed)
        # before `reload` reads the table afresh, as every other instance will.
        async with self._db.transaction() as session:
            await _lock_keys(session)
            active = await session.scalar(sa.select(SigningKey.kid).where(SigningKey.retired_at.is_(None)))
            if active is None:
                kid = _add_key(session, self._cipher, datetime.now(UTC))
                log.info("created signing key %s", kid)
            for legacy in await session.scalars(
                sa.select(SigningKey).where(SigningKey.private_key_pem.startswith(_PLAIN_PEM))
            ):
                legacy.private_key_pem = self._cipher.seal(legacy.kid, legacy.private_key_pem)
                log.info("sealed signing key %s, stored in plain text before", legacy.kid)
        await self.reload()

    async def rotate(self) -> str:
        """Make a new key active; the old one is retired (still published), expired ones dropped."""
        # Spans several transactions like ensure_active_key: the rotation commits, then reloads.
        now = datetime.now(UTC)
        async with self._db.transaction() as session:
            await _lock_keys(session)
            await session.execute(
                sa.update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now)
            )
            await session.execute(sa.delete(SigningKey).where(SigningKey.retired_at < now - self.retention))
            kid = _add_key(session, self._cipher, now)
        log.info("rotated signing keys; %s is now active", kid)
        await self.reload()
        return kid

    async def reload(self) -> dict[str, Any]:
        """Read the active and still-published keys; tell the listeners (the token verifier)."""
        now = datetime.now(UTC)
        async with self._db.session() as session:
            rows = (
                await session.scalars(
                    sa.select(SigningKey)
                    .where(
                        sa.or_(SigningKey.retired_at.is_(None), SigningKey.retired_at >= now - self.retention)
                    )
                    .order_by(SigningKey.retired_at.desc().nulls_first(), SigningKey.created_at.desc())
                )
            ).all()
        active = next((row for row in rows if row.retired_at is None), None)
        if active is not None and (self._active is None or self._active.kid != active.kid):
            pem = self._cipher.open(active.kid, active.private_key_pem)
            self._active = load_key_pair(active.kid, pem, active.public_jwk)
        self._jwks = {"keys": [row.public_jwk for row in rows]}
        self._loaded_at = time.monotonic()
        for listener in self.listeners:
            listener(self._jwks)
        return self._jwks

    async def active_key(self) -> KeyPair:
        """The key to sign with, re-read now and then so a rotation elsewhere is followed."""
        if (
            self._active is None
            or time.monotonic() - self._loaded_at > self._settings.signing_key_refresh_seconds
        ):
            await self.reload()
        if self._active is None:
            raise RuntimeError("no active signing key; the service did not start properly")
        return self._active

    async def jwks(self) -> dict[str, Any]:
        return await self.reload()


async def _lock_keys(session: AsyncSession) -> None:
    await session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": _KEYS_LOCK})


def _add_key(session: AsyncSession, cipher: KeyCipher, now: datetime) -> str:
    pair = generate_key_pair()
    session.add(
        SigningKey(
            kid=pair.kid,
            private_key_pem=cipher.seal(pair.kid, pair.private_key_pem),
            public_jwk=pair.public_jwk,
            created_at=now,
            retired_at=None,
        )
    )
    return pair.kid


class LocalTokenVerifier(TokenVerifier):
    """The shared verifier, but it reads the auth service's own keys from its table, never over HTTP."""

    def __init__(
        self,
        settings: AuthSettings,
        keys: KeyRing,
        *,
        min_reload_seconds: float = 5.0,
        revocations: RevocationList | None = None,
    ) -> None:
        super().__init__(
            settings.jwks_url,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            revocations=revocations,
        )
        self._keyring = keys
        self._min_reload = min_reload_seconds
        self._reloaded_at = float("-inf")
        keys.listeners.append(self.set_keys)

    async def _refresh(self, *, force: bool) -> None:
        # Called on an unknown kid (a rotation by another process) or when the cache is old.
        if time.monotonic() - self._reloaded_at < self._min_reload:
            return
        self._reloaded_at = time.monotonic()
        try:
            await self._keyring.reload()
        except Exception:  # the database is away: keep verifying with the keys we have
            log.warning("could not reload signing keys", exc_info=True)


async def _run_cli(command: str) -> int:
    settings = AuthSettings()
    await asyncio.to_thread(upgrade_to_head, settings, MIGRATIONS_DIR)
    db = Database(settings)
    try:
        keys = KeyRing(db, settings)
        if command == "rotate":
            print(await keys.rotate())
        else:
            async with db.session() as session:
                for row in await session.scalars(sa.select(SigningKey).order_by(SigningKey.created_at)):
                    state = f"retired {row.retired_at.isoformat()}" if row.retired_at else "active"
                    print(f"{row.kid}  created {row.created_at.isoformat()}  {state}")
    finally:
        await db.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoremate_auth.keys", description=__doc__)
    parser.add_argument("command", choices=["rotate", "list"])
    args = parser.parse_args(argv)
    return asyncio.run(_run_cli(args.command))


if __name__ == "__main__":
    raise SystemExit(main())
