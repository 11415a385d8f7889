from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.upload_url_out_headers import UploadUrlOutHeaders


T = TypeVar("T", bound="UploadUrlOut")


@_attrs_define
class UploadUrlOut:
    """
    Attributes:
        score_id (UUID):
        upload_token (str):
        url (str):
        headers (UploadUrlOutHeaders):
        expires_at (datetime.datetime):
        method (Literal['PUT'] | Unset):  Default: 'PUT'.
    """

    score_id: UUID
    upload_token: str
    url: str
    headers: UploadUrlOutHeaders
    expires_at: datetime.datetime
    method: Literal["PUT"] | Unset = "PUT"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score_id = str(self.score_id)

        upload_token = self.upload_token

        url = self.url

        headers = self.headers.to_dict()

        expires_at = self.expires_at.isoformat()

        method = self.method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "score_id": score_id,
                "upload_token": upload_token,
                "url": url,
                "headers": headers,
                "expires_at": expires_at,
            }
        )
        if method is not UNSET:
            field_dict["method"] = method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_url_out_headers import UploadUrlOutHeaders  # noqa: PLC0415

        d = dict(src_dict)
        score_id = UUID(d.pop("score_id"))

        upload_token = d.pop("upload_token")

        url = d.pop("url")

        headers = UploadUrlOutHeaders.from_dict(d.pop("headers"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        method = cast(Literal["PUT"] | Unset, d.pop("method", UNSET))
        if method != "PUT" and not isinstance(method, Unset):
            raise ValueError(f"method must match const 'PUT', got '{method}'")

        upload_url_out = cls(
            score_id=score_id,
            upload_token=upload_token,
            url=url,
            headers=headers,
            expires_at=expires_at,
            method=method,
        )

        upload_url_out.additional_properties = d
        return upload_url_out

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
