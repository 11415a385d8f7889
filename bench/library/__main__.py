"""Library read benchmark: 1,000,000 scores over 10,000 users (one with 100,000); list page 1,
a partial-word search, a tag filter and GET /scores/{id} for that user, at the library service
and through the gateway, 50 concurrent clients (wrk). Run: `uv run python -m bench.library`."""

import asyncio
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.common import bench_stack, print_table, wrk

TOTAL_SCORES = 1_000_000
USERS = 10_000
HEAVY_USER_SCORES = 100_000
COMPOSERS = [
    "Antonín Dvořák",
    "J. S. Bach",
    "Clara Schumann",
    "Béla Bartók",
    "Fanny Mendelssohn",
    "Erik Satie",
]
WORDS = [
    "Humoresque",
    "Sonata",
    "Étude",
    "Nocturne",
    "Prelude",
    "Fugue",
    "Waltz",
    "Invention",
    "Lied",
    "Suite",
]
TAGS = ["Romantic", "Baroque", "Piano", "Strings", "Choir", "Jazz", "Practice", "Concert"]


def _rows(user_ids: list[uuid.UUID], heavy: uuid.UUID) -> Iterator[tuple[object, ...]]:
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for index in range(TOTAL_SCORES):
        user_id = heavy if index < HEAVY_USER_SCORES else user_ids[index % len(user_ids)]
        tags = rng.sample(TAGS, 2)
        created = start + timedelta(seconds=index * 30)
        yield (
            uuid.uuid4(),
            user_id,
            f"{rng.choice(WORDS)} No. {index % 97} in {rng.choice('ABCDEFG')}",
            rng.choice(COMPOSERS),
            None,
            tags,
            [t.casefold() for t in tags],
            None,
            "ready",
            3,
            "[[595.28, 841.89], [595.28, 841.89], [595.28, 841.89]]",
            100_000,
            "application/pdf",
            f"{index:064x}",
            f"{user_id}/scores/x/original.pdf",
            f"{user_id}/scores/x/cover.jpg",
            created,
            created,
        )


async def seed(dsn: str, heavy: uuid.UUID) -> tuple[float, uuid.UUID]:
    connection = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        started = time.perf_counter()
        user_ids = [uuid.uuid4() for _ in range(USERS - 1)]
        await connection.copy_records_to_table(
            "scores",
            schema_name="library",
            columns=[
                "id",
                "user_id",
                "title",
                "composer",
                "instrumentation",
                "tags",
                "tags_norm",
                "note",
                "status",
                "pages",
                "page_sizes",
                "size_bytes",
                "mime",
                "content_hash",
                "object_key",
                "cover_key",
                "created_at",
                "updated_at",
            ],
            records=_rows(user_ids, heavy),
        )
        # Index-only counts need the visibility map: vacuum, as autovacuum would after a bulk load.
        await connection.execute("VACUUM ANALYZE library.scores")
        one = await connection.fetchval("SELECT id FROM library.scores WHERE user_id = $1 LIMIT 1", heavy)
        return time.perf_counter() - started, one
    finally:
        await connection.close()


async def main() -> None:
    with bench_stack() as stack:
        async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as http:
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            registered = await http.post("/auth/register", json={"email": email, "password": "benchmark pw"})
            heavy = uuid.UUID(registered.json()["id"])
            token = (
                await http.post("/auth/login", json={"email": email, "password": "benchmark pw"})
            ).json()["access_token"]
        seconds, score_id = await seed(stack.superuser_database_url, heavy)
        print(f"seeded {TOTAL_SCORES:,} scores over {USERS:,} users in {seconds:.0f} s", flush=True)
        calls = {
            "GET /scores (page 1)": "/scores",
            "GET /scores?query=humor": "/scores?query=humor",
            "GET /scores?tag=baroque": "/scores?tag=baroque",
            "GET /scores/{id}": f"/scores/{score_id}",
        }
        rows = []
        for name, path in calls.items():
            for where, base in (("service", stack.service_url("library")), ("gateway", stack.gateway_url)):
                wrk(base + path, token, seconds=3)  # warm-up
                figures = wrk(base + path, token, seconds=10)
                rows.append(
                    {
                        "call": name,
                        "via": where,
                        "rps": f"{figures['rps']:.0f}",
                        "p50 ms": f"{figures['p50_ms']:.1f}",
                        "p95 ms": f"{figures['p95_ms']:.1f}",
                        "p99 ms": f"{figures['p99_ms']:.1f}",
                        "errors": int(figures["errors"]),
                    }
                )
        print_table("Library reads, user with 100,000 of 1,000,000 scores, 50 connections (wrk)", rows)


if __name__ == "__main__":
    asyncio.run(main())
