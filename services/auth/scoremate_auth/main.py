"""The auth service process: app, broker and lifespan."""

from pathlib import Path

from fastapi import FastAPI

from scoremate_auth.api import on_too_many_login_attempts, router
from scoremate_auth.context import AuthParts
from scoremate_auth.events import handlers
from scoremate_auth.export_part import ProfileExport
from scoremate_auth.keys import KeyRing, LocalTokenVerifier
from scoremate_auth.passwords import PasswordHashing
from scoremate_auth.service import AuthService, TooManyLoginAttempts
from scoremate_auth.settings import AuthSettings
from scoremate_shared.app import ServiceRuntime, create_service_app
from scoremate_shared.storage import ObjectStorage


class AuthRuntime(ServiceRuntime[AuthSettings]):
    def __init__(self, settings: AuthSettings) -> None:
        # Storage only for its part of an export (deploy/storage-policies/auth.json: nothing else).
        storage = ObjectStorage(settings)
        super().__init__(
            settings, migrations_dir=Path(__file__).parent / "migrations", handlers=handlers, storage=storage
        )
        self.keys = KeyRing(self.db, settings)
        # Auth verifies its own tokens with the keys in its table, never by calling itself.
        self.token_verifier = LocalTokenVerifier(settings, self.keys, revocations=self.revocations.list)
        self.auth = AuthService(settings, PasswordHashing(settings), self.keys)
        self.handler_parts = AuthParts(auth=self.auth, profile_export=ProfileExport(storage))
        self.on_startup.append(self.keys.ensure_active_key)


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    runtime = AuthRuntime(settings or AuthSettings())
    app = create_service_app(runtime, title="ScoreMate auth", routers=[router])
    app.add_exception_handler(TooManyLoginAttempts, on_too_many_login_attempts)
    return app
