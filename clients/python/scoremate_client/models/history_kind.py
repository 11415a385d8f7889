from enum import StrEnum


class HistoryKind(StrEnum):
    PAYMENT = "payment"
    PLAN_CHANGE = "plan_change"
    REFERRAL_BONUS = "referral_bonus"
    REFUND = "refund"

    def __str__(self) -> str:
        return str(self.value)
