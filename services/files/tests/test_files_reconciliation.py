from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from scoremate_files.reconciliation import (
    Finding,
    IndexedKey,
    ListedObject,
    StreamOutOfOrder,
    merge_by_key,
)

T = TypeVar("T")
WHEN = datetime(2024, 1, 1, tzinfo=UTC)


async def _stream(items: Iterable[T]) -> AsyncIterator[T]:
    for item in items:
        yield item


def _listed(*keys: str) -> AsyncIterator[ListedObject]:
    return _stream(ListedObject(key, WHEN) for key in keys)


def _indexed(*keys: tuple[str, bool]) -> AsyncIterator[IndexedKey]:
    return _stream(IndexedKey(key, required) for key, required in keys)


async def _pairs(listed: AsyncIterator[ListedObject], indexed: AsyncIterator[IndexedKey]) -> list[tuple]:
    merged = merge_by_key(listed, indexed)
    return [(obj.key if obj else None, key.key if key else None) async for obj, key in merged]


async def test_objects_and_rows_pair_up_by_key_and_the_rest_stand_alone():
    pairs = await _pairs(
        _listed("a/cover.jpg", "a/original.pdf", "b/stray.pdf", "staging/x.pdf"),
        _indexed(
            ("a/cover.jpg", True), ("a/layout.json", False), ("a/original.pdf", True), ("c/gone.pdf", True)
        ),
    )
    assert pairs == [
        ("a/cover.jpg", "a/cover.jpg"),
        (None, "a/layout.json"),
        ("a/original.pdf", "a/original.pdf"),
        ("b/stray.pdf", None),
        (None, "c/gone.pdf"),
        ("staging/x.pdf", None),
    ]


async def test_an_empty_side_makes_everything_of_the_other_a_finding():
    assert await _pairs(_listed("a", "b"), _indexed()) == [("a", None), ("b", None)]
    assert await _pairs(_listed(), _indexed(("a", True))) == [(None, "a")]
    assert await _pairs(_listed(), _indexed()) == []


async def test_a_repeated_row_pairs_once_and_keeps_the_first():
    pairs = [
        (obj, key)
        async for obj, key in merge_by_key(_listed("k"), _indexed(("j", True), ("j", False), ("k", False)))
    ]
    assert [(o.key if o else None, k.key if k else None, k.required if k else None) for o, k in pairs] == [
        (None, "j", True),
        ("k", "k", False),
    ]


async def test_byte_order_is_s3s_order_slash_after_dash():
    # "a-b" sorts before "a/b" in UTF-8 byte order, as S3 lists and PostgreSQL's "C" collation sorts.
    pairs = await _pairs(_listed("a-b", "a/b"), _indexed(("a-b", True), ("a/b", True)))
    assert pairs == [("a-b", "a-b"), ("a/b", "a/b")]


async def test_a_stream_out_of_order_stops_the_merge_instead_of_reporting_false_findings():
    with pytest.raises(StreamOutOfOrder):
        await _pairs(_listed("b", "a"), _indexed(("a", True), ("b", True)))
    with pytest.raises(StreamOutOfOrder):
        await _pairs(_listed("a", "b"), _indexed(("b", True), ("a", True)))


def test_a_finding_counts_everything_and_samples_the_first():
    finding = Finding(sample_size=2)
    for key in ("a", "b", "c"):
        finding.add(key)
    assert finding.out().model_dump() == {"count": 3, "sample": ["a", "b"]}
