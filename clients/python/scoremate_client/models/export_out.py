from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_status import ExportStatus

if TYPE_CHECKING:
    from ..models.export_progress import ExportProgress


T = TypeVar("T", bound="ExportOut")


@_attrs_define
class ExportOut:
    """One export of a library: `collecting` (each service writes its part), `assembling` (the
    archive is built), then `completed` (downloadable until `expires_at`), `expired`, or `failed`.

        Attributes:
            id (UUID):
            status (ExportStatus): collecting (the services write their parts) -> assembling (the ZIP is built) -> completed
                -> expired (swept); or failed.
            requested_by (None | UUID): The admin of a data-subject request; null: the user
            as_of (datetime.datetime | None): The moment the archive's library and setlists are as of
            progress (ExportProgress):
            size_bytes (int | None): The archive's size once completed
            scores (int | None):
            setlists (int | None):
            created_at (datetime.datetime):
            completed_at (datetime.datetime | None):
            expires_at (datetime.datetime | None): When a completed archive is deleted
            download_url (None | str): Completed only: a presigned GET of the archive (saved as scoremate-export-<as_of
                date>.zip), valid until `download_expires_at`; every GET signs a new one
            download_expires_at (datetime.datetime | None):
            error (None | str): Why the export failed
    """

    id: UUID
    status: ExportStatus
    requested_by: None | UUID
    as_of: datetime.datetime | None
    progress: ExportProgress
    size_bytes: int | None
    scores: int | None
    setlists: int | None
    created_at: datetime.datetime
    completed_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    download_url: None | str
    download_expires_at: datetime.datetime | None
    error: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        status = self.status.value

        requested_by: None | str
        if isinstance(self.requested_by, UUID):
            requested_by = str(self.requested_by)
        else:
            requested_by = self.requested_by

        as_of: None | str
        if isinstance(self.as_of, datetime.datetime):
            as_of = self.as_of.isoformat()
        else:
            as_of = self.as_of

        progress = self.progress.to_dict()

        size_bytes: int | None
        size_bytes = self.size_bytes

        scores: int | None
        scores = self.scores

        setlists: int | None
        setlists = self.setlists

        created_at = self.created_at.isoformat()

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        download_url: None | str
        download_url = self.download_url

        download_expires_at: None | str
        if isinstance(self.download_expires_at, datetime.datetime):
            download_expires_at = self.download_expires_at.isoformat()
        else:
            download_expires_at = self.download_expires_at

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "requested_by": requested_by,
                "as_of": as_of,
                "progress": progress,
                "size_bytes": size_bytes,
                "scores": scores,
                "setlists": setlists,
                "created_at": created_at,
                "completed_at": completed_at,
                "expires_at": expires_at,
                "download_url": download_url,
                "download_expires_at": download_expires_at,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.export_progress import ExportProgress  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = ExportStatus(d.pop("status"))

        def _parse_requested_by(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                requested_by_type_0 = UUID(data)

                return requested_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        requested_by = _parse_requested_by(d.pop("requested_by"))

        def _parse_as_of(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                as_of_type_0 = datetime.datetime.fromisoformat(data)

                return as_of_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        as_of = _parse_as_of(d.pop("as_of"))

        progress = ExportProgress.from_dict(d.pop("progress"))

        def _parse_size_bytes(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        size_bytes = _parse_size_bytes(d.pop("size_bytes"))

        def _parse_scores(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        scores = _parse_scores(d.pop("scores"))

        def _parse_setlists(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        setlists = _parse_setlists(d.pop("setlists"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        def _parse_download_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        download_url = _parse_download_url(d.pop("download_url"))

        def _parse_download_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                download_expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return download_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        download_expires_at = _parse_download_expires_at(d.pop("download_expires_at"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        export_out = cls(
            id=id,
            status=status,
            requested_by=requested_by,
            as_of=as_of,
            progress=progress,
            size_bytes=size_bytes,
            scores=scores,
            setlists=setlists,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at,
            download_url=download_url,
            download_expires_at=download_expires_at,
            error=error,
        )

        export_out.additional_properties = d
        return export_out

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
