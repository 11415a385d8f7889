"""What files does to the bucket besides presigning: deleting keys and prefixes, the calls of
multipart uploads, and telling a missing object (or upload) from a failed request."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import ClientError

from scoremate_shared.storage import ObjectStorage

NOT_FOUND_CODES = ("404", "NoSuchKey", "NotFound")
# An upload id storage does not know (any more): completed, aborted, or never there.
NO_SUCH_UPLOAD_CODES = ("NoSuchUpload",)


def is_not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES


def is_no_such_upload(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in NO_SUCH_UPLOAD_CODES


async def delete_keys(storage: ObjectStorage, keys: list[str]) -> None:
    """Delete `keys` (absent ones are no error): `ObjectStorage.delete_keys`."""
    await storage.delete_keys(keys)


async def delete_prefix(storage: ObjectStorage, prefix: str) -> None:
    """Delete every object under `prefix`, a listed page at a time."""
    paginator = storage.s3.get_paginator("list_objects_v2")
    async for page in paginator.paginate(Bucket=storage.bucket, Prefix=prefix):
        await delete_keys(storage, [item["Key"] for item in page.get("Contents", [])])


# --- multipart uploads (S3's API as AWS, MinIO and SeaweedFS share it) -------------------------


@dataclass(frozen=True)
class StoredPart:
    """One part of a multipart upload as storage lists it (ListParts)."""

    part_number: int
    size_bytes: int
    etag: str


@dataclass(frozen=True)
class InProgressUpload:
    """One multipart upload neither completed nor aborted (ListMultipartUploads)."""

    key: str
    upload_id: str
    initiated: datetime


def bare_etag(etag: str) -> str:
    """An ETag without its quotes (storage lists them quoted; clients copy either form)."""
    return etag.strip().strip('"')


async def create_multipart(storage: ObjectStorage, key: str, content_type: str) -> str:
    """Start a multipart upload at `key`; its upload id: `ObjectStorage.create_multipart`."""
    return await storage.create_multipart(key, content_type)


async def list_parts(storage: ObjectStorage, key: str, upload_id: str) -> list[StoredPart]:
    """Every part storage has of the upload, by number; raises ClientError (NoSuchUpload) when the
    upload is completed or aborted."""
    parts: list[StoredPart] = []
    paginator = storage.s3.get_paginator("list_parts")
    async for page in paginator.paginate(Bucket=storage.bucket, Key=key, UploadId=upload_id):
        parts.extend(
            StoredPart(int(part["PartNumber"]), int(part["Size"]), bare_etag(part["ETag"]))
            for part in page.get("Parts", [])
        )
    return sorted(parts, key=lambda part: part.part_number)


async def complete_multipart(
    storage: ObjectStorage, key: str, upload_id: str, parts: list[StoredPart]
) -> None:
    """Join `parts` into the object at `key` (ClientError InvalidPart when one changed meanwhile)."""
    await storage.s3.complete_multipart_upload(
        Bucket=storage.bucket,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": p.part_number, "ETag": f'"{p.etag}"'} for p in parts]},
    )


async def abort_multipart(storage: ObjectStorage, key: str, upload_id: str) -> None:
    """Abort the upload and drop its parts (an upload already completed or aborted is no error):
    `ObjectStorage.abort_multipart`."""
    await storage.abort_multipart(key, upload_id)


async def in_progress_uploads(storage: ObjectStorage, prefix: str) -> AsyncIterator[InProgressUpload]:
    """The multipart uploads under `prefix` that are neither completed nor aborted."""
    paginator = storage.s3.get_paginator("list_multipart_uploads")
    async for page in paginator.paginate(Bucket=storage.bucket, Prefix=prefix):
        for upload in page.get("Uploads", []):
            yield InProgressUpload(upload["Key"], upload["UploadId"], upload["Initiated"])
