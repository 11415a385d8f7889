"""What the exports service's event handlers are given (`EventContext.parts`): its services, not
the runtime."""

from dataclasses import dataclass

from scoremate_exports.exports.service import ExportService
from scoremate_exports.imports.service import ImportService
from scoremate_exports.reports.service import ReportService
from scoremate_shared.messaging.broker import EventContext


@dataclass(frozen=True)
class ExportsParts:
    exports: ExportService
    imports: ImportService
    reports: ReportService


ExportsEventContext = EventContext[ExportsParts]
