from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.score_change_op import ScoreChangeOp

if TYPE_CHECKING:
    from ..models.synced_score import SyncedScore


T = TypeVar("T", bound="ScoreChange")


@_attrs_define
class ScoreChange:
    """
    Attributes:
        id (UUID): The entity's id (for thumbnails: the score's)
        op (ScoreChangeOp):
        version (int): Grows with every change of the entity; a delete's is the highest
        kind (Literal['score']):
        data (None | SyncedScore): The score; null for a delete
    """

    id: UUID
    op: ScoreChangeOp
    version: int
    kind: Literal["score"]
    data: None | SyncedScore
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.synced_score import SyncedScore  # noqa: PLC0415

        id = str(self.id)

        op = self.op.value

        version = self.version

        kind = self.kind

        data: dict[str, Any] | None
        if isinstance(self.data, SyncedScore):
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
        from ..models.synced_score import SyncedScore  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        op = ScoreChangeOp(d.pop("op"))

        version = d.pop("version")

        kind = cast(Literal["score"], d.pop("kind"))
        if kind != "score":
            raise ValueError(f"kind must match const 'score', got '{kind}'")

        def _parse_data(data: object) -> None | SyncedScore:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = SyncedScore.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SyncedScore, data)

        data = _parse_data(d.pop("data"))

        score_change = cls(
            id=id,
            op=op,
            version=version,
            kind=kind,
            data=data,
        )

        score_change.additional_properties = d
        return score_change

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
