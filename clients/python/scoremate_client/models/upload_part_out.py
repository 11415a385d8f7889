from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.upload_part_out_headers import UploadPartOutHeaders


T = TypeVar("T", bound="UploadPartOut")


@_attrs_define
class UploadPartOut:
    """Where to PUT one part of a multipart upload; the response's `ETag` header names the part.

    Attributes:
        part_number (int): 1-based
        url (str): Presigned UploadPart URL of this part, valid until `urls_expire_at`
        size_bytes (int): Exactly this many bytes of the file, from (part_number - 1) * part_size
        headers (UploadPartOutHeaders): Send exactly these (the signed Content-Length)
    """

    part_number: int
    url: str
    size_bytes: int
    headers: UploadPartOutHeaders
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        part_number = self.part_number

        url = self.url

        size_bytes = self.size_bytes

        headers = self.headers.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "part_number": part_number,
                "url": url,
                "size_bytes": size_bytes,
                "headers": headers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_part_out_headers import UploadPartOutHeaders  # noqa: PLC0415

        d = dict(src_dict)
        part_number = d.pop("part_number")

        url = d.pop("url")

        size_bytes = d.pop("size_bytes")

        headers = UploadPartOutHeaders.from_dict(d.pop("headers"))

        upload_part_out = cls(
            part_number=part_number,
            url=url,
            size_bytes=size_bytes,
            headers=headers,
        )

        upload_part_out.additional_properties = d
        return upload_part_out

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
