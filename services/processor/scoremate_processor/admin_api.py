"""Admin routes of the processor: tasks by status, and a retry of a failed one."""

import uuid
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, status

from scoremate_processor.models import Task
from scoremate_processor.schemas import TaskOut
from scoremate_processor.service import TaskNotFound, task_out
from scoremate_shared.admin import record_admin_action
from scoremate_shared.auth import AdminUser
from scoremate_shared.dependencies import SessionDep
from scoremate_shared.errors import Conflict
from scoremate_shared.pagination import Page, PageQuery, PageSizeQuery

router = APIRouter(prefix="/admin/tasks", tags=["admin"])


class TaskNotFailed(Conflict):
    slug, title = "task-not-failed", "Only a failed task can be retried"


@router.get("", summary="Every user's tasks, filtered by status")
async def list_tasks(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    status_filter: Annotated[
        Literal["PENDING", "RUNNING", "SUCCEEDED", "FAILED"] | None, Query(alias="status")
    ] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 20,
) -> Page[TaskOut]:
    """Most recently changed first."""
    conditions = [Task.status == status_filter] if status_filter else []
    total = await session.scalar(sa.select(sa.func.count()).select_from(Task).where(*conditions))
    tasks = await session.scalars(
        sa.select(Task)
        .where(*conditions)
        .order_by(Task.updated_at.desc(), Task.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    items = [task_out(task) for task in tasks]
    await record_admin_action(session, request.app.state.runtime, admin, "list_tasks", status_filter or "all")
    await session.commit()
    return Page(items=items, page=page, page_size=page_size, total=int(total or 0))


@router.post("/{task_id}/retry", status_code=status.HTTP_202_ACCEPTED, summary="Run a failed task again")
async def retry_task(task_id: uuid.UUID, request: Request, admin: AdminUser, session: SessionDep) -> TaskOut:
    """409 unless the task is FAILED."""
    runtime = request.app.state.runtime
    task = await session.get(Task, task_id, with_for_update=True)
    if task is None:
        raise TaskNotFound("No such task")
    if task.status != "FAILED":
        raise TaskNotFailed(f"The task is {task.status}")
    await runtime.processor.rerun(session, task, f"retry requested by admin {admin.user_id}")
    await record_admin_action(session, runtime, admin, "retry_task", str(task_id))
    await session.commit()
    return task_out(task)
