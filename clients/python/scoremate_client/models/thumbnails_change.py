from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.thumbnails_change_op import ThumbnailsChangeOp

if TYPE_CHECKING:
    from ..models.synced_thumbnails import SyncedThumbnails


T = TypeVar("T", bound="ThumbnailsChange")


@_attrs_define
class ThumbnailsChange:
    """
    Attributes:
        id (UUID): The entity's id (for thumbnails: the score's)
        op (ThumbnailsChangeOp):
        version (int): Grows with every change of the entity; a delete's is the highest
        kind (Literal['thumbnails']):
        data (None | SyncedThumbnails): The progress; null for a delete
    """

    id: UUID
    op: ThumbnailsChangeOp
    version: int
    kind: Literal["thumbnails"]
    data: None | SyncedThumbnails
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.synced_thumbnails import SyncedThumbnails  # noqa: PLC0415

        id = str(self.id)

        op = self.op.value

        version = self.version

        kind = self.kind

        data: dict[str, Any] | None
        if isinstance(self.data, SyncedThumbnails):
            data = self.data.to_dict()
        else:
            data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "op": op,
                "version": version,
                "kind": kind,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.synced_thumbnails import SyncedThumbnails  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        op = ThumbnailsChangeOp(d.pop("op"))

        version = d.pop("version")

        kind = cast(Literal["thumbnails"], d.pop("kind"))
        if kind != "thumbnails":
            raise ValueError(f"kind must match const 'thumbnails', got '{kind}'")

        def _parse_data(data: object) -> None | SyncedThumbnails:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = SyncedThumbnails.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SyncedThumbnails, data)

        data = _parse_data(d.pop("data"))

        thumbnails_change = cls(
            id=id,
            op=op,
            version=version,
            kind=kind,
            data=data,
        )

        thumbnails_change.additional_properties = d
        return thumbnails_change

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
