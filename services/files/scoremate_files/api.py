"""Files routes: thin, the decisions are in uploads.py and service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from scoremate_files.resumable import ResumableUploadService
from scoremate_files.schemas import (
    CompleteUploadIn,
    DownloadUrlOut,
    MultipartUploadOut,
    UploadUrlAnswer,
    UploadUrlIn,
)
from scoremate_files.service import FilesService
from scoremate_files.uploads import UploadService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.openapi import problems

# Its POSTs (upload-url, complete) take an Idempotency-Key.
router = APIRouter(prefix="/files", tags=["files"], route_class=IdempotentRoute)


async def get_files(request: Request) -> FilesService:
    files: FilesService = request.app.state.runtime.files
    return files


async def get_uploads(request: Request) -> UploadService:
    uploads: UploadService = request.app.state.runtime.uploads
    return uploads


async def get_resumable(request: Request) -> ResumableUploadService:
    resumable: ResumableUploadService = request.app.state.runtime.uploads.resumable
    return resumable


FilesDep = Annotated[FilesService, Depends(get_files)]
UploadsDep = Annotated[UploadService, Depends(get_uploads)]
ResumableDep = Annotated[ResumableUploadService, Depends(get_resumable)]


@router.post(
    "/upload-url",
    status_code=status.HTTP_201_CREATED,
    summary="Reserve an upload and get a presigned PUT URL",
    responses={403: {"description": "Quota exceeded"}, 409: {"description": "Duplicate"}, 413: {}, 415: {}},
)
async def create_upload_url(
    body: UploadUrlIn, user: CurrentUser, session: SessionDep, uploads: UploadsDep
) -> UploadUrlAnswer:
    """Checks size, type, duplicates and quota, reserves the bytes, signs the URL and the token.
    With `resumable` and a file above the threshold: a multipart upload, a URL per part."""
    return await uploads.create_upload_url(session, user.user_id, body)


@router.get(
    "/uploads/{score_id}",
    summary="A multipart upload's parts in storage, and fresh URLs for the missing ones",
    responses=problems(_409="The upload is over (claimed, refused or released), or gone from storage"),
)
async def get_upload(
    score_id: uuid.UUID, user: CurrentUser, session: SessionDep, resumable: ResumableDep
) -> MultipartUploadOut:
    """The resume after a dropped connection: what storage has, and where to send the rest."""
    return await resumable.status(session, user.user_id, score_id)


@router.post(
    "/uploads/{score_id}/complete",
    summary="Join a multipart upload's parts into the uploaded file",
    responses=problems(
        _409="A part is missing or was sent again, or the upload is over",
        _422="A part has another size than announced, or the body is invalid",
    ),
)
async def complete_upload(
    score_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    resumable: ResumableDep,
    body: CompleteUploadIn | None = None,
) -> MultipartUploadOut:
    """CompleteMultipartUpload with every part (storage's listing; the body's ETags, if given, must
    match it); then POST /scores with the upload token. Completing twice is 200."""
    return await resumable.complete(session, user.user_id, score_id, body)


@router.delete(
    "/uploads/{score_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Give an upload up: abort it and release its reserved bytes",
    responses=problems(_409="The score was already created from this upload"),
)
async def abort_upload(
    score_id: uuid.UUID, user: CurrentUser, session: SessionDep, resumable: ResumableDep
) -> None:
    """AbortMultipartUpload (a single PUT's reservation is released the same way); 204 again
    for an upload already released."""
    await resumable.abort(session, user.user_id, score_id)


@router.get(
    "/download-url",
    summary="A presigned GET URL of the original or a page thumbnail",
    responses=problems(_404="Unknown or another user's score, or a page without a thumbnail"),
)
async def get_download_url(
    user: CurrentUser,
    session: SessionDep,
    files: FilesDep,
    score_id: Annotated[uuid.UUID, Query()],
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> DownloadUrlOut:
    """No page: the original PDF; page=N: that page's thumbnail. 404 for another user's score."""
    return await files.download_url(session, user.user_id, score_id, page)
