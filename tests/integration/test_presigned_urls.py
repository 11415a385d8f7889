"""SeaweedFS accepts the URLs ObjectStorage presigns (scoremate_shared.sigv4), through the gateway
and straight.

The upload pipeline tests cover the service's own keys (UUID paths) through the gateway; these
keys are the ones whose encoding could disagree between signer and server.
"""

import uuid
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from scoremate_shared.settings import StorageSettings
from scoremate_shared.storage import ObjectStorage

pytestmark = pytest.mark.stack

# What survives the gateway: nginx decodes %2B to '+' and SeaweedFS still agrees on the signature.
GATEWAY_NAMES = ["plain.pdf", "a+b=c&d.pdf", "tilde~and-dash_under.pdf", "nested/deeper/still/cover.jpg"]
# What needs percent-encoding in the path (or holds '//'): signed right, refused behind the gateway.
ENCODED_NAMES = ["with spaces/and  two  spaces.pdf", "Dvořák étude.pdf", "50%.pdf", "double//slash.pdf"]


def storage_for(stack, public_endpoint_url: str | None = None) -> ObjectStorage:
    env = stack.cfg.service_env("files")
    return ObjectStorage(
        StorageSettings(
            s3_endpoint_url=env["S3_ENDPOINT_URL"],
            s3_public_endpoint_url=public_endpoint_url or env["S3_PUBLIC_ENDPOINT_URL"],
            s3_access_key=env["S3_ACCESS_KEY"],
            s3_secret_key=env["S3_SECRET_KEY"],
            s3_bucket=env["S3_BUCKET"],
            s3_region=env["S3_REGION"],
        )
    )


@pytest.fixture
async def gateway_storage(stack) -> AsyncIterator[ObjectStorage]:
    """Presigns for the gateway's /s3/ route, as the services do."""
    storage = storage_for(stack)
    await storage.start()
    yield storage
    await storage.close()


@pytest.fixture
async def direct_storage(stack) -> AsyncIterator[ObjectStorage]:
    """Presigns for SeaweedFS's own S3 port: the signer meets the server without nginx between."""
    storage = storage_for(stack, public_endpoint_url=stack.cfg.service_env("files")["S3_ENDPOINT_URL"])
    await storage.start()
    yield storage
    await storage.close()


async def assert_round_trip(storage: ObjectStorage, name: str) -> None:
    key = f"sigv4-test/{uuid.uuid4()}/{name}"
    data = f"%PDF-1.4 bytes of {name}".encode()
    put_url, headers, _ = storage.presign_put(key, "application/pdf", len(data))
    get_url, _ = storage.presign_get(key)
    try:
        async with httpx.AsyncClient(timeout=10) as raw:
            # Signed headers are enforced: another content type is refused.
            wrong_type = await raw.put(put_url, headers=headers | {"Content-Type": "image/png"}, content=data)
            assert wrong_type.status_code == 403, wrong_type.text
            put = await raw.put(put_url, headers=headers, content=data)
            assert put.status_code == 200, put.text
            got = await raw.get(get_url)
            assert got.status_code == 200, got.text
            assert got.content == data
            # And the signature is checked at all: one changed hex digit is refused.
            signature = dict(parse_qsl(urlsplit(get_url).query))["X-Amz-Signature"]
            forged = ("0" if signature[0] != "0" else "1") + signature[1:]
            assert (await raw.get(get_url.replace(signature, forged))).status_code == 403
        # The object landed under the very key that was signed, not a decoded or re-encoded one.
        head = await storage.s3.head_object(Bucket=storage.bucket, Key=key)
        assert head["ContentLength"] == len(data)
    finally:
        await storage.s3.delete_object(Bucket=storage.bucket, Key=key)


@pytest.mark.parametrize("name", GATEWAY_NAMES)
async def test_presigned_put_and_get_through_the_gateway(gateway_storage: ObjectStorage, stack, name: str):
    assert gateway_storage.presign_get(name)[0].startswith(f"{stack.gateway_url}/s3/scores/")
    await assert_round_trip(gateway_storage, name)


@pytest.mark.parametrize("name", GATEWAY_NAMES + ENCODED_NAMES)
async def test_presigned_put_and_get_straight_to_seaweedfs(direct_storage: ObjectStorage, name: str):
    await assert_round_trip(direct_storage, name)


@pytest.mark.xfail(
    strict=True,
    reason="SeaweedFS checks a request carrying X-Forwarded-Prefix against a path it does not "
    "re-encode, and nginx merges '//': keys that need percent-encoding fail behind the gateway "
    "(botocore's URLs too). Service keys are UUID paths, so nothing uses such keys today.",
)
@pytest.mark.parametrize("name", ENCODED_NAMES)
async def test_keys_that_need_encoding_through_the_gateway(gateway_storage: ObjectStorage, name: str):
    await assert_round_trip(gateway_storage, name)
