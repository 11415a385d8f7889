from enum import StrEnum


class TaskKind(StrEnum):
    LAYOUT_HOOK = "layout_hook"
    PDF_INFO = "pdf_info"
    THUMBNAIL = "thumbnail"

    def __str__(self) -> str:
        return str(self.value)
