from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_kind import TaskKind
from ..models.task_status import TaskStatus

T = TypeVar("T", bound="TaskOut")


@_attrs_define
class TaskOut:
    """
    Attributes:
        id (UUID):
        score_id (UUID):
        kind (TaskKind): What a task does (the stored value, the API's `kind` and the job message's).
        status (TaskStatus): A task's life: PENDING until a job leases it, RUNNING under a lease, then SUCCEEDED or
            FAILED until it is run again (the stored value and the API's `status`).
        try_count (int):
        log (list[str]):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: UUID
    score_id: UUID
    kind: TaskKind
    status: TaskStatus
    try_count: int
    log: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        score_id = str(self.score_id)

        kind = self.kind.value

        status = self.status.value

        try_count = self.try_count

        log = self.log

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "score_id": score_id,
                "kind": kind,
                "status": status,
                "try_count": try_count,
                "log": log,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        score_id = UUID(d.pop("score_id"))

        kind = TaskKind(d.pop("kind"))

        status = TaskStatus(d.pop("status"))

        try_count = d.pop("try_count")

        log = cast(list[str], d.pop("log"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        task_out = cls(
            id=id,
            score_id=score_id,
            kind=kind,
            status=status,
            try_count=try_count,
            log=log,
            created_at=created_at,
            updated_at=updated_at,
        )

        task_out.additional_properties = d
        return task_out

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
