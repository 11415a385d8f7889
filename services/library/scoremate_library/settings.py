"""Library settings."""

from scoremate_shared.settings import ServiceSettings, StorageSettings, UploadTokenSettings


class LibrarySettings(ServiceSettings, StorageSettings, UploadTokenSettings):
    # Storage only to sign the cover URLs of listings: a presigned URL is only as good as its
    # signer's rights, so library's identity may read covers and nothing else.
    service_name: str = "library"
    db_schema: str = "library"
