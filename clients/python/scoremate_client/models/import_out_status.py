from enum import StrEnum


class ImportOutStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    COMPLETED = "completed"
    FAILED = "failed"
    IMPORTING = "importing"
    REFUSED = "refused"
    VALIDATING = "validating"

    def __str__(self) -> str:
        return str(self.value)
