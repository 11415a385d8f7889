"""The SigV4 query signer must produce byte for byte the URLs botocore's presigner produces."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

import boto3
import botocore.auth
import pytest
from botocore.config import Config

from scoremate_shared.settings import StorageSettings
from scoremate_shared.sigv4 import QuerySigner
from scoremate_shared.storage import ObjectStorage

ACCESS_KEY = "scoremate-access"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BUCKET = "scores"
# One second before midnight: the date in the scope and in X-Amz-Date must agree.
FROZEN = datetime(2024, 2, 29, 23, 59, 59, 750_000, tzinfo=UTC)

KEYS = [
    "0b6c2c1e-7f1f-4a44-9d1b-2b8f3f0d6a11/scores/5d7e/original.pdf",
    "with spaces/and  two  spaces .pdf",
    "Dvořák étude.pdf",
    "日本語/楽譜 №1.pdf",
    "a+b=c&d.pdf",
    "tilde~and-dash_under.score.pdf",
    "nested/deeper/still/deeper/cover.jpg",
    "double//slash/",
    "/leading-slash.pdf",
    "./dot/../segments.pdf",
    "punctuation !$'()*,;:@[]#?%.pdf",
]
ENDPOINTS = [
    "http://127.0.0.1:18080/s3",  # the gateway's prefix, as the stack configures it
    "http://127.0.0.1:18080/s3/",
    "https://Files.ScoreMate.example",
    "https://files.scoremate.example:443",
    "http://localhost:9000",
    "http://[::1]:8333/prefix/s3",
    "http://user:secret@localhost:9000",
    # Odd but possible: botocore drops empty and dot segments and quotes the endpoint's path.
    "http://localhost:9000/s3//",
    "http://localhost:9000/a/./b/../s3",
    "http://localhost:9000/a%20b/c d",
]


def botocore_client(endpoint_url: str, region: str = "us-east-1") -> Any:
    """A presigner configured as ObjectStorage configured it before the QuerySigner."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture
def frozen_botocore() -> Iterator[None]:
    # botocore.auth reads the clock through this name (botocore.compat.get_current_datetime,
    # a naive UTC datetime); older releases called datetime.datetime.utcnow() instead.
    # If the name goes away the patch fails loudly rather than leaving the clock running.
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=FROZEN.replace(tzinfo=None)):
        yield


def assert_same(ours: str, theirs: str) -> None:
    assert "X-Amz-Date=20240229T235959Z" in theirs, "botocore's clock was not frozen"
    assert ours == theirs


@pytest.mark.usefixtures("frozen_botocore")
@pytest.mark.parametrize("key", KEYS)
def test_get_url_matches_botocore(key: str) -> None:
    endpoint = "http://127.0.0.1:18080/s3"
    theirs = botocore_client(endpoint).generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300
    )
    ours = QuerySigner(endpoint, ACCESS_KEY, SECRET_KEY, "us-east-1").presign(
        "GET", BUCKET, key, 300, now=FROZEN
    )
    assert_same(ours, theirs)


@pytest.mark.usefixtures("frozen_botocore")
@pytest.mark.parametrize(
    "disposition",
    [
        'attachment; filename="Nocturne.pdf"',
        "attachment; filename=\"Dvo_ak.pdf\"; filename*=UTF-8''Dvo%C5%99%C3%A1k%20%C3%A9tude.pdf",
    ],
)
def test_get_url_with_a_signed_content_disposition_matches_botocore(disposition: str) -> None:
    endpoint = "http://127.0.0.1:18080/s3"
    key = "u/scores/s/original.pdf"
    theirs = botocore_client(endpoint).generate_presigned_url(
        "get_object",
        Params={"Bucket": BUCKET, "Key": key, "ResponseContentDisposition": disposition},
        ExpiresIn=300,
    )
    ours = QuerySigner(endpoint, ACCESS_KEY, SECRET_KEY, "us-east-1").presign(
        "GET", BUCKET, key, 300, now=FROZEN, response_overrides={"response-content-disposition": disposition}
    )
    assert_same(ours, theirs)


@pytest.mark.usefixtures("frozen_botocore")
@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    ("content_type", "content_length"),
    [("application/pdf", 1_234_567), ("image/jpeg", 0), ("  text/plain;   charset=utf-8 ", 42)],
)
def test_put_url_with_signed_headers_matches_botocore(
    key: str, content_type: str, content_length: int
) -> None:
    endpoint = "http://127.0.0.1:18080/s3"
    theirs = botocore_client(endpoint).generate_presigned_url(
        "put_object",
        Params={"Bucket": BUCKET, "Key": key, "ContentType": content_type, "ContentLength": content_length},
        ExpiresIn=120,
    )
    headers = {"Content-Type": content_type, "Content-Length": str(content_length)}
    ours = QuerySigner(endpoint, ACCESS_KEY, SECRET_KEY, "us-east-1").presign(
        "PUT", BUCKET, key, 120, headers=headers, now=FROZEN
    )
    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in ours
    assert_same(ours, theirs)


@pytest.mark.usefixtures("frozen_botocore")
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1"])
@pytest.mark.parametrize("expires_in", [1, 300, 604_800])
def test_endpoint_region_and_expiry_match_botocore(endpoint: str, region: str, expires_in: int) -> None:
    theirs = botocore_client(endpoint, region).generate_presigned_url(
        "get_object", Params={"Bucket": "my.bucket-1", "Key": "Dvořák étude.pdf"}, ExpiresIn=expires_in
    )
    ours = QuerySigner(endpoint, ACCESS_KEY, SECRET_KEY, region).presign(
        "GET", "my.bucket-1", "Dvořák étude.pdf", expires_in, now=FROZEN
    )
    assert_same(ours, theirs)


@pytest.mark.usefixtures("frozen_botocore")
@pytest.mark.parametrize("upload_id", ["2b5f0c1e7d6a4f3b9c8d", "VXBsb2FkIElE.Zm9y-bXk_dXBsb2Fk/+=", "ü ID"])
@pytest.mark.parametrize("part_number", [1, 10_000])
def test_upload_part_url_matches_botocore(upload_id: str, part_number: int) -> None:
    """A multipart upload's part URL: partNumber and uploadId are signed with the length."""
    endpoint = "http://127.0.0.1:18080/s3"
    key = "staging/u/s.pdf"
    theirs = botocore_client(endpoint).generate_presigned_url(
        "upload_part",
        Params={
            "Bucket": BUCKET,
            "Key": key,
            "PartNumber": part_number,
            "UploadId": upload_id,
            "ContentLength": 5_242_880,
        },
        ExpiresIn=300,
    )
    ours = QuerySigner(endpoint, ACCESS_KEY, SECRET_KEY, "us-east-1").presign(
        "PUT",
        BUCKET,
        key,
        300,
        headers={"Content-Length": "5242880"},
        now=FROZEN,
        subresources={"partNumber": str(part_number), "uploadId": upload_id},
    )
    assert_same(ours, theirs)


@pytest.mark.usefixtures("frozen_botocore")
def test_object_storage_presigns_as_botocore_did() -> None:
    settings = StorageSettings(
        s3_endpoint_url="http://127.0.0.1:24333",
        s3_public_endpoint_url="http://127.0.0.1:18080/s3",
        s3_access_key=ACCESS_KEY,
        s3_secret_key=SECRET_KEY,
        s3_bucket=BUCKET,
    )
    storage = ObjectStorage(settings)
    presigner = botocore_client(settings.s3_public_endpoint_url)
    key = "u/scores/s/original.pdf"
    with mock.patch("scoremate_shared.storage.datetime") as clock:
        clock.now.return_value = FROZEN
        get_url, get_expires = storage.presign_get(key, 60)
        put_url, put_headers, put_expires = storage.presign_put(key, "application/pdf", 2048)
    assert_same(
        get_url,
        presigner.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=60),
    )
    assert get_expires == FROZEN + timedelta(seconds=60)
    params = {"Bucket": BUCKET, "Key": key, "ContentType": "application/pdf", "ContentLength": 2048}
    assert_same(put_url, presigner.generate_presigned_url("put_object", Params=params, ExpiresIn=300))
    assert put_headers == {"Content-Type": "application/pdf", "Content-Length": "2048"}
    assert put_expires == FROZEN + timedelta(seconds=300)
    with mock.patch("scoremate_shared.storage.datetime") as clock:
        clock.now.return_value = FROZEN
        part_url, part_headers, part_expires = storage.presign_upload_part(key, "upload-1", 2, 4096, 120)
    params = {"Bucket": BUCKET, "Key": key, "PartNumber": 2, "UploadId": "upload-1", "ContentLength": 4096}
    assert_same(part_url, presigner.generate_presigned_url("upload_part", Params=params, ExpiresIn=120))
    assert part_headers == {"Content-Length": "4096"}
    assert part_expires == FROZEN + timedelta(seconds=120)


def test_signing_key_is_derived_once_per_utc_day() -> None:
    signer = QuerySigner("http://127.0.0.1:18080/s3", ACCESS_KEY, SECRET_KEY, "us-east-1")
    with mock.patch.object(signer, "_derive_day_key", wraps=signer._derive_day_key) as derive:
        first = signer.presign("GET", BUCKET, "a.pdf", 300, now=FROZEN - timedelta(hours=23))
        signer.presign("GET", BUCKET, "b.pdf", 300, now=FROZEN)
        signer.presign("PUT", BUCKET, "c.pdf", 300, headers={"Content-Type": "application/pdf"}, now=FROZEN)
        assert derive.call_count == 1
        next_day = signer.presign("GET", BUCKET, "a.pdf", 300, now=FROZEN + timedelta(seconds=1))
        assert derive.call_count == 2
    assert [call.args for call in derive.call_args_list] == [("20240229",), ("20240301",)]
    assert "X-Amz-Credential=scoremate-access%2F20240229%2F" in first
    assert "X-Amz-Credential=scoremate-access%2F20240301%2F" in next_day


def test_a_non_utc_now_signs_the_same_instant() -> None:
    signer = QuerySigner("http://127.0.0.1:18080/s3", ACCESS_KEY, SECRET_KEY, "us-east-1")
    vienna = FROZEN.astimezone(timezone(timedelta(hours=1)))
    assert signer.presign("GET", BUCKET, "a.pdf", 300, now=vienna) == signer.presign(
        "GET", BUCKET, "a.pdf", 300, now=FROZEN
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": ""}, "object key"),
        ({"expires_in": 0}, "expires_in"),
        ({"expires_in": 604_801}, "expires_in"),
        ({"now": datetime(2024, 2, 29, 12)}, "timezone-aware"),
        ({"headers": {"Host": "elsewhere.example"}}, "reserved"),
        ({"subresources": {"X-Amz-Date": "20240101T000000Z"}}, "subresource"),
        ({"response_overrides": {"uploadId": "x"}}, "response-"),
    ],
)
def test_refuses_what_it_cannot_sign(kwargs: dict[str, Any], message: str) -> None:
    signer = QuerySigner("http://127.0.0.1:18080/s3", ACCESS_KEY, SECRET_KEY, "us-east-1")
    call: dict[str, Any] = {
        "method": "GET",
        "bucket": BUCKET,
        "key": "a.pdf",
        "expires_in": 300,
        "now": FROZEN,
    }
    with pytest.raises(ValueError, match=message):
        signer.presign(**(call | kwargs))


@pytest.mark.parametrize("endpoint", ["ftp://files.example", "http:///no-host", "http://h/s3?x=1"])
def test_refuses_an_unusable_endpoint(endpoint: str) -> None:
    with pytest.raises(ValueError, match="endpoint URL"):
        QuerySigner(endpoint, ACCESS_KEY, SECRET_KEY, "us-east-1")
