from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.history_kind import HistoryKind

if TYPE_CHECKING:
    from ..models.history_entry_out_meta import HistoryEntryOutMeta


T = TypeVar("T", bound="HistoryEntryOut")


@_attrs_define
class HistoryEntryOut:
    """
    Attributes:
        kind (HistoryKind): What a history entry records (the stored value and the API's `kind`).
        amount (int):
        meta (HistoryEntryOutMeta):
        created_at (datetime.datetime):
    """

    kind: HistoryKind
    amount: int
    meta: HistoryEntryOutMeta
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        amount = self.amount

        meta = self.meta.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "amount": amount,
                "meta": meta,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.history_entry_out_meta import HistoryEntryOutMeta  # noqa: PLC0415

        d = dict(src_dict)
        kind = HistoryKind(d.pop("kind"))

        amount = d.pop("amount")

        meta = HistoryEntryOutMeta.from_dict(d.pop("meta"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        history_entry_out = cls(
            kind=kind,
            amount=amount,
            meta=meta,
            created_at=created_at,
        )

        history_entry_out.additional_properties = d
        return history_entry_out

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
