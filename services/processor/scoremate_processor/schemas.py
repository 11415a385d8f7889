"""Task bodies of the API, and the processor's own job message."""

import uuid
from datetime import datetime

from pydantic import BaseModel

from scoremate_processor.models import TaskKind, TaskStatus
from scoremate_shared.events import IntegrationEvent


class ProcessorJobRequestedV1(IntegrationEvent):
    """Internal to the processor: run this task (queue processor.jobs). Retries ride on the broker."""

    task_id: uuid.UUID
    score_id: uuid.UUID
    user_id: uuid.UUID
    kind: TaskKind


class TaskOut(BaseModel):
    id: uuid.UUID
    score_id: uuid.UUID
    kind: TaskKind
    status: TaskStatus
    try_count: int
    log: list[str]
    created_at: datetime
    updated_at: datetime
