from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.multipart_state import MultipartState

if TYPE_CHECKING:
    from ..models.stored_part_out import StoredPartOut
    from ..models.upload_part_out import UploadPartOut


T = TypeVar("T", bound="MultipartUploadOut")


@_attrs_define
class MultipartUploadOut:
    """A multipart upload as storage has it: the parts it holds and URLs for the ones to send.

    Attributes:
        score_id (UUID):
        state (MultipartState): Where a multipart upload of a reserved upload stands (GET /files/uploads/{score_id}).
        size_bytes (int):
        part_size (int):
        part_count (int):
        parts (list[StoredPartOut]): Parts storage has (empty once completed: storage keeps the joined object only)
        missing (list[UploadPartOut]): Parts still to send (absent or of the wrong size), with fresh URLs
        expires_at (datetime.datetime): Complete the upload and create the score before this
        urls_expire_at (datetime.datetime | None): The URLs' expiry in `missing`; null when none
    """

    score_id: UUID
    state: MultipartState
    size_bytes: int
    part_size: int
    part_count: int
    parts: list[StoredPartOut]
    missing: list[UploadPartOut]
    expires_at: datetime.datetime
    urls_expire_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score_id = str(self.score_id)

        state = self.state.value

        size_bytes = self.size_bytes

        part_size = self.part_size

        part_count = self.part_count

        parts = []
        for parts_item_data in self.parts:
            parts_item = parts_item_data.to_dict()
            parts.append(parts_item)

        missing = []
        for missing_item_data in self.missing:
            missing_item = missing_item_data.to_dict()
            missing.append(missing_item)

        expires_at = self.expires_at.isoformat()

        urls_expire_at: None | str
        if isinstance(self.urls_expire_at, datetime.datetime):
            urls_expire_at = self.urls_expire_at.isoformat()
        else:
            urls_expire_at = self.urls_expire_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "score_id": score_id,
                "state": state,
                "size_bytes": size_bytes,
                "part_size": part_size,
                "part_count": part_count,
                "parts": parts,
                "missing": missing,
                "expires_at": expires_at,
                "urls_expire_at": urls_expire_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stored_part_out import StoredPartOut  # noqa: PLC0415
        from ..models.upload_part_out import UploadPartOut  # noqa: PLC0415

        d = dict(src_dict)
        score_id = UUID(d.pop("score_id"))

        state = MultipartState(d.pop("state"))

        size_bytes = d.pop("size_bytes")

        part_size = d.pop("part_size")

        part_count = d.pop("part_count")

        parts = []
        _parts = d.pop("parts")
        for parts_item_data in _parts:
            parts_item = StoredPartOut.from_dict(parts_item_data)

            parts.append(parts_item)

        missing = []
        _missing = d.pop("missing")
        for missing_item_data in _missing:
            missing_item = UploadPartOut.from_dict(missing_item_data)

            missing.append(missing_item)

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        def _parse_urls_expire_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                urls_expire_at_type_0 = datetime.datetime.fromisoformat(data)

                return urls_expire_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        urls_expire_at = _parse_urls_expire_at(d.pop("urls_expire_at"))

        multipart_upload_out = cls(
            score_id=score_id,
            state=state,
            size_bytes=size_bytes,
            part_size=part_size,
            part_count=part_count,
            parts=parts,
            missing=missing,
            expires_at=expires_at,
            urls_expire_at=urls_expire_at,
        )

        multipart_upload_out.additional_properties = d
        return multipart_upload_out

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
