from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScoreCreate")


@_attrs_define
class ScoreCreate:
    """
    Attributes:
        upload_token (str):
        title (str):
        composer (None | str | Unset):
        instrumentation (None | str | Unset):
        tags (list[str] | Unset):
        note (None | str | Unset):
    """

    upload_token: str
    title: str
    composer: None | str | Unset = UNSET
    instrumentation: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    note: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        upload_token = self.upload_token

        title = self.title

        composer: None | str | Unset
        if isinstance(self.composer, Unset):
            composer = UNSET
        else:
            composer = self.composer

        instrumentation: None | str | Unset
        if isinstance(self.instrumentation, Unset):
            instrumentation = UNSET
        else:
            instrumentation = self.instrumentation

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "upload_token": upload_token,
                "title": title,
            }
        )
        if composer is not UNSET:
            field_dict["composer"] = composer
        if instrumentation is not UNSET:
            field_dict["instrumentation"] = instrumentation
        if tags is not UNSET:
            field_dict["tags"] = tags
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        upload_token = d.pop("upload_token")

        title = d.pop("title")

        def _parse_composer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        composer = _parse_composer(d.pop("composer", UNSET))

        def _parse_instrumentation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instrumentation = _parse_instrumentation(d.pop("instrumentation", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        score_create = cls(
            upload_token=upload_token,
            title=title,
            composer=composer,
            instrumentation=instrumentation,
            tags=tags,
            note=note,
        )

        score_create.additional_properties = d
        return score_create

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
