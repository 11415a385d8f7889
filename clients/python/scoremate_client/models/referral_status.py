from enum import StrEnum


class ReferralStatus(StrEnum):
    CANCELLED = "cancelled"
    CLAWED_BACK = "clawed_back"
    PAID = "paid"
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)
