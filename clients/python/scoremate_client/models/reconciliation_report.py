from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.keys_found import KeysFound


T = TypeVar("T", bound="ReconciliationReport")


@_attrs_define
class ReconciliationReport:
    """
    Attributes:
        prefix (str): The part of the bucket compared; empty for all of it
        started_at (datetime.datetime):
        finished_at (datetime.datetime):
        objects_listed (int):
        strays (KeysFound):
        missing (KeysFound):
        strays_deleted (KeysFound):
    """

    prefix: str
    started_at: datetime.datetime
    finished_at: datetime.datetime
    objects_listed: int
    strays: KeysFound
    missing: KeysFound
    strays_deleted: KeysFound
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        prefix = self.prefix

        started_at = self.started_at.isoformat()

        finished_at = self.finished_at.isoformat()

        objects_listed = self.objects_listed

        strays = self.strays.to_dict()

        missing = self.missing.to_dict()

        strays_deleted = self.strays_deleted.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prefix": prefix,
                "started_at": started_at,
                "finished_at": finished_at,
                "objects_listed": objects_listed,
                "strays": strays,
                "missing": missing,
                "strays_deleted": strays_deleted,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.keys_found import KeysFound  # noqa: PLC0415

        d = dict(src_dict)
        prefix = d.pop("prefix")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        finished_at = datetime.datetime.fromisoformat(d.pop("finished_at"))

        objects_listed = d.pop("objects_listed")

        strays = KeysFound.from_dict(d.pop("strays"))

        missing = KeysFound.from_dict(d.pop("missing"))

        strays_deleted = KeysFound.from_dict(d.pop("strays_deleted"))

        reconciliation_report = cls(
            prefix=prefix,
            started_at=started_at,
            finished_at=finished_at,
            objects_listed=objects_listed,
            strays=strays,
            missing=missing,
            strays_deleted=strays_deleted,
        )

        reconciliation_report.additional_properties = d
        return reconciliation_report

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
