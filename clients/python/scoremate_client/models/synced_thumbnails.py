from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SyncedThumbnails")


@_attrs_define
class SyncedThumbnails:
    """A score's page images: `pages_done` of `pages_total` rendered; `done` once all are stored
    (GET /files/download-url?score_id=&page= fetches one).

        Attributes:
            score_id (UUID):
            pages_done (int):
            pages_total (int):
            done (bool):
    """

    score_id: UUID
    pages_done: int
    pages_total: int
    done: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        score_id = str(self.score_id)

        pages_done = self.pages_done

        pages_total = self.pages_total

        done = self.done

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "score_id": score_id,
                "pages_done": pages_done,
                "pages_total": pages_total,
                "done": done,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        score_id = UUID(d.pop("score_id"))

        pages_done = d.pop("pages_done")

        pages_total = d.pop("pages_total")

        done = d.pop("done")

        synced_thumbnails = cls(
            score_id=score_id,
            pages_done=pages_done,
            pages_total=pages_total,
            done=done,
        )

        synced_thumbnails.additional_properties = d
        return synced_thumbnails

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
