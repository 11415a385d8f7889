"""One upload through the gateway is one trace across every service, received over real OTLP."""

import asyncio
import hashlib
import secrets
import time

import pytest

from tests.otlp_receiver import OtlpReceiver
from tests.support import ApiClient, corpus_manifest

pytestmark = pytest.mark.stack


async def test_an_upload_is_one_connected_trace_through_every_service(api: ApiClient, otlp: OtlpReceiver):
    user = await api.register()
    data = corpus_manifest()["schoenberg_op19-2.pdf"].path.read_bytes()
    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
    # The client's own span: both of its calls belong to its one "upload" operation.
    headers = {**user.headers, "traceparent": f"00-{trace_id}-{client_span}-01"}

    upload = await api.http.post(
        "/files/upload-url",
        headers=headers,
        json={
            "filename": "op19-2.pdf",
            "size_bytes": len(data),
            "mime": "application/pdf",
            "content_hash": hashlib.sha256(data).hexdigest(),
        },
    )
    assert upload.status_code == 201
    assert upload.headers["traceparent"].split("-")[1] == trace_id
    assert (await api.put_object(upload.json(), data)).status_code == 200
    created = await api.http.post(
        "/scores", headers=headers, json={"upload_token": upload.json()["upload_token"], "title": "Op. 19/2"}
    )
    assert created.status_code == 201
    assert (await api.wait_for_score(user, created.json()["id"]))["status"] == "ready"

    expected = {
        ("files", "POST /files/upload-url"),
        ("library", "POST /scores"),
        ("files", "files.score-created process"),
        ("processor", "processor.score-uploaded process"),
        ("processor", "processor.jobs process"),
        ("billing", "billing.score-uploaded process"),
        ("library", "library.pages-counted process"),
        ("library", "library.thumbnails-generated process"),
        ("files", "files.thumbnails-generated process"),
    }
    deadline = time.monotonic() + 15
    while True:
        spans = otlp.trace(trace_id)
        seen = {(span.service, span.name) for span in spans}
        # A parent span ends (and is exported) after its children: wait for every parent too.
        ids = {span.span_id for span in spans} | {client_span}
        orphans = [span for span in spans if span.parent_span_id not in ids]
        if (expected <= seen and not orphans) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert expected <= seen, sorted(expected - seen)

    names = {span.name for span in spans}
    assert "verify access token" in names
    assert "score.created.v1 publish" in names
    assert any(span.name.startswith(("SELECT", "INSERT", "UPDATE")) for span in spans), "no database spans"
    # Connected: every span's parent is the client's span or another span of the trace.
    assert not orphans, orphans[:3]
