"""Load through the gateway and straight at the services at 10, 50 and 200 clients (wrk), the
memory of every process, and the pipeline: 200 uploads with one and with two processors.
Run: `uv run python -m bench.load`; writes its tables to bench/RESULTS-load.md."""

import asyncio
import hashlib
import json
import time
import uuid
from pathlib import Path

import httpx

from bench.common import BENCH_DIR, bench_stack, print_table, wrk
from scoremate_stack import Stack
from tests.support import corpus_manifest

CLIENTS = (10, 50, 200)
SECONDS = 5


async def _user(http: httpx.AsyncClient) -> tuple[str, str, dict[str, str]]:
    email = f"load-{uuid.uuid4().hex[:8]}@example.com"
    await http.post("/auth/register", json={"email": email, "password": "load test pw"})
    token = (await http.post("/auth/login", json={"email": email, "password": "load test pw"})).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    await http.post(
        "/billing/plan", headers=headers, json={"plan": "pro", "receipt": f"sandbox:pro:load-{uuid.uuid4()}"}
    )
    await asyncio.sleep(0.5)
    return email, token, headers


async def _upload(http: httpx.AsyncClient, headers: dict[str, str], data: bytes, title: str) -> str:
    body = {
        "filename": title,
        "size_bytes": len(data),
        "mime": "application/pdf",
        "content_hash": hashlib.sha256(data).hexdigest(),
    }
    for _ in range(20):
        response = await http.post("/files/upload-url", headers=headers, json=body)
        if response.status_code == 201:
            break
        # 403 until files hears of the Pro plan; 5xx while a service is saturated.
        await asyncio.sleep(0.5)
    else:
        raise RuntimeError(f"upload-url kept failing: {response.status_code} {response.text[:200]}")
    upload = response.json()
    async with httpx.AsyncClient(timeout=60) as raw:
        await raw.put(upload["url"], headers=upload["headers"], content=data)
    created = await http.post(
        "/scores", headers=headers, json={"upload_token": upload["upload_token"], "title": title}
    )
    return str(created.json()["id"])


async def _settle(http: httpx.AsyncClient, headers: dict[str, str], ids: list[str]) -> int:
    ready = 0
    for score_id in ids:
        while (
            status := (await http.get(f"/scores/{score_id}", headers=headers)).json()["status"]
        ) == "processing":
            await asyncio.sleep(0.05)
        ready += status == "ready"
    return ready


async def pipeline(stack: Stack, uploads: int) -> dict[str, object]:
    small = [n for n, f in corpus_manifest().items() if f.size_bytes < 200_000]
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        _, _, headers = await _user(http)
        started = time.perf_counter()
        limit = asyncio.Semaphore(20)

        async def one(index: int) -> str:
            name = small[index % len(small)]
            async with limit:
                data = corpus_manifest()[name].path.read_bytes() + f"\n% {index}\n".encode()
                return await _upload(http, headers, data, name)

        ids = await asyncio.gather(*(one(i) for i in range(uploads)))
        ready = await _settle(http, headers, ids)
        seconds = time.perf_counter() - started
    return {
        "uploads": uploads,
        "ready": ready,
        "seconds": f"{seconds:.1f}",
        "ready/s": f"{ready / seconds:.1f}",
    }


def memory(stack: Stack) -> list[dict[str, object]]:
    rows = []
    for name, pid in stack.status().items():
        if pid is None:
            continue
        status = Path(f"/proc/{pid}/status").read_text()
        rss = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        rows.append({"process": name, "RSS MiB": f"{int(rss) / 1024:.0f}"})
    return rows


async def prepare(stack: Stack) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as http:
        email, token, headers = await _user(http)
        data = corpus_manifest()["schoenberg_op19-2.pdf"].path.read_bytes()
        ids = [await _upload(http, headers, data + f"\n% {i}\n".encode(), f"Piece {i}") for i in range(25)]
        await _settle(http, headers, ids)
        return {"email": email, "token": token, "score_id": ids[0]}


def main() -> None:
    tables = []
    with bench_stack() as stack:
        context = asyncio.run(prepare(stack))
        token, score_id = context["token"], context["score_id"]
        calls = [
            (
                "POST /auth/login",
                "auth",
                "/auth/login",
                "POST",
                json.dumps({"email": context["email"], "password": "load test pw"}),
                None,
            ),
            ("GET /scores", "library", "/scores", "GET", None, token),
            ("GET /scores/{id}", "library", f"/scores/{score_id}", "GET", None, token),
            (
                "POST /files/upload-url",
                "files",
                "/files/upload-url",
                "POST",
                json.dumps(
                    {
                        "filename": "x.pdf",
                        "size_bytes": 1000,
                        "mime": "application/pdf",
                        "content_hash": "ab" * 32,
                    }
                ),
                token,
            ),
            (
                "GET /files/download-url",
                "files",
                f"/files/download-url?score_id={score_id}",
                "GET",
                None,
                token,
            ),
        ]
        rows = []
        for name, service, path, method, body, auth in calls:
            for clients in CLIENTS:
                for via, base in (("gateway", stack.gateway_url), ("service", stack.service_url(service))):
                    figures = wrk(
                        base + path, auth, connections=clients, seconds=SECONDS, method=method, body=body
                    )
                    rows.append(
                        {
                            "call": name,
                            "clients": clients,
                            "via": via,
                            "rps": f"{figures['rps']:.0f}",
                            "p50 ms": f"{figures['p50_ms']:.1f}",
                            "p95 ms": f"{figures['p95_ms']:.1f}",
                            "p99 ms": f"{figures['p99_ms']:.1f}",
                            "errors": int(figures["errors"]),
                        }
                    )
        tables.append(print_table(f"Calls at 10, 50 and 200 clients ({SECONDS} s each, wrk)", rows))
        tables.append(print_table("Memory after the load (RSS)", memory(stack)))
        one = asyncio.run(pipeline(stack, 200))
        stack.start_service("processor", 2)
        two = asyncio.run(pipeline(stack, 200))
        stack.stop("processor-2")
        tables.append(
            print_table(
                "Pipeline: 200 uploads sent 20 at a time until all are ready",
                [{"processors": 1, **one}, {"processors": 2, **two}],
            )
        )
    (BENCH_DIR / "RESULTS-load.md").write_text(
        "# Load results (`uv run python -m bench.load`)\n\n" + "\n\n".join(tables) + "\n"
    )


if __name__ == "__main__":
    main()
