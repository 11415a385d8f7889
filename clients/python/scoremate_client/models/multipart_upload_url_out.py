from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.upload_part_out import UploadPartOut


T = TypeVar("T", bound="MultipartUploadUrlOut")


@_attrs_define
class MultipartUploadUrlOut:
    """A resumable upload: PUT each part, then POST /files/uploads/{score_id}/complete.

    Attributes:
        score_id (UUID):
        upload_token (str): For POST /scores once the upload is complete
        part_size (int): Bytes of every part but the last
        parts (list[UploadPartOut]):
        expires_at (datetime.datetime): Complete the upload and create the score before this
        urls_expire_at (datetime.datetime): The part URLs' expiry; GET /files/uploads/{score_id} signs new ones
        method (Literal['MULTIPART'] | Unset):  Default: 'MULTIPART'.
    """

    score_id: UUID
    upload_token: str
    part_size: int
    parts: list[UploadPartOut]
    expires_at: datetime.datetime
    urls_expire_at: datetime.datetime
    method: Literal["MULTIPART"] | Unset = "MULTIPART"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score_id = str(self.score_id)

        upload_token = self.upload_token

        part_size = self.part_size

        parts = []
        for parts_item_data in self.parts:
            parts_item = parts_item_data.to_dict()
            parts.append(parts_item)

        expires_at = self.expires_at.isoformat()

        urls_expire_at = self.urls_expire_at.isoformat()

        method = self.method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "score_id": score_id,
                "upload_token": upload_token,
                "part_size": part_size,
                "parts": parts,
                "expires_at": expires_at,
                "urls_expire_at": urls_expire_at,
            }
        )
        if method is not UNSET:
            field_dict["method"] = method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_part_out import UploadPartOut  # noqa: PLC0415

        d = dict(src_dict)
        score_id = UUID(d.pop("score_id"))

        upload_token = d.pop("upload_token")

        part_size = d.pop("part_size")

        parts = []
        _parts = d.pop("parts")
        for parts_item_data in _parts:
            parts_item = UploadPartOut.from_dict(parts_item_data)

            parts.append(parts_item)

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        urls_expire_at = datetime.datetime.fromisoformat(d.pop("urls_expire_at"))

        method = cast(Literal["MULTIPART"] | Unset, d.pop("method", UNSET))
        if method != "MULTIPART" and not isinstance(method, Unset):
            raise ValueError(f"method must match const 'MULTIPART', got '{method}'")

        multipart_upload_url_out = cls(
            score_id=score_id,
            upload_token=upload_token,
            part_size=part_size,
            parts=parts,
            expires_at=expires_at,
            urls_expire_at=urls_expire_at,
            method=method,
        )

        multipart_upload_url_out.additional_properties = d
        return multipart_upload_url_out

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
