from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.score_change import ScoreChange
    from ..models.setlist_change import SetlistChange
    from ..models.thumbnails_change import ThumbnailsChange


T = TypeVar("T", bound="SyncPage")


@_attrs_define
class SyncPage:
    """
    Attributes:
        changes (list[ScoreChange | SetlistChange | ThumbnailsChange]): In commit order; a device applies them in turn
        next_cursor (str): Opaque: send it as `cursor` next time (or as Last-Event-ID)
        has_more (bool): More changes wait: ask again at once with `next_cursor`
    """

    changes: list[ScoreChange | SetlistChange | ThumbnailsChange]
    next_cursor: str
    has_more: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.score_change import ScoreChange  # noqa: PLC0415
        from ..models.setlist_change import SetlistChange  # noqa: PLC0415

        changes = []
        for changes_item_data in self.changes:
            changes_item: dict[str, Any]
            if isinstance(changes_item_data, ScoreChange):
                changes_item = changes_item_data.to_dict()
            elif isinstance(changes_item_data, SetlistChange):
                changes_item = changes_item_data.to_dict()
            else:
                changes_item = changes_item_data.to_dict()

            changes.append(changes_item)

        next_cursor = self.next_cursor

        has_more = self.has_more

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "changes": changes,
                "next_cursor": next_cursor,
                "has_more": has_more,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.score_change import ScoreChange  # noqa: PLC0415
        from ..models.setlist_change import SetlistChange  # noqa: PLC0415
        from ..models.thumbnails_change import ThumbnailsChange  # noqa: PLC0415

        d = dict(src_dict)
        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:

            def _parse_changes_item(data: object) -> ScoreChange | SetlistChange | ThumbnailsChange:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    changes_item_type_0 = ScoreChange.from_dict(data)

                    return changes_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    changes_item_type_1 = SetlistChange.from_dict(data)

                    return changes_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                changes_item_type_2 = ThumbnailsChange.from_dict(data)

                return changes_item_type_2

            changes_item = _parse_changes_item(changes_item_data)

            changes.append(changes_item)

        next_cursor = d.pop("next_cursor")

        has_more = d.pop("has_more")

        sync_page = cls(
            changes=changes,
            next_cursor=next_cursor,
            has_more=has_more,
        )

        sync_page.additional_properties = d
        return sync_page

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
