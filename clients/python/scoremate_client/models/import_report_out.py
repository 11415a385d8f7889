from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.duplicate_skipped_out import DuplicateSkippedOut


T = TypeVar("T", bound="ImportReportOut")


@_attrs_define
class ImportReportOut:
    """What the import did, once the archive was checked.

    Attributes:
        scores_imported (int): Scores handed on to be created
        duplicates_skipped (list[DuplicateSkippedOut]):
        setlists (int): Setlists in the archive
        scores_without_file (int | Unset): Scores the archive lists without a PDF (never uploaded): not imported
            Default: 0.
        scores_skipped (int | Unset): Scores left out after the check (the same file was uploaded meanwhile) Default: 0.
        setlists_created (int | None | Unset): Once the library created them
        setlists_skipped (int | None | Unset): Setlists equal to one the caller already has
    """

    scores_imported: int
    duplicates_skipped: list[DuplicateSkippedOut]
    setlists: int
    scores_without_file: int | Unset = 0
    scores_skipped: int | Unset = 0
    setlists_created: int | None | Unset = UNSET
    setlists_skipped: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scores_imported = self.scores_imported

        duplicates_skipped = []
        for duplicates_skipped_item_data in self.duplicates_skipped:
            duplicates_skipped_item = duplicates_skipped_item_data.to_dict()
            duplicates_skipped.append(duplicates_skipped_item)

        setlists = self.setlists

        scores_without_file = self.scores_without_file

        scores_skipped = self.scores_skipped

        setlists_created: int | None | Unset
        if isinstance(self.setlists_created, Unset):
            setlists_created = UNSET
        else:
            setlists_created = self.setlists_created

        setlists_skipped: int | None | Unset
        if isinstance(self.setlists_skipped, Unset):
            setlists_skipped = UNSET
        else:
            setlists_skipped = self.setlists_skipped

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scores_imported": scores_imported,
                "duplicates_skipped": duplicates_skipped,
                "setlists": setlists,
            }
        )
        if scores_without_file is not UNSET:
            field_dict["scores_without_file"] = scores_without_file
        if scores_skipped is not UNSET:
            field_dict["scores_skipped"] = scores_skipped
        if setlists_created is not UNSET:
            field_dict["setlists_created"] = setlists_created
        if setlists_skipped is not UNSET:
            field_dict["setlists_skipped"] = setlists_skipped

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.duplicate_skipped_out import DuplicateSkippedOut  # noqa: PLC0415

        d = dict(src_dict)
        scores_imported = d.pop("scores_imported")

        duplicates_skipped = []
        _duplicates_skipped = d.pop("duplicates_skipped")
        for duplicates_skipped_item_data in _duplicates_skipped:
            duplicates_skipped_item = DuplicateSkippedOut.from_dict(duplicates_skipped_item_data)

            duplicates_skipped.append(duplicates_skipped_item)

        setlists = d.pop("setlists")

        scores_without_file = d.pop("scores_without_file", UNSET)

        scores_skipped = d.pop("scores_skipped", UNSET)

        def _parse_setlists_created(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        setlists_created = _parse_setlists_created(d.pop("setlists_created", UNSET))

        def _parse_setlists_skipped(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        setlists_skipped = _parse_setlists_skipped(d.pop("setlists_skipped", UNSET))

        import_report_out = cls(
            scores_imported=scores_imported,
            duplicates_skipped=duplicates_skipped,
            setlists=setlists,
            scores_without_file=scores_without_file,
            scores_skipped=scores_skipped,
            setlists_created=setlists_created,
            setlists_skipped=setlists_skipped,
        )

        import_report_out.additional_properties = d
        return import_report_out

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
