"""Task routes: thin, the decisions are in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from scoremate_processor.schemas import TaskOut
from scoremate_processor.service import ProcessorService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

router = APIRouter(prefix="/tasks", tags=["tasks"])


async def get_processor(request: Request) -> ProcessorService:
    processor: ProcessorService = request.app.state.runtime.processor
    return processor


ProcessorDep = Annotated[ProcessorService, Depends(get_processor)]
ScoreIdQuery = Annotated[uuid.UUID, Query()]


@router.post(
    "/refresh-thumbnails", status_code=status.HTTP_202_ACCEPTED, summary="Render the thumbnails again"
)
async def refresh_thumbnails(
    score_id: ScoreIdQuery, user: CurrentUser, session: SessionDep, processor: ProcessorDep
) -> TaskOut:
    """Returns the thumbnail task; one already pending or running is returned as it is."""
    return await processor.refresh_thumbnails(session, user, score_id)


@router.post(
    "/run-layout", status_code=status.HTTP_202_ACCEPTED, summary="Send the score to the layout service"
)
async def run_layout(
    score_id: ScoreIdQuery, user: CurrentUser, session: SessionDep, processor: ProcessorDep
) -> TaskOut:
    """503 when no layout service is configured."""
    return await processor.run_layout(session, user, score_id)


@router.get("/{task_id}", summary="One task")
async def get_task(
    task_id: uuid.UUID, user: CurrentUser, session: SessionDep, processor: ProcessorDep
) -> TaskOut:
    """Status, try count and log; 404 for another user's task."""
    return await processor.get_task(session, user, task_id)


@router.get("", summary="The caller's tasks, optionally of one score")
async def list_tasks(
    user: CurrentUser,
    session: SessionDep,
    processor: ProcessorDep,
    score_id: Annotated[uuid.UUID | None, Query()] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[TaskOut]:
    """Newest first."""
    return await processor.list_tasks(session, user, score_id, page, page_size)
