"""What files does to the bucket besides presigning: deleting keys and prefixes, and telling a
missing object from a failed request."""

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from scoremate_shared.storage import ObjectStorage

if TYPE_CHECKING:
    from types_aiobotocore_s3.type_defs import ObjectIdentifierTypeDef

NOT_FOUND_CODES = ("404", "NoSuchKey", "NotFound")
# DeleteObjects takes at most this many keys a request.
DELETE_BATCH = 1000


def is_not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES


async def delete_keys(storage: ObjectStorage, keys: list[str]) -> None:
    """Delete `keys` (absent ones are no error)."""
    for start in range(0, len(keys), DELETE_BATCH):
        objects: list[ObjectIdentifierTypeDef] = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
        await storage.s3.delete_objects(Bucket=storage.bucket, Delete={"Objects": objects, "Quiet": True})


async def delete_prefix(storage: ObjectStorage, prefix: str) -> None:
    """Delete every object under `prefix`, a listed page at a time."""
    paginator = storage.s3.get_paginator("list_objects_v2")
    async for page in paginator.paginate(Bucket=storage.bucket, Prefix=prefix):
        await delete_keys(storage, [item["Key"] for item in page.get("Contents", [])])
