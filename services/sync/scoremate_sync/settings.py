"""Sync settings: cursor signing, how long tombstones stay, the live stream's heartbeat."""

from pydantic import Field

from scoremate_shared.settings import ServiceSettings, StorageSettings


class SyncSettings(ServiceSettings, StorageSettings):
    # Storage only to sign the cover URLs of the scores it answers with: its identity may read
    # covers and nothing else (deploy/storage-policies/sync.json), like the library's.
    service_name: str = "sync"
    db_schema: str = "sync"
    # Keys the HMAC in every cursor, so a cursor names one user's feed and cannot be made up.
    # Long random text in production (this value is refused there); changing it sends every
    # device back to a full sync (their cursors become invalid).
    sync_cursor_secret: str = Field(default="dev-secret-sync-cursor-change-me-0123456789", min_length=32)
    # A deletion is kept this long as a tombstone; a cursor older than the tombstones pruned since
    # is 410 (the device starts again without a cursor). Longer than a device stays offline.
    sync_tombstone_retention_days: int = Field(default=30, ge=1)
    # How often each worker looks for tombstones past the retention (one worker prunes at a time).
    sync_prune_interval_seconds: float = Field(default=3600.0, gt=0)
    # A comment line on an idle live stream this often: proxies keep the connection open, a client
    # notices a dead one, and the stream rechecks its access token (a revoked one ends it).
    sync_heartbeat_seconds: float = Field(default=15.0, gt=0)
