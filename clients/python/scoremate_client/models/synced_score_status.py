from enum import StrEnum


class SyncedScoreStatus(StrEnum):
    FAILED = "failed"
    PROCESSING = "processing"
    READY = "ready"

    def __str__(self) -> str:
        return str(self.value)
