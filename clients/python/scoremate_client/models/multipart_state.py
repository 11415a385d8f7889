from enum import StrEnum


class MultipartState(StrEnum):
    COMPLETED = "completed"
    UPLOADING = "uploading"

    def __str__(self) -> str:
        return str(self.value)
