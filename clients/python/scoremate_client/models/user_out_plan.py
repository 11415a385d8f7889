from enum import StrEnum


class UserOutPlan(StrEnum):
    PRO = "pro"
    SOLO = "solo"

    def __str__(self) -> str:
        return str(self.value)
