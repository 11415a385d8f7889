"""Comparing the bucket with the index: two key-ordered streams merged side by side, so neither
the bucket nor the index is ever held in memory whole."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from scoremate_files.schemas import KeysFound


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
