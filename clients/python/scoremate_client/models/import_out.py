from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.import_out_status import ImportOutStatus

if TYPE_CHECKING:
    from ..models.archive_upload_out import ArchiveUploadOut
    from ..models.import_problem_out import ImportProblemOut
    from ..models.import_progress_out import ImportProgressOut
    from ..models.import_report_out import ImportReportOut


T = TypeVar("T", bound="ImportOut")


@_attrs_define
class ImportOut:
    """
    Attributes:
        id (UUID):
        status (ImportOutStatus):
        created_at (datetime.datetime):
        finished_at (datetime.datetime | None):
        upload (ArchiveUploadOut | None): While the archive awaits its upload (and the URL is valid); null afterwards
        progress (ImportProgressOut):
        report (ImportReportOut | None):
        problem (ImportProblemOut | None):
    """

    id: UUID
    status: ImportOutStatus
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    upload: ArchiveUploadOut | None
    progress: ImportProgressOut
    report: ImportReportOut | None
    problem: ImportProblemOut | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.archive_upload_out import ArchiveUploadOut  # noqa: PLC0415
        from ..models.import_problem_out import ImportProblemOut  # noqa: PLC0415
        from ..models.import_report_out import ImportReportOut  # noqa: PLC0415

        id = str(self.id)

        status = self.status.value

        created_at = self.created_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        upload: dict[str, Any] | None
        if isinstance(self.upload, ArchiveUploadOut):
            upload = self.upload.to_dict()
        else:
            upload = self.upload

        progress = self.progress.to_dict()

        report: dict[str, Any] | None
        if isinstance(self.report, ImportReportOut):
            report = self.report.to_dict()
        else:
            report = self.report

        problem: dict[str, Any] | None
        if isinstance(self.problem, ImportProblemOut):
            problem = self.problem.to_dict()
        else:
            problem = self.problem

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "created_at": created_at,
                "finished_at": finished_at,
                "upload": upload,
                "progress": progress,
                "report": report,
                "problem": problem,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.archive_upload_out import ArchiveUploadOut  # noqa: PLC0415
        from ..models.import_problem_out import ImportProblemOut  # noqa: PLC0415
        from ..models.import_progress_out import ImportProgressOut  # noqa: PLC0415
        from ..models.import_report_out import ImportReportOut  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = ImportOutStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_upload(data: object) -> ArchiveUploadOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                upload_type_0 = ArchiveUploadOut.from_dict(data)

                return upload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ArchiveUploadOut | None, data)

        upload = _parse_upload(d.pop("upload"))

        progress = ImportProgressOut.from_dict(d.pop("progress"))

        def _parse_report(data: object) -> ImportReportOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                report_type_0 = ImportReportOut.from_dict(data)

                return report_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImportReportOut | None, data)

        report = _parse_report(d.pop("report"))

        def _parse_problem(data: object) -> ImportProblemOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                problem_type_0 = ImportProblemOut.from_dict(data)

                return problem_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImportProblemOut | None, data)

        problem = _parse_problem(d.pop("problem"))

        import_out = cls(
            id=id,
            status=status,
            created_at=created_at,
            finished_at=finished_at,
            upload=upload,
            progress=progress,
            report=report,
            problem=problem,
        )

        import_out.additional_properties = d
        return import_out

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
