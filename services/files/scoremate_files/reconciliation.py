"""Comparing the bucket with the index: two key-ordered streams merged side by side, so neither
the bucket nor the index is ever held in memory whole; an admin's run, or the periodic one."""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from botocore.exceptions import ClientError
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.bucket import delete_keys
from scoremate_files.models import (
    AWAITING_STAGING,
    PRODUCER,
    AdminAction,
    ReconciliationRun,
    ReconciliationTrigger,
    StoredObject,
    Upload,
    UploadStatus,
)
from scoremate_files.schemas import KeysFound, ReconciliationReport
from scoremate_files.settings import FilesSettings
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import Principal
from scoremate_shared.db import Database
from scoremate_shared.errors import ProblemError
from scoremate_shared.storage import STAGING_PREFIX, ObjectStorage

log = logging.getLogger(__name__)
# One reconciliation decides at a time whether a periodic run is due (every worker asks).
RECONCILE_LOCK = "files.reconcile"
# Where SeaweedFS keeps the parts of multipart uploads in progress, inside the bucket. Its listings
# hide them (as AWS and MinIO, which keep parts outside the key space); should one ever show them,
# they are an upload's parts, never strays: the sweeper aborts stale uploads, not this.
MULTIPART_PARTS_PREFIX = ".uploads/"
# The exports service's own objects (archives and their parts, import archives and the PDFs
# extracted from them, monthly reports): not files' to index, never strays.
EXPORTS_SERVICE_PREFIXES = ("exports/", "imports/", "reports/")


class ReconciliationFailed(ProblemError):
    status, slug, title = 502, "reconciliation-failed", "Storage could not be compared with the index"


@dataclass(frozen=True)
class ListedObject:
    """One object as the bucket listing shows it."""

    key: str
    last_modified: datetime


@dataclass(frozen=True)
class IndexedKey:
    """One key the index expects; `required` when its absence is a finding (a staging key the
    client has not PUT to yet, or a layout the processor never wrote, is not)."""

    key: str
    required: bool


class StreamOutOfOrder(Exception):
    """A merge of unordered streams would report false findings: stop instead."""


@dataclass
class Finding:
    """A count and the first keys found (a sample, not the whole list)."""

    sample_size: int
    count: int = 0
    sample: list[str] = field(default_factory=list)

    def add(self, key: str) -> None:
        self.count += 1
        if len(self.sample) < self.sample_size:
            self.sample.append(key)

    def out(self) -> KeysFound:
        return KeysFound(count=self.count, sample=self.sample)


Keyed = TypeVar("Keyed", ListedObject, IndexedKey)


async def _ascending(items: AsyncIterator[Keyed], what: str) -> AsyncIterator[Keyed]:
    """The items in order, each key once; raises when the source breaks the order."""
    previous: str | None = None
    async for item in items:
        if previous is not None:
            if item.key == previous:
                continue
            if item.key < previous:
                raise StreamOutOfOrder(f"{what} listed {item.key!r} after {previous!r}")
        previous = item.key
        yield item


async def merge_by_key(
    listed: AsyncIterator[ListedObject], indexed: AsyncIterator[IndexedKey]
) -> AsyncIterator[tuple[ListedObject | None, IndexedKey | None]]:
    """Pairs of the two streams, both in ascending key order (code point order, which is S3's
    UTF-8 byte order): (object, None) is in the bucket only, (None, key) in the index only."""
    objects = _ascending(listed, "the bucket")
    keys = _ascending(indexed, "the index")
    obj = await anext(objects, None)
    key = await anext(keys, None)
    while obj is not None or key is not None:
        if key is None or (obj is not None and obj.key < key.key):
            yield obj, None
            obj = await anext(objects, None)
        elif obj is None or key.key < obj.key:
            yield None, key
            key = await anext(keys, None)
        else:
            yield obj, key
            obj = await anext(objects, None)
            key = await anext(keys, None)


class Reconciler:
    """Runs of the comparison: each is recorded (`reconciliations`) before it starts and when it
    ends. Spans several transactions because a run lists the whole bucket: the run's row commits
    first, the comparison streams the index from a read-only session, its result commits last."""

    def __init__(self, settings: FilesSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    async def reconcile(self, db: Database, admin: Principal, prefix: str = "") -> ReconciliationReport:
        """An admin's run over `prefix` (all of the bucket when empty), recorded with the run's row."""
        async with db.transaction() as session:
            run = ReconciliationRun(
                trigger=ReconciliationTrigger.ADMIN, prefix=prefix, started_at=datetime.now(UTC)
            )
            session.add(run)
            await record_admin_action(
                session, PRODUCER, admin, AdminAction.RECONCILE, prefix or "the whole bucket"
            )
        return await self._reconcile(db, run)

    async def reconcile_if_due(self, db: Database) -> ReconciliationReport | None:
        """The periodic run over the whole bucket, by whichever worker first finds it due."""
        interval = timedelta(seconds=self.settings.reconcile_interval_seconds)
        async with db.transaction() as session:
            await session.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": RECONCILE_LOCK}
            )
            last = await session.scalar(
                sa.select(sa.func.max(ReconciliationRun.started_at)).where(
                    ReconciliationRun.trigger == ReconciliationTrigger.PERIODIC
                )
            )
            now = datetime.now(UTC)
            if last is not None and now - last < interval:
                return None
            run = ReconciliationRun(trigger=ReconciliationTrigger.PERIODIC, prefix="", started_at=now)
            session.add(run)
        return await self._reconcile(db, run)

    async def _reconcile(self, db: Database, run: ReconciliationRun) -> ReconciliationReport:
        """Merge the bucket's listing with the index, both in key order: objects without a row are
        strays, rows without an object are missing. Strays under staging/ older than the grace
        period are deleted (nobody can be waiting for them: an upload's row is committed before
        its URL exists); every other finding is only reported."""
        settings = self.settings
        strays, missing, deleted = (Finding(settings.reconcile_sample_size) for _ in range(3))
        deletable_before = run.started_at - timedelta(seconds=settings.reconcile_grace_seconds)
        to_delete: list[str] = []
        listed = 0
        try:
            async with db.session() as session:
                pairs = merge_by_key(
                    self._listed_objects(run.prefix), self._indexed_keys(session, run.prefix)
                )
                async for obj, expected in pairs:
                    if obj is None:
                        if expected is not None and expected.required:
                            missing.add(expected.key)
                        continue
                    listed += 1
                    if expected is not None:
                        continue
                    strays.add(obj.key)
                    if obj.key.startswith(STAGING_PREFIX) and obj.last_modified < deletable_before:
                        to_delete.append(obj.key)
                        if len(to_delete) >= settings.reconcile_page_size:
                            await self._delete_strays(to_delete, deleted)
                await self._delete_strays(to_delete, deleted)
        except StreamOutOfOrder as exc:
            log.error("reconciliation %d stopped: %s", run.id, exc)
            raise ReconciliationFailed(f"The comparison stopped: {exc}") from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            log.error("reconciliation %d stopped: storage answered %s", run.id, code)
            hint = (
                " (files' storage identity needs s3:ListBucket on the bucket)"
                if code == "AccessDenied"
                else ""
            )
            raise ReconciliationFailed(f"Storage answered {code}{hint}") from exc
        finished = datetime.now(UTC)
        async with db.transaction() as session:
            await session.execute(
                sa.update(ReconciliationRun)
                .where(ReconciliationRun.id == run.id)
                .values(
                    finished_at=finished,
                    objects_listed=listed,
                    strays=strays.count,
                    missing=missing.count,
                    strays_deleted=deleted.count,
                )
            )
        log.info(
            "reconciliation %d (%s) of %r: %d objects, %d strays (%d deleted), %d missing; "
            "strays %s; missing %s",
            run.id,
            run.trigger,
            run.prefix,
            listed,
            strays.count,
            deleted.count,
            missing.count,
            strays.sample,
            missing.sample,
        )
        return ReconciliationReport(
            prefix=run.prefix,
            started_at=run.started_at,
            finished_at=finished,
            objects_listed=listed,
            strays=strays.out(),
            missing=missing.out(),
            strays_deleted=deleted.out(),
        )

    async def _delete_strays(self, keys: list[str], deleted: Finding) -> None:
        await delete_keys(self.storage, keys)
        for key in keys:
            deleted.add(key)
        keys.clear()

    async def _listed_objects(self, prefix: str) -> AsyncIterator[ListedObject]:
        """The bucket under `prefix`, a page at a time, in S3's key order."""
        paginator = self.storage.s3.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.storage.bucket,
            Prefix=prefix,
            PaginationConfig={"PageSize": self.settings.reconcile_page_size},
        )
        async for page in pages:
            for item in page.get("Contents", []):
                if not item["Key"].startswith((MULTIPART_PARTS_PREFIX, *EXPORTS_SERVICE_PREFIXES)):
                    yield ListedObject(item["Key"], item["LastModified"])

    async def _indexed_keys(self, session: AsyncSession, prefix: str) -> AsyncIterator[IndexedKey]:
        """Every key the index expects under `prefix`, streamed from one query in byte order."""
        expected = sa.union_all(
            sa.select(StoredObject.key.label("key"), sa.true().label("required")),
            # Where the client PUTs (or PUT) while the upload waits for its copy.
            sa.select(sa.func.coalesce(Upload.staging_key, Upload.object_key).label("key"), sa.false()).where(
                Upload.status.in_(AWAITING_STAGING)
            ),
            # Copied, being verified: the final key has no index row yet.
            sa.select(Upload.object_key.label("key"), sa.false()).where(
                Upload.status == UploadStatus.CLAIMED
            ),
            # The processor writes layout.json beside the original and announces it to nobody.
            sa.select(
                sa.func.regexp_replace(Upload.object_key, "[^/]*$", "layout.json").label("key"), sa.false()
            ).where(Upload.status == UploadStatus.STORED),
        ).subquery()
        query = (
            sa.select(expected.c.key, expected.c.required)
            .where(expected.c.key.startswith(prefix, autoescape=True))
            # "C": byte order, the order S3 lists keys in; a required row before an optional twin.
            .order_by(expected.c.key.collate("C"), expected.c.required.desc())
            .execution_options(yield_per=self.settings.reconcile_page_size)
        )
        result = await session.stream(query)
        async for row in result:
            yield IndexedKey(row.key, row.required)
