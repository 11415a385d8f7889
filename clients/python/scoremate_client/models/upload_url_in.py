from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UploadUrlIn")


@_attrs_define
class UploadUrlIn:
    """
    Attributes:
        filename (str):
        size_bytes (int): Exact size of the file in bytes
        mime (str):
        content_hash (str): Hex SHA-256 of the file
        resumable (bool | Unset): Above MULTIPART_THRESHOLD_BYTES, answer a multipart upload (a URL per part, resumable
            after a dropped connection) instead of one PUT Default: False.
    """

    filename: str
    size_bytes: int
    mime: str
    content_hash: str
    resumable: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        size_bytes = self.size_bytes

        mime = self.mime

        content_hash = self.content_hash

        resumable = self.resumable

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "filename": filename,
                "size_bytes": size_bytes,
                "mime": mime,
                "content_hash": content_hash,
            }
        )
        if resumable is not UNSET:
            field_dict["resumable"] = resumable

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        filename = d.pop("filename")

        size_bytes = d.pop("size_bytes")

        mime = d.pop("mime")

        content_hash = d.pop("content_hash")

        resumable = d.pop("resumable", UNSET)

        upload_url_in = cls(
            filename=filename,
            size_bytes=size_bytes,
            mime=mime,
            content_hash=content_hash,
            resumable=resumable,
        )

        upload_url_in.additional_properties = d
        return upload_url_in

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
