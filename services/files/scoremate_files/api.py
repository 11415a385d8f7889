"""Files routes: thin, the decisions are in uploads.py and service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from scoremate_files.schemas import DownloadUrlOut, UploadUrlIn, UploadUrlOut
from scoremate_files.service import FilesService
from scoremate_files.uploads import UploadService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep

router = APIRouter(prefix="/files", tags=["files"])


async def get_files(request: Request) -> FilesService:
    files: FilesService = request.app.state.runtime.files
    return files


async def get_uploads(request: Request) -> UploadService:
    uploads: UploadService = request.app.state.runtime.uploads
    return uploads


FilesDep = Annotated[FilesService, Depends(get_files)]
UploadsDep = Annotated[UploadService, Depends(get_uploads)]


@router.post(
    "/upload-url",
    status_code=status.HTTP_201_CREATED,
    summary="Reserve an upload and get a presigned PUT URL",
    responses={403: {"description": "Quota exceeded"}, 409: {"description": "Duplicate"}, 413: {}, 415: {}},
)
async def create_upload_url(
    body: UploadUrlIn, user: CurrentUser, session: SessionDep, uploads: UploadsDep
) -> UploadUrlOut:
    """Checks size, type, duplicates and quota, reserves the bytes, signs the URL and the token."""
    return await uploads.create_upload_url(session, user.user_id, body)


@router.get("/download-url", summary="A presigned GET URL of the original or a page thumbnail")
async def get_download_url(
    user: CurrentUser,
    session: SessionDep,
    files: FilesDep,
    score_id: Annotated[uuid.UUID, Query()],
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> DownloadUrlOut:
    """No page: the original PDF; page=N: that page's thumbnail. 404 for another user's score."""
    return await files.download_url(session, user.user_id, score_id, page)
