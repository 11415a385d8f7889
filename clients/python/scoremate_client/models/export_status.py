from enum import StrEnum


class ExportStatus(StrEnum):
    ASSEMBLING = "assembling"
    COLLECTING = "collecting"
    COMPLETED = "completed"
    EXPIRED = "expired"
    FAILED = "failed"

    def __str__(self) -> str:
        return str(self.value)
