from enum import IntEnum


class UsageOutWarningType0(IntEnum):
    VALUE_80 = 80
    VALUE_95 = 95

    def __str__(self) -> str:
        return str(self.value)
