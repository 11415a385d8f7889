"""Task routes: thin, the decisions are in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from scoremate_processor.schemas import TaskOut
from scoremate_processor.service import TaskService
from scoremate_shared.auth import CurrentUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.idempotency import IdempotentRoute
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

# Its POSTs (refresh-thumbnails, run-layout) take an Idempotency-Key: a replay neither requests
# the job again nor counts against the refresh limit.
router = APIRouter(prefix="/tasks", tags=["tasks"], route_class=IdempotentRoute)


async def get_tasks(request: Request) -> TaskService:
    tasks: TaskService = request.app.state.runtime.tasks
    return tasks


TasksDep = Annotated[TaskService, Depends(get_tasks)]
ScoreIdQuery = Annotated[uuid.UUID, Query()]


@router.post(
    "/refresh-thumbnails",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Render the thumbnails again",
    responses={
        404: {"description": "No task of the caller's for this score"},
        429: {"description": "The caller's refreshes of the last hour reached the limit (Retry-After)"},
    },
)
async def refresh_thumbnails(
    score_id: ScoreIdQuery, user: CurrentUser, session: SessionDep, tasks: TasksDep
) -> TaskOut:
    """Returns the thumbnail task; one already pending or running is returned as it is."""
    return await tasks.refresh_thumbnails(session, user, score_id)


@router.post(
    "/run-layout", status_code=status.HTTP_202_ACCEPTED, summary="Send the score to the layout service"
)
async def run_layout(
    score_id: ScoreIdQuery, user: CurrentUser, session: SessionDep, tasks: TasksDep
) -> TaskOut:
    """503 when no layout service is configured."""
    return await tasks.run_layout(session, user, score_id)


@router.get("/{task_id}", summary="One task")
async def get_task(task_id: uuid.UUID, user: CurrentUser, session: SessionDep, tasks: TasksDep) -> TaskOut:
    """Status, try count and log; 404 for another user's task."""
    return await tasks.get_task(session, user, task_id)


@router.get("", summary="The caller's tasks, optionally of one score")
async def list_tasks(
    user: CurrentUser,
    session: SessionDep,
    tasks: TasksDep,
    score_id: Annotated[uuid.UUID | None, Query()] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[TaskOut]:
    """Newest first."""
    return await tasks.list_tasks(session, user, score_id, page, page_size)
