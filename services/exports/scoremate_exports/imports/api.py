"""Import routes: thin, the decisions are in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from scoremate_exports.imports.schemas import ImportIn, ImportOut
from scoremate_exports.imports.service import ImportService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.openapi import problems
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

# Its POSTs take an Idempotency-Key.
router = APIRouter(prefix="/imports", tags=["imports"], route_class=IdempotentRoute)


async def get_imports(request: Request) -> ImportService:
    imports: ImportService = request.app.state.runtime.imports
    return imports


ImportsDep = Annotated[ImportService, Depends(get_imports)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Start an import of an archive: get the URL to upload it to",
    responses=problems(_413="`archive-too-large`: above IMPORT_MAX_ARCHIVE_BYTES"),
)
async def create_import(
    body: ImportIn, user: CurrentUser, session: SessionDep, imports: ImportsDep
) -> ImportOut:
    """PUT the archive (a ScoreMate export's ZIP) to `upload.url` with `upload.headers`, then
    POST /imports/{id}/start."""
    return await imports.create(session, user.user_id, body)


@router.post(
    "/{import_id}/start",
    status_code=status.HTTP_202_ACCEPTED,
    summary="The archive is uploaded: check it and import it",
    responses=problems(_409="`archive-not-uploaded`: no object of the announced size at the upload URL"),
)
async def start_import(
    import_id: uuid.UUID, user: CurrentUser, session: SessionDep, imports: ImportsDep
) -> ImportOut:
    """The archive is read once and checked; a hostile or inconsistent one is refused with a problem
    (`problem`) and nothing of it kept. Follow it with GET /imports/{id}; starting again is 202 too."""
    return await imports.start(session, user.user_id, import_id)


@router.get("", summary="The caller's imports, newest first")
async def list_imports(
    user: CurrentUser,
    session: SessionDep,
    imports: ImportsDep,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[ImportOut]:
    """Each with its status, progress, report and problem."""
    return await imports.list(session, user.user_id, page, page_size)


@router.get("/{import_id}", summary="One import: status, progress, report, problem")
async def get_import(
    import_id: uuid.UUID, user: CurrentUser, session: SessionDep, imports: ImportsDep
) -> ImportOut:
    """While the archive awaits its upload, `upload` holds a URL valid until the first one expires."""
    return await imports.get(session, user.user_id, import_id)
