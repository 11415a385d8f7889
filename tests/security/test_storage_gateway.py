"""Issue 11: what the gateway's /s3/ lets through, downloads as attachments, and access logs."""

import json

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack


def _gateway_s3(stack):
    """An S3 client that signs for the gateway's /s3/ with the stack's own credentials: what
    anyone who learns (or guesses) a storage key could do."""
    return boto3.client(
        "s3",
        endpoint_url=f"{stack.gateway_url}/s3",
        aws_access_key_id=stack.cfg.s3_access_key,
        aws_secret_access_key=stack.cfg.s3_secret_key,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


async def test_the_gateway_passes_only_presigned_object_gets_and_puts(api: ApiClient, stack):
    """Row 2: listing, deleting and unsigned reads never reach storage through the gateway."""
    user = await api.register()
    score = await api.upload_score(user, corpus_manifest()["schoenberg_op19-6.pdf"].path.read_bytes(), "S")
    ready = await api.wait_for_score(user, score["id"])
    cover_url = ready["thumbnail_url"]
    s3 = _gateway_s3(stack)
    bucket = stack.cfg.s3_bucket
    signed_list = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket}, ExpiresIn=60)
    object_path = cover_url.split("?")[0]
    key = object_path.split(f"/s3/{bucket}/", 1)[1]
    signed_delete = s3.generate_presigned_url(
        "delete_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60
    )
    signed_acl = s3.generate_presigned_url(
        "get_object_acl", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60
    )
    async with httpx.AsyncClient(timeout=10) as raw:
        assert (await raw.get(signed_list)).status_code == 403
        assert (await raw.delete(signed_delete)).status_code == 403
        assert (await raw.get(signed_acl)).status_code == 403
        assert (await raw.get(object_path)).status_code == 403  # no signature at all
        assert (await raw.post(cover_url, content=b"x")).status_code == 403
        cover = await raw.get(cover_url)
        assert cover.status_code == 200
        assert cover.headers["x-content-type-options"] == "nosniff"
    # The object is still there: the refused DELETE never reached storage.
    async with httpx.AsyncClient(timeout=10) as raw:
        assert (await raw.get(cover_url)).status_code == 200


async def test_the_original_downloads_as_an_attachment_and_urls_stay_out_of_the_access_log(
    api: ApiClient, stack
):
    """Row 11: the PDF is never shown from the API's origin; row 13: no signature in the log."""
    user = await api.register()
    data = corpus_manifest()["schoenberg_op19-6.pdf"].path.read_bytes() + b"\n% attachment\n"
    score = await api.upload_score(user, data, "Sechs kleine Klavierstücke")
    await api.wait_for_score(user, score["id"])
    link = await api.http.get("/files/download-url", params={"score_id": score["id"]}, headers=user.headers)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient(timeout=10) as raw:
        original = await raw.get(link.json()["url"])
    assert original.status_code == 200
    assert original.content == data
    assert original.headers["content-disposition"].startswith("attachment;")
    assert original.headers["x-content-type-options"] == "nosniff"
    log = (stack.cfg.log_dir / "gateway-access.json").read_text()
    s3_lines = [json.loads(line) for line in log.splitlines() if '"/s3/' in line]
    assert s3_lines, "the downloads above are in the access log"
    assert not [line for line in s3_lines if "X-Amz" in line["uri"]]
