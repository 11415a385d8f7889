"""Local verification of access tokens against the auth service's published public keys."""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from opentelemetry import trace

from scoremate_shared.errors import Forbidden, ServiceUnavailable, Unauthorized
from scoremate_shared.revocations import RevocationList

log = logging.getLogger(__name__)
tracer = trace.get_tracer("scoremate.auth")

# Only the asymmetric algorithm auth signs with: rules out `none` and HMAC-with-the-public-key.
ACCESS_TOKEN_ALGORITHMS = ["ES256"]
ACCESS_TOKEN_TYPE = "access"
ADMIN_ROLE = "admin"  # the `roles` claim that opens /admin/...


class KeysUnavailable(ServiceUnavailable):
    slug, title = "signing-keys-unavailable", "Signing keys unavailable"


class AccountGone(Unauthorized):
    slug, title = "account-gone", "Account no longer exists"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user id and roles taken from a verified access token, the session
    (refresh family) it belongs to and when it was issued."""

    user_id: uuid.UUID
    roles: frozenset[str] = field(default_factory=frozenset)
    session_id: uuid.UUID | None = None
    issued_at: int = 0

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


class TokenVerifier:
    """Verifies access tokens with keys from the JWKS URL, cached and refreshed on a new `kid`."""

    def __init__(
        self,
        jwks_url: str,
        *,
        issuer: str,
        audience: str,
        refresh_interval_seconds: float = 300.0,
        min_refetch_seconds: float = 5.0,
        key_loader: Callable[[], Awaitable[dict[str, Any]]] | None = None,
        cache_size: int = 10_000,
        revocations: RevocationList | None = None,
    ) -> None:
        self._jwks_url = jwks_url
        # The auth service loads its own keys from its table instead of calling itself.
        self._key_loader = key_loader or self._fetch_jwks
        self._issuer = issuer
        self._audience = audience
        self._refresh_interval = refresh_interval_seconds
        self._min_refetch = min_refetch_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        # Verified tokens by their whole text, until their `exp`: a client sends the same token
        # for many requests, and checking an ES256 signature costs far more than the request.
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._cache_size = cache_size
        self._revocations = revocations or RevocationList()

    def set_keys(self, jwks: dict[str, Any]) -> None:
        """Install a JWKS document (also how the auth service feeds itself its own keys)."""
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in jwks.get("keys", []):
            if jwk.get("kid") and jwk.get("use", "sig") == "sig":
                keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk)
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if age < self._min_refetch or (not force and age < self._refresh_interval):
                return
            self.set_keys(await self._key_loader())

    def use_key_loader(self, loader: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._key_loader = loader

    async def _fetch_jwks(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(self._jwks_url)
            response.raise_for_status()
            jwks: dict[str, Any] = response.json()
            return jwks

    async def _key_for(self, kid: str) -> jwt.PyJWK | None:
        if kid not in self._keys or time.monotonic() - self._fetched_at > self._refresh_interval:
            try:
                await self._refresh(force=kid not in self._keys)
            except Exception as exc:  # keys unavailable: keep the ones we have
                log.warning("could not refresh the signing keys", exc_info=True)
                if kid not in self._keys:
                    # Whether this key is real cannot be told now: the client should retry,
                    # not drop a token that may be perfectly good.
                    raise KeysUnavailable("The signing keys cannot be fetched; retry shortly") from exc
        return self._keys.get(kid)

    async def prefetch(self) -> None:
        """Load the keys before the first request needs them (best effort: the auth service may
        be starting too; the first request then tries again)."""
        try:
            await self._refresh(force=True)
        except Exception as exc:
            log.info("signing keys not loaded yet (%s); the first request will fetch them", exc)

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and time.time() < cached[1]:
            principal = cached[0]
        else:
            if cached is not None:
                del self._verified[token]
            principal, expires_at = await self._verify_signed(token)
            self._remember(token, principal, expires_at)
        # Checked on every request, cached or not: a revocation counts within seconds.
        revocations = self._revocations
        if revocations.account_deleted(principal.user_id):
            raise AccountGone("This account has been deleted")
        if revocations.revoked(principal.user_id, principal.session_id, principal.issued_at):
            raise Unauthorized("This access token was revoked; sign in or refresh")
        return principal

    def _remember(self, token: str, principal: Principal, expires_at: float) -> None:
        if len(self._verified) >= self._cache_size:
            now = time.time()
            for stale in [t for t, (_, exp) in self._verified.items() if exp <= now]:
                del self._verified[stale]
            while len(self._verified) >= self._cache_size:  # still full: forget the oldest
                del self._verified[next(iter(self._verified))]
        self._verified[token] = (principal, expires_at)

    async def _verify_signed(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("Malformed access token") from exc
        kid = header.get("kid")
        if header.get("alg") not in ACCESS_TOKEN_ALGORITHMS or not isinstance(kid, str):
            raise Unauthorized("Access token is not signed with an accepted key")
        key = await self._key_for(kid)
        if key is None:
            raise Unauthorized("Access token signed with an unknown key")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ACCESS_TOKEN_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Access token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("Invalid access token") from exc
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            raise Unauthorized("Not an access token")
        try:
            user_id = uuid.UUID(claims["sub"])
        except ValueError as exc:
            raise Unauthorized("Invalid access token subject") from exc
        roles = claims.get("roles", [])
        try:
            session_id = uuid.UUID(claims["sid"]) if "sid" in claims else None
        except (TypeError, ValueError) as exc:
            raise Unauthorized("Invalid access token session") from exc
        principal = Principal(
            user_id=user_id,
            roles=frozenset(r for r in roles if isinstance(r, str)),
            session_id=session_id,
            issued_at=int(claims["iat"]),
        )
        return principal, float(claims["exp"])


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Missing bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    if not trace.get_current_span().is_recording():  # nobody collects spans: skip building one
        return await verifier.verify(credentials.credentials)
    with tracer.start_as_current_span("verify access token") as span:
        principal = await verifier.verify(credentials.credentials)
        span.set_attribute("enduser.id", str(principal.user_id))
        return principal


async def admin_principal(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden("This call needs the admin role")
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]
# Security with the role as its scope: the OpenAPI document names the role each admin call needs
# (`security: [{"HTTPBearer": ["admin"]}]`), and with it the 403 a user's token gets there.
AdminUser = Annotated[Principal, Security(admin_principal, scopes=[ADMIN_ROLE])]
