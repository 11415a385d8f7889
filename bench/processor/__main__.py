"""Processor benchmark: pages/s and PDFs/s of one processor instance on the corpus, against the
same work done by a bare pypdfium2 + Pillow loop in one process (the ceiling), and the time from
POST /scores to `ready` for an 11-page score on an idle stack. Run: `uv run python -m bench.processor`."""

import asyncio
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import bench_stack, print_table
from scoremate_processor.pdf import read_info, render_thumbnails
from tests.support import CORPUS, corpus_manifest

# Every engraved file but the anthology (it is all of them again) and the scan (a photo per page).
FILES = [
    name
    for name in corpus_manifest()
    if name not in ("anthology_book.pdf", "mozart_quartet-k458-mvt2_scanned-200dpi.pdf")
]


def ceiling() -> tuple[int, float]:
    """PDF_INFO and THUMBNAIL of every file in one process: pages and seconds."""
    pages = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        for name in FILES:
            info = read_info(CORPUS / name)
            pages += info.pages
            render_thumbnails(
                CORPUS / name,
                Path(out),
                cover_width_px=400,
                page_width_px=200,
                max_height_factor=3.0,
                max_pages=500,
                quality=80,
            )
    return pages, time.perf_counter() - started


async def _register(http: httpx.AsyncClient) -> dict[str, str]:
    email = f"bench-{time.time_ns()}@example.com"
    await http.post("/auth/register", json={"email": email, "password": "benchmark pw"})
    tokens = (await http.post("/auth/login", json={"email": email, "password": "benchmark pw"})).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    pro = {"plan": "pro", "receipt": "sandbox:pro:bench"}
    await http.post("/billing/plan", headers=headers, json=pro)
    await asyncio.sleep(0.5)  # files hears of the Pro quota
    return headers


async def _create(http: httpx.AsyncClient, headers: dict[str, str], data: bytes, title: str) -> str:
    upload = (
        await http.post(
            "/files/upload-url",
            headers=headers,
            json={
                "filename": title,
                "size_bytes": len(data),
                "mime": "application/pdf",
                "content_hash": hashlib.sha256(data).hexdigest(),
            },
        )
    ).json()
    async with httpx.AsyncClient() as raw:
        await raw.put(upload["url"], headers=upload["headers"], content=data)
    created = await http.post(
        "/scores", headers=headers, json={"upload_token": upload["upload_token"], "title": title}
    )
    return str(created.json()["id"])


async def _ready(http: httpx.AsyncClient, headers: dict[str, str], score_id: str) -> None:
    while (await http.get(f"/scores/{score_id}", headers=headers)).json()["status"] == "processing":
        await asyncio.sleep(0.01)


async def service_run(base_url: str) -> tuple[int, float, list[float]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        headers = await _register(http)
        # Latency on an idle stack first: an 11-page score, one at a time.
        eleven = corpus_manifest()["mozart_quartet-k458-mvt4.pdf"].path.read_bytes()
        latencies = []
        for run in range(10):
            data = eleven + f"\n% run {run}\n".encode()
            started = time.perf_counter()
            score_id = await _create(http, headers, data, "latency")
            await _ready(http, headers, score_id)
            latencies.append(time.perf_counter() - started)
        # Throughput: every file at once, until all are ready.
        pages = sum(corpus_manifest()[name].pages for name in FILES)
        started = time.perf_counter()
        ids = await asyncio.gather(
            *(_create(http, headers, (CORPUS / n).read_bytes() + b"\n% t\n", n) for n in FILES)
        )
        await asyncio.gather(*(_ready(http, headers, i) for i in ids))
        return pages, time.perf_counter() - started, latencies


def main() -> None:
    pages, seconds = ceiling()
    rows = [
        {
            "run": "bare pypdfium2 + Pillow, 1 process (ceiling)",
            "PDFs": len(FILES),
            "pages": pages,
            "seconds": f"{seconds:.2f}",
            "pages/s": f"{pages / seconds:.0f}",
            "PDFs/s": f"{len(FILES) / seconds:.1f}",
        }
    ]
    with bench_stack() as stack:
        service_pages, service_seconds, latencies = asyncio.run(service_run(stack.gateway_url))
    rows.append(
        {
            "run": "one processor instance, through the whole pipeline",
            "PDFs": len(FILES),
            "pages": service_pages,
            "seconds": f"{service_seconds:.2f}",
            "pages/s": f"{service_pages / service_seconds:.0f}",
            "PDFs/s": f"{len(FILES) / service_seconds:.1f}",
        }
    )
    print_table("Processor throughput (PDF_INFO + cover 400 px + every page 200 px, JPEG q80)", rows)
    print(
        f"\nPOST /scores -> ready, 11-page score, idle stack, 10 runs: "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"processor/ceiling = {(service_pages / service_seconds) / (pages / seconds):.0%}"
    )


if __name__ == "__main__":
    main()
