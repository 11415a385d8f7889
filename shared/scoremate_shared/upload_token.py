"""The upload token: files signs it, library checks it locally when the score is created."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
AUDIENCE = "scoremate-library"
ISSUER = "scoremate-files"


class InvalidUploadToken(Exception):
    """The token is malformed, tampered with, expired or not an upload token."""


@dataclass(frozen=True)
class UploadClaim:
    """What the files service vouches for: whose upload, which object, of what size, type and hash."""

    user_id: uuid.UUID
    score_id: uuid.UUID
    object_key: str
    size_bytes: int
    mime: str
    content_hash: str
    filename: str
    expires_at: datetime


def issue_upload_token(secret: str, claim: UploadClaim) -> str:
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(claim.user_id),
        "score_id": str(claim.score_id),
        "object_key": claim.object_key,
        "size_bytes": claim.size_bytes,
        "mime": claim.mime,
        "content_hash": claim.content_hash,
        "filename": claim.filename,
        "exp": int(claim.expires_at.timestamp()),
        "iat": int(datetime.now(UTC).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def verify_upload_token(secret: str, token: str, *, leeway: timedelta = timedelta(seconds=0)) -> UploadClaim:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=leeway,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
        return UploadClaim(
            user_id=uuid.UUID(claims["sub"]),
            score_id=uuid.UUID(claims["score_id"]),
            object_key=str(claims["object_key"]),
            size_bytes=int(claims["size_bytes"]),
            mime=str(claims["mime"]),
            content_hash=str(claims["content_hash"]),
            filename=str(claims.get("filename", "")),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidUploadToken("upload token expired") from exc
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise InvalidUploadToken("upload token invalid") from exc
