from enum import StrEnum


class Plan(StrEnum):
    PRO = "pro"
    SOLO = "solo"

    def __str__(self) -> str:
        return str(self.value)
