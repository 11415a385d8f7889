"""Presigned S3 URLs (AWS Signature Version 4, query authentication), cheaply.

botocore builds a request object, runs its handlers and derives the signing key for every URL;
a list of scores presigns a cover per item, so that cost showed in the library's CPU profile.
This signer produces the same URLs as botocore's `generate_presigned_url` (path-style addressing,
`UNSIGNED-PAYLOAD`, s3v4) with the per-day signing key and everything per-endpoint computed once.
"""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# S3 refuses a presigned URL that claims to live longer than a week.
MAX_EXPIRES_SECONDS = 7 * 24 * 3600
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _encode(value: str) -> str:
    """Percent-encode a query name or value (RFC 3986 unreserved characters stay)."""
    return quote(value, safe="-_.~")


def _endpoint_path_prefix(path: str) -> str:
    """The endpoint's path as botocore's endpoint rules use it: without empty or dot segments,
    quoted, ending in "/"."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    return quote("/" + "".join(f"{segment}/" for segment in segments))


class _DayKey(NamedTuple):
    """What is fixed for one UTC day: the signing key and the strings built from the scope."""

    datestamp: str
    signing_key: bytes
    credential_scope: str
    query_head: str  # X-Amz-Algorithm and X-Amz-Credential, ready to be followed by X-Amz-Date


class QuerySigner:
    """Presigns URLs for one endpoint and one set of credentials.

    `endpoint_url` may carry a path prefix (the gateway's `/s3`): it is part of the signed path,
    exactly as botocore signs it. Temporary credentials (a session token) are not supported.
    """

    def __init__(
        self, endpoint_url: str, access_key: str, secret_key: str, region: str, service: str = "s3"
    ) -> None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"not an http(s) endpoint URL: {endpoint_url!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"an endpoint URL has no query or fragment: {endpoint_url!r}")
        self.access_key = access_key
        self.region = region
        self.service = service
        self._secret = f"AWS4{secret_key}".encode()
        # The Host header a client sends: lowercase, without userinfo and without a default port.
        host = parts.hostname
        if ":" in host:
            host = f"[{host}]"
        if parts.port is not None and parts.port != _DEFAULT_PORTS[parts.scheme]:
            host = f"{host}:{parts.port}"
        self.host = host
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._path_prefix = _endpoint_path_prefix(parts.path)
        self._scope_tail = f"/{region}/{service}/aws4_request"
        self._bucket_paths: dict[str, str] = {}
        self._day: _DayKey | None = None

    def presign(
        self,
        method: str,
        bucket: str,
        key: str,
        expires_in: int,
        headers: Mapping[str, str] | None = None,
        now: datetime | None = None,
        response_overrides: Mapping[str, str] | None = None,
        subresources: Mapping[str, str] | None = None,
    ) -> str:
        """The URL for `method` on `bucket`/`key`, valid `expires_in` seconds from `now` (default: the clock).

        `headers` are signed too (e.g. content-type and content-length of a PUT): the client
        must send them with exactly these values. `response_overrides` are S3's signed GET
        parameters that set headers of the response, such as `response-content-disposition`.
        `subresources` are the operation's own parameters (`partNumber` and `uploadId` of a
        multipart upload's UploadPart).
        """
        if not key:
            raise ValueError("an object key is required")
        if not 0 < expires_in <= MAX_EXPIRES_SECONDS:
            raise ValueError(f"expires_in must be in 1..{MAX_EXPIRES_SECONDS} seconds, not {expires_in}")
        if now is not None and now.tzinfo is None:
            raise ValueError("now must be timezone-aware")  # a naive time would be read as local
        moment = datetime.now(UTC) if now is None else now.astimezone(UTC)
        amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
        day = self._day_key(amz_date[:8])

        if headers:
            canonical = {"host": self.host}
            for name, value in headers.items():
                lowered = name.lower()
                if lowered in canonical:
                    raise ValueError(f"header {name!r} given twice or reserved")
                # SigV4 trims the value and folds inner runs of whitespace to one space.
                canonical[lowered] = " ".join(value.split())
            names = sorted(canonical)
            signed_headers = ";".join(names)
            canonical_headers = "".join(f"{name}:{canonical[name]}\n" for name in names)
        else:
            signed_headers = "host"
            canonical_headers = f"host:{self.host}\n"

        path = self._bucket_path(bucket) + quote(key, safe="/~")
        # Already in the sorted order the canonical query string needs, so it doubles as it.
        query = (
            f"{day.query_head}&X-Amz-Date={amz_date}&X-Amz-Expires={expires_in:d}"
            f"&X-Amz-SignedHeaders={_encode(signed_headers)}"
        )
        overrides = ""
        if response_overrides or subresources:
            extra = dict(response_overrides or {})
            if not all(name.startswith("response-") for name in extra):
                raise ValueError("only response-* parameters can be added")
            if subresources:
                if not all(name[:1].islower() and name.isalnum() for name in subresources):
                    # Lower case first: the canonical order puts them after every X-Amz-* name.
                    raise ValueError("a subresource is named in letters and digits, lower case first")
                extra |= subresources
            # They sort after every X-Amz-* name; botocore puts them first in the URL.
            overrides = "&".join(f"{_encode(n)}={_encode(v)}" for n, v in sorted(extra.items()))
        canonical_query = f"{query}&{overrides}" if overrides else query
        canonical_request = (
            f"{method.upper()}\n{path}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n"
            f"{UNSIGNED_PAYLOAD}"
        )
        string_to_sign = (
            f"{ALGORITHM}\n{amz_date}\n{day.credential_scope}\n"
            f"{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        )
        signature = hmac.digest(day.signing_key, string_to_sign.encode(), "sha256").hex()
        url_query = f"{overrides}&{query}" if overrides else query
        return f"{self._origin}{path}?{url_query}&X-Amz-Signature={signature}"

    def _bucket_path(self, bucket: str) -> str:
        # A service signs for one or two buckets: the quoted path is worth keeping.
        path = self._bucket_paths.get(bucket)
        if path is None:
            path = self._bucket_paths[bucket] = f"{self._path_prefix}{_encode(bucket)}/"
        return path

    def _day_key(self, datestamp: str) -> _DayKey:
        day = self._day
        if day is None or day.datestamp != datestamp:
            # One tuple assignment: a concurrent reader sees the old day or the new, never a mix.
            day = self._day = self._derive_day_key(datestamp)
        return day

    def _derive_day_key(self, datestamp: str) -> _DayKey:
        key = self._secret
        for part in (datestamp, self.region, self.service, "aws4_request"):
            key = hmac.digest(key, part.encode(), "sha256")
        scope = f"{datestamp}{self._scope_tail}"
        query_head = f"X-Amz-Algorithm={ALGORITHM}&X-Amz-Credential={_encode(f'{self.access_key}/{scope}')}"
        return _DayKey(datestamp, key, scope, query_head)
