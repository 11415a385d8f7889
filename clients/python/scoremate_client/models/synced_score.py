from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.synced_score_status import SyncedScoreStatus

T = TypeVar("T", bound="SyncedScore")


@_attrs_define
class SyncedScore:
    """The contract's Score, `thumbnail_url` signed when the page is answered.

    Attributes:
        id (UUID):
        title (str):
        composer (None | str):
        instrumentation (None | str):
        tags (list[str]):
        note (None | str):
        status (SyncedScoreStatus):
        error (None | str):
        pages (int | None):
        page_sizes (list[list[float]] | None):
        size_bytes (int):
        mime (str):
        content_hash (str):
        thumbnail_url (None | str):
        filled_from_pdf (list[str]):
        version (int): Its ETag; send it as If-Match
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: UUID
    title: str
    composer: None | str
    instrumentation: None | str
    tags: list[str]
    note: None | str
    status: SyncedScoreStatus
    error: None | str
    pages: int | None
    page_sizes: list[list[float]] | None
    size_bytes: int
    mime: str
    content_hash: str
    thumbnail_url: None | str
    filled_from_pdf: list[str]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        title = self.title

        composer: None | str
        composer = self.composer

        instrumentation: None | str
        instrumentation = self.instrumentation

        tags = self.tags

        note: None | str
        note = self.note

        status = self.status.value

        error: None | str
        error = self.error

        pages: int | None
        pages = self.pages

        page_sizes: list[list[float]] | None
        if isinstance(self.page_sizes, list):
            page_sizes = []
            for page_sizes_type_0_item_data in self.page_sizes:
                page_sizes_type_0_item = page_sizes_type_0_item_data

                page_sizes.append(page_sizes_type_0_item)

        else:
            page_sizes = self.page_sizes

        size_bytes = self.size_bytes

        mime = self.mime

        content_hash = self.content_hash

        thumbnail_url: None | str
        thumbnail_url = self.thumbnail_url

        filled_from_pdf = self.filled_from_pdf

        version = self.version

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "title": title,
                "composer": composer,
                "instrumentation": instrumentation,
                "tags": tags,
                "note": note,
                "status": status,
                "error": error,
                "pages": pages,
                "page_sizes": page_sizes,
                "size_bytes": size_bytes,
                "mime": mime,
                "content_hash": content_hash,
                "thumbnail_url": thumbnail_url,
                "filled_from_pdf": filled_from_pdf,
                "version": version,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        title = d.pop("title")

        def _parse_composer(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        composer = _parse_composer(d.pop("composer"))

        def _parse_instrumentation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        instrumentation = _parse_instrumentation(d.pop("instrumentation"))

        tags = cast(list[str], d.pop("tags"))

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        status = SyncedScoreStatus(d.pop("status"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_pages(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        pages = _parse_pages(d.pop("pages"))

        def _parse_page_sizes(data: object) -> list[list[float]] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                page_sizes_type_0 = []
                _page_sizes_type_0 = data
                for page_sizes_type_0_item_data in _page_sizes_type_0:
                    page_sizes_type_0_item = cast(list[float], page_sizes_type_0_item_data)

                    page_sizes_type_0.append(page_sizes_type_0_item)

                return page_sizes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[list[float]] | None, data)

        page_sizes = _parse_page_sizes(d.pop("page_sizes"))

        size_bytes = d.pop("size_bytes")

        mime = d.pop("mime")

        content_hash = d.pop("content_hash")

        def _parse_thumbnail_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnail_url"))

        filled_from_pdf = cast(list[str], d.pop("filled_from_pdf"))

        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        synced_score = cls(
            id=id,
            title=title,
            composer=composer,
            instrumentation=instrumentation,
            tags=tags,
            note=note,
            status=status,
            error=error,
            pages=pages,
            page_sizes=page_sizes,
            size_bytes=size_bytes,
            mime=mime,
            content_hash=content_hash,
            thumbnail_url=thumbnail_url,
            filled_from_pdf=filled_from_pdf,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
        )

        synced_score.additional_properties = d
        return synced_score

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
