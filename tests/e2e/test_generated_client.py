"""The upload walk-through of the README with nothing but the generated client (clients/python):
the document it was generated from must describe what the gateway really answers."""

import asyncio
import hashlib
import uuid

import httpx
import pytest

from scoremate_client import AuthenticatedClient, Client
from scoremate_client.api.auth import auth_login, auth_register
from scoremate_client.api.billing import billing_get_usage
from scoremate_client.api.files import files_create_upload_url, files_get_download_url
from scoremate_client.api.scores import scores_create, scores_get
from scoremate_client.models import (
    DownloadUrlOut,
    LoginIn,
    Problem,
    RegisterIn,
    ScoreCreate,
    ScoreOut,
    TokensOut,
    UploadUrlIn,
    UploadUrlOut,
    UsageOut,
    UserOut,
)
from tests.support import corpus_manifest

pytestmark = pytest.mark.stack


async def test_register_upload_and_read_back_a_score_with_the_generated_client(stack):
    expected = corpus_manifest()["mozart_quartet-k458-mvt4.pdf"]
    data = expected.path.read_bytes()
    email, password = f"client-{uuid.uuid4().hex[:10]}@example.com", "generated client pw"

    async with Client(base_url=stack.gateway_url, timeout=httpx.Timeout(30)) as anonymous:
        user = await auth_register.asyncio(client=anonymous, body=RegisterIn(email=email, password=password))
        assert isinstance(user, UserOut)
        tokens = await auth_login.asyncio(client=anonymous, body=LoginIn(email=email, password=password))
        assert isinstance(tokens, TokensOut)

    async with AuthenticatedClient(
        base_url=stack.gateway_url, token=tokens.access_token, timeout=httpx.Timeout(30)
    ) as client:
        upload = await files_create_upload_url.asyncio(
            client=client,
            body=UploadUrlIn(
                filename=expected.path.name,
                size_bytes=len(data),
                mime="application/pdf",
                content_hash=hashlib.sha256(data).hexdigest(),
            ),
        )
        assert isinstance(upload, UploadUrlOut)
        async with httpx.AsyncClient(timeout=30) as raw:
            put = await raw.put(upload.url, headers=upload.headers.to_dict(), content=data)
        assert put.status_code == 200

        created = await scores_create.asyncio(
            client=client, body=ScoreCreate(upload_token=upload.upload_token, title="Hunt quartet")
        )
        assert isinstance(created, ScoreOut)
        assert created.status == "processing"
        assert created.id == upload.score_id

        score = created
        for _ in range(300):
            read = await scores_get.asyncio(client=client, score_id=created.id)
            assert isinstance(read, ScoreOut)
            score = read
            if score.status != "processing":
                break
            await asyncio.sleep(0.1)
        assert score.status == "ready", score.error
        assert score.pages == expected.pages

        page = await files_get_download_url.asyncio(client=client, score_id=created.id, page=1)
        assert isinstance(page, DownloadUrlOut)
        usage = await billing_get_usage.asyncio(client=client)
        assert isinstance(usage, UsageOut)
        assert usage.scores == 1

        # Errors parse as the document says: a problem, not an untyped body.
        missing = await scores_get.asyncio(client=client, score_id=uuid.uuid4())
        assert isinstance(missing, Problem)
        assert missing.status == 404
