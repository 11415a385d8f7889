"""What the processor's event handlers are given (`EventContext.parts`): its task service and job
runner, not the runtime."""

from dataclasses import dataclass

from scoremate_processor.jobs import JobRunner
from scoremate_processor.service import TaskService
from scoremate_shared.messaging.broker import EventContext


@dataclass(frozen=True)
class ProcessorParts:
    tasks: TaskService
    jobs: JobRunner


ProcessorEventContext = EventContext[ProcessorParts]
