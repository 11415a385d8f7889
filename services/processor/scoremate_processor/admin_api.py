"""Admin routes of the processor: tasks by status, and a retry of a failed one."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from scoremate_processor.api import TasksDep
from scoremate_processor.models import TaskStatus
from scoremate_processor.schemas import TaskOut
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

router = APIRouter(prefix="/admin/tasks", tags=["admin"])


@router.get("", summary="Every user's tasks, filtered by status")
async def list_tasks(
    admin: AdminUser,
    session: SessionDep,
    tasks: TasksDep,
    status_filter: Annotated[TaskStatus | None, Query(alias="status")] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[TaskOut]:
    """Most recently changed first."""
    return await tasks.list_all_tasks(session, admin, status_filter, page, page_size)


@router.post("/{task_id}/retry", status_code=status.HTTP_202_ACCEPTED, summary="Run a failed task again")
async def retry_task(task_id: uuid.UUID, admin: AdminUser, session: SessionDep, tasks: TasksDep) -> TaskOut:
    """409 unless the task is FAILED."""
    return await tasks.retry_failed(session, admin, task_id)
