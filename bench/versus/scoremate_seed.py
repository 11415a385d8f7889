"""ScoreMate's library.scores seeded with the peer's data: the peer's own generator (its seed.py,
same random seed, same order) gives the rows, rewritten for ScoreMate's columns and loaded with COPY."""

import random
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType

import asyncpg

from bench.versus.peer import plain_dsn

NULL = "\\N"  # COPY text format
BATCH = 20_000
COLUMNS = [
    "id",
    "user_id",
    "title",
    "composer",
    "instrumentation",
    "tags",
    "tags_norm",
    "note",
    "status",
    "error",
    "pages",
    "page_sizes",
    "size_bytes",
    "mime",
    "content_hash",
    "object_key",
    "cover_key",
    "created_at",
    "updated_at",
]


@dataclass(frozen=True)
class Shape:
    """`users` owners of `per_user` scores each, plus one owner of `big_user` scores."""

    users: int
    per_user: int
    big_user: int

    @property
    def total(self) -> int:
        return self.users * self.per_user + self.big_user


def scoremate_line(peer_line: str) -> str:
    """One row of the peer's seed (its `scores` columns) as a row of library.scores."""
    fields = peer_line.split("\t")
    if len(fields) != 17:
        raise ValueError(f"unexpected row from the peer's seed.py: {peer_line!r}")
    (sid, uid, title, composer, instr, tags, note, status, error, pages, page_sizes) = fields[:11]
    size, mime, content_hash, thumb, created, updated = fields[11:]
    return "\t".join(
        (
            sid,
            uid,
            title,
            # ScoreMate keeps an empty optional field as NULL, and no page sizes before processing.
            composer or NULL,
            instr or NULL,
            tags,
            tags.casefold(),
            note or NULL,
            status,
            error,
            pages,
            NULL if page_sizes == "[]" else page_sizes,
            size,
            mime,
            content_hash,
            f"{uid}/scores/{sid}/original.pdf",
            NULL if thumb == NULL else f"{uid}/scores/{sid}/cover.jpg",
            created,
            updated,
        )
    )


def copy_chunks(peer_seed: ModuleType, shape: Shape, small: uuid.UUID, big: uuid.UUID) -> Iterator[bytes]:
    """The peer seed's random stream replayed: user ids first, then each user's scores in order.

    user1 becomes the `small` ScoreMate account and big@peer.test the `big` one; the others keep
    the peer's ids as bare owners.
    """
    rng = random.Random(42)  # seed.py's default --seed
    now = datetime.now(UTC)
    owners = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(shape.users)]
    plan = [(str(small) if i == 0 else owner, shape.per_user) for i, owner in enumerate(owners)]
    if shape.big_user > 0:
        rng.getrandbits(128)  # big@peer.test's id in the peer's stream
        plan.append((str(big), shape.big_user))
    lines: list[str] = []
    for owner, count in plan:
        left = count
        while left:
            take = min(left, BATCH - len(lines))
            lines.extend(scoremate_line(line) for line in peer_seed.score_lines(rng, owner, take, now))
            left -= take
            if len(lines) >= BATCH:
                yield ("\n".join(lines) + "\n").encode()
                lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode()


async def _as_async(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def seed(
    superuser_url: str, peer_seed: ModuleType, shape: Shape, small: uuid.UUID, big: uuid.UUID
) -> float:
    """Load the rows; seconds taken. Secondary indexes are rebuilt after the COPY, as the peer's seed does."""
    started = time.perf_counter()
    connection = await asyncpg.connect(plain_dsn(superuser_url))
    try:
        # No per-row trigger for a bulk load (session only): score_counts is filled once below.
        await connection.execute("SET session_replication_role = replica")
        await connection.execute("SET maintenance_work_mem = '256MB'")
        indexes = await connection.fetch(
            """SELECT x.indexrelid::regclass::text AS name, pg_get_indexdef(x.indexrelid) AS ddl
               FROM pg_index x
               WHERE x.indrelid = 'library.scores'::regclass AND NOT x.indisprimary
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"""
        )
        for index in indexes:
            await connection.execute(f"DROP INDEX {index['name']}")
        await connection.copy_to_table(
            "scores",
            schema_name="library",
            columns=COLUMNS,
            source=_as_async(copy_chunks(peer_seed, shape, small, big)),
        )
        for index in indexes:
            await connection.execute(index["ddl"])
        await connection.execute("RESET session_replication_role")
        await fill_score_counts(connection)
        # Index-only scans and the planner's estimates need what autovacuum would do later.
        await connection.execute("VACUUM ANALYZE library.scores")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def fill_score_counts(connection: asyncpg.Connection) -> None:
    """The per-user totals the trigger keeps, computed in one statement (if the table exists)."""
    if await connection.fetchval("SELECT to_regclass('library.score_counts')") is None:
        return
    await connection.execute(
        """INSERT INTO library.score_counts (user_id, scores)
           SELECT user_id, count(*) FROM library.scores GROUP BY user_id
           ON CONFLICT (user_id) DO UPDATE SET scores = EXCLUDED.scores"""
    )
    await connection.execute("VACUUM ANALYZE library.score_counts")


async def checkpoint(superuser_url: str) -> None:
    connection = await asyncpg.connect(plain_dsn(superuser_url))
    try:
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()
