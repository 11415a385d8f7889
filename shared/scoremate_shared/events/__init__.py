"""Integration events: the envelope and every contract of EVENTS.md, one model per major version."""

from scoremate_shared.events.contracts import (
    ALL_EVENTS,
    AccessRevokedV1,
    AdminActionRecordedV1,
    PagesCountedV1,
    ProcessingFailedV1,
    QuotaChangedV1,
    ScoreCreatedV1,
    ScoreDeletedV1,
    ScoreUploadedV1,
    StorageReleasedV1,
    ThumbnailsGeneratedV1,
    UploadRejectedV1,
    UsageThresholdCrossedV1,
    UserDeletedV1,
    UserEmailVerifiedV1,
    UserRegisteredV1,
)
from scoremate_shared.events.envelope import EventEnvelope, IntegrationEvent

__all__ = [
    "ALL_EVENTS",
    "AccessRevokedV1",
    "AdminActionRecordedV1",
    "EventEnvelope",
    "IntegrationEvent",
    "PagesCountedV1",
    "ProcessingFailedV1",
    "QuotaChangedV1",
    "ScoreCreatedV1",
    "ScoreDeletedV1",
    "ScoreUploadedV1",
    "StorageReleasedV1",
    "ThumbnailsGeneratedV1",
    "UploadRejectedV1",
    "UsageThresholdCrossedV1",
    "UserDeletedV1",
    "UserEmailVerifiedV1",
    "UserRegisteredV1",
]
