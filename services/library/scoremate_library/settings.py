"""Library settings."""

from scoremate_shared.settings import ServiceSettings, StorageSettings, UploadTokenSettings


class LibrarySettings(ServiceSettings, StorageSettings, UploadTokenSettings):
    service_name: str = "library"
    db_schema: str = "library"
