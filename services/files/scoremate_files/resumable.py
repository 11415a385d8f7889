"""Resumable uploads: a reservation whose staging object arrives as an S3 multipart upload (a URL
per part), the parts storage has (for a resume after a dropped connection), its completion, and
the release of a reservation the client gives up.

After the completion the staging object is what a single PUT would have left there: POST /scores
and verification (size, SHA-256, %PDF, the copy to the final key) are the same for both."""

import logging
import math
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_files.bucket import (
    StoredPart,
    abort_multipart,
    bare_etag,
    complete_multipart,
    create_multipart,
    delete_keys,
    is_no_such_upload,
    is_not_found,
    list_parts,
)
from scoremate_files.models import MultipartState, Upload, UploadStatus
from scoremate_files.schemas import CompleteUploadIn, MultipartUploadOut, StoredPartOut, UploadPartOut
from scoremate_files.settings import FilesSettings
from scoremate_shared.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from scoremate_shared.storage import ObjectStorage

log = logging.getLogger(__name__)


def _status_hint(score_id: uuid.UUID) -> str:
    """Where the caller of a refused call finds the parts and fresh URLs."""
    return f"GET /files/uploads/{score_id} lists the parts storage has, with URLs for the others"


class UploadNotFound(NotFound):
    slug, title = "upload-not-found", "No such upload"


class UploadNotInProgress(Conflict):
    slug, title = "upload-not-in-progress", "The upload is over"


class UploadIncomplete(Conflict):
    slug, title = "upload-incomplete", "Parts are missing"


class PartEtagMismatch(Conflict):
    slug, title = "part-etag-mismatch", "A part differs from the one storage has"


class UploadGone(Conflict):
    slug, title = "upload-gone", "The multipart upload is gone from storage"


class UploadClaimed(Conflict):
    slug, title = "upload-claimed", "The score was created from this upload"


class PartSizeMismatch(InvalidInput):
    slug, title = "part-size-mismatch", "A part has another size than announced"


class PartAmbiguous(Conflict):
    slug, title = "part-ambiguous", "A part was sent more than once with other bytes"


class StorageUnavailable(ServiceUnavailable):
    slug, title = "storage-unavailable", "Storage is unavailable"


@asynccontextmanager
async def storage_errors() -> AsyncIterator[None]:
    """A storage call that failed (unreachable, or an error these calls do not expect) is the
    client's to retry, not a server error: 503 with Retry-After."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        code = (
            exc.response.get("Error", {}).get("Code", "error")
            if isinstance(exc, ClientError)
            else "no answer"
        )
        log.warning("a multipart upload's storage call failed: %s", code, exc_info=True)
        raise StorageUnavailable(
            f"Storage answered {code}; try again shortly", headers={"Retry-After": "2"}
        ) from exc


def part_sizes(size_bytes: int, part_size: int) -> list[int]:
    """The size of each part, in order: `part_size` each, the rest in the last one."""
    count = max(math.ceil(size_bytes / part_size), 1)
    return [part_size] * (count - 1) + [size_bytes - part_size * (count - 1)]


def _not_in_progress(upload: Upload) -> UploadNotInProgress:
    if upload.status in (UploadStatus.CLAIMED, UploadStatus.STORED):
        detail = "The upload was already claimed by POST /scores"
    elif upload.status == UploadStatus.REJECTED:
        detail = f"The upload was refused: {upload.reason}"
    else:
        detail = f"The upload was released ({upload.reason}); request a new one"
    return UploadNotInProgress(detail, upload_status=upload.status)


class ResumableUploadService:
    def __init__(self, settings: FilesSettings, storage: ObjectStorage) -> None:
        self.settings = settings
        self.storage = storage

    def wants_multipart(self, size_bytes: int, resumable: bool) -> bool:
        """Opt-in, and only above the threshold: below it one PUT is as good and one call cheaper."""
        return resumable and size_bytes > self.settings.multipart_threshold_bytes

    async def begin(self, key: str, content_type: str) -> tuple[str, int, datetime]:
        """Start the multipart upload at the staging key: its id, part size and deadline.

        Started before the reservation's row commits: if that commit fails the upload is an
        orphan, which the sweeper aborts by listing once it is older than any reservation."""
        async with storage_errors():
            upload_id = await create_multipart(self.storage, key, content_type)
        expires_at = datetime.now(UTC) + timedelta(seconds=self.settings.multipart_upload_seconds)
        return upload_id, self.settings.multipart_part_bytes, expires_at

    def part_urls(
        self, key: str, upload_id: str, size_bytes: int, part_size: int, numbers: list[int] | None = None
    ) -> tuple[list[UploadPartOut], datetime | None]:
        """Presigned UploadPart URLs of the parts `numbers` (all when None), and their expiry."""
        sizes = part_sizes(size_bytes, part_size)
        wanted = range(1, len(sizes) + 1) if numbers is None else numbers
        parts: list[UploadPartOut] = []
        expires_at: datetime | None = None
        for number in wanted:
            url, headers, expires_at = self.storage.presign_upload_part(
                key, upload_id, number, sizes[number - 1], self.settings.upload_url_seconds
            )
            parts.append(
                UploadPartOut(part_number=number, url=url, size_bytes=sizes[number - 1], headers=headers)
            )
        return parts, expires_at

    # --- the calls of a client --------------------------------------------------------------

    async def status(
        self, session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID
    ) -> MultipartUploadOut:
        """The parts storage has and fresh URLs for the others: the resume after a dropped connection."""
        upload = await self._own_multipart(session, user_id, score_id, lock=False)
        if upload.multipart_completed_at is not None:
            return self._completed(upload, [])
        async with storage_errors():
            stored = await self._stored_parts(upload)
        if stored is None:
            return self._completed(upload, [])
        return self._uploading(upload, stored)

    async def complete(
        self, session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID, body: CompleteUploadIn | None
    ) -> MultipartUploadOut:
        """Join the parts into the staging object (CompleteMultipartUpload), under the row's lock:
        a POST /scores meanwhile waits for it, then finds the object. Completing twice is 200."""
        upload = await self._own_multipart(session, user_id, score_id, lock=True)
        if upload.multipart_completed_at is not None:
            return self._completed(upload, [])
        async with storage_errors():
            stored = await self._stored_parts(upload)
        if stored is None:
            return self._completed(upload, [])
        assert upload.multipart_upload_id is not None
        assert upload.part_size is not None
        sizes = part_sizes(upload.size_bytes, upload.part_size)
        given = {part.part_number: bare_etag(part.etag) for part in body.parts} if body else {}
        joined = choose_parts(stored, sizes, given, upload.score_id)
        async with storage_errors():
            try:
                await complete_multipart(
                    self.storage, upload.staging_key or "", upload.multipart_upload_id, joined
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "InvalidPart":
                    raise PartEtagMismatch(
                        f"A part was sent again while completing; {_status_hint(upload.score_id)}"
                    ) from exc
                raise
        upload.multipart_completed_at = datetime.now(UTC)
        await session.flush()
        return self._completed(upload, joined)

    async def abort(self, session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID) -> None:
        """Give the reservation up: the multipart upload aborted, whatever reached the staging key
        deleted, the bytes released. A single PUT's reservation may be given up the same way."""
        upload = await session.get(Upload, score_id, with_for_update=True)
        if upload is None or upload.user_id != user_id:
            raise UploadNotFound("No such upload")
        if upload.status in (UploadStatus.CLAIMED, UploadStatus.STORED):
            raise UploadClaimed("The score was created from this upload: DELETE /scores/{id} removes it")
        if upload.status != UploadStatus.RESERVED:
            return  # released or refused already: nothing is held
        # Before the commit, as the sweeper does: a row is released only once its objects are gone.
        async with storage_errors():
            if upload.multipart_upload_id is not None and upload.multipart_completed_at is None:
                await abort_multipart(self.storage, upload.staging_key or "", upload.multipart_upload_id)
            if upload.staging_key is not None:
                await delete_keys(self.storage, [upload.staging_key])
        upload.status = UploadStatus.RELEASED
        upload.reason = "upload aborted by the client"
        await session.flush()

    # --- helpers ----------------------------------------------------------------------------

    async def _own_multipart(
        self, session: AsyncSession, user_id: uuid.UUID, score_id: uuid.UUID, *, lock: bool
    ) -> Upload:
        """The user's multipart upload still waiting for its parts or its claim."""
        upload = await session.get(Upload, score_id, with_for_update=lock)
        if upload is None or upload.user_id != user_id:
            raise UploadNotFound("No such upload")
        if upload.multipart_upload_id is None:
            raise UploadNotFound("This upload is a single PUT, not a multipart upload")
        if upload.status != UploadStatus.RESERVED:
            raise _not_in_progress(upload)
        return upload

    async def _stored_parts(self, upload: Upload) -> list[StoredPart] | None:
        """The parts storage has; None when storage already joined them (a completion whose
        commit was lost: the staging object is there), which is then recorded."""
        assert upload.multipart_upload_id is not None
        key = upload.staging_key or ""
        try:
            return await list_parts(self.storage, key, upload.multipart_upload_id)
        except ClientError as exc:
            if not is_no_such_upload(exc):
                raise
        try:
            head = await self.storage.s3.head_object(Bucket=self.storage.bucket, Key=key)
        except ClientError as exc:
            if not is_not_found(exc):
                raise
            head = None
        if head is None or head["ContentLength"] != upload.size_bytes:
            raise UploadGone(
                "Storage no longer has this multipart upload (aborted); "
                f"DELETE /files/uploads/{upload.score_id} releases it, then request a new one"
            )
        upload.multipart_completed_at = datetime.now(UTC)
        return None

    def _uploading(self, upload: Upload, stored: list[StoredPart]) -> MultipartUploadOut:
        assert upload.multipart_upload_id is not None
        assert upload.part_size is not None
        sizes = part_sizes(upload.size_bytes, upload.part_size)
        complete = {
            p.part_number
            for p in stored
            if p.part_number <= len(sizes) and p.size_bytes == sizes[p.part_number - 1]
        }
        to_send = [number for number in range(1, len(sizes) + 1) if number not in complete]
        missing, urls_expire_at = self.part_urls(
            upload.staging_key or "", upload.multipart_upload_id, upload.size_bytes, upload.part_size, to_send
        )
        return MultipartUploadOut(
            score_id=upload.score_id,
            state=MultipartState.UPLOADING,
            size_bytes=upload.size_bytes,
            part_size=upload.part_size,
            part_count=len(sizes),
            parts=[
                StoredPartOut(part_number=p.part_number, size_bytes=p.size_bytes, etag=p.etag) for p in stored
            ],
            missing=missing,
            expires_at=upload.expires_at,
            urls_expire_at=urls_expire_at,
        )

    @staticmethod
    def _completed(upload: Upload, joined: list[StoredPart]) -> MultipartUploadOut:
        assert upload.part_size is not None
        return MultipartUploadOut(
            score_id=upload.score_id,
            state=MultipartState.COMPLETED,
            size_bytes=upload.size_bytes,
            part_size=upload.part_size,
            part_count=len(part_sizes(upload.size_bytes, upload.part_size)),
            parts=[
                StoredPartOut(part_number=p.part_number, size_bytes=p.size_bytes, etag=p.etag) for p in joined
            ],
            missing=[],
            expires_at=upload.expires_at,
            urls_expire_at=None,
        )


def choose_parts(
    stored: list[StoredPart], sizes: list[int], given: dict[int, str], score_id: uuid.UUID
) -> list[StoredPart]:
    """The part to join for each number. A part sent again may stay listed beside the one it
    replaced (SeaweedFS lists both, in no order of time), so the part is the one whose ETag the
    client names, or else the only one of the announced size; several of that size with other
    bytes are the client's to tell apart (its PUT answered each one's ETag)."""
    for number in given:
        if not 1 <= number <= len(sizes):
            raise InvalidInput(f"The upload has {len(sizes)} parts, not part {number}", field="parts")
    missing = [n for n in range(1, len(sizes) + 1) if not any(p.part_number == n for p in stored)]
    if missing:
        listed = ", ".join(map(str, missing))
        raise UploadIncomplete(
            f"Part{'s' if len(missing) > 1 else ''} {listed} of {len(sizes)} "
            f"{'have' if len(missing) > 1 else 'has'} not been uploaded; {_status_hint(score_id)}",
            missing_parts=missing,
        )
    joined: list[StoredPart] = []
    for number, expected in enumerate(sizes, start=1):
        listed_parts = [p for p in stored if p.part_number == number]
        if number in given:
            named = [p for p in listed_parts if p.etag == given[number]]
            if not named:
                raise PartEtagMismatch(
                    f"Part {number} in storage has no ETag {given[number]}: it was sent again since; "
                    f"{_status_hint(score_id)}",
                    part_number=number,
                )
            candidates = named
        else:
            candidates = [p for p in listed_parts if p.size_bytes == expected] or listed_parts
        part = candidates[0]
        if part.size_bytes != expected:
            raise PartSizeMismatch(
                f"Part {number} has {part.size_bytes} bytes, not the {expected} announced; "
                f"send it again ({_status_hint(score_id)})",
                part_number=number,
                size_bytes=part.size_bytes,
                expected_bytes=expected,
            )
        if len({p.etag for p in candidates}) > 1:
            raise PartAmbiguous(
                f"Part {number} was sent more than once with other bytes; name the ETag of the one "
                "to keep (its PUT answered it) in the parts of this call",
                part_number=number,
            )
        joined.append(part)
    return joined
