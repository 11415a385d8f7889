"""Request and response bodies of the auth API."""

import uuid
from datetime import datetime
from typing import Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator

PASSWORD_MIN_LENGTH = 8
# argon2 would hash megabytes happily; a cap keeps one request from costing that.
PASSWORD_MAX_LENGTH = 1024
EMAIL_MAX_LENGTH = 320


def normalise_email(value: str) -> str:
    """Strip, lower-case and check the syntax of an address (no DNS lookup); ValueError if invalid."""
    candidate = value.strip().lower()
    try:
        info = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return info.normalized.lower()


class RegisterIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "clara@example.com",
                    "password": "correct horse battery",
                    "referral_code": "K7QX2M9A",
                }
            ]
        }
    )

    email: str = Field(max_length=EMAIL_MAX_LENGTH, examples=["ada@example.com"])
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
    referral_code: str | None = Field(
        default=None, max_length=64, description="Another user's code; billing checks and credits it"
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("referral_code")
    @classmethod
    def _referral_code(cls, value: str | None) -> str | None:
        # Codes are upper case; users type them as they like.
        value = (value or "").strip().upper()
        return value or None


class LoginIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "clara@example.com", "password": "correct horse battery"}]}
    )

    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        # No syntax check: a malformed address is just an unknown one (401, like any other).
        return value.strip().lower()


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class VerifyEmailIn(BaseModel):
    token: str = Field(min_length=1, max_length=256, description="The token of the verification e-mail")


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    plan: Literal["solo", "pro"]
    referral_code: str
    created_at: datetime
    email_verified: bool = Field(
        default=False, description="A token e-mailed to the address came back; referral bonuses wait for it"
    )


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class JwksOut(BaseModel):
    keys: list[dict[str, Any]]
