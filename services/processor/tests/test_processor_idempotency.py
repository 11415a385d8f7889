"""The processor's Idempotency-Key table: a deleted user's keys (and the responses kept for them)
go with the account."""

from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_processor.service import TaskService
from scoremate_shared.testing import assert_erasure_forgets_idempotency_keys


async def test_erasing_a_user_forgets_their_idempotency_keys(
    session: AsyncSession, processor_tasks: TaskService
):
    await assert_erasure_forgets_idempotency_keys(
        session, processor_tasks.erase_user, "/tasks/refresh-thumbnails"
    )
