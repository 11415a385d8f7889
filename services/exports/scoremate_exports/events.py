"""Events the exports service consumes: one small handler each, calling every domain that cares
(one queue per event keeps the upload pipeline's cost down). `@handlers.on` runs in the transaction
its registration opens; `@handlers.spanning` flows open their own and are idempotent on their own."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_exports.context import ExportsEventContext, ExportsParts
from scoremate_shared.db import Database
from scoremate_shared.events import (
    ExportFinishedV1,
    ExportPartWrittenV1,
    ImportArchiveUploadedV1,
    ImportRefusedV1,
    LibraryImportedV1,
    PagesCountedV1,
    ProcessingFailedV1,
    QuotaChangedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    UploadRejectedV1,
    UserDeletedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.broker import EventHandlers

handlers: EventHandlers[ExportsParts] = EventHandlers("exports")


# --- exports ------------------------------------------------------------------------------------


@handlers.spanning(ExportPartWrittenV1)
async def on_export_part_written(db: Database, event: ExportPartWrittenV1, ctx: ExportsEventContext) -> None:
    """Keep the part; the last one in builds the archive (spanning: the ZIP streams for a while)."""
    await ctx.parts.exports.record_part(db, event)


@handlers.on(ExportFinishedV1)
async def on_export_finished(
    session: AsyncSession, event: ExportFinishedV1, ctx: ExportsEventContext
) -> None:
    """Count the export in its month."""
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


# --- imports ------------------------------------------------------------------------------------


@handlers.spanning(ImportArchiveUploadedV1)
async def on_import_archive_uploaded(
    db: Database, event: ImportArchiveUploadedV1, ctx: ExportsEventContext
) -> None:
    """Read and check the archive, extract its PDFs, then accept or refuse it (spanning: it streams)."""
    await ctx.parts.imports.run_import(db, event)


@handlers.spanning(ImportRefusedV1)
async def on_import_refused(db: Database, event: ImportRefusedV1, ctx: ExportsEventContext) -> None:
    """files would not reserve the scores: the import is refused and what it extracted deleted."""
    await ctx.parts.imports.refused_by_files(db, event)


@handlers.on(LibraryImportedV1)
async def on_library_imported(
    session: AsyncSession, event: LibraryImportedV1, ctx: ExportsEventContext
) -> None:
    """The library created the import's scores and setlists."""
    await ctx.parts.imports.library_imported(session, event)
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


# --- what the library and the account are doing: the imports' projections and the report ------


@handlers.on(ScoreUploadedV1)
async def on_score_uploaded(session: AsyncSession, event: ScoreUploadedV1, ctx: ExportsEventContext) -> None:
    """A stored score's content hash (imports skip duplicates); an upload in the report."""
    await ctx.parts.imports.score_stored(session, event)
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.on(UploadRejectedV1)
async def on_upload_rejected(
    session: AsyncSession, event: UploadRejectedV1, ctx: ExportsEventContext
) -> None:
    """An imported score that failed verification; a failure in the report."""
    await ctx.parts.imports.score_rejected(session, event)
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.on(ScoreDeletedV1)
async def on_score_deleted(session: AsyncSession, event: ScoreDeletedV1, ctx: ExportsEventContext) -> None:
    """The content hash is free again; a deletion in the report."""
    await ctx.parts.imports.score_deleted(session, event)
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.on(QuotaChangedV1)
async def on_quota_changed(session: AsyncSession, event: QuotaChangedV1, ctx: ExportsEventContext) -> None:
    """The quota an import is checked against; storage in use and plan changes in the report."""
    await ctx.parts.imports.apply_quota(session, event)
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.on(PagesCountedV1)
async def on_pages_counted(session: AsyncSession, event: PagesCountedV1, ctx: ExportsEventContext) -> None:
    """Pages processed in the report."""
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.on(ProcessingFailedV1)
async def on_processing_failed(
    session: AsyncSession, event: ProcessingFailedV1, ctx: ExportsEventContext
) -> None:
    """A failure by reason in the report."""
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.on(UserRegisteredV1)
async def on_user_registered(
    session: AsyncSession, event: UserRegisteredV1, ctx: ExportsEventContext
) -> None:
    """A sign-up (and a referral) in the report."""
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.on(UserDeletedV1, purpose="user-deleted-report")
async def on_user_deleted_report(
    session: AsyncSession, event: UserDeletedV1, ctx: ExportsEventContext
) -> None:
    """An account deletion in the report (counts carry no user: nothing of the user is kept)."""
    await ctx.parts.reports.count(session, event, ctx.envelope.occurred_at)


@handlers.spanning(UserDeletedV1)
async def on_user_deleted(db: Database, event: UserDeletedV1, ctx: ExportsEventContext) -> None:
    """Erase the user's exports, imports and projections, archives and extracted objects included
    (spanning: the objects go after the rows' commit)."""
    await ctx.parts.exports.erase_user(db, event.user_id)
    await ctx.parts.imports.erase_user(db, event.user_id)
    await ctx.parts.reports.erase_user(db, event.user_id)
